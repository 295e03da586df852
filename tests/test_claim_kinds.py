"""Claim kinds: estimates make the distribution, bounds cut it (exactly, against SciPy), capacities are values only
where the model says why, and every misuse is a one-line problem."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import armsflow
from armsflow.model.bounded import Censored, Truncated, TruncationError
from armsflow.model.distributions import Mixture, Pert, Point
from conftest import write_study

N = 200_000


def _beta(p: Pert) -> stats.rv_continuous:
    width = p.high - p.low
    a = 1 + p.lam * (p.mode - p.low) / width
    b = 1 + p.lam * (p.high - p.mode) / width
    return stats.beta(a, b, loc=p.low, scale=width)


def test_a_truncated_pert_has_the_exact_truncated_distribution() -> None:
    pert = Pert(100.0, 150.0, 400.0)
    cut = Truncated(pert, 140.0, 250.0)
    x = cut.sample(np.random.default_rng(1), N)
    exact = _beta(pert)
    lo, hi = exact.cdf(140.0), exact.cdf(250.0)

    def cdf(v: np.ndarray) -> np.ndarray:
        return (exact.cdf(v) - lo) / (hi - lo)

    assert x.min() >= 140.0 and x.max() <= 250.0
    assert stats.kstest(x, cdf).pvalue > 0.001
    mean = exact.expect(lambda v: v, lb=140.0, ub=250.0, conditional=True)
    assert x.mean() == pytest.approx(mean, rel=2e-3)


def test_a_truncated_pool_reweights_its_components_by_their_mass_inside() -> None:
    a, b = Pert(0.0, 10.0, 20.0), Pert(15.0, 30.0, 60.0)
    pool = Mixture((a, b), (3.0, 1.0))
    cut = Truncated(pool, 12.0, 40.0)
    x = cut.sample(np.random.default_rng(2), N)
    ea, eb = _beta(a), _beta(b)
    mass = np.array([3 * (ea.cdf(40) - ea.cdf(12)), 1 * (eb.cdf(40) - eb.cdf(12))])

    def cdf(v: np.ndarray) -> np.ndarray:
        return (3 * (ea.cdf(v) - ea.cdf(12)) + (eb.cdf(v) - eb.cdf(12))) / mass.sum()

    assert stats.kstest(x, cdf).pvalue > 0.001
    share_a = np.mean(x < 15.0)  # only the first component reaches below 15
    exact_a = 3 * (ea.cdf(15) - ea.cdf(12)) / mass.sum()
    assert share_a == pytest.approx(exact_a, abs=4 * np.sqrt(exact_a * (1 - exact_a) / N))


def test_points_are_kept_inside_and_dropped_outside_and_nothing_left_is_an_error() -> None:
    pool = Mixture((Point(5.0), Point(50.0)), (1.0, 1.0))
    assert set(Truncated(pool, 10.0, 100.0).sample(np.random.default_rng(3), 100)) == {50.0}
    with pytest.raises(TruncationError):
        Truncated(pool, 60.0, 70.0).sample(np.random.default_rng(3), 10)


def test_a_censored_pert_has_the_exact_censored_distribution() -> None:
    pert = Pert(100.0, 150.0, 400.0)
    held = Censored(pert, 140.0, 250.0)
    x = held.sample(np.random.default_rng(4), N)
    exact = _beta(pert)
    lo, hi = exact.cdf(140.0), exact.cdf(250.0)
    # point masses of F(low) at low and 1 - F(high) at high, each within four binomial standard errors
    for share, mass in ((np.mean(x == 140.0), lo), (np.mean(x == 250.0), 1 - hi)):
        assert share == pytest.approx(mass, abs=4 * np.sqrt(mass * (1 - mass) / N))
    inside = x[(x > 140.0) & (x < 250.0)]
    assert stats.kstest(inside, lambda v: (exact.cdf(v) - lo) / (hi - lo)).pvalue > 0.001
    mean = 140.0 * lo + exact.expect(lambda v: v, lb=140.0, ub=250.0) + 250.0 * (1 - hi)
    assert x.mean() == pytest.approx(mean, rel=2e-3)


def test_censoring_a_pool_that_lies_wholly_outside_is_refused_as_truncation_is() -> None:
    with pytest.raises(TruncationError):
        Censored(Mixture((Pert(1.0, 2.0, 3.0),), (1.0,)), 50.0, np.inf)


SOURCE = "S1,P,T,https://example.org,2024-01-01,en,A,\n"
MODEL = '[outputs.boxes]\nlabel = "Boxes"\nunit = "container"\nclaims = {claims}{extra}\n'


def _study(tmp_path: Path, claims: str, refs: str, extra: str = "") -> Path:
    folder = write_study(tmp_path / "s", MODEL.format(claims=refs, extra=extra), sources=SOURCE)
    (folder / "claims.csv").write_text("id,source,measure,low,central,high,unit,as_of,credibility,quote,notes,kind\n"
                                       + claims)
    return folder


def test_a_lower_bound_cuts_the_estimates_at_its_stated_number(tmp_path: Path) -> None:
    folder = _study(tmp_path, "E1,S1,boxes,8000,10000,12000,container,2024,2,,,estimate\n"
                              "B1,S1,boxes,11000,,,container,2024,2,more than 11000,,lower\n",
                    '["E1", "B1"]')
    result = armsflow.run(folder, sensitivity=False, keep_samples=True)
    x = result.samples["boxes"]
    assert x.min() >= 11000.0 and result.result("boxes").p50 > 11000.0
    assert "B1" in result.result("boxes").claims
    ex = armsflow.explain(folder, "boxes")
    roles = {e.ref: (e.role, e.share) for e in ex.inputs[0].evidence}
    assert roles == {"E1": ("estimate", 1.0), "B1": ("lower", None)}


def test_a_variable_may_censor_at_its_bounds_instead_of_truncating(tmp_path: Path) -> None:
    claims = ("E1,S1,boxes,8000,10000,12000,container,2024,2,,,estimate\n"
              "B1,S1,boxes,11000,,,container,2024,2,more than 11000,,lower\n")
    free = _study(tmp_path / "free", claims.replace("lower", "estimate").splitlines()[0] + "\n", '["E1"]')
    folder = _study(tmp_path, claims, '["E1", "B1"]', '\ncensor = true\nassumption = "lower counts err low"')
    assert armsflow.check_study(folder) == []
    result = armsflow.run(folder, sensitivity=False, keep_samples=True)
    x = result.samples["boxes"]
    unbounded = armsflow.run(free, sensitivity=False, keep_samples=True).samples["boxes"]
    # the estimates below 11,000 are moved onto it; those above stay where they were
    assert x.min() == 11000.0
    assert np.mean(x == 11000.0) == pytest.approx(np.mean(unbounded <= 11000.0), abs=0.01)
    assert np.quantile(x, 0.95) == pytest.approx(np.quantile(unbounded, 0.95), rel=0.01)
    assert any("lower counts err low" in a.text for a in result.result("boxes").assumptions)
    assert armsflow.explain(folder, "boxes").inputs[0].how == "claims, censored at the bounds"


def test_a_capacity_is_a_value_only_where_the_model_says_why(tmp_path: Path) -> None:
    claims = "C1,S1,boxes,300,,500,container,2024,2,can hold 300-500,,capacity\n"
    folder = _study(tmp_path, claims, '["C1"]')
    assert [str(p) for p in armsflow.check_study(folder)] == [
        "model.toml:4: outputs.boxes.claims: C1: a capacity ('could hold') is not an estimate; list it under caps, "
        "or take it as a value with capacity = true and say why in assumption"]
    folder = _study(tmp_path, claims, '["C1"]', '\ncapacity = true')
    assert [str(p) for p in armsflow.check_study(folder)] == [
        "model.toml:5: outputs.boxes.capacity: say why in 'assumption' (it is shown among the study's own assumptions)"]
    folder = _study(tmp_path, claims, '["C1"]', '\ncapacity = true\nassumption = "the only figure there is"')
    result = armsflow.run(folder, sensitivity=False)
    assert any("the only figure there is" in a.text for a in result.result("boxes").assumptions)


def test_explain_words_each_claim_by_its_kind(tmp_path: Path) -> None:
    """A bound reads as one, a capacity as one, whatever numbers the row fills: the claim's kind decides."""
    from armsflow.display import stated

    claims = ("E1,S1,boxes,300,400,600,container,2024,2,,,estimate\n"
              "B1,S1,boxes,350,,,container,2024,2,more than 350,,lower\n"
              "C1,S1,boxes,,450,,container,2024,2,can hold 450,,capacity\n")
    folder = _study(tmp_path, claims, '["E1", "B1"]', '\ncaps = ["C1"]')
    uses = {e.ref: stated(e) for e in armsflow.explain(folder, "boxes").inputs[0].evidence}
    assert uses == {"E1": "low 300, central 400, high 600 container", "B1": "at least 350 container",
                    "C1": "capacity 450 container"}


