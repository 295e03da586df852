"""Evidence intake: precision and recall of the extraction rules on the gold set, and PDF throughput.

    .venv/bin/python bench/bench_intake.py [--pages 50]

The gold set is tests/data/intake/gold.toml (sentences in German, English and Korean with the claims a careful
analyst extracts), written alongside the rules; tests/data/intake/heldout.toml was written after them and is
reported apart. The targets apply to the gold set. Three scores, each as precision and recall over all claims:

* value+unit+scale: the numbers a claim states (scale applied, so "5,5 Mrd." must be 5.5e9) and its unit;
* value+unit+scale+kind: the same, and the kind (estimate, lower or upper bound, approximate) must match too;
* periods: of the claims matched on value+unit+scale, the period (a claim without a period in both counts as right).

Throughput: a generated PDF of ``--pages`` pages (WeasyPrint, the report's engine) read and extracted by
``armsflow.intake`` (PDFium's text layer, then the rules). Targets (issue 13): recall >= 0.95 and precision >= 0.9
on value+unit+scale; a 50-page PDF in under 5 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tomllib
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "intake" / "gold.toml"
HELDOUT = ROOT / "tests" / "data" / "intake" / "heldout.toml"


def load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    sentences: list[dict[str, Any]] = tomllib.loads(path.read_text(encoding="utf-8"))["sentence"]
    return sentences


def _number(v: Any) -> float | None:
    return None if v is None else float(f"{float(v):.9g}")


def claim_key(c: Any, kind: bool) -> tuple[Any, ...]:
    """A claim (gold dict or Finding) as a comparable key."""
    get = c.get if isinstance(c, dict) else lambda k, d=None: getattr(c, k, d)
    values = tuple(_number(get(k)) for k in ("low", "central", "high"))
    key: tuple[Any, ...] = (values if kind else tuple(sorted(v for v in values if v is not None)), get("unit"))
    return (*key, get("kind")) if kind else key


def predict(sentence: dict[str, Any]) -> list[Any]:
    from armsflow.intake import extract, load_lexicon

    today = date.fromisoformat(sentence.get("date", "2024-10-28"))
    return extract(sentence["text"], sentence["lang"], load_lexicon(), today)


def score(sentences: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Precision and recall of the three scores over ``sentences``, overall and per language."""
    tallies: dict[str, Counter[str]] = {}
    for s in sentences:
        found = predict(s)
        for group in ("all", s["lang"]):
            t = tallies.setdefault(group, Counter())
            for name, kind in (("value+unit+scale", False), ("value+unit+scale+kind", True)):
                gold = Counter(claim_key(c, kind) for c in s["claims"])
                pred = Counter(claim_key(f, kind) for f in found)
                t[f"{name}:tp"] += sum((gold & pred).values())
                t[f"{name}:gold"] += sum(gold.values())
                t[f"{name}:pred"] += sum(pred.values())
            for g in s["claims"]:
                match = next((f for f in found if claim_key(f, False) == claim_key(g, False)), None)
                if match is not None:
                    t["periods:pred"] += 1
                    t["periods:tp"] += (str(match.period) if match.period else None) == g.get("period")
                t["periods:gold"] += 1
    out: dict[str, dict[str, float]] = {}
    for group, t in tallies.items():
        for name in ("value+unit+scale", "value+unit+scale+kind", "periods"):
            out[f"{group} {name}"] = {
                "precision": t[f"{name}:tp"] / t[f"{name}:pred"] if t[f"{name}:pred"] else 1.0,
                "recall": t[f"{name}:tp"] / t[f"{name}:gold"] if t[f"{name}:gold"] else 1.0,
                "claims": float(t[f"{name}:gold"]),
            }
    return out


PAGE = """<h2>Abschnitt {n}</h2>
<p>Nordkorea hat Russland laut der Studie Waffen im Wert von bis zu 5,5 Milliarden US-Dollar geliefert; selbst die
konservativste Schätzung liegt bei mehr als 1,7 Milliarden US-Dollar. Seit Juli 2023 gab es im Durchschnitt zwei
hochrangige Treffen pro Monat.</p>
<p>North Korea has shipped more than 13,000 containers to Russia since August 2023, and official trade reached
$34.4 million in 2023 and $52.9 million in the first half of 2024.</p>
<p>국가정보원에 따르면 북한은 2023년 8월 이후 컨테이너 1만3000여 개를 러시아로 보냈다. 보고서는 병력 5000~2만 명을
파병할 경우 연간 1억4300만~5억7200만 달러의 추가 수입을 얻을 수 있다고 분석했다.</p>
<p>{filler}</p>
"""
FILLER = ("The deliveries are described in official statements, satellite imagery studies and news reports, "
          "which conflict, are graded differently and change over time. ") * 6


def make_pdf(path: Path, pages: int) -> None:
    from weasyprint import HTML

    body = "".join(PAGE.format(n=n, filler=FILLER) + '<div style="break-after: page"></div>'
                   for n in range(1, pages + 1))
    HTML(string=f"<html><body style='font-family: sans-serif; font-size: 10pt'>{body}</body></html>").write_pdf(path)


def throughput(pages: int) -> dict[str, float]:
    from armsflow.intake import candidates, load_lexicon, read_document

    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "bench.pdf"
        make_pdf(pdf, pages)
        lex = load_lexicon()
        t0 = time.perf_counter()
        doc = read_document(pdf, lex)
        t1 = time.perf_counter()
        found = candidates(doc, lex, "S-BENCH")
        t2 = time.perf_counter()
    return {"pages": float(max(p.page for p in doc.paragraphs)), "read_s": t1 - t0, "extract_s": t2 - t1,
            "total_s": t2 - t0, "candidates": float(len(found))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    args = parser.parse_args(argv)
    scores: dict[str, dict[str, float]] = {}
    for label, path in (("gold set", GOLD), ("held-out set", HELDOUT)):
        sentences = load_gold(path)
        langs = Counter(s["lang"] for s in sentences)
        print(f"{label}: {len(sentences)} sentences ({', '.join(f'{k} {v}' for k, v in sorted(langs.items()))})")
        found = score(sentences)
        for name, s in found.items():
            print(f"  {name:34s} precision {s['precision']:.3f}  recall {s['recall']:.3f}  ({s['claims']:.0f} claims)")
        scores = scores or found
    t = throughput(args.pages)
    print(f"PDF of {t['pages']:.0f} pages: read {t['read_s']:.2f} s, extract {t['extract_s']:.2f} s, "
          f"total {t['total_s']:.2f} s, {t['candidates']:.0f} candidates")
    main_score = scores["all value+unit+scale"]
    ok = main_score["recall"] >= 0.95 and main_score["precision"] >= 0.9 and t["total_s"] < 5.0
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
