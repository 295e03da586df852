"""The workbench benchmark's code path runs (two clients, one what-if each), so that its figures cannot rot."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.mark.slow
def test_bench_web_measures() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import bench_web

        found = {f.key: f for f in bench_web.measure(clients=2, requests=1)}
    finally:
        sys.path.remove(str(BENCH))
    assert set(found) == {"engine_ms", "one_client_ms", "overhead", "p50_ms", "p95_ms"}
    assert all(f.value is not None and f.value > 0 for f in found.values())
    assert found["p95_ms"].ok is not None  # the target is checked, not skipped
