"""Writing a report's files: HTML and PDF per language, all or nothing (files appear only when every one rendered),
with the second language rendered in a worker process meanwhile when the machine has a second core."""

from __future__ import annotations

import gc
import glob
import multiprocessing
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from typing import TYPE_CHECKING

from armsflow.errors import ParameterError
from armsflow.report.content import Content
from armsflow.report.i18n import check_language

if TYPE_CHECKING:
    from armsflow.engine.run import Progress

FORMATS = ("html", "pdf")
Rendered = list[tuple[str, str, bytes]]  # (language, format, file contents)


@dataclass(frozen=True)
class ReportFile:
    """One written file of a report: its language, format, path and size in bytes."""

    lang: str
    format: str
    path: Path
    bytes: int


#: Allocations between two young-generation collections while a PDF is laid out (Python's default is 700).
GC_THRESHOLD = 50_000


def pdf_bytes(html: str) -> bytes:
    """The PDF of a report page, laid out by WeasyPrint (the page has no external resources to fetch)."""
    from weasyprint import HTML

    with _few_collections():
        data = HTML(string=html, base_url=None).write_pdf()
    assert data is not None
    return bytes(data)


@contextmanager
def _few_collections() -> Iterator[None]:
    """Python's cyclic garbage collector run less often meanwhile: WeasyPrint makes millions of small objects while
    it lays out a report, and the collector's frequent passes over them cost a noticeable share of the time, while
    the garbage it would find is freed all the same when the normal thresholds return (at the end, at once)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


_SCRIPTS = {  # script -> its characters, and the Debian package with a font that has them
    "Korean": ("[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]", "fonts-nanum"),
    "Chinese or Japanese": ("[\u4e00-\u9fff\u3040-\u30ff]", "fonts-noto-cjk"),
}


def font_warnings(html: str) -> list[str]:
    """One line for each script in the page whose characters no installed font has (they would print as boxes);
    fontconfig is asked for a font with every such character of the page."""
    if shutil.which("fc-list") is None:
        return []
    out = []
    for script, (chars, package) in _SCRIPTS.items():
        used = sorted(set(re.findall(chars, html)))
        if used:
            charset = " ".join(f"{ord(ch):x}" for ch in used)
            found = subprocess.run(["fc-list", f":charset={charset}", "family"], capture_output=True, text=True,
                                   check=False)
            if not found.stdout.strip():
                out.append(f"warning: no font for {script} text is installed; the PDF shows it as empty boxes "
                           f"(Debian/Ubuntu: apt-get install {package})")
    return out


def file_stem(content: Content) -> str:
    run = content.run
    parts = [run.study, run.scenario, f"as-of-{run.as_of.isoformat()}" if run.as_of else None]
    return "-".join(p for p in parts if p)


def render_files(content: Content, lang: str, formats: Sequence[str],
                 warn: Callable[[str], None] | None = None) -> Rendered:
    """One language's files in memory: the HTML page, and the PDF laid out from its print page (``warn``: see
    font_warnings)."""
    # Imported here, not above: the page renderer and its chart library take a third of a second to import, which
    # the warm-up thread pays while the study runs (``workers``) instead of the run waiting for it.
    from armsflow.report.render import render_pages

    pages = render_pages(content, lang, formats)
    if warn and "pdf" in pages:
        for line in font_warnings(pages["pdf"]):
            warn(line)
    return [(lang, kind, pages[kind].encode("utf-8") if kind == "html" else pdf_bytes(pages[kind]))
            for kind in formats]


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)``): a worker of a
    killed ``report`` must not live on. Elsewhere the worker ends when its pool's pipe closes."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    parent = multiprocessing.parent_process()
    if parent is not None and not parent.is_alive():  # the parent died before the request above took effect
        os._exit(1)


def _start_worker(formats: Sequence[str]) -> None:
    _die_with_parent()
    warm(formats)


def warm(formats: Sequence[str]) -> None:
    """Load the renderer, start the chart runtime and (for a PDF) WeasyPrint and its fonts: two seconds of work that
    a process pays before its first chart and PDF, done here while the study runs."""
    from armsflow.report import charts

    charts.bars([("warm-up", 1.0, "warm-up")], x_title="x", locale="en")
    if "pdf" in formats:
        pdf_bytes("<p>warm-up</p>")


@contextmanager
def workers(langs: Sequence[str], formats: Sequence[str]) -> Iterator[Pool | None]:
    """Processes for the languages after the first, when the machine has the cores, started at once so that their
    imports and warm-up overlap with the run that ``gather`` does meanwhile; ``None`` when rendering stays serial.
    This process warms up too, in a thread: NumPy leaves the lock to it for much of the run.

    Workers are spawned, so a script that calls this must guard its top level with ``if __name__ == "__main__":``
    as ``multiprocessing`` requires; ``write_files`` without a pool needs no such care. On leaving, the workers are
    ended at once: each has delivered its files by then, and a worker's own shutdown takes most of a second."""
    here = threading.Thread(target=warm, args=(formats,), daemon=True)
    extra = min(len(langs) - 1, (os.cpu_count() or 1) - 1)
    try:
        if extra <= 0:
            here.start()
            yield None
            return
        # spawn, not fork: the parent holds threads (BLAS, the chart runtime) that a forked child must not inherit.
        # The pool starts before the warm-up thread, whose imports would hold the lock the start needs.
        with multiprocessing.get_context("spawn").Pool(extra, initializer=_start_worker, initargs=(formats,)) as pool:
            here.start()
            yield pool
    finally:
        if here.is_alive():
            here.join()


