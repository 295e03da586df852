"""The studies a workbench serves: the folders it was given (each a study, or holding studies) and the bundled
ones (read-only). A study is found by its id only; no path from a request is ever joined to a folder."""

from __future__ import annotations

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
    """Study ids to entries, fixed when the server starts; a folder given with no study in it is an error."""

    def __init__(self, folders: list[Path]) -> None:
        self.entries: dict[str, Entry] = {}
        for given in folders:
            found = _studies_in(given.resolve())
            if not found:
                raise fail(str(given), 0, "", "no study here: give a folder holding study.toml, or folders that do")
            for folder in found:
                self._add(folder.name, Entry("", folder, None))
        for name in bundled_names():
            self._add(name if name not in self.entries else f"bundled-{name}", Entry("", None, name))

    def _add(self, wanted: str, entry: Entry) -> None:
        ident, n = wanted, 1
        while ident in self.entries:
            n += 1
            ident = f"{wanted}-{n}"
        self.entries[ident] = Entry(ident, entry.folder, entry.bundled)

    def get(self, ident: str) -> Entry | None:
        return self.entries.get(ident)
