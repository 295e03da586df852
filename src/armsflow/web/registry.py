"""The studies a workbench serves: the folders it was given (each a study, or holding studies) and the bundled
ones (read-only). A study is found by its id only; no path from a request is ever joined to a folder."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from armsflow.errors import fail
from armsflow.study.bundled import bundled_names


@dataclass(frozen=True)
class Entry:
    """One served study: its id in URLs, and its folder (``None`` for a bundled study, read by name)."""

    id: str
    folder: Path | None
    bundled: str | None

    @property
    def ref(self) -> str | Path:
        """What the library's functions take for this study."""
        return self.folder if self.folder is not None else str(self.bundled)

    @property
    def read_only(self) -> bool:
        return self.folder is None


def _studies_in(folder: Path) -> list[Path]:
    if (folder / "study.toml").is_file():
        return [folder]
    if folder.is_dir():
        return sorted(p for p in folder.iterdir() if p.is_dir() and (p / "study.toml").is_file())
    return []


class Registry:
    """Study ids to entries. The folders given that hold studies (``parents``) are looked at again when an id is
    not known, so that a study copied into one (``armsflow init``, or the workbench's copy of a bundled study, by
    any of the server's processes) is served without a restart; a folder given with no study in it is an error."""

    def __init__(self, folders: list[Path]) -> None:
        self.entries: dict[str, Entry] = {}
        self.parents: list[Path] = []
        self._lock = threading.Lock()
        for given in folders:
            found = _studies_in(given.resolve())
            if not found:
                raise fail(str(given), 0, "", "no study here: give a folder holding study.toml, or folders that do")
            if found != [given.resolve()]:
                self.parents.append(given.resolve())
            for folder in found:
                self._add(folder.name, Entry("", folder, None))
        for name in bundled_names():
            self._add(name if name not in self.entries else f"bundled-{name}", Entry("", None, name))

    def _add(self, wanted: str, entry: Entry, entries: dict[str, Entry] | None = None) -> None:
        into = self.entries if entries is None else entries
        ident, n = wanted, 1
        while ident in into:
            n += 1
            ident = f"{wanted}-{n}"
        into[ident] = Entry(ident, entry.folder, entry.bundled)

    def get(self, ident: str) -> Entry | None:
        found = self.entries.get(ident)
        if found is None and self.parents:
            self.refresh()
            found = self.entries.get(ident)
        return found

    def refresh(self) -> None:
        """Serve the studies that have appeared in the folders holding studies since the server started."""
        with self._lock:
            known = {e.folder for e in self.entries.values()}
            grown = dict(self.entries)  # replaced whole, so that a page listing the entries meanwhile sees either
            for parent in self.parents:
                for folder in _studies_in(parent):
                    if folder not in known:
                        self._add(folder.name, Entry("", folder, None), grown)
            self.entries = grown

    @property
    def copy_into(self) -> list[str]:
        """The names of the served folders that take copies, in the order a copy's ``into`` counts them."""
        return [p.name for p in self.parents]

    def entry_of_folder(self, folder: Path) -> Entry | None:
        """The entry serving ``folder``, after looking at the folders holding studies again."""
        self.refresh()
        return next((e for e in self.entries.values() if e.folder == folder.resolve()), None)
