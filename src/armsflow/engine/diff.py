"""``armsflow diff``: two states of a study (recorded runs, evidence cut-offs or git revisions), what differs
between their inputs, and how much each change moved the headline estimates (``attribution``)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from armsflow import __version__
from armsflow.engine.attribution import METHOD, attribute
from armsflow.engine.plan import make_plan
from armsflow.errors import ParameterError
from armsflow.history import store
from armsflow.history.changes import cutoff_changes, file_changes
from armsflow.results import DiffResult, HistoryResult, RunEntry, Side
from armsflow.study.loader import OPTIONAL, REQUIRED, StudyRef, as_study, inputs_hash, study_from_files
from armsflow.study.spec import Study
from armsflow.study.texts_load import FILE as TEXTS

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class State:
    side: Side
    study: Study
    version: str


def _folder(study: Study, what: str) -> Path:
    if study.path is None:
        raise ParameterError(what, "a bundled study has no history or git revisions: copy it with init first")
    return study.path


def _git_files(folder: Path, revision: str) -> tuple[str, dict[str, bytes]]:
    git = shutil.which("git")
    if git is None:
        raise ParameterError("revision", "git is not installed")
    if revision.startswith("-"):  # git would read it as one of its options
        raise ParameterError("revision", f"{revision[:40]!r} is not a revision (a revision never starts with '-')")

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([git, "-C", str(folder), *args], capture_output=True, timeout=30, check=False)

    found = run("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if found.returncode != 0:
        raise ParameterError("revision", f"{revision!r} is not a revision of the repository holding {folder}")
    commit = found.stdout.decode().strip()
    prefix = run("rev-parse", "--show-prefix").stdout.decode().strip()
    listed = run("ls-tree", "--name-only", commit, f"{prefix}" if prefix else ".").stdout.decode().splitlines()
    names = {Path(n).name for n in listed}
    files = {}
    for name in sorted(names):
        if name in REQUIRED or name in OPTIONAL or TEXTS.match(name):
            shown = run("show", f"{commit}:{prefix}{name}")
            if shown.returncode == 0:
                files[name] = shown.stdout
    return commit, files


def state(study: Study, spec: str | int | date | None, what: str) -> State:
    """One side of a comparison, from its text: a run id (digits), a day ``YYYY-MM-DD`` or ``today`` (the study as
    known then), or else a git revision of the study folder; ``None`` is the study folder as it is."""
    if spec is None:
        return State(Side("now", "folder", None, None, None, inputs_hash(study.files)), study, __version__)
    if isinstance(spec, date) or (isinstance(spec, str) and (spec == "today" or _DAY.match(spec))):
        try:
            day = spec if isinstance(spec, date) else date.today() if spec == "today" else date.fromisoformat(spec)
        except ValueError:
            raise ParameterError(what, f"not a day: {spec!r}") from None
        label = f"as known on {day}"
        return State(Side(label, "as_of", None, day, None, inputs_hash(study.files)), study, __version__)
    if isinstance(spec, int) or spec.isdigit():
        run, files = store.run_with_files(_folder(study, what), int(spec))
        loaded = study_from_files({n: d for n, d in files.items() if not n.startswith("reference/")},
                                  study.meta.id)
        cut = date.fromisoformat(run.as_of) if run.as_of else None
        side = Side(f"run {run.id} ({run.time})", "run", run.id, cut, run.git_commit, run.inputs_sha256)
        return State(side, loaded, run.version)
    commit, files = _git_files(_folder(study, what), spec)
    loaded = study_from_files(files, study.meta.id)
    return State(Side(f"git {commit[:12]}", "git", None, None, commit, inputs_hash(files)), loaded, __version__)


def diff(study: StudyRef, a: str | int | date, b: str | int | date | None = None, *, seed: int | None = None,
         draws: int | None = None, scenario: str | None = None) -> DiffResult:
    """What changed from state ``a`` to state ``b`` of a study, and how much each change moved every headline
    median. ``a`` and ``b`` are run ids, days (``YYYY-MM-DD``, ``today``: the study as known then) or git
    revisions; ``b`` defaults to the folder as it is. Both sides run with the same seed, draws and scenario
    (default: the study's), so that the move is the inputs', not the random numbers'."""
    base = as_study(study)
    left, right = state(base, a, "a"), state(base, b, "b")
    seed = base.meta.seed if seed is None else seed
    draws = base.meta.draws if draws is None else draws
    plan_a = make_plan(left.study, scenario, left.side.as_of)
    plan_b = make_plan(right.study, scenario, right.side.as_of)
    changes = file_changes(left.study.files, right.study.files)
    if left.side.as_of != right.side.as_of:
        changes += cutoff_changes(right.study, left.side.as_of, right.side.as_of)
    outputs, _, aside = attribute(plan_a, plan_b, seed=seed, draws=draws)
    # Groups no headline output reads (the quantities behind published estimates, say) moved nothing to attribute.
    unattributed = [f"{g.name}: changed, read by no headline result" for g in aside]
    for s in (left, right):
        if s.version != __version__:
            unattributed.append(f"{s.side.label} was recorded by armsflow {s.version}; its reference tables and "
                                f"rules are taken as this version's ({__version__})")
    return DiffResult(base.meta.id, left.side, right.side, seed, draws, scenario,
                      METHOD.format(over="changed groups of inputs"), tuple(changes),
                      tuple(outputs), tuple(unattributed))


def run_history(study: StudyRef) -> HistoryResult:
    """``armsflow history``: the runs recorded in a study folder, oldest first, with their headline medians."""
    loaded = as_study(study)
    folder = _folder(loaded, "study")
    entries = []
    for run in store.runs(folder):
        heads = {r["id"]: r.get("p50") for r in run.results.get("results", []) if r.get("headline")}
        entries.append(RunEntry(run.id, run.time, run.command, run.version, run.git_commit, run.inputs_sha256,
                                run.seed, run.draws, run.scenario, run.as_of, heads))
    return HistoryResult(loaded.meta.id, str(folder / store.FILE), entries)
