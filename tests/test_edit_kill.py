"""The web workbench's claim edit is atomic: a process killed before or after its rename leaves claims.csv either
as it was or as edited, whole, and the study sound (the kill test issue 17 asks of every writer)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import armsflow

EDIT = """
import os, signal, sys
from pathlib import Path
from armsflow.study import edit, files

where, folder = sys.argv[1], Path(sys.argv[2])
real_replace = os.replace

def kill(*args):
    os.kill(os.getpid(), signal.SIGKILL)

def replace_then_kill(a, b):
    real_replace(a, b)
    kill()

files.os.replace = kill if where == "before-rename" else replace_then_kill
row = edit.read_claim(folder, "C004")
edit.edit_claim(folder, "C004", {"credibility": "2"}, if_match=row.etag)
"""


@pytest.mark.parametrize(("where", "edited"), [("before-rename", False), ("after-rename", True)])
def test_a_killed_claim_edit_leaves_the_study_whole(tmp_path: Path, where: str, edited: bool) -> None:
    folder = tmp_path / "s"
    armsflow.init(folder)
    before = (folder / "claims.csv").read_bytes()
    done = subprocess.run([sys.executable, "-c", EDIT, where, str(folder)], check=False)
    assert done.returncode == -9
    after = (folder / "claims.csv").read_bytes()
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert len(changed) == (1 if edited else 0)  # one row, or none: never a file cut short
    assert armsflow.check(folder).ok


CONCURRENT = """
import sys
from pathlib import Path
from armsflow.study import edit

folder, etag, value, go = Path(sys.argv[1]), sys.argv[2], sys.argv[3], Path(sys.argv[4])
while not go.exists():
    pass
print(edit.edit_claim(folder, "C004", {"credibility": value}, if_match=etag).status)
"""


def test_two_processes_saving_one_version_cannot_both_save(tmp_path: Path) -> None:
    """Two workers of ``armsflow serve --workers`` (or a worker and ``intake accept``) save the same row from the same
    version at once: the folder is held across processes from the version check to the rename, so one saves and the
    other is told of the conflict, instead of both passing the check and the second silently undoing the first.
    Each write pauses half a second before its rename (``ARMSFLOW_TEST_WRITE_PAUSE``), which a check outside the
    lock would fall into."""
    import os
    import time

    from armsflow.study.edit import read_claim

    folder = tmp_path / "s"
    armsflow.init(folder)
    etag = read_claim(folder, "C004").etag
    go = tmp_path / "go"
    env = {**os.environ, "ARMSFLOW_TEST_WRITE_PAUSE": "0.5"}
    workers = [subprocess.Popen([sys.executable, "-c", CONCURRENT, str(folder), etag, value, str(go)],
                                stdout=subprocess.PIPE, text=True, env=env) for value in ("2", "4")]
    time.sleep(2)  # both imported and waiting
    go.touch()
    statuses = sorted(w.communicate(timeout=60)[0].strip() for w in workers)
    assert statuses == ["conflict", "saved"]
    assert armsflow.check(folder).ok
