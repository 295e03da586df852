"""Why a result is what it is: its formula, each input with the claims behind it, and what drives its range."""

from __future__ import annotations

from dataclasses import dataclass

from armsflow.results.base import Result, Summary
from armsflow.results.run import SensitivityRow


@dataclass(frozen=True)
class EvidenceUse:
    """One claim or price as an input uses it, in the input's own unit.

    ``stated_*`` are the numbers as the source stated them, in ``stated_unit``; ``low``, ``mode`` and ``high`` the
    graded interval the input uses, in the input's unit. ``share`` is the claim's weight among the input's pooled
    claims; it is ``None`` for timeline inputs, whose claims are dated points of one curve rather than alternatives
    drawn by weight.
    """

    ref: str
    kind: str
    source: str
    publisher: str
    published: str
    url: str
    reliability: str
    credibility: int
    share: float | None
    low: float
    mode: float
    high: float
    stated_low: float | None
    stated_central: float | None
    stated_high: float | None
    stated_unit: str
    quote: str
    conversion: tuple[str, ...]
    role: str = "estimate"  # estimate | lower | upper | cap (see docs/method.md, "Claim kinds")
    claim_kind: str = ""  # what the claim states (estimate, lower, upper, capacity); empty for a price


@dataclass(frozen=True)
class InputExplanation:
    name: str
    label: str
    unit: str
    how: str
    summary: Summary
    assumption: str
    fallback: bool
    extrapolated: bool
    evidence: tuple[EvidenceUse, ...]


@dataclass(frozen=True)
class Explanation(Result):
    """``armsflow explain``: one output or variable, its inputs and the evidence and drivers behind it."""

    id: str
    label: str
    unit: str
    formula: str
    summary: Summary
    inputs: tuple[InputExplanation, ...]
    sensitivity: tuple[SensitivityRow, ...]
    claims: list[str]
    sources: list[str]
