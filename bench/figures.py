"""What every benchmark here reports: named figures with a unit, a target where there is one, and a note."""

from __future__ import annotations

import json
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


def show(found: list[Figure], as_json: bool) -> int:
    """Print the figures (a table, or JSON for machines); the exit status says whether every target was met."""
    if as_json:
        print(json.dumps([f.__dict__ for f in found], indent=2))
    else:
        for f in found:
            value = "–" if f.value is None else f"{f.value:.3g}"
            mark = "" if f.ok is None else (" (met)" if f.ok else " (MISSED)")
            print(f"{f.label:<70} {value:>8} {f.unit} {f.target}{mark} {f.note}")
    return 0 if all(f.ok is not False for f in found) else 1
