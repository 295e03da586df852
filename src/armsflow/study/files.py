"""Replacing a study's files atomically: written to a temporary file in the file's own folder, flushed to disk and
moved over the old one with ``os.replace``, so a kill at any moment leaves either the old file or the new one, never
a mix. Every writer of study files (intake, the workbench's claim edit) goes through ``atomic_write``.

``ARMSFLOW_TEST_WRITE_PAUSE`` (seconds) makes every write pause before its replace: the kill tests' hook.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE = "ARMSFLOW_TEST_WRITE_PAUSE"


def _pause() -> None:
    seconds = os.environ.get(PAUSE)
    if seconds:
        time.sleep(float(seconds))


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` in one step, keeping its permissions."""
    _remove_stale(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        _pause()
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    try:
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale(path: Path) -> None:
    """Temporary files a killed writer of ``path`` left behind (its process is gone)."""
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        pid = stale.name.removeprefix(f".{path.name}.").removesuffix(".tmp")
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            stale.unlink(missing_ok=True)
        except PermissionError:
            continue
