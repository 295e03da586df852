"""OpenSanctions data as FollowTheMoney entities, one JSON object a line (``entities.ftm.json``).

Each line is ``{"id", "schema", "properties": {name: [values]}, "datasets", "first_seen", "last_seen", ...}``;
every property value is a list. Vessels carry ``imoNumber`` as ``IMO9179842`` (FtM's form) or bare digits, and
``name``, ``alias``, ``previousName``, ``weakAlias``, ``flag``, ``pastFlags``, ``type``, ``mmsi``, ``owner``;
``Sanction`` entities point at their target through ``entity`` and carry ``authority``, ``program``, ``unscId``,
``authorityId``, ``listingDate`` and ``startDate``. Owners given as entity ids are read as the names of those
entities where the file holds them.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from armsflow.screen.formats.common import bad, parse_date
from armsflow.screen.imo import parse_imo
from armsflow.screen.records import Entry, ListName, Parsed

FORMAT = "opensanctions-ftm-jsonl"
KIND = {"Vessel": "vessel", "Company": "company", "Organization": "company", "LegalEntity": "company",
        "PublicBody": "company", "Person": "person", "Airplane": "other"}
_NAMES = (("name", "primary"), ("alias", "alias"), ("previousName", "previous"), ("weakAlias", "weak"))


def sniff(data: bytes) -> bool:
    return data.lstrip()[:1] == b"{"


def _objects(file: str, data: bytes) -> list[tuple[int, dict[str, Any]]]:
    out = []
    try:
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise bad(file, data[: exc.start].count(b"\n") + 1, "not valid UTF-8 text") from None
    last = max((i for i, line in enumerate(lines, 1) if line.strip()), default=0)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            cut = number == last and not data.rstrip(b" \t").endswith(b"\n")
            why = " (the last line is cut off: was the download complete?)" if cut else ""
            raise bad(file, number, f"not valid JSON{why}: {exc.msg} (column {exc.colno})") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("schema"), str) or not isinstance(
                obj.get("properties", {}), dict):
            raise bad(file, number, "not a FollowTheMoney entity: expected an object with schema and properties")
        out.append((number, obj))
    return out


def _props(obj: dict[str, Any], name: str) -> list[str]:
    values = obj.get("properties", {}).get(name, [])
    return [str(v).strip() for v in (values if isinstance(values, list) else [values]) if str(v).strip()]


def read(file: str, data: bytes) -> Parsed:
    objects = _objects(file, data)
    datasets = sorted({d for _, o in objects for d in o.get("datasets", []) if isinstance(d, str)})
    key = "opensanctions:" + ("+".join(datasets) if datasets else file.rsplit("/", 1)[-1])
    seen = [parse_date(str(o.get("last_seen", ""))) for _, o in objects]
    list_date = max((d for d in seen if d), default=None)
    parsed = Parsed(file, FORMAT, key, "OpenSanctions (" + (", ".join(datasets) or "FtM export") + ")", list_date)
    names = {o.get("id"): (_props(o, "name") or [""])[0] for _, o in objects}
    sanctions: dict[str, list[dict[str, Any]]] = {}
    for _, o in objects:
        if o["schema"] == "Sanction":
            for target in _props(o, "entity"):
                sanctions.setdefault(target, []).append(o)
    for line, o in objects:
        kind = KIND.get(o["schema"])
        if kind is None:
            continue
        parsed.add(_entry(o, kind, line, sanctions.get(str(o.get("id")), []), names))
    return parsed


def _entry(o: dict[str, Any], kind: str, line: int, sanctions: list[dict[str, Any]],
           names: dict[Any, str]) -> Entry:
    listed = [parse_date(d) for s in sanctions for d in _props(s, "listingDate") + _props(s, "startDate")]
    listed_on: date | None = min((d for d in listed if d), default=None)
    refs = [r for s in sanctions for r in _props(s, "unscId") + _props(s, "authorityId")]
    programs = [f"{a}: {p}" if a else p for s in sanctions
                for a in (_props(s, "authority") or [""])[:1] for p in (_props(s, "program") or [""]) if p or a]
    imo_text = (_props(o, "imoNumber") or [""])[0] if kind == "vessel" else ""
    owners = [names.get(x) or x for x in _props(o, "owner")]
    return Entry(kind=kind, ref=refs[0] if refs else str(o.get("id", "")),
                 names=[ListName(n, q) for prop, q in _NAMES for n in _props(o, prop)],
                 listed_on=listed_on, programs=tuple(dict.fromkeys(p.strip(": ") for p in programs)),
                 imo=parse_imo(imo_text) if imo_text else None, mmsi=(_props(o, "mmsi") or [""])[0],
                 flag=(_props(o, "flag") or _props(o, "jurisdiction") or [""])[0],
                 vessel_type=(_props(o, "type") or [""])[0], owner=owners[0] if owners else "", line=line)
