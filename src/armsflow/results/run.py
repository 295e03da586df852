"""The result of a run: summaries with provenance, published estimates, sensitivity, and what makes it reproducible."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from armsflow.results.base import NOT_IN_JSON, Result, Summary, jsonable

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    from numpy.typing import NDArray

SOBOL_METHOD = ("Sobol (Saltelli's design on independent Monte Carlo rows; Saltelli 2010 first-order, Jansen "
                "total-order; 95% bootstrap intervals)")


@dataclass(frozen=True)
class Assumption:
    """An own assumption of the study: the variable that makes it, its text, and where the text is written (the
    variable itself, or the timeline it reads), so that a translation of the study's texts can be found."""

    variable: str
    text: str
    origin: str


@dataclass(frozen=True)
class Figure:
    """What every result of a run has first, whatever its kind: its id, label and unit, and its summary."""

    id: str
    label: str
    unit: str
    mean: float
    p5: float
    p50: float
    p95: float


@dataclass(frozen=True)
class OutputResult(Figure):
    """One output: its distribution summary in its own unit, and the claims, prices and sources behind it.

    ``fallbacks`` and ``extrapolated`` name the inputs that used their declared fallback (no evidence by the cut-off)
    or were read past their timeline's last claim.
    """

    exceedance: dict[str, float]
    claims: list[str]
    prices: list[str]
    sources: list[str]
    assumptions: list[Assumption]
    fallbacks: list[str]
    headline: bool
    extrapolated: list[str] = field(default_factory=list)
    kind: Literal["output"] = "output"


@dataclass(frozen=True)
class PublishedFigure:
    """A figure a publication gave for an indicator (a claim), in the indicator's unit, and whether it lies inside
    the interval computed from the study's own data."""

    claim: str
    source: str
    value: float
    inside: bool


@dataclass(frozen=True)
class IndicatorResult(Figure):
    """A context indicator (an event rate, a trade comparison): the summary keys of an output, plus what was
    counted or compared, the sources, and the method in words."""

    records: list[str]
    sources: list[str]
    method: str
    text: str
    count: int | None = None
    months: float | None = None
    since: str | None = None  # ISO dates of the window
    until: str | None = None
    uncertain: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    published: list[PublishedFigure] = field(default_factory=list)
    kind: Literal["indicator"] = "indicator"


@dataclass(frozen=True)
class PublishedResult:
    """A published estimate beside armsflow's, with the price per unit it implies.

    ``implied_method`` says how: ``paired`` (the publication's own quantity claims, its low over their low, its
    high over their high), ``model`` (armsflow's own quantity, where the publication gives none: what its value
    would mean per unit if its quantity were armsflow's) or ``none`` (not shown; ``implied_note`` says why)."""

    id: str
    label: str
    claim: str
    source: str
    publisher: str
    published: str  # ISO date
    as_of: str
    output: str
    unit: str
    low: float | None
    central: float | None
    high: float | None
    implied_unit: str
    implied: Summary | None
    quantity: str
    quantity_claims: list[str]
    implied_method: Literal["paired", "model", "none"] = "model"
    implied_note: str = ""


@dataclass(frozen=True)
class SensitivityRow:
    """An input's Sobol first-order and total-order index for one output, with their bootstrap 95 % half-widths."""

    input: str
    label: str
    first: float
    first_conf: float
    total: float
    total_conf: float


@dataclass(frozen=True)
class ChainStep:
    """One variable of the chain behind the headline outputs: how it is obtained, its distribution, and what it
    rests on (``how`` is ``claims``, ``prices``, ``dist``, ``formula`` or ``timeline``)."""

    name: str
    label: str
    unit: str
    how: str
    formula: str
    summary: Summary
    refs: tuple[str, ...]
    assumption: str
    fallback: bool
    extrapolated: bool


@dataclass
class RunResult(Result):
    """Everything ``armsflow run`` reports; ``to_dict`` is the JSON contract of ``run --json``."""

    study: str
    title: str
    question: str
    reference_date: date
    currency: str
    as_of: date | None
    scenario: str | None
    scenario_label: str | None
    seed: int
    draws: int
    version: str
    inputs_sha256: str
    results: list[OutputResult]
    published: list[PublishedResult]
    sensitivity: dict[str, list[SensitivityRow]]
    sobol_n: int
    excluded_sources: list[str]
    indicators: list[IndicatorResult] = field(default_factory=list)
    chain: list[ChainStep] = field(default_factory=list)
    samples: dict[str, NDArray[Any]] = field(default_factory=dict, repr=False, compare=False, metadata=NOT_IN_JSON)
    scales: dict[str, float] = field(default_factory=dict, repr=False, compare=False, metadata=NOT_IN_JSON)
    #: The id of this run in its study folder's history, when recorded (not in the JSON, which must be the same for
    #: the same inputs), and what the user should know about the recording.
    recorded: int | None = field(default=None, compare=False, metadata=NOT_IN_JSON)
    warnings: list[str] = field(default_factory=list, compare=False, metadata=NOT_IN_JSON)

    def result(self, ident: str) -> OutputResult:
        for r in self.results:
            if r.id == ident:
                return r
        raise KeyError(ident)

    @property
    def headlines(self) -> list[OutputResult]:
        return [r for r in self.results if r.headline]

    @property
    def assumptions(self) -> list[Assumption]:
        """The own assumptions behind the headline outputs, once each, in order of first use."""
        return list(dict.fromkeys(a for r in self.headlines for a in r.assumptions))

    @property
    def fallbacks(self) -> list[str]:
        """Every input of a headline output that used its fallback, once each."""
        return list(dict.fromkeys(n for r in self.headlines for n in r.fallbacks))

    @property
    def extrapolated(self) -> list[str]:
        """Every input of a headline output read past its timeline's last claim, once each."""
        return list(dict.fromkeys(n for r in self.headlines for n in r.extrapolated))

    def sample(self, name: str) -> NDArray[Any]:
        """The draws of variable ``name`` in its own unit (kept when the run was asked to keep samples)."""
        return self.samples[name] / self.scales[name]

    def without_samples(self) -> RunResult:
        return replace(self, samples={})

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            key: jsonable(getattr(self, key))
            for key in ("study", "title", "question", "reference_date", "currency", "as_of", "scenario",
                        "scenario_label", "seed", "draws", "version", "inputs_sha256", "excluded_sources")}
        data["results"] = jsonable(self.results) + jsonable(self.indicators)
        data["published"] = jsonable(self.published)
        data["sensitivity"] = {"method": SOBOL_METHOD, "n": self.sobol_n, "indices": jsonable(self.sensitivity)}
        data["chain"] = jsonable(self.chain)
        return data

    def to_pandas(self) -> pd.DataFrame:
        """One row per output: id, label, unit, mean, p5, p50, p95 and the claim ids behind it."""
        import pandas as pd

        rows = [{k: v for k, v in jsonable(r).items() if k not in ("exceedance", "assumptions")}
                for r in self.results]
        return pd.DataFrame(rows)

    def to_arrow(self) -> pa.Table:
        import pyarrow as pa

        return pa.Table.from_pandas(self.to_pandas(), preserve_index=False)

    def __repr__(self) -> str:
        head = f"RunResult({self.study}, seed={self.seed}, draws={self.draws}"
        head += f", as_of={self.as_of}" if self.as_of else ""
        head += f", scenario={self.scenario})" if self.scenario else ")"
        lines = [head]
        for r in self.results:
            lines.append(f"  {r.id:<24} {r.p50:>12.4g} [{r.p5:.4g} – {r.p95:.4g}] {r.unit}")
        return "\n".join(lines)
