"""An accept killed at any moment leaves every study file whole (old or new, never half) and a study that passes
``check``; accepting again finishes the job without a second row."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from armsflow.intake import accept_candidate, add_documents, list_candidates
from armsflow.study.files import PAUSE

KO = Path(__file__).parent / "data" / "intake" / "news1-fnf.ko.txt"
FILES = ("sources.csv", "claims.csv", "model.toml")
SCRIPT = ("import sys\nfrom armsflow.intake import accept_candidate\n"
          "accept_candidate(sys.argv[1], sys.argv[2], 'containers', 'B2')\n")


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, bytes], dict[str, bytes]]:
    """A study with the Korean text queued, its files before, and its files after a complete accept."""
    from armsflow import init

    base = tmp_path_factory.mktemp("kill") / "study"
    init(base, "russia-dprk")
    ident = next(c.id for c in add_documents(base, [KO]).candidates if c.span == "1만3000여 개")
    before = {n: (base / n).read_bytes() for n in FILES}
    done = base.parent / "done"
    shutil.copytree(base, done)
    accept_candidate(done, ident, "containers", "B2")
    after = {n: (done / n).read_bytes() for n in FILES}
    return base, ident, before, after


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["sources.csv", "claims.csv", "model.toml", "decisions.jsonl"])
def test_a_kill_leaves_whole_files_and_a_sound_study(states: tuple[Path, str, dict[str, bytes], dict[str, bytes]],
                                                     tmp_path: Path, stage: str) -> None:
    from armsflow import check

    base, ident, before, after = states
    study = tmp_path / "study"
    shutil.copytree(base, study)
    env = {**os.environ, PAUSE: "0.4"}
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(study), ident], env=env)
    folder = study / "intake" if stage.endswith(".jsonl") else study
    deadline = time.monotonic() + 60
    while not list(folder.glob(f".{stage}.*.tmp")):
        assert proc.poll() is None, "the accept finished before the kill"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    for name in FILES:
        assert (study / name).read_bytes() in (before[name], after[name]), f"{name} is half-written"
    assert check(study).ok
    assert list_candidates(study).accepted == 0
    accept_candidate(study, ident, "containers", "B2")
    assert {n: (study / n).read_bytes() for n in FILES} == after
    assert list_candidates(study).accepted == 1
    assert not list(study.glob(".*.tmp")) and not list((study / "intake").glob(".*.tmp"))
