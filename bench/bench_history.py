"""Time "why did the number move" on the flagship: ``armsflow diff russia-dprk 2024-10-28 today``.

The attribution evaluates the headline outputs for every subset of the changed groups of inputs, on draws made once
per state. Its practical limit is what any attribution must do at least: run the study once in each state with the
same seed and draws (``armsflow.run`` without Sobol indices); the ratio says what the Shapley values cost on top.
Also timed: the whole command in a fresh process, as a user runs it (imports included).

    python bench/bench_history.py [--repeat 3] [--draws N] [--json]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import armsflow  # noqa: E402
from figures import Figure, log, show  # noqa: E402

THEN = date(2024, 10, 28)  # the day "Putin's Partner" came out
TARGET_S = 10.0


def best(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = work()
        times.append(time.perf_counter() - start)
    return min(times), out


def measure(repeat: int, draws: int | None) -> list[Figure]:
    study = armsflow.load_study("russia-dprk")
    n = draws or study.meta.draws
    log(f"diff russia-dprk {THEN} today at {n:,} draws, best of {repeat}")
    diff_s, result = best(repeat, lambda: armsflow.diff(study, THEN, "today", draws=n))
    runs_s, _ = best(repeat, lambda: (armsflow.run(study, as_of=THEN, draws=n, sensitivity=False),
                                      armsflow.run(study, as_of=date.today(), draws=n, sensitivity=False)))
    value = next(o for o in result.outputs if o.id == "deliveries_value")
    groups = len({p.group for o in result.outputs for p in o.parts})
    cmd = [sys.executable, "-m", "armsflow.cli", "diff", "russia-dprk", THEN.isoformat(), "today", "--json"]
    if draws:
        cmd += ["--draws", str(draws)]
    fresh = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        fresh.append(time.perf_counter() - start)
    return [
        Figure("diff_s", f"attribution, {groups} changed groups, {n:,} draws (in process)", diff_s, "s"),
        Figure("two_runs_s", "practical limit: the two runs alone (same seed and draws, no Sobol)", runs_s, "s"),
        Figure("ratio", "attribution ÷ two runs", diff_s / runs_s, "×"),
        Figure("fresh_s", "whole command in a fresh process", min(fresh), "s", f"< {TARGET_S:g} s",
               min(fresh) < TARGET_S),
        Figure("total_bn", "deliveries value moved (bn USD), parts add up to it", value.total, "bn USD", "",
               None, f"sum of parts {sum(p.effect for p in value.parts):+.6f}"),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--draws", type=int, default=None, help="default: the study's (200,000)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    found = measure(args.repeat, args.draws)
    return show(found, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
