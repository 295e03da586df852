"""Static report charts: Vega-Altair specifications rendered to inline SVG strings by vl-convert.

Every public function returns an ``<svg ...>`` string ready to inline into the HTML report (which WeasyPrint
turns into a PDF): no XML prolog, no scripts, no external references, explicit width and height, the font
family set to DejaVu Sans. The rendering runs in vl-convert's embedded JavaScript runtime, so no browser is
needed; the first call in a process starts that runtime and takes about a second, later calls are fast.

Labels arrive already translated; the ``locale`` ("en" or "de") only selects the number and date formats of
the axes (``1,000.5`` and ``Mar`` versus ``1.000,5`` and ``Mär``). Text from user files (labels, claim ids)
only ever reaches the chart as data, never as expression code, and the SVG renderer escapes it;
:func:`assert_safe_svg` checks each result before it is returned.

Output is deterministic: the same input gives byte-identical SVG. Dates are placed on UTC time scales so that
the machine's time zone cannot shift them, and element ids are renamed after a digest of the chart itself.
"""
from __future__ import annotations

import hashlib
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Literal

import altair as alt
import numpy as np
import vl_convert as vlc

__all__ = [
    "BandPoint",
    "ClaimPoint",
    "ForestRow",
    "assert_safe_svg",
    "bars",
    "forest",
    "histogram",
    "monthly",
    "timeline",
    "tornado",
]

WIDTH = 560
"""Total width of every chart in pixels, axes and legend included."""
PLOT_HEIGHT = 220
"""Height of the plotting area of charts with a continuous y axis."""
LINE = 11  # px of one line of an 11 px label
ROW_AIR = 12  # px between two rows' labels
"""A row of a chart with one row per label (forest, bars) is as high as its longest label's lines (at least two)
and some air; the tornado's rows hold two bars and are one and a half times as high."""
FONT = "DejaVu Sans, sans-serif"
VEGA_LITE_VERSION = "6.4"

_VlLocale = Literal["en-US", "de-DE"]
_LOCALES: dict[str, _VlLocale] = {"en": "en-US", "de": "de-DE"}
# d3's de-DE abbreviates March as "Mrz"; the report uses the more familiar "Mär".
_SHORT_MONTH_FIXES = {"de": {"Mrz": "Mär"}}
_INK = "#222222"
_OURS = "#1f4e79"
_THEIRS = "#7f7f7f"
_MEDIAN = "#c0392b"
# Colour-blind safe (Okabe-Ito, without yellow which is unreadable on white paper).
_PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"]
_ROW_LABELS = "rowlabels"
_LEGEND_LABELS = "legendlabels"

_CONFIG: dict[str, Any] = {
    "font": FONT,
    "background": "white",
    "aria": False,
    "view": {"stroke": None},
    "axis": {
        "labelFontSize": 11,
        "titleFontSize": 11,
        "titleFontWeight": "normal",
        "labelColor": _INK,
        "titleColor": _INK,
        "domainColor": "#888888",
        "tickColor": "#888888",
        "gridColor": "#e6e6e6",
        "labelLimit": 220,
        "labelOverlap": True,
        "labelSeparation": 8,
    },
    "axisQuantitative": {"tickCount": 6},
    "legend": {
        # One entry a line, over the chart's whole width: a horizontal legend runs past the edge and Vega then
        # clips or drops the entries that do not fit; long labels arrive wrapped (``_legend``), never shortened.
        "orient": "top",
        "direction": "vertical",
        "columns": 1,
        "labelFontSize": 11,
        "titleFontSize": 11,
        "labelColor": _INK,
        "labelLimit": 0,
        "symbolStrokeWidth": 2,
        "symbolOpacity": 1,
    },
    "text": {"font": FONT, "color": _INK},
}

_PROLOG = re.compile(r"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!DOCTYPE[^>]*>\s*)?")
_TAG = re.compile(r"<[^>]*>")
_UNSAFE_IN_TAG = (
    re.compile(r"href\s*=\s*(?![\"']?#)", re.IGNORECASE),
    re.compile(r"javascript:", re.IGNORECASE),
    re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    re.compile(r"url\(\s*(?![\"']?#)", re.IGNORECASE),
)
_UNSAFE_ELEMENTS = re.compile(r"<\s*(?:script|foreignObject|iframe|object|embed)(?=[\s/>])", re.IGNORECASE)
_ID = re.compile(r'\sid="([^"]+)"')