def test_a_cap_cuts_at_the_capacity(tmp_path: Path) -> None:
    claims = ("E1,S1,boxes,300,400,600,container,2024,2,,,estimate\n"
              "C1,S1,boxes,,450,,container,2024,2,can hold 450,,capacity\n")
    folder = _study(tmp_path, claims, '["E1"]', '\ncaps = ["C1"]')
    x = armsflow.run(folder, sensitivity=False, keep_samples=True).samples["boxes"]
    assert x.max() <= 450.0 and x.min() >= 300.0 * 0.8


@pytest.mark.parametrize(("claims", "refs", "extra", "message"), [
    ("B1,S1,boxes,11000,,,container,2024,2,,,lower\n", '["B1"]', "",
     "model.toml:4: outputs.boxes.claims: B1 only bound the quantity and no claim estimates it: add an estimate, "
     "or define it by a distribution labelled as an assumption"),
    ("B1,S1,boxes,11000,,12000,container,2024,2,,,lower\n", '["B1"]', "",
     "claims.csv:2: kind: a lower bound ('at least', 'more than') states low only"),
    ("B1,S1,boxes,,11000,,container,2024,2,,,upper\n", '["B1"]', "",
     "claims.csv:2: kind: an upper bound ('up to') states high only"),
    ("B1,S1,boxes,,11000,,container,2024,2,,,guess\n", '["B1"]', "",
     "claims.csv:2: kind: one of estimate, lower, upper, capacity, got 'guess'"),
    ("E1,S1,boxes,1,2,3,container,2024,2,,,\nB1,S1,boxes,50,,,container,2024,2,,,lower\n", '["E1", "B1"]', "",
     "model.toml:4: outputs.boxes.claims: the bounds leave no estimate: no draw of mixture of PERT(0.9, 2, 3.3) "
     "lies in [50, inf]"),
    ("E1,S1,boxes,1,2,3,container,2024,2,,,\nU1,S1,boxes,,,1,container,2024,2,,,upper\n"
     "B1,S1,boxes,5,,,container,2024,2,,,lower\n", '["E1", "U1", "B1"]', "",
     "model.toml:4: outputs.boxes.claims: the bounds contradict each other: at least 5 and at most 1 (base units)"),
    ("E1,S1,boxes,1,2,3,container,2024,2,,,\n", '["E1"]', '\ncaps = ["E1"]',
     "model.toml:4: outputs.boxes.caps: E1 is an estimate, not a capacity or an upper bound"),
    ("E1,S1,boxes,1,2,3,container,2024,2,,,\n", '["E1"]', '\ncaps = ["X9"]',
     "model.toml:4: outputs.boxes.caps: unknown claim id 'X9'"),
    ("E1,S1,boxes,1,2,3,container,2024,2,,,\nB1,S1,boxes,2,,,container,2024,2,,,lower\n", '["E1", "B1"]',
     "\ncensor = true", "model.toml:5: outputs.boxes.censor: say why in 'assumption' (it is shown among the study's "
                       "own assumptions)"),
    ("E1,S1,boxes,1,2,3,container,2024,2,,,\n", '["E1"]', '\ncensor = true\nassumption = "x"',
     "model.toml:4: outputs.boxes.censor: applies to a variable with bounds ('lower' or 'upper' claims, or caps)"),
    ("E1,S1,boxes,1,2,3,container,2024,2,,,\n", '["E1"]', '\ncensor = "yes"',
     "model.toml:5: outputs.boxes.censor: must be true or false"),
])
def test_misused_kinds_are_one_line_problems(tmp_path: Path, claims: str, refs: str, extra: str,
                                             message: str) -> None:
    folder = _study(tmp_path, claims, refs, extra)
    assert message in [str(p) for p in armsflow.check_study(folder)]


