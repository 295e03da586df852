"""Report charts: inline-safe, deterministic SVG with localised axes (vl-convert, no browser)."""
from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from datetime import date
from functools import cache
from html import unescape

import numpy as np
import pytest

from armsflow.report import charts
from armsflow.report.charts import BandPoint, ClaimPoint, ForestRow, assert_safe_svg

EVIL = '<script>alert(1)</script> & "x"'

Chart = Callable[[str], str]


def _texts(svg: str) -> list[str]:
    """The text content of the SVG's text elements, unescaped."""
    return [unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def _histogram(locale: str, label: str = "Shells") -> str:
    samples = np.random.default_rng(7).lognormal(7.5, 0.4, 4000)
    p5, p50, p95 = (float(v) for v in np.percentile(samples, [5, 50, 95]))
    return charts.histogram(samples, p5=p5, p50=p50, p95=p95, x_title=label, y_title="Draws", locale=locale)


def _tornado(locale: str, label: str = "price per shell") -> str:
    return charts.tornado([("share", 0.1, 0.2), (label, 0.5, 0.7), ("noise", float("nan"), 0.01)],
                          first_title="First order", total_title="Total order", locale=locale)


def _forest(locale: str, label: str = "FNF 2024") -> str:
    rows = [ForestRow("armsflow (this study)", 1200.0, 2500.5, 4100.0, "armsflow"),
            ForestRow(label, None, 3000.0, None, "published"),
            ForestRow("KIDA", 1000.0, None, 5000.0, "published"),
            ForestRow("only low", 1800.0, None, None, "published")]
    return charts.forest(rows, x_title="Shells", locale=locale)


def _timeline(locale: str, label: str = "C-017") -> str:
    bands = [BandPoint(series, date(2024, month, 1), 100.0 * month * k, 150.0 * month * k, 200.0 * month * k)
             for k, series in ((1, "Shells"), (2, "Rockets")) for month in range(1, 13)]
    claims = [ClaimPoint("Shells", date(2024, 6, 10), 600.0, 1100.0, label),
              ClaimPoint("Rockets", date(2024, 9, 1), 2500.0, 2500.0, "C-002")]
    return charts.timeline(bands, claims, at_day=date(2024, 11, 15), at_label="As of", y_title="Cumulative",
                           locale=locale)


def _monthly(locale: str, label: str = "mean per month") -> str:
    counts = [(f"2024-{month:02d}", month % 4) for month in range(1, 13)]
    return charts.monthly(counts, y_title="Events", rate=1.5, rate_label=label, locale=locale)


def _bars(locale: str, label: str = "2023 H1") -> str:
    rows = [(label, 1500.5, "Comtrade"), ("2023 H2", 8000.0, "Comtrade"), ("2023 H2", 7000.0, "Mirror")]
    return charts.bars(rows, x_title="USD million", locale=locale)


BUILDERS: dict[str, Callable[..., str]] = {
    "histogram": _histogram, "tornado": _tornado, "forest": _forest,
    "timeline": _timeline, "monthly": _monthly, "bars": _bars,
}


@cache
def _svg(name: str, locale: str = "en", *label: str) -> str:
    """One rendering per builder and arguments for the whole module (each takes about 0.1 s)."""
    return BUILDERS[name](locale, *label)


@pytest.mark.parametrize("name", BUILDERS)
def test_inline_safe_svg_with_labels(name: str) -> None:
    svg = _svg(name)
    assert svg.startswith("<svg")
    assert "<script" not in svg.lower() and "<?xml" not in svg
    assert re.match(r'<svg [^>]*width="560" height="\d+" viewBox="0 0 560 \d+"', svg)
    assert "DejaVu Sans" in svg
    assert not re.search(r"(?:href|src)\s*=\s*\"(?!#)", svg)
    assert assert_safe_svg(svg) is svg


@pytest.mark.parametrize("name", BUILDERS)
def test_untrusted_label_is_escaped(name: str) -> None:
    svg = _svg(name, "en", EVIL)
    assert "<script" not in svg.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in svg
    assert EVIL in _texts(svg)


@pytest.mark.parametrize("name", BUILDERS)
def test_deterministic(name: str) -> None:
    assert BUILDERS[name]("de") == _svg(name, "de")


def test_labels_appear() -> None:
    texts = set(_texts(_svg("forest", "en")))
    assert {"armsflow (this study)", "FNF 2024", "KIDA", "only low", "Shells"} <= texts
    texts = set(_texts(_svg("tornado", "en")))
    assert {"price per shell", "share", "noise", "First order", "Total order"} <= texts
    texts = set(_texts(_svg("timeline", "en")))
    assert {"C-017", "C-002", "As of", "Shells", "Rockets", "Cumulative"} <= texts
    assert {"mean per month", "Events"} <= set(_texts(_svg("monthly", "en")))
    bar_texts = _texts(_svg("bars", "en"))
    assert bar_texts.count("2023 H2") == 2 and {"2023 H1", "Comtrade", "Mirror", "USD million"} <= set(bar_texts)


def test_german_axes() -> None:
    english, german = set(_texts(_svg("bars", "en"))), set(_texts(_svg("bars", "de")))
    assert "1,000" in english and "1.000" in german
    assert "0.2" in _texts(_svg("tornado", "en")) and "0,2" in _texts(_svg("tornado", "de"))
    months = _texts(_svg("monthly", "de"))
    assert any("Mär" in text for text in months), months
    assert not any("Mar" in text for text in months)


def test_unknown_locale() -> None:
    with pytest.raises(ValueError, match="locale"):
        _bars("fr")


def test_empty_and_degenerate_inputs() -> None:
    for svg in (
        charts.monthly([], y_title="Events", rate=None, rate_label="", locale="de"),
        charts.monthly([], y_title="Events", rate=2.0, rate_label="mean", locale="en"),
        charts.forest([ForestRow("nothing known", None, None, None, "published")], x_title="x", locale="en"),
        charts.forest([], x_title="x", locale="en"),
        charts.tornado([], first_title="S1", total_title="ST", locale="en"),
        charts.bars([], x_title="x", locale="en"),
        charts.timeline([], [], at_day=date(2024, 1, 1), at_label="now", y_title="y", locale="de"),
        charts.histogram(np.full(500, 42.0), p5=42.0, p50=42.0, p95=42.0, x_title="x", y_title="n", locale="en"),
        charts.histogram(np.array([]), p5=0.0, p50=0.0, p95=0.0, x_title="x", y_title="n", locale="en"),
        charts.histogram(np.array([1.0, np.nan, np.inf, 2.0]), p5=1.0, p50=1.5, p95=2.0, x_title="x",
                         y_title="n", locale="en"),
    ):
        assert svg.startswith("<svg") and assert_safe_svg(svg)
    assert "nothing known" in _texts(
        charts.forest([ForestRow("nothing known", None, None, None, "published")], x_title="x", locale="en"))


def test_bad_month_rejected() -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        charts.monthly([("March 2024", 3)], y_title="Events", rate=None, rate_label="", locale="en")


def test_histogram_trims_long_tail() -> None:
    samples = np.concatenate([np.random.default_rng(1).normal(100.0, 10.0, 5000), [1e9]])
    svg = charts.histogram(samples, p5=85.0, p50=100.0, p95=115.0, x_title="x", y_title="n", locale="en")
    assert not any(text.replace(",", "").isdigit() and int(text.replace(",", "")) > 10_000
                   for text in _texts(svg))


@pytest.mark.parametrize("bad", [
    '<svg><script>alert(1)</script></svg>',
    '<svg><a href="https://example.org">x</a></svg>',
    '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
    '<svg><rect onload="alert(1)"/></svg>',
    '<svg><rect fill="url(https://example.org/x)"/></svg>',
    '<svg><foreignObject/></svg>',
    '<?xml version="1.0"?><svg></svg>',
])
def test_guard_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        assert_safe_svg(bad)


def test_guard_accepts_fragments_and_inert_text() -> None:
    svg = '<svg><rect clip-path="url(#c1)"/><use href="#c1"/><text>javascript: is only text here</text></svg>'
    assert assert_safe_svg(svg) == svg


def test_conversion_time() -> None:
    _svg("bars", "en")  # the first conversion starts the JavaScript runtime
    durations = []
    for _ in range(5):
        start = time.perf_counter()
        _histogram("de")
        durations.append(time.perf_counter() - start)
    median = statistics.median(durations)
    print(f"histogram chart: median {median * 1000:.0f} ms")
    assert median < 1.0  # about 0.1 s here; a generous bound for slow CI machines


def test_prolog_stripped_and_ids_scoped() -> None:
    assert charts._strip_prolog('<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg></svg>') == "<svg></svg>"
    raw = '<svg><clipPath id="clip1"/><g clip-path="url(#clip1)"/><use href="#clip1"/></svg>'
    scoped = charts._scope_ids(raw)
    new_id = re.findall(r'id="([^"]+)"', scoped)[0]
    assert new_id != "clip1" and f"url(#{new_id})" in scoped and f'href="#{new_id}"' in scoped
    assert charts._scope_ids(raw) == scoped


@pytest.mark.parametrize("name", BUILDERS)
def test_every_chart_kind_passes_vega_lite_schema_validation(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The report skips Altair's schema check for speed; here every kind is built with it on."""
    monkeypatch.setattr(charts, "VALIDATE", True)
    assert BUILDERS[name]("de") == _svg(name, "de")


def _lines(svg: str) -> str:
    """The SVG's text with each multi-line label joined by spaces, as a reader reads it."""
    found = re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)
    return "\n".join(unescape(" ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", t)) or t) for t in found)