@dataclass(frozen=True)
class ForestRow:
    """One published or computed estimate: its label, interval ends and central value, each possibly missing."""

    label: str
    low: float | None
    central: float | None
    high: float | None
    group: str
    """``"armsflow"`` (drawn dark, round marker) or ``"published"`` (grey, square marker)."""


@dataclass(frozen=True)
class BandPoint:
    """One day of a modelled series: the 5th, 50th and 95th percentile."""

    series: str
    day: date
    p5: float
    p50: float
    p95: float


@dataclass(frozen=True)
class ClaimPoint:
    """One sourced claim about a series on a day: its range and the claim id shown beside it."""

    series: str
    day: date
    low: float
    high: float
    ref: str


# --------------------------------------------------------------------------- safety and rendering


def assert_safe_svg(svg: str) -> str:
    """Return ``svg`` unchanged if it is safe to inline, else raise ValueError.

    Rejected: script, foreignObject and embedded documents; inside any tag, an ``href`` that is
    not a ``#fragment``, ``javascript:``, event-handler attributes and ``url(...)`` other than ``url(#...)``.
    Text content is not inspected beyond the element check: the renderer escapes it, so a label that merely
    mentions ``javascript:`` is harmless.
    """
    if not svg.startswith("<svg"):
        raise ValueError("not an inline SVG document")
    if _UNSAFE_ELEMENTS.search(svg):
        raise ValueError("SVG contains a script or embedded-content element")
    for tag in _TAG.findall(svg):
        for pattern in _UNSAFE_IN_TAG:
            if pattern.search(tag):
                raise ValueError(f"SVG contains an unsafe reference: {tag[:80]!r}")
    return svg


def _strip_prolog(svg: str) -> str:
    return _PROLOG.sub("", svg, count=1)


def _scope_ids(svg: str) -> str:
    """Rename element ids (clip paths, gradients) after a digest of the SVG: stable across calls, and two
    charts inlined into one HTML page cannot collide."""
    ids = sorted(set(_ID.findall(svg)), key=len, reverse=True)
    if not ids:
        return svg
    prefix = "c" + hashlib.sha256(svg.encode()).hexdigest()[:10]
    for old in ids:
        new = f"{prefix}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"').replace(f"url(#{old})", f"url(#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    return svg


def _format_locale(locale: str) -> _VlLocale:
    try:
        return _LOCALES[locale]
    except KeyError:
        raise ValueError(f"unknown locale {locale!r}; expected one of {sorted(_LOCALES)}") from None


@cache
def _time_locale(locale: str) -> dict[str, Any]:
    """d3 time-format locale for ``locale`` with the report's month abbreviations."""
    table: dict[str, Any] = dict(vlc.get_time_format_locale(_format_locale(locale)))
    fixes = _SHORT_MONTH_FIXES.get(locale, {})
    table["shortMonths"] = [fixes.get(month, month) for month in table["shortMonths"]]
    return table


VALIDATE = False  # JSON-schema checks cost ~30 ms a chart; the test suite turns them on for every chart kind


def _render(chart: alt.TopLevelMixin, locale: str, *, row_labels: dict[str, list[str]] | None = None,
            legend_labels: dict[str, list[str]] | None = None) -> str:
    """The chart as a safe inline SVG string, ``WIDTH`` pixels wide."""
    vl_locale = _format_locale(locale)
    spec = chart.to_dict(validate=VALIDATE)
    spec["config"] = _CONFIG
    spec["width"] = WIDTH
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    spec["padding"] = 6
    tables = ((_ROW_LABELS, row_labels), (_LEGEND_LABELS, legend_labels))
    params = [{"name": name, "value": table} for name, table in tables if table is not None]
    if params:
        spec["params"] = params
    svg = vlc.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION, format_locale=vl_locale,
                              time_format_locale=_time_locale(locale), allowed_base_urls=[])
    return assert_safe_svg(_scope_ids(_strip_prolog(svg)))


