"""Screening benchmark: precision and recall on the labelled pairs, and the speed of many queries on a large store.

    python bench/bench_screen.py [--entries 1000000] [--queries 10000] [--seed 1] [--json]

Quality: every candidate of ``tests/data/screen/labelled_pairs.csv`` goes into one index; each query is run through
blocking and scoring as ``armsflow screen query`` runs it, and counts as found when its own candidate comes back at
the default threshold. Speed: ``--entries`` synthetic list entries (ship and firm names from Korean syllables and
English words, company forms, valid IMO numbers) and ``--queries`` queries, half of them variants of listed names
(spacing, a typo, company forms, IMO numbers), half unlisted names. Targets: precision and recall at least 0.95;
10,000 queries against 1,000,000 entries in under 10 s. Exits 0 even when a target is missed (the table says so).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from armsflow.screen.imo import Imo, check_digit, parse_imo
from armsflow.screen.index import Index
from armsflow.screen.match import default_threshold, prepare_query, search
from armsflow.screen.records import Entry, ListName
from armsflow.screen.results import Query
from armsflow.screen.store import StoredList

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "data" / "screen" / "labelled_pairs.csv"
BENCH_LIST = StoredList("bench", "synthetic", "bench", "benchmark", None, 0, 0, 0)
SYLLABLES = (
    "chon", "ma", "san", "kum", "un", "paek", "tu", "kwang", "myong", "tae", "dong", "gang", "song", "won", "ryong",
    "hwa", "ri", "jin", "nam", "pho", "sin", "hung", "rak", "wol", "mi", "do", "yu", "jong", "sam", "chol", "hyon",
    "ok", "ryu", "bong", "kang", "il", "chung", "hae", "yang", "pyong", "rim", "an", "hong", "sok", "mun", "chang",
    "hak", "ho", "yon", "su", "gyong", "bo", "ran", "ung", "sun", "mi", "hyang", "ryon", "hae", "ja", "mo", "ro",
    "tan", "si", "hyok", "nung", "yong", "pung", "rye", "ju", "chae", "kyo", "ho", "chin", "dan", "ae", "gum", "chu",
)
WORDS = (
    "ocean", "maritime", "shipping", "trading", "general", "development", "mining", "bank", "star", "pacific",
    "eastern", "golden", "trust", "energy", "leasing", "marine", "transport", "fleet", "logistics", "holdings",
    "global", "united", "dragon", "pearl", "sea", "harbour", "northern", "southern", "western", "atlantic",
    "arctic", "baltic", "polar", "cargo", "tanker", "express", "carrier", "navigation", "resources", "industrial",
    "machinery", "technology", "petroleum", "steel", "chemical", "metals", "export", "import", "commerce",
    "investment", "capital", "finance", "insurance", "agency", "services",
)
FORMS = ("Co", "Co., Ltd.", "Corporation", "LLC", "JSC", "Limited", "")


@dataclass
class Quality:
    """Counts of the labelled pairs at one threshold."""

    true_positive: int
    false_positive: int
    false_negative: int
    true_negative: int
    wrong: list[dict[str, str]]

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        real = self.true_positive + self.false_negative
        return self.true_positive / real if real else 1.0


def _imo(text: str) -> Imo | None:
    return parse_imo(text) if text.strip() else None


def labelled_quality(path: Path = LABELLED, threshold: float | None = None) -> Quality:
    """Precision and recall of blocking plus scoring on the labelled pairs."""
    value = default_threshold() if threshold is None else threshold
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    entries = []
    for i, row in enumerate(rows):
        names = [ListName(row["candidate_name"], "primary")]
        names += [ListName(a.strip(), "alias") for a in row["candidate_aliases"].split(";") if a.strip()]
        entries.append((Entry(row["candidate_kind"], str(i), names, imo=_imo(row["candidate_imo"]),
                              flag=row["candidate_flag"], line=i + 2), BENCH_LIST))
    index = Index(entries)
    counts = [0, 0, 0, 0]
    wrong = []
    for i, row in enumerate(rows):
        q = Query(row["query_name"], row["query_imo"], row["query_kind"], row["query_flag"])
        found = any(m.listing.reference == str(i)
                    for m in search(index, prepare_query(q, _imo(row["query_imo"])), value, len(rows)))
        label = row["label"] == "1"
        counts[(0 if found else 2) + (0 if label == found else 1)] += 1
        if label != found:
            wrong.append({"line": str(i + 2), "case": row["case"], "query": row["query_name"] or row["query_imo"],
                          "candidate": row["candidate_name"], "label": row["label"]})
    # counts: [found & right = TP, found & wrong = FP, not found & wrong = FN, not found & right = TN]
    return Quality(counts[0], counts[1], counts[3], counts[2], wrong)


def _valid_imo(rng: random.Random) -> str:
    six = str(rng.randrange(100_000, 999_999))
    return six + str(check_digit(six))


def _name(rng: random.Random) -> str:
    parts = [" ".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).title()]
    if rng.random() < 0.6:
        parts.append(rng.choice(WORDS).title())
    if rng.random() < 0.3:
        parts.append(str(rng.randint(1, 30)))
    return " ".join(parts)


def synthetic_entries(n: int, seed: int) -> list[tuple[Entry, StoredList]]:
    """``n`` synthetic list entries: ships with IMO numbers and firms with company forms."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        vessel = rng.random() < 0.4
        name = _name(rng) if vessel else f"{_name(rng)} {rng.choice(FORMS)}".strip()
        imo = Imo(_valid_imo(rng), True) if vessel else None
        out.append((Entry("vessel" if vessel else "company", str(i), [ListName(name, "primary")], imo=imo),
                    BENCH_LIST))
    return out


