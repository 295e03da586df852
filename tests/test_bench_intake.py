"""The intake benchmark's targets hold: the gold set's scores, and a small PDF read and extracted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conftest import bench_module


@pytest.fixture(scope="module")
def bench() -> Iterator[Any]:
    with bench_module("bench_intake") as module:
        yield module


def test_the_gold_set_meets_the_targets(bench: Any) -> None:
    scores = bench.score(bench.load_gold())
    main = scores["all value+unit+scale"]
    assert main["recall"] >= 0.95 and main["precision"] >= 0.9
    assert {"de value+unit+scale", "en value+unit+scale", "ko value+unit+scale", "all periods"} <= set(scores)


def test_a_generated_pdf_is_read_with_every_page(bench: Any) -> None:
    found = bench.throughput(3)
    assert found["pages"] == 3 and found["candidates"] == 27 and found["total_s"] < 5
