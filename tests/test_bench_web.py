"""The workbench benchmark's code path runs (two clients, one what-if each), so that its figures cannot rot."""

from __future__ import annotations

import pytest

from conftest import bench_module

pytest.importorskip("fastapi")


@pytest.mark.slow
def test_bench_web_measures() -> None:
    with bench_module("bench_web") as bench_web:
        found = {f.key: f for f in bench_web.measure(clients=2, requests=1)}
    assert set(found) == {"engine_ms", "engine_drivers_ms", "full_ms", "one_client_ms", "overhead", "p50_ms",
                          "p95_ms", "rest_p95_ms", "drivers_p95_ms"}
    assert all(f.value is not None and f.value > 0 for f in found.values())
    assert found["p95_ms"].ok is not None  # the target is checked, not skipped
