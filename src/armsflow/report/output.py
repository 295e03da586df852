"""Writing a report's files: HTML and PDF per language, all or nothing (files appear only when every one rendered),
with the second language rendered in a worker process meanwhile when the machine has a second core."""

from __future__ import annotations

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
from armsflow.report.render import render_pages

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


def pdf_bytes(html: str) -> bytes:
    """The PDF of a report page, laid out by WeasyPrint (the page has no external resources to fetch)."""
    from weasyprint import HTML

    data = HTML(string=html, base_url=None).write_pdf()
    assert data is not None
    return bytes(data)


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
    pages = render_pages(content, lang, formats)
    if warn and "pdf" in pages:
        for line in font_warnings(pages["pdf"]):
            warn(line)
    return [(lang, kind, pages[kind].encode("utf-8") if kind == "html" else pdf_bytes(pages[kind]))
            for kind in formats]


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
    here.start()
    extra = min(len(langs) - 1, (os.cpu_count() or 1) - 1)
    try:
        if extra <= 0:
            yield None
            return
        # spawn, not fork: the parent holds threads (BLAS, the chart runtime) that a forked child must not inherit
        with multiprocessing.get_context("spawn").Pool(extra, initializer=warm, initargs=(formats,)) as pool:
            yield pool
    finally:
        here.join()


def write_files(content: Content, out: Path, langs: Sequence[str], formats: Sequence[str],
                progress: Progress | None = None, warn: Callable[[str], None] | None = None,
                pool: Pool | None = None) -> list[ReportFile]:
    """Render every language and format into the folder ``out``; nothing is left behind in ``out`` if any step fails.

    With ``pool`` (see ``workers``) the languages after the first render in other processes meanwhile. ``warn``
    receives one line for each script in a PDF that no installed font covers."""
    for lang in langs:
        check_language(lang)
    if out.exists() and not out.is_dir():
        raise ParameterError("out", f"{out} exists and is not a folder")
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
    return _commit(out, file_stem(content), rendered)


def _umask() -> int:
    """The process's umask. POSIX reads it only by setting it, so it is set and put back at once."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _commit(out: Path, stem: str, rendered: Rendered) -> list[ReportFile]:
    """Write every file under a temporary name, then rename them all: readers never see a partial report. The files
    get the mode a new file gets from the user's umask (``mkstemp`` makes them private to the owner)."""
    mode = 0o666 & ~_umask()
    temps: list[tuple[Path, Path]] = []
    try:
        for lang, fmt, data in rendered:
            fd, name = tempfile.mkstemp(prefix=".armsflow-", suffix=f".{fmt}", dir=out)
            temps.append((Path(name), out / f"{stem}.{lang}.{fmt}"))
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), mode)
                fh.write(data)
        for tmp, final in temps:
            os.replace(tmp, final)
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
    return [ReportFile(lang, fmt, out / f"{stem}.{lang}.{fmt}", len(data)) for lang, fmt, data in rendered]