def test_a_figure_re_reported_by_many_outlets_counts_once(tmp_path: Path) -> None:
    """Two outlets carrying one agency's count share that agency's weight; an independent count keeps its own."""
    sources = ("S1,Paper A (citing the agency),T,https://example.org/a,2024-01-01,en,B,,Agency\n"
               "S2,Paper B (citing the agency),T,https://example.org/b,2024-01-02,en,B,,Agency\n"
               "S3,Think tank,T,https://example.org/c,2024-01-03,en,B,,\n")
    claims = ("E1,S1,boxes,,1000,,container,2024,2,,,\nE2,S2,boxes,,1000,,container,2024,2,,,\n"
              "E3,S3,boxes,,3000,,container,2024,2,,,\n")
    folder = _study(tmp_path, claims, '["E1", "E2", "E3"]')
    (folder / "sources.csv").write_text("id,publisher,title,url,published,language,reliability,notes,originator\n"
                                        + sources)
    shares = {e.ref: e.share for e in armsflow.explain(folder, "boxes").inputs[0].evidence}
    assert shares == pytest.approx({"E1": 0.25, "E2": 0.25, "E3": 0.5})  # the agency's two reports weigh as one
    x = armsflow.run(folder, sensitivity=False, keep_samples=True).samples["boxes"]
    assert np.mean(x > 2000) == pytest.approx(0.5, abs=0.01)  # half the draws from the think tank's count


