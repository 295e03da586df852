"""What differs between two sets of study files: rows of the CSV tables by id and entries of the TOML files by key,
field by field, and which sources an evidence cut-off lets in."""

from __future__ import annotations

import csv
import io
import tomllib
from datetime import date
from typing import Any

from armsflow.results.history import Change, ChangeKind, FieldChange
from armsflow.study.spec import Study


def _rows(data: bytes) -> dict[str, dict[str, str]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    return {(r.get("id") or "").strip(): {k: (v or "").strip() for k, v in r.items() if k is not None}
            for r in reader if (r.get("id") or "").strip()}


def _flat(value: Any, prefix: str = "") -> dict[str, str]:
    """A TOML document as dotted keys: tables are walked, other values (arrays included) kept whole."""
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for key, inner in value.items():
            out.update(_flat(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: repr(value) if not isinstance(value, str) else value}


def _compare(file: str, before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    out = [Change(file, key, "removed") for key in before if key not in after]
    out += [Change(file, key, "added") for key in after if key not in before]
    for key in before:
        if key in after and before[key] != after[key]:
            a, b = before[key], after[key]
            if isinstance(a, dict) and isinstance(b, dict):
                fields = tuple(FieldChange(f, str(a.get(f, "")), str(b.get(f, "")))
                               for f in dict.fromkeys([*a, *b]) if a.get(f, "") != b.get(f, ""))
            else:
                fields = (FieldChange("", str(a), str(b)),)
            out.append(Change(file, key, "changed", fields))
    return out


def file_changes(before: dict[str, bytes], after: dict[str, bytes]) -> list[Change]:
    """Every row and entry that differs between two sets of study files (name → bytes), file by file."""
    out: list[Change] = []
    for name in sorted(set(before) | set(after)):
        a, b = before.get(name), after.get(name)
        if a == b:
            continue
        if a is None or b is None:
            out.append(Change(name, "", "added" if a is None else "removed"))
            continue
        try:
            if name.endswith(".csv"):
                out += _compare(name, _rows(a), _rows(b))
            elif name.endswith(".toml"):
                out += _compare(name, _flat(tomllib.loads(a.decode())), _flat(tomllib.loads(b.decode())))
            else:
                out.append(Change(name, "", "changed"))
        except (UnicodeDecodeError, csv.Error, tomllib.TOMLDecodeError):
            out.append(Change(name, "", "changed"))
    return out


def cutoff_changes(study: Study, before: date | None, after: date | None) -> list[Change]:
    """The sources (with their claims, prices, events and trade figures) that one evidence cut-off lets in and the
    other does not: ``added`` when only the later state sees them."""
    seen_before, seen_after = set(study.known_sources(before)), set(study.known_sources(after))
    out = []
    for source in sorted(seen_before ^ seen_after):
        kind: ChangeKind = "added" if source in seen_after else "removed"
        out.append(Change("sources.csv", source, kind))
        rows = ([("claims.csv", c.id) for c in study.claims.values() if c.source == source]
                + [("prices.csv", p.id) for p in study.prices.values() if p.source == source]
                + [("events.csv", e.id) for e in study.events if e.source == source]
                + [("trade.csv", t.id) for t in study.trade if t.source == source])
        out += [Change(file, ident, kind) for file, ident in rows]
    return out
