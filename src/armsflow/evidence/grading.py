"""From an Admiralty grade to a claim's weight and spread, by a table the study can replace (grading.toml)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from armsflow.model.distributions import Distribution, pert_or_point


class Grade(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    weight: float = Field(ge=0, le=1)
    spread: float = Field(ge=0, lt=1)
    label: str = ""


class Grading(BaseModel):
    """The grade table: weights and spreads per source reliability (A–F) and information credibility (1–6)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    open_bound: float = Field(ge=0, lt=1)
    reliability: dict[str, Grade]
    credibility: dict[str, Grade]

    def weight(self, reliability: str, credibility: int) -> float:
        return self.reliability[reliability].weight * self.credibility[str(credibility)].weight

    def spread(self, reliability: str, credibility: int) -> float:
        return self.reliability[reliability].spread + self.credibility[str(credibility)].spread

    def missing_grades(self) -> list[str]:
        need = [*"ABCDEF"], [str(i) for i in range(1, 7)]
        return [f"reliability.{g}" for g in need[0] if g not in self.reliability] + [
            f"credibility.{g}" for g in need[1] if g not in self.credibility
        ]


@dataclass(frozen=True)
class GradedInterval:
    """A claim's stated numbers widened by its grade: the interval and mode its distribution is built on."""

    low: float
    mode: float
    high: float
    weight: float
    spread: float

    def distribution(self) -> Distribution:
        return pert_or_point(self.low, self.mode, self.high)


def graded_interval(
    low: float | None, central: float | None, high: float | None, *, weight: float, spread: float, open_bound: float
) -> GradedInterval:
    """Widen a claim's numbers by its ``spread`` (see docs/study-format.md, "Grades")."""
    if low is not None and central is None and high is None:
        return GradedInterval(low, low, low * (1 + open_bound + spread), weight, spread)
    if high is not None and central is None and low is None:
        return GradedInterval(high * (1 - open_bound - spread), high, high, weight, spread)
    lo = low if low is not None else central
    hi = high if high is not None else central
    assert lo is not None and hi is not None
    mode = central if central is not None else (lo + hi) / 2
    return GradedInterval(min(lo * (1 - spread), lo * (1 + spread)), mode, max(hi * (1 + spread), hi * (1 - spread)),
                          weight, spread)
