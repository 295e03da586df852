"""Content to one self-contained HTML page (inline CSS and SVG, no scripts, no remote resources) in one language.

Everything from the study is escaped by Jinja2's autoescaping; links are written only for http(s) URLs; charts are
SVG that ``charts.assert_safe_svg`` has checked. The same content and language always give the same bytes.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from armsflow.report import figures
from armsflow.report.content import Content
from armsflow.report.fmt import Fmt
from armsflow.report.footnotes import Notes, anchor
from armsflow.report.i18n import N_, check_language, translations
from armsflow.results import Side

NNBSP = "\u202f"  # narrow no-break space: keeps a note's marker with its figure, a little apart from it
WJ = "\u2060"  # word joiner: no line break here


@cache
def _environment(lang: str) -> Environment:
    env = Environment(
        loader=PackageLoader("armsflow.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["url"] = safe_url
    env.filters["anchor"] = anchor
    env.filters["nw"] = lambda text: keep_numbers(text, cell=True)
    return env


def breakable_id(ident: str, for_print: bool = False) -> Markup:
    """An id that a line may break after its hyphens and nowhere else: "S-KBS-2024-10-18" may end a line after
    "S-KBS-" but never inside "2024" (by default no break follows a hyphen before a digit, so a long id would
    either overflow its cell or be cut anywhere). The HTML page marks each chance with ``<wbr>``, which copies and
    searches as nothing; the print page with the zero-width space WeasyPrint would put there, as text: 800 ``<wbr>``
    elements take WeasyPrint seconds to style and lay out."""
    return Markup("-<wbr>" if not for_print else "-\u200b").join(ident.split("-"))


def keep_numbers(text: str, cell: bool = False) -> Markup:
    """``text`` with its numbers (up to the first no-break space) kept on one line: a range such as "2.2–4.8" must
    not break at its dash. In a table ``cell`` the unit after the numbers may wrap anywhere between its words."""
    head, sep, tail = text.partition("\u00a0")
    if cell:
        sep, tail = (" ", tail.replace("\u00a0", " ")) if sep else (sep, tail)
    return Markup('<span class="nw">{}</span>{}{}').format(head, sep, tail)


def safe_url(url: str) -> str | None:
    """``url`` if it is an absolute http(s) URL with a host; ``None`` for anything else (javascript:, data:, …)."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(ch in text for ch in "\"'<> \n\t"):
        return None
    return text