# --------------------------------------------------------------------------- small data helpers


def _finite(value: float | None) -> float | None:
    """``value`` as a plain float, or None if missing, NaN or infinite (JSON has no NaN)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _iso(day: date) -> str:
    """A calendar day as ``YYYY-MM-DD``, which Vega parses as UTC midnight."""
    return day.isoformat()


def _row_keys(labels: Sequence[str]) -> tuple[list[str], dict[str, list[str]]]:
    """One opaque key per row and the key-to-label table. Rows are placed on the axis by key, so equal labels
    still get rows of their own, and the labels reach Vega only as parameter data, never as expression text.

    Each label is wrapped here into lines (Vega draws a list as lines) and shown whole: Vega need not shorten it
    to fit, which it does by measuring the text again and again (0.4 s a chart), and no word of it is lost."""
    keys = [f"r{index}" for index in range(len(labels))]
    lines = [textwrap.wrap(label, ROW_LABEL_CHARS) or [""] for label in labels]
    return keys, dict(zip(keys, lines, strict=True))


ROW_LABEL_LIMIT = 300  # px of a row chart's 560 for its labels (input and estimate names run long)
ROW_LABEL_CHARS = 44  # characters a label line holds within that width at 11 px


def _row_axis(keys: list[str]) -> alt.Y:
    """A discrete y axis over ``keys`` in the given order, labelled from the row-label table."""
    return alt.Y("key:N", title=None, sort=keys, scale=alt.Scale(domain=keys, paddingInner=0.25),
                 axis=alt.Axis(labelExpr=f"{_ROW_LABELS}[datum.value]", ticks=False, domain=False,
                               labelLimit=ROW_LABEL_LIMIT, labelOverlap=False))


def _rows_height(labels: dict[str, list[str]], scale: float = 1.0) -> int:
    """Plot height for rows with these labels: a whole number of pixels (a band step would give fractional sizes)."""
    most = max((len(lines) for lines in labels.values()), default=2)
    step = int((LINE * max(most, 2) + ROW_AIR) * scale)
    return step * max(len(labels), 2)


def _ordered_unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _colour_scale(domain: list[str]) -> alt.Scale:
    return alt.Scale(domain=domain, range=[_PALETTE[i % len(_PALETTE)] for i in range(len(domain))])


LEGEND_CHARS = 86  # characters a legend line holds beside its symbol in the chart's width at 11 px


def _legend(names: list[str]) -> tuple[list[str], dict[str, list[str]], alt.Legend]:
    """One opaque key per legend entry, the key-to-lines table and the legend that shows the lines: every entry
    is listed whole, wrapped at word boundaries, and its text reaches Vega only as parameter data."""
    keys = [f"g{index}" for index in range(len(names))]
    lines = {key: textwrap.wrap(name, LEGEND_CHARS) or [""] for key, name in zip(keys, names, strict=True)}
    return keys, lines, alt.Legend(title=None, labelExpr=f"{_LEGEND_LABELS}[datum.value]")


MONTH_LABELS = 7  # "Sep 2023" labels that fit side by side in the plot's width at 11 px, with Vega's spacing


def _month_axis(first: date, last: date) -> alt.Axis:
    """A time axis with a tick every one, two, three, six or twelve months (the first step that gives at most
    ``MONTH_LABELS`` labels), each labelled with its month and year, so that no label needs a neighbour to be read."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    step = next((s for s in (1, 2, 3, 6, 12) if months / s <= MONTH_LABELS),
                12 * math.ceil(months / (12 * MONTH_LABELS)))
    return alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": step},
                    labelOverlap=True)


# --------------------------------------------------------------------------- histogram


def _histogram_table(samples: np.ndarray, bins: int) -> tuple[list[dict[str, float]], float, float]:
    """Bin the finite samples over their 0.5th..99.5th percentile range; returns the bins and the range."""
    values = np.asarray(samples, dtype=float).ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        return [], 0.0, 1.0
    low, high = (float(v) for v in np.percentile(values, [0.5, 99.5]))
    bins = max(int(bins), 1)
    if high <= low:  # constant samples: an odd number of bins centres the one bar on the value
        half = max(abs(low) * 0.01, 0.5)
        low, high, bins = low - half, high + half, bins // 2 * 2 + 1
    counts, edges = np.histogram(values, bins=bins, range=(low, high))
    table = [{"x0": float(edges[i]), "x1": float(edges[i + 1]), "n": int(counts[i])} for i in range(len(counts))]
    return table, low, high