def _variant(rng: random.Random, name: str) -> str:
    how = rng.randrange(4)
    if how == 0:
        return name.replace(" ", "", 1)
    if how == 1 and len(name) > 6:
        i = rng.randrange(1, len(name) - 1)
        return name[:i] + rng.choice("aeiouk") + name[i + 1:]
    if how == 2:
        return name.upper() + " LTD"
    return name


def synthetic_queries(entries: list[tuple[Entry, StoredList]], n: int, seed: int) -> list[tuple[Query, Imo | None]]:
    """``n`` queries: half variants of listed names (some by IMO number), half names not listed."""
    rng = random.Random(seed + 1)
    out: list[tuple[Query, Imo | None]] = []
    for _ in range(n):
        if rng.random() < 0.5:
            entry = entries[rng.randrange(len(entries))][0]
            if entry.imo and rng.random() < 0.3:
                out.append((Query("", entry.imo.number), entry.imo))
            else:
                out.append((Query(_variant(rng, entry.names[0].name)), None))
        else:
            out.append((Query(_name(rng)), None))
    return out


def speed(entries: int, queries: int, seed: int) -> dict[str, Any]:
    """Seconds to build the index of ``entries`` synthetic entries and to run ``queries`` queries on it."""
    listed = synthetic_entries(entries, seed)
    asked = synthetic_queries(listed, queries, seed)
    start = time.perf_counter()
    index = Index(listed)
    built = time.perf_counter() - start
    threshold = default_threshold()
    start, cpu = time.perf_counter(), time.process_time()
    found = sum(1 for q, imo in asked if search(index, prepare_query(q, imo), threshold, 10))
    ran, cpu = time.perf_counter() - start, time.process_time() - cpu
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"entries": entries, "queries": queries, "index_seconds": round(built, 2),
            "query_seconds": round(ran, 2), "query_cpu_seconds": round(cpu, 2),
            "queries_per_second": round(queries / ran) if ran else None, "queries_with_a_match": found,
            "load_average": round(load, 1) if load is not None else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    quality = labelled_quality()
    timing = speed(args.entries, args.queries, args.seed)
    result = {"machine": f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}",
              "threshold": default_threshold(), "pairs": quality.true_positive + quality.false_positive
              + quality.false_negative + quality.true_negative, "precision": round(quality.precision, 3),
              "recall": round(quality.recall, 3), "precision_target_met": quality.precision >= 0.95,
              "recall_target_met": quality.recall >= 0.95, "misclassified": quality.wrong, **timing,
              "speed_target_met": args.entries < 1_000_000 or args.queries < 10_000
              or timing["query_seconds"] < 10}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    met = "met" if result["precision_target_met"] and result["recall_target_met"] else "MISSED"
    print(f"labelled pairs: {result['pairs']} at threshold {result['threshold']}: precision {result['precision']}, "
          f"recall {result['recall']} (targets 0.95: {met})")
    for w in quality.wrong:
        print(f"  misclassified line {w['line']} ({w['case']}): {w['query']!r} vs {w['candidate']!r}, "
              f"label {w['label']}")
    print(f"speed: {timing['queries']:,} queries against {timing['entries']:,} entries: "
          f"index {timing['index_seconds']} s, queries {timing['query_seconds']} s "
          f"({timing['query_cpu_seconds']} CPU-s, load {timing['load_average']}) "
          f"({'met' if result['speed_target_met'] else 'MISSED'}: < 10 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
