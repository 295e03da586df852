from __future__ import annotations

import importlib
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"
BENCH = Path(__file__).resolve().parent.parent / "bench"


@contextmanager
def bench_module(name: str) -> Iterator[ModuleType]:
    """A script of bench/ as a module, with bench/ on the path while it is used (the scripts import figures.py)."""
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the small test study."""
    target = tmp_path / "mini"
    shutil.copytree(DATA / "mini", target)
    return target


def write_study(folder: Path, model: str, *, claims: str = "", prices: str = "", sources: str = "",
                draws: int = 20000, sobol_n: int = 256, seed: int = 3) -> Path:
    """A study folder with the given model.toml and optional evidence rows (headers are added)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "study.toml").write_text(
        "[study]\ntitle = 't'\nquestion = 'q'\nperiod_start = 2024-01-01\nperiod_end = 2024-12-31\n"
        f"reference_date = 2024-12-31\ncurrency = 'USD'\nseed = {seed}\ndraws = {draws}\nsobol_n = {sobol_n}\n")
    (folder / "sources.csv").write_text("id,publisher,title,url,published,language,reliability,notes\n"
                                        + (sources or "S1,P,T,https://example.org,2024-01-01,en,A,\n"))
    (folder / "claims.csv").write_text("id,source,measure,low,central,high,unit,as_of,credibility,quote,notes\n"
                                       + claims)
    (folder / "prices.csv").write_text(
        "id,item,low,central,high,currency,per,price_year,basis,source,credibility,notes\n" + prices)
    (folder / "model.toml").write_text(model)
    return folder


# ---------------------------------------------------------------- the workbench's tests

#: The base URL TestClient requests carry: a loopback name the workbench answers to.
WEB_BASE = "http://127.0.0.1:8000"
#: Debian's chromium under Playwright, headless, with no network calls of its own
#: (shared/research/web-screening-intake.md).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def flagship_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The flagship copied once per session into a folder of its own (``armsflow init``), for tests to copy."""
    import armsflow

    folder = tmp_path_factory.mktemp("flagship") / "mine"
    armsflow.init(folder)
    return folder


@pytest.fixture
def study(flagship_template: Path, tmp_path: Path) -> Path:
    """A writable copy of the flagship named ``mine`` (a test module may override it with a study of its own)."""
    folder = tmp_path / "mine"
    shutil.copytree(flagship_template, folder)
    return folder


@pytest.fixture
def served(study: Path) -> Iterator[tuple[str, Path]]:
    """The workbench on ``study`` served by uvicorn in a thread on a free port: its base URL and the folder."""
    import socket
    import threading
    import time

    import uvicorn

    from armsflow.web.app import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app([study]), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", study
    server.should_exit = True
    thread.join(5)


@pytest.fixture
def chromium() -> Iterator[Any]:
    """Debian's chromium driven by Playwright, headless (the test is skipped, naming what is missing, without
    either): tests open their pages from it and watch them with ``console_errors``."""
    from system import need_chromium

    need_chromium()
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def console_errors(page: Any) -> list[str]:
    """The errors the page logs from now on (a Content-Security-Policy refusal among them)."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors
