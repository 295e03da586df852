"""The library call behind ``armsflow report``: run a study once and write its report in each language and format."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from armsflow.errors import ParameterError
from armsflow.report.i18n import LANGUAGES
from armsflow.report.output import FORMATS, ReportFile
from armsflow.results import Result
from armsflow.results.base import NOT_IN_JSON
from armsflow.study.loader import StudyRef, as_study

if TYPE_CHECKING:
    from armsflow.engine.run import Progress


@dataclass(frozen=True)
class ReportResult(Result):
    """The files one report wrote, in the order of the languages and formats asked for."""

    study: str
    out: Path
    files: tuple[ReportFile, ...]
    #: The run's id in the study folder's history, when recorded, and what the user should know about it.
    recorded: int | None = field(default=None, metadata=NOT_IN_JSON)
    warnings: tuple[str, ...] = field(default=(), metadata=NOT_IN_JSON)


def write_report(study: StudyRef, *, langs: str | Sequence[str] = ("en",),
                 formats: str | Sequence[str] = FORMATS, out: str | Path = ".", as_of: date | None = None,
                 seed: int | None = None, scenario: str | None = None, draws: int | None = None,
                 progress: Progress | None = None, warn: Callable[[str], None] | None = None,
                 history: bool = False, since: str | int | date | None = None,
                 screen_db: str | Path | None = None, reconcile: bool | None = None) -> ReportResult:
    """Run ``study`` once (with Sobol indices) and write its report into the folder ``out``: for each language of
    ``langs`` (``en``, ``de``) and format of ``formats`` (``html``, ``pdf``) one file ``STEM.LANG.FORMAT``, where the
    stem names the study, the scenario and the cut-off. Files appear only when every one rendered.

    ``langs`` and ``formats`` are lists, or texts with commas (``"en,de"``). ``as_of`` keeps only evidence published
    by that day; ``seed``, ``scenario`` and ``draws`` are those of ``armsflow.run``. ``progress`` is called with a
    phase and the fraction done; ``warn`` with one line for each script in a PDF that no installed font covers.
    With two languages on a machine with two cores, the second renders in a worker process meanwhile, so a script
    that calls this must guard its top level with ``if __name__ == "__main__":`` (``multiprocessing`` spawns it).

    With ``history`` the run is recorded in the study folder's history, as ``armsflow.run`` records it. ``since``
    (a run id, a day or a git revision, as ``armsflow.diff`` takes them) adds "What changed since the last edition";
    ``screen_db`` (a store of ``armsflow screen load``) adds the study's ships and firms against sanctions lists.
    ``reconcile`` adds each scenario against the base, assumption by assumption, with the published estimates each
    follows (``armsflow.reconcile``, on the run's own draws). By default (``None``) it is on for a report of the
    base with all evidence, and off with ``scenario`` or ``as_of``, whose figures the reconciliation (of the base
    with all evidence) would not match.

    Raises ``ParameterError`` naming ``langs``, ``formats`` or ``out``, and ``StudyError`` for a study with problems.
    """
    chosen_langs = _choices(langs, LANGUAGES, "langs")
    chosen_formats = _choices(formats, FORMATS, "formats")
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ParameterError("out", f"{folder} exists and is not a folder")
    loaded = as_study(study)
    if reconcile is None:
        reconcile = scenario is None and as_of is None and bool(loaded.scenarios)
    from armsflow.report.content import gather
    from armsflow.report.output import workers, write_files

    with workers(chosen_langs, chosen_formats) as pool:
        content = gather(loaded, as_of=as_of, seed=seed, scenario=scenario, draws=draws, progress=progress,
                         reconcile=reconcile)
        if since is not None:
            from armsflow.engine.diff import diff

            changes = diff(loaded, since, as_of, seed=seed, draws=draws, scenario=scenario)
            content = replace(content, changes=changes)
        if screen_db is not None:
            from armsflow.screen import screen_study

            content = replace(content, screening=screen_study(loaded, Path(screen_db)))
        files = write_files(content, folder, chosen_langs, chosen_formats, progress, warn=warn, pool=pool)
    if not history:
        return ReportResult(content.run.study, folder, tuple(files))
    from armsflow.history.record import record_run

    recorded = record_run(loaded, content.run, "report")
    return ReportResult(content.run.study, folder, tuple(files), recorded.run,
                        (recorded.warning,) if recorded.warning else ())


def _choices(value: str | Sequence[str], allowed: Sequence[str], parameter: str) -> list[str]:
    """The items of ``value`` (a list, or a text with commas) once each; a ``ParameterError`` for none, an empty
    item or an unknown one."""
    text = value if isinstance(value, str) else ",".join(value)
    items = [x.strip().lower() for x in text.split(",")]
    if not all(items):
        raise ParameterError(parameter, f"empty item in {text!r}")
    unknown = [x for x in items if x not in allowed]
    if unknown:
        raise ParameterError(parameter, f"unknown value {unknown[0]!r} (known: {', '.join(allowed)})")
    return list(dict.fromkeys(items))
