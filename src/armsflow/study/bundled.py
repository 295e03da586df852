"""Studies shipped inside the package, and finding a study by bundled name or folder path."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from armsflow.errors import fail
from armsflow.results import Named, StudyInfo, StudyList

DEFAULT = "russia-dprk"


def bundled_studies() -> StudyList:
    """``armsflow studies``: each bundled study with its outputs and scenarios (ids and labels)."""
    from armsflow.study.loader import load_study

    found = []
    for name in bundled_names():
        study = load_study(name)
        found.append(StudyInfo(name, study.meta.title, name == DEFAULT,
                               [Named(v.name, v.label) for v in study.outputs()],
                               [Named(s.name, s.label) for s in study.scenarios.values()]))
    return StudyList(found)


def bundled_names() -> list[str]:
    root = resources.files("armsflow.studies")
    return sorted(p.name for p in root.iterdir() if p.is_dir() and p.joinpath("study.toml").is_file())


def locate(ref: str | Path) -> Traversable:
    """A study folder: an existing path, else a bundled study of that name."""
    path = Path(ref)
    if path.is_dir():
        return path
    if isinstance(ref, str) and ref in bundled_names():
        return resources.files("armsflow.studies").joinpath(ref)
    if path.exists():
        raise fail(str(ref), 0, "", "not a folder: a study is a folder holding study.toml")
    names = ", ".join(bundled_names())
    raise fail(str(ref), 0, "", f"no such study folder, and no bundled study of that name (bundled: {names})")
