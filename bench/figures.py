"""What every benchmark here reports: named figures with a unit, a target where there is one, and a note."""

from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass
class Figure:
    """One measured figure; ``ok`` is None when it has no target."""

    key: str
    label: str
    value: float | None
    unit: str
    target: str = ""
    ok: bool | None = None
    note: str = ""


def log(msg: str) -> None:
    """Progress on stderr, so that stdout stays the table or the JSON."""
    print(msg, file=sys.stderr, flush=True)
