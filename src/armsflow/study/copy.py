"""Copy a study (bundled or a folder) into a new folder, as the starting point of the user's own."""

from __future__ import annotations

from pathlib import Path

from armsflow.errors import fail
from armsflow.results import InitResult
from armsflow.study.bundled import DEFAULT, locate
from armsflow.study.loader import HISTORY_FILE, OPTIONAL, REQUIRED
from armsflow.study.texts_load import FILE


def init(folder: Path, source: str = DEFAULT) -> InitResult:
    """``armsflow init``: copy the bundled study (or study folder) ``source`` into the new ``folder``."""
    return InitResult(folder, source, copy_study(source, folder))


def copy_study(source: str, target: Path) -> list[Path]:
    """Write the study files of ``source`` into ``target``, which must not exist yet (nothing half-written)."""
    if target.exists():
        raise fail(str(target), 0, "", "already exists; choose a new folder")
    folder = locate(source)
    names = [*REQUIRED, *OPTIONAL, *sorted(e.name for e in folder.iterdir() if FILE.match(e.name))]
    files = {name: folder.joinpath(name).read_bytes() for name in names if folder.joinpath(name).is_file()}
    tmp = target.with_name(f".{target.name}.tmp")
    if tmp.exists():
        raise fail(str(tmp), 0, "", "left over from an interrupted init; remove it")
    tmp.mkdir(parents=True)
    written = []
    # The run history (armsflow history) lives beside the study files and is not part of the study.
    files[".gitignore"] = f"{HISTORY_FILE}\n".encode()
    for name, data in files.items():
        (tmp / name).write_bytes(data)
        written.append(target / name)
    tmp.rename(target)
    return written
