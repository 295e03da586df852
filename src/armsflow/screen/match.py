"""Scoring a list entry against a query from named, weighted features that explain themselves.

In the spirit of nomenklatura's logic-v1 matcher: each feature gives a value from 0 to 1, its weight (in
``features.toml``) scales it, and the score is the sum clipped to 0..1. Every match carries its features, each
with a line saying why, so that an analyst can check the call. Names are compared as ``normalise`` leaves them,
by Levenshtein similarity (rapidfuzz); numbers are compared exactly, IMO numbers only once their check digit holds.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from operator import itemgetter
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from armsflow.screen.imo import Imo
from armsflow.screen.index import Index, Prepared
from armsflow.screen.normalise import NormName, flag_code, fold, name_variants, normalise
from armsflow.screen.records import ListName
from armsflow.screen.results import Feature, Listing, Match, Query

#: The kinds a query may name, and which of them count as the same for ``kind_mismatch``.
_KIND_GROUP = {"vessel": "vessel", "company": "company", "organisation": "company", "organization": "company",
               "person": "person", "other": "other"}


@cache
def config() -> dict[str, Any]:
    """The feature weights and the default threshold (``features.toml``)."""
    return tomllib.loads(resources.files("armsflow.screen").joinpath("features.toml").read_text("utf-8"))


def default_threshold() -> float:
    return float(config()["threshold"])


@dataclass(frozen=True)
class PreparedQuery:
    """A query with its names normalised and its IMO number read."""

    query: Query
    names: list[tuple[NormName, str]]
    imo: Imo | None
    flag: str
    owner: NormName | None


def prepare_query(query: Query, imo: Imo | None) -> PreparedQuery:
    names = [(normalise(v), v) for n in (query.name, *query.other_names) for v in name_variants(n)]
    names = [(n, v) for n, v in names if n.compact]
    return PreparedQuery(query, names, imo, flag_code(query.flag) if query.flag else "",
                         normalise(query.owner) if query.owner else None)


def similarity(a: NormName, b: NormName, a_sorted: str = "", b_sorted: str = "") -> float:
    """1 - Levenshtein distance / longer length, the better of the names as written and with their words sorted."""
    if a.compact == b.compact:
        return 1.0
    plain = Levenshtein.normalized_similarity(a.compact, b.compact)
    ordered = Levenshtein.normalized_similarity(a_sorted or "".join(sorted(a.tokens)),
                                                b_sorted or "".join(sorted(b.tokens)))
    return max(plain, ordered)


def _feature(name: str, value: float, detail: str) -> Feature:
    weight = float(config()[name]["weight"])
    return Feature(name, round(value, 4), weight, round(value * weight, 4), detail)


def _best_name(q: PreparedQuery, item: Prepared) -> tuple[float, NormName | None, ListName | None, str]:
    weak = float(config()["name"]["weak_factor"])
    best: tuple[float, NormName | None, ListName | None, str] = (0.0, None, None, "")
    q_sorted = ["".join(sorted(n.tokens)) for n, _ in q.names]
    for (qn, written), qs in zip(q.names, q_sorted, strict=True):
        for (cn, listed), cs in zip(item.names, item.sorted_compacts, strict=True):
            sim = similarity(qn, cn, qs, cs) * (weak if listed.quality == "weak" else 1.0)
            if sim > best[0]:
                best = (sim, cn, listed, written)
    return best


def score(q: PreparedQuery, item: Prepared) -> tuple[float, list[Feature], ListName | None]:
    """The score of ``item`` for query ``q``, its features, and the entry's name that matched best."""
    cfg = config()
    entry = item.entry
    features: list[Feature] = []
    if q.imo and entry.imo:
        if q.imo.number == entry.imo.number:
            checked = q.imo.valid and entry.imo.valid
            features.append(_feature("imo_match", 1.0 if checked else float(cfg["imo_match"]["unchecked"]),
                                     f"IMO {entry.imo.number}" + ("" if checked else " (check digit fails)")))
        elif q.imo.valid and entry.imo.valid:
            features.append(_feature("imo_mismatch", 1.0, f"IMO {q.imo.number} is not {entry.imo.number}"))
    sim, matched, listed, written = _best_name(q, item)
    if sim < float(cfg["name"]["floor"]):
        listed = None
    if matched is not None and listed is not None:
        how = "the same after normalisation" if sim == 1.0 else f"{sim:.2f} similar"
        features.append(_feature("name", sim, f"{written!r} ~ {listed.name!r} ({listed.quality}): {how}"))
        best_q = next((n for n, w in q.names if w == written), None)
        if best_q is not None and best_q.numbers and matched.numbers and best_q.numbers != matched.numbers:
            features.append(_feature("numbers_mismatch", 1.0, f"numbers {sorted(best_q.numbers)} and "
                                                              f"{sorted(matched.numbers)} differ"))
    if q.query.kind and entry.kind and _KIND_GROUP.get(q.query.kind) != _KIND_GROUP.get(entry.kind):
        features.append(_feature("kind_mismatch", 1.0, f"a {q.query.kind} queried, a {entry.kind} listed"))
    if q.flag and item.flag and q.flag == item.flag:
        features.append(_feature("flag_match", 1.0, f"flag {entry.flag}"))
    if q.query.vessel_type and entry.vessel_type:
        a, b = set(fold(q.query.vessel_type).split()), set(fold(entry.vessel_type).split())
        if a & b:
            features.append(_feature("type_match", 1.0, f"type {entry.vessel_type}"))
    if q.owner and item.owner:
        owner_sim = similarity(q.owner, item.owner)
        if owner_sim >= float(cfg["owner_match"]["floor"]):
            features.append(_feature("owner_match", 1.0, f"owner {q.query.owner!r} ~ {entry.owner!r}"))
    total = sum(f.contribution for f in features)
    return min(1.0, max(0.0, total)), features, listed