LONG_SERIES = ["Seoul: was die Container fassen könnten, wären alle voller 152-mm-Granaten (Obergrenzen)",
               "OSC: Kistenmodellierung der bis April 2025 beobachteten Container",
               "A third series with a label long enough to need a second line of its own in the legend, and more"]


@pytest.mark.parametrize("locale", ["en", "de"])
def test_legend_lists_every_series_whole(locale: str) -> None:
    bands = [BandPoint(name, date(2024, month, 1), 1.0, 2.0, 3.0) for name in LONG_SERIES for month in (1, 6)]
    svg = charts.timeline(bands, [], at_day=date(2024, 3, 1), at_label="x", y_title="y", locale=locale)
    text = _lines(svg)
    assert all(name in text for name in LONG_SERIES)  # none dropped, none clipped ("OSC: crate m…")
    assert "…" not in text
    rows = [("2023", 1.0, LONG_SERIES[0]), ("2024", 2.0, LONG_SERIES[1])]
    assert all(name in _lines(charts.bars(rows, x_title="x", locale=locale)) for name in LONG_SERIES[:2])


@pytest.mark.parametrize(("locale", "first"), [("en", "Jul 2023"), ("de", "Jul 2023")])
def test_time_axes_label_every_tick_with_its_year(locale: str, first: str) -> None:
    counts = [(f"{2023 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}", 1) for m in range(7, 23)]  # Jul 2023 - Oct 2024
    bands = [BandPoint("s", date(2023 + (m - 1) // 12, (m - 1) % 12 + 1, 1), 1.0, 2.0, 3.0) for m in range(8, 32)]
    for svg in (charts.monthly(counts, y_title="count", rate=None, rate_label="", locale=locale),
                charts.timeline(bands, [], at_day=date(2024, 10, 28), at_label="x", y_title="y", locale=locale)):
        ticks = [t for t in _texts(svg) if re.fullmatch(r"\w{3} \d{4}", t)]
        assert len(ticks) >= 3, _texts(svg)
        months = [t for t in _texts(svg) if re.fullmatch(r"[A-Z][a-zä]+\.?", t)]
        assert months == [], months  # no month without its year, and no year without its month
    assert first in _texts(charts.monthly(counts, y_title="n", rate=None, rate_label="", locale=locale))


def test_row_labels_are_shown_whole() -> None:
    label = "INSS (Nov. 2024): 10.000 Soldaten, Söldnersold bis zu einer Analogie mit verbündeten Entsendungen"
    svg = charts.forest([ForestRow(label, 1.0, 2.0, 3.0, "published"), ForestRow("x", 1.0, 2.0, 3.0, "armsflow")],
                        x_title="x", locale="de")
    assert label in _lines(svg) and "…" not in _lines(svg)
