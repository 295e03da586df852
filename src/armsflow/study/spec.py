"""The typed form of a loaded study: metadata, evidence, variables, correlations, scenarios, published estimates."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from armsflow.evidence.events import Event
from armsflow.evidence.grading import Grading
from armsflow.evidence.records import Claim, Price, Source
from armsflow.evidence.trade import TradeRecord
from armsflow.model.distributions import Distribution
from armsflow.model.formula import Formula
from armsflow.model.units import Unit

if TYPE_CHECKING:
    from armsflow.study.texts_load import StudyTexts

Kind = Literal["claims", "prices", "dist", "formula", "timeline"]


@dataclass(frozen=True)
class StudyMeta:
    id: str
    title: str
    question: str
    period_start: date
    period_end: date
    reference_date: date
    currency: str
    seed: int
    draws: int
    sobol_n: int
    basis: str | None = None  # the valuation basis of the study's money outputs (evidence.records.BASES)


@dataclass(frozen=True)
class Definition:
    """How a variable gets its values: from claims, from price references, a distribution, or a formula."""

    kind: Kind
    line: int
    key_line: int = 0
    claims: tuple[str, ...] = ()
    prices: tuple[str, ...] = ()
    dist: Distribution | None = None
    formula: Formula | None = None
    assumption: str = ""
    cites: tuple[str, ...] = ()
    timeline: str = ""
    at: date | None = None
    series: str = ""  # one series of the timeline, read alone (all of them when empty)
    caps: tuple[str, ...] = ()  # capacity (or upper-bound) claims that cap a claims-derived variable
    capacity: bool = False  # capacity claims in ``claims`` taken as values; ``assumption`` says why
    proxy: bool = False  # prices of another basis than the study's stand in; ``assumption`` says why
    rescaled: bool = False  # a formula applies a ratio to another quantity than its own; ``assumption`` says why
    censor: bool = False  # bounds censor the estimates instead of truncating them; ``assumption`` says why

    @property
    def sampled(self) -> bool:
        return self.kind != "formula"


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    unit: Unit
    definition: Definition
    line: int
    file: str = "model.toml"
    fallback: Definition | None = None
    output: bool = False
    headline: bool = True
    thresholds: tuple[float, ...] = ()
    unit_line: int = 0

    def with_definition(self, definition: Definition, fallback: Definition | None) -> Variable:
        return replace(self, definition=definition, fallback=fallback)


@dataclass(frozen=True)
class TimelineSeries:
    name: str
    label: str
    claims: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class TimelineSpec:
    """A cumulative quantity over time, from dated claims (see ``armsflow.indicators.timeline``)."""

    name: str
    label: str
    unit: Unit
    series: tuple[TimelineSeries, ...]
    start: date | None
    spread: float
    assumption: str
    line: int

    def only(self, series: str) -> TimelineSpec:
        """This timeline with the one series ``series`` (itself for empty text): a variable that reads one
        publication's series, where the timeline sets several side by side."""
        return replace(self, series=tuple(s for s in self.series if s.name == series)) if series else self


@dataclass(frozen=True)
class IndicatorSpec:
    """A context indicator computed on every run: an event rate over a window (more kinds to come)."""

    name: str
    kind: str
    label: str
    since: date | None
    until: date | None
    event_kind: str | None
    levels: tuple[str, ...]
    line: int
    records: tuple[str, str] = ("", "")
    published: tuple[str, ...] = ()  # claims of a published rate, shown beside the computed one


@dataclass(frozen=True)
class Correlation:
    a: str
    b: str
    rho: float
    reason: str
    line: int
    between_line: int = 0


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    line: int
    overrides: dict[str, Variable]


@dataclass(frozen=True)
class Published:
    """A published estimate to show beside armsflow's own, with the price per unit it implies."""

    id: str
    label: str
    claim: str
    output: str
    quantity: Formula
    implied_unit: Unit
    line: int
    lines: dict[str, int] = field(default_factory=dict)
    #: The implied price pairs the publication's value with its own quantity claims, low with low (``paired``);
    #: ``not_implied`` says why no price is shown (a total covering more than the quantity, say).
    paired: bool = False
    not_implied: str = ""
    scenario: str = ""  # the study's scenario that follows this publication's chain (armsflow reconcile)
    #: The end of the published range the scenario follows ("low" or "high"); empty: the central value, or the
    #: middle of the range where the publication gives none.
    scenario_end: str = ""

    def line_of(self, key: str) -> int:
        return self.lines.get(key) or self.line


@dataclass
class Study:
    meta: StudyMeta
    path: Path | None
    files: dict[str, bytes]
    grading: Grading
    sources: dict[str, Source]
    claims: dict[str, Claim]
    prices: dict[str, Price]
    variables: dict[str, Variable]
    correlations: list[Correlation] = field(default_factory=list)
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    published: dict[str, Published] = field(default_factory=dict)
    timelines: dict[str, TimelineSpec] = field(default_factory=dict)
    indicators: dict[str, IndicatorSpec] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    trade: list[TradeRecord] = field(default_factory=list)
    texts: dict[str, StudyTexts] = field(default_factory=dict)  # language -> the study's texts in it

    def known_sources(self, as_of: date | None) -> dict[str, Source]:
        """The sources published on or before ``as_of`` (all of them for ``None``): the evidence cut-off."""
        return {k: s for k, s in self.sources.items() if as_of is None or s.published <= as_of}

    def cutoffs(self) -> list[date]:
        """The days on which the study's evidence grows, in order: each distinct publication day of its sources. Every
        cut-off from one of them up to the next keeps the same sources."""
        return sorted({s.published for s in self.sources.values()})

    def outputs(self) -> list[Variable]:
        return [v for v in self.variables.values() if v.output]

    def with_scenario(self, name: str | None) -> dict[str, Variable]:
        """The variables with a scenario's overrides applied (the base set for ``None``)."""
        if name is None:
            return dict(self.variables)
        merged = dict(self.variables)
        merged.update(self.scenarios[name].overrides)
        return merged


def assumption_key(name: str, scenario: str | None = None, fallback: bool = False) -> str:
    """Where the assumption of variable ``name`` is written, as a study's translations key it (``texts.LANG.toml``,
    ``[assumptions]``): the name, prefixed by the scenario whose override states it (``rok-ceiling.share_152``),
    followed by ``.fallback`` for its fallback's (``systems.fallback``)."""
    return f"{scenario + '.' if scenario else ''}{name}{'.fallback' if fallback else ''}"


def closure(variables: dict[str, Variable], names: list[str]) -> set[str]:
    """The variables ``names`` read, directly or through formulas, including themselves."""
    seen: set[str] = set()
    stack = list(names)
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        formula = variables[current].definition.formula
        if formula is not None:
            stack.extend(formula.names)
    return seen
