from __future__ import annotations

import importlib
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

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
