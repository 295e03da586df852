"""Report benchmark: the full flagship report, HTML and PDF in English and German, against a 10 s target on 2 cores.

    python bench/bench_report.py [--study russia-dprk] [--repeat 2] [--json]

Times the whole command as a user runs it (``armsflow report STUDY --lang en,de --format html,pdf``, a fresh process,
imports included) and, in this process, each phase: the warm-up (chart runtime, WeasyPrint and fonts), gathering the
content (the run with Sobol indices, timelines, indicators), the charts, the two pages (HTML, and the print page the
PDF is laid out from) and the PDF per language. The floor it is compared with is ``armsflow run STUDY`` (the same
analysis, printed as a table): the report's cost beyond it is presentation.
Exits 0 even when the target is missed (the table says MISSED).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TARGET_S = 10.0  # issue 11
LANGS = ("en", "de")


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("armsflow")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "armsflow.cli"]


CPU: dict[str, list[float]] = {}  # command -> CPU seconds (user + system, the command's processes) of each run


def _wall(cmd: list[str]) -> float:
    """Wall time of ``cmd``; its CPU time goes to ``CPU`` (on a shared machine, CPU time is the steadier figure)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.setdefault(" ".join(part for part in cmd[1:6] if not part.startswith("--format")), []).append(cpu)
    return wall


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = work()
    return time.perf_counter() - start, value


def phases(study: str) -> dict[str, float]:
    """Each phase of one report in this process, in seconds (imports and the runtimes' start paid beforehand)."""
    from armsflow.report import figures
    from armsflow.report.content import gather
    from armsflow.report.fmt import Fmt
    from armsflow.report.output import pdf_bytes, warm
    from armsflow.report.render import Page, render_pages
    from armsflow.study.loader import load_study

    out: dict[str, float] = {}
    out["warm-up"], _ = _timed(lambda: warm(["pdf"]))
    out["gather"], content = _timed(lambda: gather(load_study(study)))
    for lang in LANGS:
        fmt = Fmt(lang)
        out[f"charts_{lang}"], _ = _timed(lambda: figures.build(content, fmt, Page(content, fmt)))  # noqa: B023
        t_pages, pages = _timed(lambda: render_pages(content, lang, ["html", "pdf"]))  # noqa: B023
        out[f"pages_{lang}"] = max(t_pages - out[f"charts_{lang}"], 0.0)  # render_pages draws the charts again
        out[f"pdf_{lang}"], _ = _timed(lambda: pdf_bytes(pages["pdf"]))  # noqa: B023
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--study", default="russia-dprk")
    ap.add_argument("--repeat", type=int, default=2, help="runs of the whole command; the best is reported")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as out:
        def report_cmd(langs: str) -> list[str]:
            return [*_cli(), "report", args.study, "--lang", langs, "--format", "html,pdf", "--out", out]

        walls = [_wall(report_cmd(",".join(LANGS))) for _ in range(args.repeat)]
        written = sorted(p.name for p in Path(out).glob("*/*"))
        one_lang = [_wall(report_cmd(LANGS[0])) for _ in range(args.repeat)]
    run_walls = [_wall([*_cli(), "run", args.study]) for _ in range(args.repeat)]
    parts = phases(args.study)
    best, floor = min(walls), min(run_walls)
    result = {
        "study": args.study,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "report_s": best,
        "report_runs_s": walls,
        "one_language_s": min(one_lang),
        "run_s": floor,
        "report_over_run": best / floor,
        "target_s": TARGET_S,
        "met": best < TARGET_S,
        "files": written,
        "cpu_s": {k: min(v) for k, v in CPU.items()},
        "phases_s": parts,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"armsflow report {args.study} --lang en,de --format html,pdf ({os.cpu_count()} cores)")
    print(f"  whole command, best of {args.repeat}: {best:6.2f} s   target < {TARGET_S:.0f} s: "
          f"{'met' if result['met'] else 'MISSED'}   (runs: {', '.join(f'{w:.2f}' for w in walls)})")
    print(f"  one language (--lang en), best of {args.repeat}: {min(one_lang):6.2f} s")
    print(f"  armsflow run {args.study} (the analysis alone): {floor:6.2f} s   report / run = {best / floor:.2f}x")
    print(f"  files: {', '.join(written)}")
    print("  CPU seconds (user + system, all of a command's processes; best run):")
    for command, runs in CPU.items():
        print(f"    {command:<28} {min(runs):6.2f} s")
    print("  phases in one process (imports paid):")
    for phase, seconds in parts.items():
        print(f"    {phase:<12} {seconds:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
