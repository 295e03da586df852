"""Blocking: which list entries a query is compared with at all, so that a query costs the same against a million.

Each name of an entry is filed under its words of five letters or more, its compact form, and the first six and
last six letters of that (one typo leaves one of them whole); IMO numbers under themselves. A query gathers the
names that share a key with it, skipping keys so common (more than ``MAX_BLOCK`` names) that they tell nothing; one
rapidfuzz call in C keeps those close enough to score, and only those are scored.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from armsflow.screen.normalise import NormName, flag_code, normalise
from armsflow.screen.records import Entry, ListName
from armsflow.screen.store import StoredList

#: A key filed under more entries than this is too common to block on (``trading``, ``shipping``, ``korea``).
MAX_BLOCK = 250


@dataclass
class Prepared:
    """A list entry ready to score: its normalised names beside the names as listed."""

    entry: Entry
    listed: StoredList
    names: list[tuple[NormName, ListName]]
    sorted_compacts: list[str]
    flag: str
    owner: NormName | None


def keys(name: NormName) -> set[str]:
    """The blocking keys of one normalised name."""
    found = {t for t in name.tokens if len(t) >= 5 and not t.isdigit()}
    if name.compact:
        found.add("=" + name.compact)
    if len(name.compact) >= 6:
        found.add("<" + name.compact[:6])
    if len(name.compact) >= 8:
        found.add(">" + name.compact[-6:])
    return found


def prepare(entry: Entry, listed: StoredList) -> Prepared:
    from armsflow.screen.normalise import name_variants

    names = []
    for listed_name in entry.names:
        for variant in name_variants(listed_name.name):
            names.append((normalise(variant), listed_name))
    return Prepared(entry, listed, names, ["".join(sorted(n.tokens)) for n, _ in names],
                    flag_code(entry.flag) if entry.flag else "", normalise(entry.owner) if entry.owner else None)


class Index:
    """The entries of a store, with their blocking keys and their IMO numbers.

    Names are also kept flat (``compacts``, ``sorted_compacts``, ``owners``: the entry of each name), so that a
    query's candidates are filtered by one rapidfuzz call in C before any is scored in Python.
    """

    def __init__(self, items: Iterable[tuple[Entry, StoredList]]) -> None:
        self.items: list[Prepared] = []
        self.compacts: list[str] = []
        self.sorted_compacts: list[str] = []
        self.owners: list[int] = []
        self.by_key: defaultdict[str, list[int]] = defaultdict(list)
        self.by_imo: defaultdict[str, list[int]] = defaultdict(list)
        # A million entries are millions of small objects, none in a cycle: the cyclic collector would rescan them
        # again and again while they are built (half the build time), so it waits until the index is done, and then
        # they are frozen out of its reach (gc.freeze), so that collections during queries do not rescan them either
        # (40 % of the query time on a large store). Reference counting still frees them as usual.
        collecting = gc.isenabled()
        gc.disable()
        try:
            for entry, listed in items:
                self.add(prepare(entry, listed))
        finally:
            if collecting:
                gc.enable()
        gc.freeze()

    def add(self, item: Prepared) -> None:
        i = len(self.items)
        self.items.append(item)
        for (name, _), ordered in zip(item.names, item.sorted_compacts, strict=True):
            j = len(self.compacts)
            self.compacts.append(name.compact)
            self.sorted_compacts.append(ordered)
            self.owners.append(i)
            for key in keys(name):
                self.by_key[key].append(j)
        if item.entry.imo:
            self.by_imo[item.entry.imo.number].append(i)

    def candidate_names(self, names: list[NormName]) -> list[int]:
        """The names (flat positions) that share a blocking key with a query name."""
        blocks = [self.by_key[k] for n in names for k in keys(n) if k in self.by_key]
        useful = [b for b in blocks if len(b) <= MAX_BLOCK]
        if not useful and blocks:
            useful = [min(blocks, key=len)]
        found: set[int] = set()
        for block in useful:
            found.update(block)
        return list(found)
