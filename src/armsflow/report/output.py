"""Writing a report: HTML and PDF per language, all or nothing (files appear only when every one rendered)."""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from armsflow.engine.run import Progress
from armsflow.errors import Problem, StudyError
from armsflow.report.content import Content
from armsflow.report.i18n import check_language
from armsflow.report.render import render_html

FORMATS = ("html", "pdf")
Rendered = list[tuple[str, str, bytes]]  # (language, format, file contents)


@dataclass(frozen=True)
class Written:
    lang: str
    format: str
    path: Path
    size: int


def parse_list(text: str, allowed: Sequence[str], option: str) -> list[str]:
    """``en,de`` → ``["en", "de"]``; a one-line error naming ``option`` for an empty or unknown item."""
    items = [x.strip().lower() for x in text.split(",")]
    if not all(items):
        raise StudyError([Problem(option, 0, "", f"empty item in {text!r}")])
    unknown = [x for x in items if x not in allowed]
    if unknown:
        raise StudyError([Problem(option, 0, "", f"unknown value {unknown[0]!r} (known: {', '.join(allowed)})")])
    return list(dict.fromkeys(items))


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
    """One language's files in memory: the HTML page, and the PDF laid out from it (``warn``: see font_warnings)."""
    html = render_html(content, lang)
    if warn and "pdf" in formats:
        for line in font_warnings(html):
            warn(line)
    return [(lang, fmt, html.encode("utf-8") if fmt == "html" else pdf_bytes(html)) for fmt in formats]


def _warm() -> None:
    """A worker's start: load the renderer, start the chart runtime and WeasyPrint's fonts while the run goes on."""
    from armsflow.report import charts

    charts.bars([("warm-up", 1.0, "warm-up")], x_title="x", locale="en")
    pdf_bytes("<p>warm-up</p>")


def _started() -> None:
    return None


@contextmanager
def workers(langs: Sequence[str]) -> Iterator[Executor | None]:
    """Processes for the languages after the first, when the machine has the cores; started at once, so that their
    imports and warm-up overlap with the run that ``gather`` does meanwhile. ``None`` when rendering stays serial.

    Workers are spawned, so a script that calls this must guard its top level with ``if __name__ == "__main__":``
    as ``multiprocessing`` requires; ``write_report`` without a pool needs no such care."""
    extra = min(len(langs) - 1, (os.cpu_count() or 1) - 1)
    if extra <= 0:
        yield None
        return
    # spawn, not fork: the parent holds threads (BLAS, the chart runtime) that a forked child must not inherit
    with ProcessPoolExecutor(extra, mp_context=multiprocessing.get_context("spawn"), initializer=_warm) as pool:
        pool.submit(_started)  # a spawn pool starts all its processes at the first task
        yield pool


def write_report(content: Content, out: Path, langs: Sequence[str], formats: Sequence[str],
                 progress: Progress | None = None, warn: Callable[[str], None] | None = None,
                 pool: Executor | None = None) -> list[Written]:
    """Render every language and format into ``out``; nothing is left behind in ``out`` if any step fails.

    With ``pool`` (see ``workers``) the languages after the first render in other processes meanwhile. ``warn``
    receives one line for each script in a PDF that no installed font covers."""
    for lang in langs:
        check_language(lang)
    if out.exists() and not out.is_dir():
        raise StudyError([Problem("--out", 0, "", f"{out} exists and is not a folder")])
    remote: dict[str, Future[Rendered]] = {}
    if pool is not None:
        remote = {lang: pool.submit(render_files, content, lang, formats) for lang in langs[1:]}
    rendered: Rendered = []
    for lang in langs:
        here = lang not in remote
        rendered += render_files(content, lang, formats, warn if lang == langs[0] else None) if here else \
            remote[lang].result()
        if progress:
            progress("report", len(rendered) / (len(langs) * len(formats)))
    out.mkdir(parents=True, exist_ok=True)
    return _commit(out, file_stem(content), rendered)


def _commit(out: Path, stem: str, rendered: Rendered) -> list[Written]:
    """Write every file under a temporary name, then rename them all: readers never see a partial report."""
    temps: list[tuple[Path, Path]] = []
    try:
        for lang, fmt, data in rendered:
            fd, name = tempfile.mkstemp(prefix=".armsflow-", suffix=f".{fmt}", dir=out)
            temps.append((Path(name), out / f"{stem}.{lang}.{fmt}"))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        for tmp, final in temps:
            os.replace(tmp, final)
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
    return [Written(lang, fmt, out / f"{stem}.{lang}.{fmt}", len(data)) for lang, fmt, data in rendered]
