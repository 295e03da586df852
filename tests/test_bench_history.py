"""The history benchmark's code path runs (at a small size), so that its figures cannot silently rot."""

from __future__ import annotations

from conftest import bench_module


def test_bench_history_measures_and_adds_up() -> None:
    with bench_module("bench_history") as bench_history:
        found = {f.key: f for f in bench_history.measure(repeat=1, draws=2_000)}
    assert set(found) == {"diff_s", "two_runs_s", "ratio", "fresh_s", "total_bn"}
    assert all(f.value is not None and f.value == f.value for f in found.values())
    assert found["fresh_s"].ok is not None  # the target is checked, not skipped
    total, note = found["total_bn"].value, found["total_bn"].note
    assert total is not None and note == f"sum of parts {total:+.6f}"
