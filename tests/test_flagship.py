"""The bundled Russia–DPRK study: results within bands that the sources themselves justify."""

from __future__ import annotations

from datetime import date

import pytest

from armsflow import check_study, load_study, run
from armsflow.results import RunResult


@pytest.fixture(scope="module")
def today() -> RunResult:
    return run(load_study("russia-dprk"), draws=100_000)


def test_bundled_study_is_valid() -> None:
    assert check_study("russia-dprk") == []


def test_deliveries_value_band(today: RunResult) -> None:
    r = today.result("deliveries_value")
    # Lower edge: INSS valued 2023 alone at 0.54 bn USD (C047), and deliveries went on through 2024.
    assert r.p5 > 0.54
    # The median lies between FNF's most conservative 1.7 bn (C001) and KIDA's ~19.2 bn for munitions through
    # Mar 2025 (C049), which covers five more months of shipments than our reference date.
    assert 1.7 < r.p50 < 19.2
    assert r.p5 < r.p50 < r.p95


def test_rounds_band(today: RunResult) -> None:
    r = today.result("rounds")
    # Upper edge: Seoul's ceiling of ~9.4 M 152 mm rounds in 20,000 containers (C023-RPC) if all were shells;
    # lower edge: OSC's crate modelling found at least 4.2 M rounds by Apr 2025 (C035-RPC, 15,800 containers).
    assert 3.0 < r.p50 < 9.4


def test_troop_revenue_and_gdp_share(today: RunResult) -> None:
    troops = today.result("troop_revenue")
    assert 143 <= troops.p50 <= 572  # FNF's own range for 5,000-20,000 soldiers (C004)
    share = today.result("gdp_share")
    value = today.result("deliveries_value")
    # per year (1.243 years of deliveries) over one year's output of 23.7 bn USD, a point claim (C003)
    assert share.p50 == pytest.approx(value.p50 / 1.243 / 23.7 * 100, rel=0.05)


def test_published_estimates_and_implied_prices(today: RunResult) -> None:
    pubs = {p.id: p for p in today.published}
    assert {"fnf-2024", "inss-2023", "kida-2025", "fnf-2025"} <= set(pubs)
    inss = pubs["inss-2023"]
    # INSS: 0.54 bn USD for 937,500 + 187,500 rounds (C047): about 480 USD per round.
    assert inss.implied.p50 == pytest.approx(0.54e9 / 1_125_000, rel=0.05)
    assert (pubs["fnf-2024"].low, pubs["fnf-2024"].high) == pytest.approx((1.7, 5.5))


def test_as_of_the_fnf_publication_date() -> None:
    then = run(load_study("russia-dprk"), as_of=date(2024, 10, 28), draws=50_000, sensitivity=False)
    assert "kida-2025" not in {p.id for p in then.published}  # published in Apr 2025
    value = then.result("deliveries_value")
    assert "C035-RPC" not in value.claims  # OSC's crate modelling came out in 2025
    # ISW's capacity (C029) stands in for rounds per container, a labelled fallback; no public count of artillery
    # systems before Nov 2024
    assert value.fallbacks == ["rounds_per_container", "systems"] and "C029" in value.claims
    assert value.extrapolated == ["containers"]  # ROK DIA's count of 23 Oct 2024 carried five days on


