"""The report's charts: content turned into the plain rows ``charts`` draws, with titles in the report's language.

Each chart is keyed by what it shows (``hist-<output>``, ``tornado-<output>``, ``forest-<output>``,
``timeline-<name>``, ``events-<indicator>``, ``trade``) and arrives as checked SVG ready to inline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup

from armsflow.report import charts
from armsflow.report.content import Content, Headline
from armsflow.report.fmt import Fmt
from armsflow.results import TimelineResult

if TYPE_CHECKING:
    from armsflow.report.render import Page

TOP = 8  # drivers shown in a tornado chart; the table lists them all


def build(content: Content, f: Fmt, page: Page) -> dict[str, Markup]:
    """Every chart of the report in ``f``'s language; ``page`` gives the study's own labels in it."""
    out: dict[str, Markup] = {}
    run = content.run
    for h in content.headlines:
        out[f"hist-{h.result.id}"] = _svg(charts.histogram(
            h.samples, p5=h.result.p5, p50=h.result.p50, p95=h.result.p95, x_title=f.unit(h.result.unit),
            y_title=f.gettext("draws"), locale=f.lang))
        if h.published:
            out[f"forest-{h.result.id}"] = _svg(_forest(h, f, page))
        rows = run.sensitivity.get(h.result.id) or []
        if len(rows) > 1:  # one input explains all of a range: nothing to rank
            out[f"tornado-{h.result.id}"] = _svg(charts.tornado(
                [(page.label(r.input), r.first, r.total) for r in rows[:TOP]],
                first_title=f.gettext("first-order index"), total_title=f.gettext("total-order index"),
                locale=f.lang))
    for t in content.timelines:
        out[f"timeline-{t.name}"] = _svg(_timeline(t, f, page))
    for e in content.events:
        out[f"events-{e.indicator.id}"] = _svg(charts.monthly(
            list(e.months), y_title=f.gettext("events per month"), rate=e.indicator.mean,
            rate_label=f.gettext("mean rate"), locale=f.lang))
    trade = _trade_rows(content, f)
    if trade:
        out["trade"] = _svg(charts.bars(trade, x_title=f.unit(f"million {content.run.currency}"), locale=f.lang))
    return out


def _svg(svg: str) -> Markup:
    return Markup(charts.assert_safe_svg(svg))  # noqa: S704 - checked: no script, no external reference


def _forest(h: Headline, f: Fmt, page: Page) -> str:
    r = h.result
    rows = [charts.ForestRow(f.gettext("armsflow (this study)"), r.p5, r.p50, r.p95, "armsflow")]
    rows += [charts.ForestRow(page.tx("published", p.id, p.label), p.low, p.central, p.high, "published")
             for p in h.published]
    return charts.forest(rows, x_title=f.unit(r.unit), locale=f.lang)


def _timeline(t: TimelineResult, f: Fmt, page: Page) -> str:
    bands = [charts.BandPoint(page.series_label(t.name, r.series), r.day, r.p5, r.p50, r.p95) for r in t.rows]
    points = [charts.ClaimPoint(page.series_label(t.name, r.series), r.day, r.stated_low, r.stated_high,
                                ", ".join(r.refs)) for r in t.rows if r.refs]
    return charts.timeline(bands, points, at_day=t.day, at_label=f.date(t.day), y_title=f.unit(t.unit),
                           locale=f.lang)


def _trade_rows(content: Content, f: Fmt) -> list[tuple[str, float, str]]:
    """The figures of the series the trade indicator compares, in million of the study's currency."""
    view = content.trade
    if view.indicator is None or not view.indicator.records:
        return []
    first = next(r for r in view.records if r.id == view.indicator.records[0])
    currency = content.run.currency
    clashing = {x.id for c in view.conflicts for x in (c.first, c.second)}
    return [(f"{f.period(r.period)} ({r.id})", r.value / 1e6,
             f.gettext("in conflict with another report") if r.id in clashing else f.gettext("reported figure"))
            for r in view.records if r.series == first.series and r.currency == currency]