def write_files(content: Content, out: Path, langs: Sequence[str], formats: Sequence[str],
                progress: Progress | None = None, warn: Callable[[str], None] | None = None,
                pool: Pool | None = None) -> list[ReportFile]:
    """Render every language and format into the report folder ``out/STEM`` (see ``_commit``): the files of one
    run appear together or not at all, and a failed or killed run leaves the previous report as it was.

    With ``pool`` (see ``workers``) the languages after the first render in other processes meanwhile. ``warn``
    receives one line for each script in a PDF that no installed font covers."""
    for lang in langs:
        check_language(lang)
    if out.exists() and not out.is_dir():
        raise ParameterError("out", f"{out} exists and is not a folder")
    stem = file_stem(content)
    target = out / stem
    report = re.compile(rf"^{re.escape(stem)}\.[a-z]{{2}}\.(?:{'|'.join(FORMATS)})$")
    if target.exists() and (not target.is_dir() or any(not report.match(f.name) for f in target.iterdir())):
        # Only a folder that holds nothing but this report's files may be replaced: never a study or a user's folder.
        raise ParameterError("out", f"{target} exists and is not a report folder")
    remote: dict[str, AsyncResult[Rendered]] = {}
    if pool is not None:
        remote = {lang: pool.apply_async(render_files, (content, lang, formats)) for lang in langs[1:]}
    rendered: Rendered = []
    for lang in langs:
        here = lang not in remote
        rendered += render_files(content, lang, formats, warn if lang == langs[0] else None) if here else \
            remote[lang].get()
        if progress:
            progress("report", len(rendered) / (len(langs) * len(formats)))
    out.mkdir(parents=True, exist_ok=True)
    return _commit(target, rendered)


def _umask() -> int:
    """The process's umask. POSIX reads it only by setting it, so it is set and put back at once."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _commit(target: Path, rendered: Rendered) -> list[ReportFile]:
    """Put the files into the report folder ``target`` all at once.

    The new set is written into a fresh sibling folder (with the files of the previous report that this run does not
    replace, such as another language), synced, and swapped for ``target`` in one atomic exchange
    (``renameat2(RENAME_EXCHANGE)``, Linux 3.15 and later); where the system has no exchange, ``target`` is renamed
    away and the new folder renamed in, so a reader finds the old set, then briefly none, then the new one, never a
    mix. A process killed at any point leaves ``target`` whole; its leftovers (``.STEM.new-*``) are removed by the
    next run. The files get the mode a new file gets from the user's umask."""
    stem, parent = target.name, target.parent
    for stale in parent.glob(f".{glob.escape(stem)}.new-*"):
        shutil.rmtree(stale, ignore_errors=True)
    mode = 0o666 & ~_umask()
    staging = Path(tempfile.mkdtemp(prefix=f".{stem}.new-", dir=parent))
    try:
        os.chmod(staging, 0o777 & ~_umask())
        names = {f"{stem}.{lang}.{fmt}" for lang, fmt, _ in rendered}
        if target.is_dir():
            for kept in target.iterdir():
                if kept.is_file() and kept.name not in names:
                    shutil.copy2(kept, staging / kept.name)
        for lang, fmt, data in rendered:
            with open(staging / f"{stem}.{lang}.{fmt}", "wb") as fh:
                os.fchmod(fh.fileno(), mode)
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        _fsync_dir(staging)
        if target.is_dir():
            _swap(staging, target)  # staging now holds the previous report
            shutil.rmtree(staging, ignore_errors=True)
        else:
            os.rename(staging, target)
        _fsync_dir(parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [ReportFile(lang, fmt, target / f"{stem}.{lang}.{fmt}", len(data)) for lang, fmt, data in rendered]


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _swap(a: Path, b: Path) -> None:
    """Exchange two folders atomically where the system can; else rename ``b`` away and ``a`` into its place."""
    import ctypes
    import errno

    libc = ctypes.CDLL(None, use_errno=True)
    exchange = getattr(libc, "renameat2", None)
    if exchange is not None and exchange(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return
    code = ctypes.get_errno() if exchange is not None else errno.ENOSYS
    if code not in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, 0):
        raise OSError(code, os.strerror(code), str(b))
    old = b.with_name(f"{b.name}.old-{os.getpid()}")
    os.rename(b, old)
    os.rename(a, b)
    os.rename(old, a)