RATIO_MODEL = """
[variables.boxes]
label = "Boxes"
unit = "container"
claims = ["N1"]

[variables.per_box]
label = "Rounds per box"
unit = "round/container"
claims = ["R1"]

[outputs.rounds]
label = "Rounds"
unit = "round"
formula = "boxes * per_box"
"""


@pytest.mark.parametrize(("count_claim", "extra", "problems"), [
    ("N0", "", []),  # the ratio's own base: fine
    ("N1", "", ["model.toml:15: outputs.rounds.formula: R1 (per_box) was derived on N0, but is applied to boxes, "
                "which does not rest on it: mark the formula rescaled = true and say why in assumption"]),
    ("N1", '\\nrescaled = true\\nassumption = "packed alike"', []),
])
def test_a_ratio_applied_to_another_quantity_than_its_own(tmp_path: Path, count_claim: str, extra: str,
                                                          problems: list[str]) -> None:
    claims = ("N0,S1,boxes,,15800,,container,2024,2,,,,\nN1,S1,boxes,,21000,,container,2024,2,,,,\n"
              "R1,S1,per box,266,,367,round/container,2024,2,,,,N0\n")
    model = RATIO_MODEL.replace('claims = ["N1"]', f'claims = ["{count_claim}"]') + extra.replace("\\n", "\n")
    folder = write_study(tmp_path / "s", model, sources="S1,P,T,https://example.org,2024-01-01,en,A,\n")
    (folder / "claims.csv").write_text("id,source,measure,low,central,high,unit,as_of,credibility,quote,notes,kind,"
                                       "per\n" + claims)
    assert [str(p) for p in armsflow.check_study(folder)] == problems


def test_a_ratio_s_base_must_be_its_denominator(tmp_path: Path) -> None:
    folder = write_study(tmp_path / "s", RATIO_MODEL.replace('claims = ["N1"]', 'claims = ["N0"]'),
                         sources="S1,P,T,https://example.org,2024-01-01,en,A,\n")
    (folder / "claims.csv").write_text("id,source,measure,low,central,high,unit,as_of,credibility,quote,notes,per\n"
                                       "N0,S1,boxes,,15800,,container,2024,2,,,\n"
                                       "R1,S1,per box,266,,367,round/container,2024,2,,,R9\n"
                                       "R2,S1,per box,266,,367,round/container,2024,2,,,R1\n")
    assert [str(p) for p in armsflow.check_study(folder)] == [
        "claims.csv:3: per: unknown claim id 'R9'",
        "claims.csv:4: per: round/container is not per round/container (the unit of R1)"]
