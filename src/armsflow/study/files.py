"""Writing a study's files: only a regular file directly inside the study folder (``study_file``), one edit of a
folder at a time across threads and processes (``editing``), each version of a text named by a hash of its bytes
(``version``), and the file replaced atomically: written to a temporary file in the file's own folder, flushed to
disk and moved over the old one with ``os.replace``, so a kill at any moment leaves either the old file or the new
one, never a mix. Every writer of study files (intake, the workbench's row edits and saved what-ifs) goes through
``atomic_write``.

``ARMSFLOW_TEST_WRITE_PAUSE`` (seconds) makes every write pause before its replace: the kill tests' hook.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from armsflow.errors import fail
from armsflow.study.loader import MAX_BYTES

PAUSE = "ARMSFLOW_TEST_WRITE_PAUSE"
#: One edit of a study's files at a time in this process (see ``editing``).
EDITING = threading.Lock()


@contextmanager
def editing(folder: Path) -> Iterator[None]:
    """Hold the study folder for one edit, whatever the file: two saves naming the same version cannot both pass the
    version check, and each edit is checked against the other files as they stand when it is written. Threads take
    turns by ``EDITING``; processes (the workers of ``armsflow serve --workers``, ``armsflow intake accept``) by an
    exclusive ``flock`` on the folder itself, so nothing is created in it. Where ``fcntl`` is missing (Windows)
    only threads take turns."""
    with EDITING:
        try:
            import fcntl
        except ImportError:
            yield
            return
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            raise fail(str(folder), 0, "", "no such study folder (moved or deleted?)") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock


def study_file(folder: Path, name: str) -> Path:
    """``folder/name``, refused unless it is a regular file inside a study folder (no link leads out)."""
    if not folder.is_dir():
        raise fail(str(folder), 0, "", "no such study folder (moved or deleted?)")
    path = folder / name
    if path.is_symlink() or not path.is_file():
        raise fail(name, 0, "", "not a regular file in the study folder (a symbolic link is never written through)")
    if path.resolve().parent != folder.resolve():
        raise fail(name, 0, "", "resolves outside the study folder")
    if path.stat().st_size > MAX_BYTES:
        raise fail(name, 0, "", f"larger than {MAX_BYTES // 2**20} MiB")
    return path


def version(data: bytes) -> str:
    """The version of a row's or a file's bytes: what an edit names in ``if_match`` (an HTTP ``ETag``)."""
    return hashlib.sha256(data).hexdigest()[:20]


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