@pytest.mark.parametrize(("scenario", "output", "in_force", "not_in_force"), [
    ("production-cost", "deliveries_value", {"P-BAIN-152"}, {"P-KEI-152"}),
    ("rok-ceiling", "rounds", {"C017-RPC", "C019-RPC", "C023-RPC"}, {"C035-RPC", "C029"}),
    ("osc-crates", "rounds", {"C035"}, {"C035-RPC", "C029", "C023", "C026"}),  # OSC's own rounds, no containers
    ("inss-ally", "troop_revenue", {"C052-ALLY", "C052-N"}, {"C051", "C062"}),  # INSS's pay and its count
    ("fnf-troops", "troop_revenue", {"C004-N", "C004-PAY"}, {"C051", "C052-MERC", "C062"}),
    ("nis-troops", "troop_revenue", {"C051-N", "C051"}, {"C052-MERC", "C062"}),
    ("inss-2023", "rounds", {"C047-152", "C047-122"}, {"C035-RPC", "C023", "C029"}),
    ("inss-2023", "deliveries_value", {"C047-MSL"}, {"C026-MSL", "C045"}),
    ("kida-2025", "containers_shipped", {"C048-CONT"}, {"C023", "C026", "C027"}),
    ("rocket-122", "deliveries_value", {"P-JIESHUN-PG7", "P-KEI-152"}, set()),
    ("fnf-2025", "deliveries_value", {"C010", "C011", "C012", "C013", "C043", "C014"}, {"C035-RPC", "C023", "C045"}),
    ("fnf-2025", "troop_revenue", {"C015"}, {"C062"}),
])
def test_each_scenario_does_what_its_label_says(scenario: str, output: str, in_force: set[str],
                                               not_in_force: set[str]) -> None:
    """The evidence a scenario names is what its result rests on, and what it replaces is gone."""
    result = run(load_study("russia-dprk"), scenario=scenario, draws=20_000, sensitivity=False).result(output)
    behind = set(result.claims) | set(result.prices)
    assert in_force <= behind and not (not_in_force & behind)


def test_capacities_are_never_central_values() -> None:
    """ISW's 'each container can hold 300-500 shells' (C029) caps OSC's rounds per container; it is not pooled."""
    study = load_study("russia-dprk")
    base = run(study, draws=50_000, sensitivity=False, keep_samples=True)
    per = base.samples["rounds_per_container"]
    assert per.max() <= 500 and "C029" in base.result("rounds").claims  # cited as the cap it is
    osc = run(study, scenario="osc-crates", draws=50_000, sensitivity=False).result("rounds")
    assert osc.p50 == pytest.approx(3.7, rel=0.05)  # OSC's 4.2-5.8 M by Apr 2025 (C035), read at 28 Oct 2024


def test_the_base_values_at_one_basis() -> None:
    """Seller revenue throughout: KEI's price alone for 152 mm shells; missiles by a production-cost proxy, said so."""
    result = run(load_study("russia-dprk"), draws=20_000, sensitivity=False).result("deliveries_value")
    assert "P-KEI-152" in result.prices and "P-BAIN-152" not in result.prices
    assert any(a.text.startswith("Proxy: no price North Korea receives") and a.variable == "price_missile"
               for a in result.assumptions)


def test_the_122_mm_price_is_a_stated_share_of_the_152_mm_price() -> None:
    """Base: a 122 mm round costs half to all of a 152 mm shell, never more; rocket-122 prices it as a rocket."""
    study = load_study("russia-dprk")
    base = run(study, draws=20_000, sensitivity=False, keep_samples=True)
    ratio = base.samples["price_122"] / base.samples["price_152"]
    assert ratio.min() >= 0.5 and ratio.max() <= 1.0
    assert "P-JIESHUN-PG7" not in base.result("deliveries_value").prices
    rockets = run(study, scenario="rocket-122", draws=20_000, sensitivity=False, keep_samples=True)
    assert rockets.samples["price_122"].mean() > rockets.samples["price_152"].mean()
    assert any(a.variable == "price_122" and a.text.startswith("Seoul's conversions fit about 100")
               for a in rockets.result("deliveries_value").assumptions)


def test_capacity_ceiling_exceeds_crate_modelling() -> None:
    study = load_study("russia-dprk")
    ceiling = run(study, scenario="rok-ceiling", draws=50_000, sensitivity=False).result("rounds")
    crates = run(study, scenario="osc-crates", draws=50_000, sensitivity=False).result("rounds")
    assert ceiling.p50 > crates.p50 * 1.2


def test_explain_traces_a_result_to_its_claims() -> None:
    from armsflow import explain

    ex = explain(load_study("russia-dprk"), "shells_value", draws=20_000)
    assert ex.formula == "value_152 + value_122"
    # not a headline output, explained; the 152 mm price prices the 122 mm rounds too, so it leads
    assert ex.sensitivity and [s.input for s in ex.sensitivity[:2]] == ["price_152", "rounds_per_container"]
    by_name = {i.name: i for i in ex.inputs}
    assert {e.ref for e in by_name["rounds_per_container"].evidence} == {"C029", "C035-RPC"}  # C029 as the cap
    assert by_name["munitions_share"].assumption.startswith("Own assumption")
    kei = next(e for e in by_name["price_152"].evidence if e.ref == "P-KEI-152")
    assert kei.conversion and "2023→2024" in kei.conversion[0]  # inflated from the price year


