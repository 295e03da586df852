"""The intake benchmark's targets hold: the gold set's scores, and a small PDF read and extracted."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def bench() -> Iterator[Any]:
    sys.path.insert(0, str(BENCH))
    try:
        import bench_intake  # type: ignore[import-not-found,unused-ignore]  # bench/ on the path

        yield bench_intake
    finally:
        sys.path.remove(str(BENCH))


def test_the_gold_set_meets_the_targets(bench: Any) -> None:
    scores = bench.score(bench.load_gold())
    main = scores["all value+unit+scale"]
    assert main["recall"] >= 0.95 and main["precision"] >= 0.9
    assert {"de value+unit+scale", "en value+unit+scale", "ko value+unit+scale", "all periods"} <= set(scores)


def test_a_generated_pdf_is_read_with_every_page(bench: Any) -> None:
    found = bench.throughput(3)
    assert found["pages"] == 3 and found["candidates"] == 27 and found["total_s"] < 5
