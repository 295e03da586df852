"""The gold set: each annotated sentence yields exactly the claims a careful analyst extracts from it."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from armsflow.intake import extract, load_lexicon

DATA = Path(__file__).parent / "data" / "intake"
SENTENCES = [(f"{path.stem}-{i + 1}-{s['lang']}", s) for path in (DATA / "gold.toml", DATA / "heldout.toml")
             for i, s in enumerate(tomllib.loads(path.read_text(encoding="utf-8"))["sentence"])]


def _key(c: Any) -> tuple[Any, ...]:
    get = c.get if isinstance(c, dict) else lambda k, d=None: getattr(c, k, d)
    period = get("period")
    numbers = [get(k) for k in ("low", "central", "high")]
    return (*(None if v is None else float(f"{float(v):.9g}") for v in numbers),
            get("unit"), get("kind"), None if period is None else str(period))


def test_the_gold_set_covers_three_languages_and_sixty_sentences() -> None:
    gold = [s for name, s in SENTENCES if name.startswith("gold")]
    assert len(gold) >= 60 and {s["lang"] for s in gold} == {"de", "en", "ko"}
    assert min(sum(s["lang"] == lang for s in gold) for lang in ("de", "en", "ko")) >= 20


@pytest.mark.parametrize("sentence", [
    pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=s["known_gap"])) if "known_gap" in s else s
    for _, s in SENTENCES], ids=[name for name, _ in SENTENCES])
def test_sentence(sentence: dict[str, Any]) -> None:
    today = date.fromisoformat(sentence.get("date", "2024-10-28"))
    found = extract(sentence["text"], sentence["lang"], load_lexicon(), today)
    expected = sentence["claims"]
    assert sorted(map(_key, found), key=repr) == sorted(map(_key, expected), key=repr), [f.rules for f in found]
