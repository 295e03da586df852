"""Sources, claims and price references: the evidence a study rests on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from armsflow.evidence.period import Period

LANGUAGE = re.compile(r"^[a-z]{2}$")
RELIABILITY = ("A", "B", "C", "D", "E", "F")
#: What kind of statement a claim is (docs/method.md, "Claim kinds"): an estimate of the quantity, a bound on it
#: ("at least", "more than"; "up to"), or a capacity ("could hold", "can carry") that is never a central value.
CLAIM_KINDS = ("estimate", "lower", "upper", "capacity")
#: What a price measures (docs/method.md, "One valuation basis"): what the seller receives, what it costs to make,
#: what it would cost to replace, or what the item fetches on a market. One estimate is in one of them.
BASES = ("seller-revenue", "production-cost", "replacement-value", "market-price")


@dataclass(frozen=True)
class Source:
    """A published document: who, what, where and when, and how reliable its originator is (Admiralty A–F).

    ``originator`` is the organisation that produced its figures when the document only reports them (ROK's Defence
    Intelligence Agency behind a newspaper's story); the reliability grades the originator, and claims of one
    originator carried by several outlets share one weight in a pool (docs/method.md, "Grades")."""

    id: str
    publisher: str
    title: str
    url: str
    published: date
    language: str
    reliability: str
    notes: str
    line: int
    originator: str = ""

    @property
    def producer(self) -> str:
        """Who produced the figures: the originator, or the publisher when it is its own."""
        return self.originator or self.publisher



@dataclass(frozen=True)
class Claim:
    """One number (or range) a source states about one measure, with its grade."""

    id: str
    source: str
    measure: str
    low: float | None
    central: float | None
    high: float | None
    unit: str
    as_of: Period
    credibility: int
    quote: str
    notes: str
    line: int
    kind: str = "estimate"
    per: str = ""  # for a ratio (rounds per container): the claim of the quantity it was derived on


@dataclass(frozen=True)
class Price:
    """A price reference: what it costs per unit, in which currency and year, on which basis, and from where."""

    id: str
    item: str
    low: float | None
    central: float | None
    high: float | None
    currency: str
    per: str
    price_year: int
    basis: str
    source: str
    credibility: int
    notes: str
    line: int
