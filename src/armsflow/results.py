"""The result of a run: summaries with provenance, published estimates, sensitivity, and what makes it reproducible."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from armsflow.model.distributions import Array


@dataclass(frozen=True)
class Summary:
    mean: float
    p5: float
    p50: float
    p95: float


@dataclass(frozen=True)
class OutputResult:
    """One output: its distribution summary in its own unit, and the claims, prices and sources behind it."""

    id: str
    label: str
    unit: str
    mean: float
    p5: float
    p50: float
    p95: float
    exceedance: dict[str, float]
    claims: list[str]
    prices: list[str]
    sources: list[str]
    assumptions: list[str]
    fallbacks: list[str]
    headline: bool
    extrapolated: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IndicatorResult:
    """A context indicator (an event rate, a trade comparison): the summary keys of an output, plus what was
    counted or compared, the sources, and the method in words."""

    id: str
    label: str
    unit: str
    mean: float
    p5: float
    p50: float
    p95: float
    records: list[str]
    sources: list[str]
    method: str
    text: str
    count: int | None = None
    months: float | None = None
    since: str | None = None
    until: str | None = None
    uncertain: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    kind: str = "indicator"


@dataclass(frozen=True)
class PublishedResult:
    """A published estimate beside armsflow's, with the price per unit it implies given the quantity claims."""

    id: str
    label: str
    claim: str
    source: str
    publisher: str
    published: str
    as_of: str
    output: str
    unit: str
    low: float | None
    central: float | None
    high: float | None
    implied_unit: str
    implied: Summary
    quantity: str
    quantity_claims: list[str]


@dataclass(frozen=True)
class SensitivityRow:
    input: str
    label: str
    first: float
    first_conf: float
    total: float
    total_conf: float


@dataclass
class RunResult:
    """Everything ``armsflow run`` reports; ``to_dict`` is the JSON contract of ``run --json``."""

    study: str
    title: str
    question: str
    reference_date: date
    currency: str
    as_of: date | None
    scenario: str | None
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
    samples: dict[str, Array] = field(default_factory=dict, repr=False, compare=False)

    def result(self, ident: str) -> OutputResult:
        for r in self.results:
            if r.id == ident:
                return r
        raise KeyError(ident)

    def to_dict(self) -> dict[str, Any]:
        return {
            "study": self.study,
            "title": self.title,
            "question": self.question,
            "reference_date": self.reference_date.isoformat(),
            "currency": self.currency,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "scenario": self.scenario,
            "seed": self.seed,
            "draws": self.draws,
            "version": self.version,
            "inputs_sha256": self.inputs_sha256,
            "excluded_sources": self.excluded_sources,
            "results": [asdict(r) for r in self.results] + [asdict(i) for i in self.indicators],
            "published": [asdict(p) for p in self.published],
            "sensitivity": {
                "method": "Sobol (Saltelli sampling; Saltelli 2010 first-order, Jansen total-order; SALib)",
                "n": self.sobol_n,
                "indices": {k: [asdict(r) for r in rows] for k, rows in self.sensitivity.items()},
            },
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    def to_pandas(self) -> pd.DataFrame:
        """One row per output: id, label, unit, mean, p5, p50, p95 and the claim ids behind it."""
        import pandas as pd

        return pd.DataFrame([{k: v for k, v in asdict(r).items() if k != "exceedance"} for r in self.results])

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