def to_match(item: Prepared, value: float, features: list[Feature], matched: ListName | None) -> Match:
    entry, listed = item.entry, item.listed
    primary = entry.names[0].name
    return Match(
        score=round(value, 4), kind=entry.kind, name=primary, matched_name=matched.name if matched else "",
        matched_quality=matched.quality if matched else "", other_names=[n.name for n in entry.names[1:]],
        imo=entry.imo.number if entry.imo else "", imo_valid=entry.imo.valid if entry.imo else None,
        flag=entry.flag, vessel_type=entry.vessel_type, owner=entry.owner,
        listing=Listing(listed.key, listed.authority, entry.ref, entry.listed_on, list(entry.programs),
                        listed.list_date, listed.file, entry.line),
        features=features)


def search(index: Index, q: PreparedQuery, threshold: float, limit: int) -> list[Match]:
    """The entries of ``index`` scoring at least ``threshold`` for ``q``, best first, at most ``limit``."""
    cfg = config()
    # A name alone can reach the threshold only from this similarity on, given the supporting features the query
    # can earn; names below it need not be scored (an IMO number is looked up apart).
    support = sum(float(cfg[f]["weight"]) for f, given in (("flag_match", q.flag), ("type_match", q.query.vessel_type),
                                                           ("owner_match", q.owner)) if given)
    cutoff = max(float(cfg["name"]["floor"]), min(1.0, threshold - support))
    positions = index.candidate_names([n for n, _ in q.names])
    close: set[int] = set(index.by_imo.get(q.imo.number, ())) if q.imo else set()
    if positions:
        pick = itemgetter(*positions)
        compacts = [pick(index.compacts)] if len(positions) == 1 else list(pick(index.compacts))
        ordered = [pick(index.sorted_compacts)] if len(positions) == 1 else list(pick(index.sorted_compacts))
        for n, _ in q.names:
            pairs = [(n.compact, compacts)] + ([("".join(sorted(n.tokens)), ordered)] if len(n.tokens) > 1 else [])
            for text, choices in pairs:
                for _, _, k in process.extract(text, choices, scorer=Levenshtein.normalized_similarity,
                                               score_cutoff=cutoff, limit=None):
                    close.add(index.owners[positions[k]])
    found = []
    for i in close:
        item = index.items[i]
        value, features, matched = score(q, item)
        if value >= threshold:
            found.append((value, i, features, matched))
    found.sort(key=lambda t: (-t[0], t[1]))
    return [to_match(index.items[i], value, features, matched) for value, i, features, matched in found[:limit]]
