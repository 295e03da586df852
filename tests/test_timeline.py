"""Timelines of cumulative claims: monotone fit, exact interpolation and extrapolation on point claims."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from armsflow import load_study, run
from armsflow.evidence.grading import GradedInterval
from armsflow.indicators.timeline import Point, Series, Timeline, band, monotone
from conftest import write_study


def point(ref: str, day: date, value: float, weight: float = 1.0) -> Point:
    return Point(ref, day, GradedInterval(value, value, value, weight, 0.0))


SERIES = Series("s", "s", (point("a", date(2024, 1, 1), 100), point("b", date(2024, 1, 11), 200),
                           point("c", date(2024, 1, 21), 400)))


def test_monotone_is_midpoint_of_envelopes() -> None:
    x = np.array([[1.0, 3.0, 2.0, 4.0]])
    # forward max: 1 3 3 4; backward min: 1 2 2 4; midpoint: 1 2.5 2.5 4
    assert np.allclose(monotone(x), [[1.0, 2.5, 2.5, 4.0]])
    rng = np.random.default_rng(0)
    y = monotone(rng.normal(size=(200, 9)))
    assert np.all(np.diff(y, axis=1) >= -1e-12)


def test_interpolation_and_extrapolation_on_point_claims() -> None:
    rng = np.random.default_rng(1)
    tl = Timeline("t", (SERIES,), None, spread=0.0)
    assert np.allclose(tl.sample(rng, 10, date(2024, 1, 6)), 150)  # halfway between 100 and 200
    assert np.allclose(tl.sample(rng, 10, date(2024, 1, 21)), 400)
    # after the last claim: the last rate (200 per 10 days) carries on; with no spread, exactly
    assert np.allclose(tl.sample(rng, 10, date(2024, 1, 26)), 500)
    assert tl.extrapolated(date(2024, 1, 26)) and not tl.extrapolated(date(2024, 1, 20))
    with pytest.raises(ValueError, match="before the first claim"):
        tl.sample(rng, 10, date(2023, 12, 1))


def test_start_date_anchors_zero() -> None:
    tl = Timeline("t", (SERIES,), date(2023, 12, 22), spread=0.0)
    assert np.allclose(tl.sample(np.random.default_rng(2), 5, date(2023, 12, 27)), 50)


def test_extrapolation_band_widens_with_horizon() -> None:
    tl = Timeline("t", (SERIES,), None, spread=0.3)
    rng = np.random.default_rng(3)
    near = tl.sample(rng, 20000, date(2024, 1, 26))
    far = tl.sample(rng, 20000, date(2024, 3, 1))
    def width(x: np.ndarray) -> float:
        p5, p95 = np.percentile(x, [5, 95])
        return float(p95 - p5)
    assert width(far) > 3 * width(near)


def test_conflicting_series_are_pooled_by_weight() -> None:
    low = Series("low", "low", (point("x", date(2024, 1, 1), 100, weight=0.25),))
    high = Series("high", "high", (point("y", date(2024, 1, 1), 300, weight=0.75),))
    draws = Timeline("t", (low, high), None, 0.0).sample(np.random.default_rng(4), 40000, date(2024, 1, 1))
    assert np.mean(draws == 300) == pytest.approx(0.75, abs=0.01)


def test_band_rows() -> None:
    rows = band(SERIES, np.random.default_rng(5), 100, 1.0)
    assert [(r.refs, r.p50) for r in rows] == [(("a",), 100), (("b",), 200), (("c",), 400)]


def test_timeline_variable_in_a_study(tmp_path: Path) -> None:
    model = """
[variables.count]
label = "Count at the reference date"
unit = "container"
timeline = "count"

[timelines.count]
label = "Cumulative count"
unit = "container"
claims = ["K1", "K2"]

[outputs.total]
label = "Total"
unit = "thousand container"
formula = "count"
"""
    claims = ("K1,S1,count,,1000,,container,2024-01-01,1,q,\n"
              "K2,S2,count,,3000,,container,2024-12-01,1,q,\n")
    sources = ("S1,P,T,https://example.org,2024-01-05,en,A,\n"
               "S2,P,T,https://example.org,2024-12-05,en,A,\n")
    study = load_study(write_study(tmp_path / "tl", model, claims=claims, sources=sources))
    today = run(study, sensitivity=False).result("total")
    # reference date 2024-12-31: extrapolated from the rate between the two claims (2000 over 335 days)
    assert today.extrapolated == ["count"]
    assert today.p50 == pytest.approx((3000 + 2000 / 335 * 30) / 1000, rel=0.02)
    early = run(study, sensitivity=False, as_of=date(2024, 6, 1)).result("total")
    assert early.p50 == pytest.approx(1.0) and early.claims == ["K1"]  # one claim: carried flat, flagged
    assert early.extrapolated == ["count"]


SERIES_MODEL = """
[variables.both]
label = "Both series pooled"
unit = "container"
timeline = "count"

