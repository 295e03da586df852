"""Writing a report: HTML and PDF per language, all or nothing (files appear only when every one rendered)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from armsflow.errors import Problem, StudyError
from armsflow.report.content import Content
from armsflow.report.i18n import check_language
from armsflow.report.render import render_html

FORMATS = ("html", "pdf")
Progress = Callable[[str, float], None]


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


_SCRIPTS = {  # script (a character range) -> the fontconfig language that covers it, and the package that does
    "Korean": ("[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]", "ko", "fonts-nanum"),
    "Chinese or Japanese": ("[\u4e00-\u9fff\u3040-\u30ff]", "zh", "fonts-noto-cjk"),
}


def font_warnings(html: str) -> list[str]:
    """One line for each script in the page that no installed font covers (it would print as empty boxes)."""
    if shutil.which("fc-list") is None:
        return []
    out = []
    for script, (chars, lang, package) in _SCRIPTS.items():
        if re.search(chars, html):
            found = subprocess.run(["fc-list", f":lang={lang}", "family"], capture_output=True, text=True, check=False)
            if not found.stdout.strip():
                out.append(f"warning: no font for {script} text is installed; the PDF shows it as empty boxes "
                           f"(Debian/Ubuntu: apt-get install {package})")
    return out


def file_stem(content: Content) -> str:
    run = content.run
    parts = [run.study, run.scenario, f"as-of-{run.as_of.isoformat()}" if run.as_of else None]
    return "-".join(p for p in parts if p)


def write_report(content: Content, out: Path, langs: Sequence[str], formats: Sequence[str],
                 progress: Progress | None = None, warn: Callable[[str], None] | None = None) -> list[Written]:
    """Render every language and format into ``out``; nothing is left behind in ``out`` if any step fails.

    ``warn`` receives one line for each script in a PDF that no installed font covers."""
    for lang in langs:
        check_language(lang)
    if out.exists() and not out.is_dir():
        raise StudyError([Problem("--out", 0, "", f"{out} exists and is not a folder")])
    out.mkdir(parents=True, exist_ok=True)
    rendered: list[tuple[str, str, bytes]] = []
    steps = len(langs) * len(formats)
    for i, lang in enumerate(langs):
        html = render_html(content, lang)
        if warn and i == 0 and "pdf" in formats:
            for line in font_warnings(html):
                warn(line)
        for fmt in formats:
            data = html.encode("utf-8") if fmt == "html" else pdf_bytes(html)
            rendered.append((lang, fmt, data))
            if progress:
                progress("report", len(rendered) / steps)
    stem = file_stem(content)
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