class Page:
    """What the template calls while it renders: formatting, footnoted figures and evidence links."""

    def __init__(self, content: Content, fmt: Fmt, for_print: bool = False) -> None:
        self.c = content
        self.f = fmt
        self.notes = Notes()
        self.texts = content.study.texts.get(fmt.lang)
        self.for_print = for_print

    def tx(self, table: str, key: str, default: str) -> str:
        """The study's own text in the page's language (its ``texts.LANG.toml``), else as model.toml states it."""
        return self.texts.get(table, key, default) if self.texts else default

    def label(self, variable: str) -> str:
        """A variable's or output's label in the page's language."""
        return self.tx("labels", variable, self.c.study.with_scenario(self.c.run.scenario)[variable].label)

    def fig(self, text: str, refs: Iterable[str], assumptions: Iterable[str] = ()) -> Markup:
        """A figure in the text, followed by the number of the note that lists what it rests on. The number stands
        in brackets after a narrow no-break space, so that "1.54×" and note 10 cannot read as 1.54×10 (or "16.0"
        and note 8 as 16.0 to the 8th)."""
        note = self.notes.add(refs, assumptions)
        return Markup('<span class="fig">{}</span>{}<sup class="fn"><a href="#fn-{}">[{}]</a></sup>').format(
            keep_numbers(text), NNBSP, note.number, note.number)

    def ref(self, ident: str) -> Markup:
        """A link to the evidence row of a claim, price, event, trade record or source id."""
        return Markup('<a class="ref" href="#{}">{}</a>').format(anchor(self.c.kind_of(ident), ident),
                                                                 self.ident(ident))

    def ident(self, ident: str) -> Markup:
        """An id as a table cell shows it: see ``breakable_id``."""
        return breakable_id(ident, self.for_print)

    def refs(self, idents: Iterable[str]) -> Markup:
        return Markup(", ").join(self.ref(i) for i in idents)

    def series_label(self, timeline: str, series: str) -> str:
        spec = self.c.study.timelines[timeline]
        return self.tx("timelines", f"{timeline}.{series}",
                       next((s.label for s in spec.series if s.name == series), series))

    def title(self) -> str:
        return self.texts.title if self.texts and self.texts.title else self.c.run.title

    def question(self) -> str:
        return self.texts.question if self.texts and self.texts.question else self.c.run.question

    def day(self, value: date | str) -> str:
        return self.f.date(date.fromisoformat(value) if isinstance(value, str) else value)

    def side(self, side: Side) -> str:
        """One state of a comparison (``armsflow diff``) in the page's language."""
        if side.kind == "run":
            return self.f.gettext("run %(id)s of the study's history") % {"id": side.run}
        if side.kind == "as_of" and side.as_of is not None:
            return self.f.gettext("the study as known on %(day)s") % {"day": self.f.date(side.as_of)}
        if side.kind == "git" and side.commit:
            return self.f.gettext("git revision %(commit)s") % {"commit": side.commit[:12]}
        return self.f.gettext("the study as it is")

    def signed(self, value: float, unit: str) -> str:
        """A change with its sign: +0.23 bn USD, −0.59 bn USD."""
        sign = "+" if value > 0 else "\u2212" if value < 0 else "±"
        return sign + self.f.quantity(abs(value), unit).mid

    def change_flag(self, flag: str) -> str:
        """What else changed in a group of inputs (``engine.attribution.FLAGS``), in the page's language."""
        return self.f.gettext(CHANGE_FLAGS.get(flag, flag))


#: The codes of ``engine.attribution.FLAGS`` in the words the catalogue translates.
CHANGE_FLAGS = {"formula": N_("a new formula"), "evidence-for-fallback": N_("evidence instead of the fallback"),
                "fallback-for-evidence": N_("the fallback instead of evidence"),
                "no-longer-extrapolated": N_("no longer extrapolated"), "now-extrapolated": N_("now extrapolated"),
                "reference-rows": N_("money converted with other reference rows (exchange rates, price index)"),
                "distribution": N_("distribution or grading changed")}


def render_html(content: Content, lang: str) -> str:
    """The report as one HTML document in ``lang`` (``en`` or ``de``), its charts inline SVG."""
    return render_pages(content, lang, ("html",))["html"]


def render_pages(content: Content, lang: str, formats: Sequence[str]) -> dict[str, str]:
    """The report in ``lang`` as the page each of ``formats`` is made from, the charts drawn once for all: ``html``
    with the charts as inline SVG (a browser styles and searches them), ``pdf`` with each chart an SVG image.
    WeasyPrint runs an inline SVG's every element through the page's CSS cascade; an image it parses apart,
    which takes a report's PDF about a second less (bench/bench_report.py)."""
    fmt = Fmt(check_language(lang))
    svgs = figures.build(content, fmt, Page(content, fmt))
    template = _environment(lang).get_template("report.html.j2")
    pages = {}
    for kind in formats:
        charts = svgs if kind == "html" else {key: _image(svg) for key, svg in svgs.items()}
        page = Page(content, fmt, for_print=kind == "pdf")
        pages[kind] = template.render(c=content, r=content.run, f=fmt, p=page, charts=charts,
                                      lang=lang)
    return pages


def _image(svg: Markup) -> Markup:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Markup('<img class="chart" alt="" src="data:image/svg+xml;base64,{}">').format(data)