[variables.high_only]
label = "The high series alone"
unit = "container"
timeline = "count"
series = "high"

[variables.high_alone]
label = "The same claims in a timeline of their own"
unit = "container"
timeline = "high"

[timelines.count]
label = "Cumulative count"
unit = "container"
start = 2024-01-01
[timelines.count.series.low]
claims = ["K1"]
[timelines.count.series.high]
claims = ["K2"]

[timelines.high]
label = "Cumulative count, high"
unit = "container"
start = 2024-01-01
claims = ["K2"]

[outputs.pooled]
label = "Pooled"
unit = "container"
formula = "both"

[outputs.one]
label = "One series"
unit = "container"
formula = "high_only - high_alone"

[outputs.alone]
label = "Alone"
unit = "container"
formula = "high_alone"
"""
SERIES_CLAIMS = ("K1,S1,count,,1000,,container,2024-12-31,1,q,\n"
                 "K2,S1,count,,3000,,container,2024-12-31,1,q,\n")


def test_a_variable_reads_one_series_of_a_timeline(tmp_path: Path) -> None:
    """``series = NAME`` reads that series alone: the same draws as a timeline holding only its claims, while the
    timeline read whole pools both series."""
    study = load_study(write_study(tmp_path / "s", SERIES_MODEL, claims=SERIES_CLAIMS))
    result = run(study, sensitivity=False, keep_samples=True)
    assert result.result("alone").p50 == pytest.approx(3000, rel=0.01)
    assert result.result("one").p5 == result.result("one").p95 == 0  # draw for draw the same
    assert result.result("one").claims == ["K2"]  # only the series' claim is behind it
    assert 1000 < result.result("pooled").mean < 3000  # both series, pooled draw by draw


def test_an_unknown_or_misplaced_series_is_refused(tmp_path: Path) -> None:
    from armsflow import StudyError

    bad = SERIES_MODEL.replace('series = "high"', 'series = "nope"')
    with pytest.raises(StudyError, match=r"variables.high_only.series: timeline count has no series 'nope' \(it has "
                                         r"low, high\)"):
        load_study(write_study(tmp_path / "bad", bad, claims=SERIES_CLAIMS))
    misplaced = SERIES_MODEL.replace('formula = "high_alone"', 'formula = "high_alone"\nseries = "high"')
    with pytest.raises(StudyError, match=r"outputs.alone.series: applies to a variable of a timeline"):
        load_study(write_study(tmp_path / "misplaced", misplaced, claims=SERIES_CLAIMS))
    dated = SERIES_MODEL.replace('formula = "high_alone"', 'formula = "high_alone"\nat = 2024-06-30')
    with pytest.raises(StudyError, match=r"model.toml:\d+: outputs.alone.at: applies to a variable of a timeline"):
        load_study(write_study(tmp_path / "dated", dated, claims=SERIES_CLAIMS))


def test_a_timeline_of_capacities_is_read_only_by_a_variable_that_says_so(tmp_path: Path) -> None:
    """A series of capacities may stand beside estimates in a timeline (the flagship's shells); a variable that
    reads it takes a ceiling for a value, so check refuses it unless the variable says capacity = true. A lower
    bound is a point open upward, as a lone low always was."""
    from armsflow import StudyError

    folder = write_study(tmp_path / "caps", SERIES_MODEL, claims=SERIES_CLAIMS)
    header = "id,source,measure,low,central,high,unit,as_of,credibility,quote,notes,per,kind\n"
    (folder / "claims.csv").write_text(header + "K1,S1,count,1000,,,container,2024-12-31,1,q,,,lower\n"
                                                "K2,S1,count,,3000,,container,2024-12-31,1,q,,,capacity\n")
    with pytest.raises(StudyError) as refused:
        load_study(folder)
    lines = str(refused.value).splitlines()
    why = "read one series of estimates (series = ...), or say capacity = true and why in assumption"
    assert [line for line in lines if "capacities" in line] == [
        f"model.toml:5: variables.both.timeline: timeline count has capacities (K2): {why}",
        f"model.toml:10: variables.high_only.timeline: timeline count has capacities (K2): {why}",
        f"model.toml:16: variables.high_alone.timeline: timeline high has capacities (K2): {why}"]
    model = SERIES_MODEL.replace('timeline = "count"\n\n[variables.high_only]', 'timeline = "count"\nseries = "low"'
                                 '\n\n[variables.high_only]')
    model = model.replace('series = "high"\n', 'series = "high"\ncapacity = true\nassumption = "ceilings"\n')
    model = model.replace('timeline = "high"\n', 'timeline = "high"\ncapacity = true\nassumption = "ceilings"\n')
    (folder / "model.toml").write_text(model)
    result = run(load_study(folder), sensitivity=False)
    assert result.result("pooled").p5 >= 1000  # the lower bound's point opens upward from its number