def test_meeting_rate_indicator(today: RunResult) -> None:
    meetings = next(i for i in today.indicators if i.id == "meetings")
    # 21 exchanges listed from 1 Jul 2023 to 28 Oct 2024 (16.0 months); FNF counted "about two a month" (C008)
    assert meetings.count == 21 and meetings.p50 == pytest.approx(21 / meetings.months)
    assert meetings.p5 < meetings.p50 < meetings.p95 < 2.0
    doc = today.to_dict()
    assert any(r["id"] == "meetings" and r["unit"] == "event/month" and r["sources"] for r in doc["results"])


def test_meeting_rate_as_of_drops_later_reports() -> None:
    from armsflow.engine.context import indicators

    meetings = next(i for i in indicators(load_study("russia-dprk"), date(2024, 6, 30)) if i.id == "meetings")
    assert meetings.until == "2024-06-30" and meetings.count < 21


def test_trade_indicator(today: RunResult) -> None:
    trade = next(i for i in today.indicators if i.id == "trade")
    assert trade.p50 == pytest.approx(52.9 / 34.4)  # H1 2024 (C007) against all of 2023 (C068)
    assert any("C070" in c for c in trade.conflicts)  # the Russian 'record 34 M USD for 2024'


def test_implied_prices_pair_each_publication_with_its_own_quantities(today: RunResult) -> None:
    """Low over low and high over high, not a range divided by an independent draw: FNF's 143-572 M USD a year for
    5,000-20,000 soldiers is 28,600 USD per soldier-year at both ends, by construction."""
    by_id = {p.id: p for p in today.published}
    troops = by_id["fnf-2024-troops"]
    assert troops.implied_method == "paired" and troops.implied is not None
    assert (troops.implied.p5, troops.implied.p50, troops.implied.p95) == pytest.approx((28_600, 28_600, 28_600))
    inss = by_id["inss-2023"].implied
    # INSS's own rounds; its 0.54 bn USD of 2023 in 2024 dollars (CPI-U 313.689 / 304.702), as every money claim
    assert inss is not None and inss.p50 == pytest.approx(0.54e9 * 313.689 / 304.702 / 1_125_000, rel=1e-9)
    assert by_id["fnf-2024"].implied_method == "model"  # FNF 2024 published no quantities
    fnf25 = by_id["fnf-2025"]
    assert fnf25.implied is None and "troops" in fnf25.implied_note  # its total covers more than its rounds


def test_each_assumption_text_has_a_key_of_its_own() -> None:
    """A variable's own assumption, its fallback's and a scenario's override's are three texts: each is keyed
    apart (``VAR``, ``VAR.fallback``, ``SCENARIO.VAR``), so that a translation never shows one for another."""
    from armsflow.study.texts_load import StudyTexts

    study = load_study("russia-dprk")
    keys = {
        "base": {a.origin for a in run(study, draws=5_000, sensitivity=False).assumptions},
        "then": {a.origin for a in run(study, draws=5_000, sensitivity=False, as_of=date(2024, 10, 28)).assumptions},
        "rok": {a.origin for a in run(study, draws=5_000, sensitivity=False, scenario="rok-ceiling").assumptions},
        **{name: {a.origin for a in run(study, draws=5_000, sensitivity=False, scenario=name).assumptions}
           for name in study.scenarios},
    }
    assert "rounds_per_container" in keys["base"] and "rounds_per_container.fallback" not in keys["base"]
    assert {"rounds_per_container.fallback", "systems.fallback"} <= keys["then"]
    assert {"rok-ceiling.rounds_per_container", "rok-ceiling.share_152"} <= keys["rok"]
    german = study.texts["de"]
    assert isinstance(german, StudyTexts)
    texts = {k: german.get("assumptions", k, "") for k in set().union(*keys.values())}
    assert all(texts.values()), [k for k, v in texts.items() if not v]  # every one translated
    assert len({texts["rounds_per_container"], texts["rounds_per_container.fallback"],
                texts["rok-ceiling.rounds_per_container"]}) == 3