def histogram(samples: np.ndarray, *, p5: float, p50: float, p95: float, x_title: str, y_title: str,
              locale: str, bins: int = 50) -> str:
    """Distribution of Monte Carlo draws (already in display units): bars of draws per bin, the 90% interval
    ``p5..p95`` shaded, a rule at the median ``p50``.

    The bins span only the 0.5th to 99.5th percentile of the samples, so that a long tail does not squash the
    bulk of the distribution into a few bars; the 1% of draws outside that range is not drawn (the interval
    and median are given by the caller and unaffected). Only the bin table, not the samples, goes to Vega.
    NaN and infinite draws are ignored; constant samples give one bar.
    """
    table, low, high = _histogram_table(samples, bins)
    x_scale = alt.Scale(domain=[low, high], zero=False, nice=False)
    band = {"a": min(max(p5, low), high), "b": min(max(p95, low), high)}
    shade = alt.Chart(alt.InlineData(values=[band])).mark_rect(color=_OURS, opacity=0.12).encode(
        x=alt.X("a:Q", scale=x_scale, title=x_title), x2="b:Q")
    bars_ = alt.Chart(alt.InlineData(values=table)).mark_rect(color=_OURS, opacity=0.85, stroke="white",
                                                        strokeWidth=0.5).encode(
        x=alt.X("x0:Q", scale=x_scale, title=x_title), x2="x1:Q",
        y=alt.Y("n:Q", title=y_title, axis=alt.Axis(tickMinStep=1)))
    median = alt.Chart(alt.InlineData(values=[{"m": p50}])).mark_rule(color=_MEDIAN, strokeWidth=2).encode(
        x=alt.X("m:Q", scale=x_scale))
    layers = [shade, bars_, median] if low <= p50 <= high else [shade, bars_]
    return _render(alt.layer(*layers).properties(height=PLOT_HEIGHT), locale)


# --------------------------------------------------------------------------- tornado


def tornado(rows: Sequence[tuple[str, float, float]], *, first_title: str, total_title: str, locale: str) -> str:
    """Sobol sensitivity: per input, its total-order and first-order index as two bars side by side, inputs
    sorted by total-order index (largest on top). The x axis spans 0..1, widened if an estimate (which carries
    sampling noise) falls outside; non-finite indices are left out."""
    ordered = sorted(rows, key=lambda row: -(_finite(row[2]) or 0.0))
    keys, labels = _row_keys([row[0] for row in ordered])
    data: list[dict[str, Any]] = []
    for key, (_, first, total) in zip(keys, ordered, strict=True):
        for kind, value in ((total_title, _finite(total)), (first_title, _finite(first))):
            if value is not None:
                data.append({"key": key, "kind": kind, "value": value})
    values = [d["value"] for d in data]
    domain = [min([0.0, *values]), max([1.0, *values])]
    kinds = [total_title, first_title]
    chart = alt.Chart(alt.InlineData(values=data)).mark_bar().encode(
        y=_row_axis(keys),
        yOffset=alt.YOffset("kind:N", sort=kinds, scale=alt.Scale(domain=kinds, paddingInner=0.1)),
        x=alt.X("value:Q", scale=alt.Scale(domain=domain, nice=False), title=None),
        color=alt.Color("kind:N", scale=alt.Scale(domain=kinds, range=[_OURS, _PALETTE[1]]),
                        legend=alt.Legend(title=None)),
    ).properties(height=_rows_height(labels, 1.5))
    return _render(chart, locale, row_labels=labels)


# --------------------------------------------------------------------------- forest


