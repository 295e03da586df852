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
