"""Recording a run in the history of its study folder, and the folder's git commit at that moment."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from armsflow.errors import InputError
from armsflow.history import store
from armsflow.results import RunResult
from armsflow.study.spec import Study


@dataclass(frozen=True)
class Recorded:
    """The id of the recorded run, or why none was recorded (a warning for the user; None when not asked to)."""

    run: int | None
    warning: str | None = None


def git_commit(folder: Path) -> str | None:
    """The commit checked out in the git repository that holds ``folder`` (``+`` appended when files there differ
    from it), or None when it is not in a repository or git is not installed."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        head = subprocess.run([git, "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10, check=False)
        if head.returncode != 0:
            return None
        dirty = subprocess.run([git, "-C", str(folder), "status", "--porcelain", "--", "."], capture_output=True,
                               text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+" if dirty.stdout.strip() else "")


def record_run(study: Study, result: RunResult, command: str, *, unless_recorded: bool = False) -> Recorded:
    """Add ``result`` to the history of ``study``'s folder. A bundled study has no folder of the user's and is not
    recorded; a folder that cannot be written is skipped with a warning, and the run stands. With
    ``unless_recorded``, a run whose inputs, seed, draws, scenario and cut-off match the last recorded run's is not
    added again (a server that runs a study on each start and after each edit records each state once)."""
    if study.path is None:
        return Recorded(None)
    folder = study.path
    if not os.access(folder, os.W_OK):
        return Recorded(None, f"{folder}: not writable; this run is not recorded in its history")
    run = store.StoredRun(
        0, datetime.now(UTC).isoformat(timespec="seconds"), command, result.version, git_commit(folder),
        result.inputs_sha256, result.seed, result.draws, result.scenario,
        result.as_of.isoformat() if result.as_of else None,
        {name: store.digest(data) for name, data in study.files.items()}, result.to_dict())
    try:
        return Recorded(store.add_run(folder, run, study.files, unless_last=unless_recorded))
    except InputError as exc:
        return Recorded(None, f"{exc}; this run is not recorded")
    except (OSError, sqlite3.Error) as exc:
        return Recorded(None, f"{folder / store.FILE}: {exc}; this run is not recorded")