def _forest_data(rows: Sequence[ForestRow], keys: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Interval segments (both ends known) and points (central, or the only end known) per row."""
    segments: list[dict[str, Any]] = []
    points: list[dict[str, Any]] = []
    for key, row in zip(keys, rows, strict=True):
        low, central, high = _finite(row.low), _finite(row.central), _finite(row.high)
        group = "armsflow" if row.group == "armsflow" else "published"
        if low is not None and high is not None:
            segments.append({"key": key, "low": low, "high": high, "group": group})
        point = central if central is not None else (low if high is None else high if low is None else None)
        if point is not None:
            points.append({"key": key, "value": point, "group": group})
    return segments, points


def forest(rows: Sequence[ForestRow], *, x_title: str, locale: str) -> str:
    """Estimates compared, one row each in input order (top to bottom): a line from low to high where both are
    known, a point at the central value (or at the only bound given). armsflow rows are dark with round
    markers, published ones grey with square markers. Rows without any value keep their (empty) row."""
    keys, labels = _row_keys([row.label for row in rows])
    segments, points = _forest_data(rows, keys)
    groups = ["armsflow", "published"]
    colour = alt.Color("group:N", scale=alt.Scale(domain=groups, range=[_OURS, _THEIRS]), legend=None)
    y = _row_axis(keys)
    lines = alt.Chart(alt.InlineData(values=segments)).mark_rule(strokeWidth=2.5).encode(
        y=y, x=alt.X("low:Q", title=x_title), x2="high:Q", color=colour)
    dots = alt.Chart(alt.InlineData(values=points)).mark_point(filled=True, size=70, opacity=1).encode(
        y=y, x=alt.X("value:Q", title=x_title), color=colour,
        shape=alt.Shape("group:N", scale=alt.Scale(domain=groups, range=["circle", "square"]), legend=None))
    chart = alt.layer(lines, dots).properties(height=_rows_height(labels))
    return _render(chart, locale, row_labels=labels)


# --------------------------------------------------------------------------- timeline


def _day_axis(axis: alt.Axis) -> alt.X:
    return alt.X("day:T", title=None, scale=alt.Scale(type="utc"), axis=axis)


def _marker_align(at_day: date, days: Sequence[date]) -> Literal["left", "right"]:
    """Put the marker label on the side of the rule with more room."""
    if not days:
        return "left"
    first, last = min(days), max(days)
    return "right" if (at_day - first) > (last - at_day) else "left"


def timeline(bands: Sequence[BandPoint], claims: Sequence[ClaimPoint], *, at_day: date, at_label: str,
             y_title: str, locale: str) -> str:
    """Modelled series over time against the sourced claims: per series a shaded p5..p95 band and a p50 line;
    each claim as its low and high end joined by a vertical bar, with its id beside the high end; a vertical
    rule at ``at_day`` labelled ``at_label``. Colours follow the series (legend on top, every series whole)."""
    names = _ordered_unique([b.series for b in bands] + [c.series for c in claims])
    keys, legend_labels, legend = _legend(names)
    key_of = dict(zip(names, keys, strict=True))
    colour = alt.Color("series:N", scale=_colour_scale(keys), legend=legend)
    band_data = [{"series": key_of[b.series], "day": _iso(b.day), "p5": _finite(b.p5), "p50": _finite(b.p50),
                  "p95": _finite(b.p95)} for b in bands]
    claim_data = [{"series": key_of[c.series], "day": _iso(c.day), "low": _finite(c.low), "high": _finite(c.high),
                   "ref": c.ref} for c in claims]
    ends = [{"series": c["series"], "day": c["day"], "v": c[end]} for c in claim_data for end in ("low", "high")
            if c[end] is not None]
    days = [b.day for b in bands] + [c.day for c in claims] + [at_day]
    x = _day_axis(_month_axis(min(days), max(days)))
    y = alt.Y("p50:Q", title=y_title)
    area = alt.Chart(alt.InlineData(values=band_data)).mark_area(opacity=0.2).encode(
        x=x, y=alt.Y("p5:Q", title=y_title), y2="p95:Q", color=colour)
    line = alt.Chart(alt.InlineData(values=band_data)).mark_line(strokeWidth=2).encode(x=x, y=y, color=colour)
    whisker = alt.Chart(alt.InlineData(values=claim_data)).mark_rule(strokeWidth=1.5).encode(
        x=x, y=alt.Y("low:Q", title=y_title), y2="high:Q", color=colour)
    dots = alt.Chart(alt.InlineData(values=ends)).mark_point(filled=True, size=28, opacity=1).encode(
        x=x, y=alt.Y("v:Q", title=y_title), color=colour)
    refs = alt.Chart(alt.InlineData(values=claim_data)).mark_text(align="left", dx=4, fontSize=9).encode(
        x=x, y=alt.Y("high:Q", title=y_title), text="ref:N")
    align = _marker_align(at_day, days[:-1])
    marker_data = alt.InlineData(values=[{"day": _iso(at_day), "label": at_label}])
    rule = alt.Chart(marker_data).mark_rule(color=_INK, strokeDash=[4, 3]).encode(x=x)
    label = alt.Chart(marker_data).mark_text(align=align, baseline="top", dx=4 if align == "left" else -4, dy=2,
                                             fontSize=10).encode(x=x, y=alt.value(0), text="label:N")
    chart = alt.layer(area, line, whisker, dots, refs, rule, label).properties(height=PLOT_HEIGHT)
    return _render(chart, locale, legend_labels=legend_labels)


# --------------------------------------------------------------------------- monthly counts


def _month_start(month: str) -> str:
    """``YYYY-MM`` (or a full ISO day) as the first day of that month, ``YYYY-MM-01``."""
    if not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", month):
        raise ValueError(f"month must be YYYY-MM, got {month!r}")
    return month[:7] + "-01"


def monthly(counts: Sequence[tuple[str, int]], *, y_title: str, rate: float | None, rate_label: str,
            locale: str) -> str:
    """Events per month as bars on a time axis (months as ``YYYY-MM``), with an optional horizontal rule at
    ``rate`` (mean events per month) labelled ``rate_label`` at its right end. No counts give empty axes."""
    starts = [_month_start(month) for month, _ in counts]
    data = [{"month": start, "n": int(n)} for start, (_, n) in zip(starts, counts, strict=True)]
    days = [date.fromisoformat(start) for start in starts] or [date(2000, 1, 1)]  # no counts: any one month
    x = alt.X("utcyearmonth(month):T", title=None, axis=_month_axis(min(days), max(days)))
    layers: list[alt.Chart] = [alt.Chart(alt.InlineData(values=data)).mark_bar(color=_OURS).encode(
        x=x, y=alt.Y("n:Q", title=y_title, axis=alt.Axis(tickMinStep=1)))]
    mean = _finite(rate)
    if mean is not None:
        level = alt.InlineData(values=[{"n": mean, "label": rate_label}])
        layers.append(alt.Chart(level).mark_rule(color=_MEDIAN, strokeDash=[5, 3], strokeWidth=1.5).encode(y="n:Q"))
        layers.append(alt.Chart(level).mark_text(align="right", baseline="bottom", dy=-3, fontSize=10,
                                                 color=_MEDIAN).encode(
            y="n:Q", x=alt.value({"expr": "width"}), text="label:N"))
    return _render(alt.layer(*layers).properties(height=PLOT_HEIGHT), locale)


# --------------------------------------------------------------------------- labelled bars


def bars(rows: Sequence[tuple[str, float, str]], *, x_title: str, locale: str) -> str:
    """Horizontal bars, one per row in input order (top to bottom), coloured by group (legend on top), e.g.
    trade figures per period and source. Non-finite values leave the row empty."""
    keys, labels = _row_keys([row[0] for row in rows])
    groups = _ordered_unique([row[2] for row in rows])
    group_keys, legend_labels, legend = _legend(groups)
    key_of = dict(zip(groups, group_keys, strict=True))
    data = [{"key": key, "value": value, "group": key_of[group]}
            for key, (_, raw, group) in zip(keys, rows, strict=True) if (value := _finite(raw)) is not None]
    chart = alt.Chart(alt.InlineData(values=data)).mark_bar().encode(
        y=_row_axis(keys), x=alt.X("value:Q", title=x_title),
        color=alt.Color("group:N", scale=_colour_scale(group_keys), legend=legend),
    ).properties(height=_rows_height(labels))
    return _render(chart, locale, row_labels=labels, legend_labels=legend_labels)
