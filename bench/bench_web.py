"""Time the workbench's what-if on the flagship: ``armsflow serve`` in its own process, N clients at once, each
doing what the page does when an assumption moves: fetch the recomputed results (the htmx partial), and, when
the value rests, the Sobol drivers that the results load half a second after them. Against the engine's own time
for the same what-if in process: the baseline's incremental what-if (``armsflow.engine.whatif.Baseline.what_if``,
20,000 draws) without and with the drivers, and the full recompute (``what_if``) for scale.

    python bench/bench_web.py [--clients 20] [--requests 5] [--json]
"""

from __future__ import annotations

import argparse
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import armsflow  # noqa: E402
import armsflow.web  # noqa: E402
from armsflow.engine.whatif import baseline, what_if  # noqa: E402
from figures import Figure, log, show  # noqa: E402

TARGET_MS = 300.0  # issue 15: p95 with 20 concurrent clients
#: Server processes: the machine's cores, as ``armsflow serve`` starts by default (at most four).
WORKERS = armsflow.web.default_workers()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
    return time.perf_counter() - start


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _load(base: str, clients: int, requests: int, drivers_too: bool) -> tuple[list[float], list[float]]:
    """Latencies of ``clients`` threads each making ``requests`` what-ifs (a different value each time): the results,
    and with ``drivers_too`` the drivers fetched after them, as the page does once a value rests (while a value is
    dragged, each new results partial replaces the last before its drivers are asked for)."""
    results: list[float] = []
    drivers: list[float] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        rng = random.Random(k)
        for _ in range(requests):
            low = round(rng.uniform(0.3, 0.7), 3)
            query = f"munitions_share.low={low}&munitions_share.high=0.9"
            took = _get(f"{base}/studies/mine/whatif?{query}")
            then = _get(f"{base}/studies/mine/drivers?{query}") if drivers_too else None
            with lock:
                results.append(took)
                drivers.extend([then] if then is not None else [])

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, drivers


def measure(clients: int, requests: int) -> list[Figure]:
    folder = Path(tempfile.mkdtemp(prefix="armsflow-bench-web-")) / "mine"
    armsflow.init(folder)
    study = armsflow.load_study(folder)
    change = {"munitions_share": {"dist": "uniform", "low": 0.5, "high": 0.9}}
    kept = baseline(study)
    engine = min(_timed(lambda: kept.what_if(change)) for _ in range(5))
    engine_drivers = min(_timed(lambda: kept.what_if(change, sensitivity=True)) for _ in range(5))
    full = min(_timed(lambda: what_if(study, change, sensitivity=False)) for _ in range(3))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "armsflow.cli", "serve", str(folder), "--port", str(port),
                               "--workers", str(WORKERS)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        log(f"what-if at 20,000 draws: 1 client x {requests * 2}, then {clients} clients x {requests}")
        _load(base, 4 * WORKERS, 2, True)  # warm every worker: imports, the first load of the study, the baseline
        single, _ = _load(base, 1, requests * 2, False)
        dragged, _ = _load(base, clients, requests, False)
        many, many_drivers = _load(base, clients, requests, True)
    finally:
        server.terminate()  # the server this benchmark started, by its own handle
        server.wait(10)
    p95 = _percentile(dragged, 95) * 1000
    median_one = _percentile(single, 50)
    return [
        Figure("engine_ms", "engine alone: incremental what-if in process (20,000 draws), best of 5", engine * 1000,
               "ms"),
        Figure("engine_drivers_ms", "engine alone: the same with the Sobol drivers, best of 5", engine_drivers * 1000,
               "ms"),
        Figure("full_ms", "engine alone: what-if recomputed in full (no drivers), best of 3", full * 1000, "ms"),
        Figure("one_client_ms", "one client: median results request, page included", median_one * 1000, "ms"),
        Figure("overhead", "one client's median ÷ engine alone", median_one / engine, "×"),
        Figure("p50_ms", f"{clients} clients moving a value at once: results, median",
               _percentile(dragged, 50) * 1000, "ms"),
        Figure("p95_ms", f"{clients} clients moving a value at once: results, 95th percentile", p95, "ms",
               f"< {TARGET_MS:g} ms", p95 < TARGET_MS),
        Figure("rest_p95_ms", f"{clients} clients, drivers after every value: results, 95th percentile",
               _percentile(many, 95) * 1000, "ms"),
        Figure("drivers_p95_ms", f"{clients} clients, drivers after every value: drivers, 95th percentile",
               _percentile(many_drivers, 95) * 1000, "ms"),
    ]


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=5, help="what-ifs per client")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    found = measure(args.clients, args.requests)
    return show(found, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
