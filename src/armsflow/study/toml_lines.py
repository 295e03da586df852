"""Find the line of a table or key in a TOML file: ``tomllib`` gives values but no positions."""

from __future__ import annotations

import datetime
import re
import tomllib
from typing import Any

from armsflow.errors import Problem

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_\-]+)\s*=")


def _norm(path: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in path.split("."))


class TomlLines:
    """Line numbers of table headers and of keys within them (1-based; 0 when not found)."""

    def __init__(self, text: str) -> None:
        self._headers: list[tuple[str, int, bool]] = []
        self._keys: list[tuple[int, str, int]] = []  # (header index, key, line)
        header = -1
        for number, line in enumerate(text.splitlines(), start=1):
            m = _HEADER.match(line)
            if m:
                self._headers.append((_norm(m.group(2)), number, m.group(1) == "[["))
                header = len(self._headers) - 1
                continue
            k = _KEY.match(line)
            if k:
                self._keys.append((header, k.group(1).strip("\"'"), number))

    def table(self, path: str, index: int = 0) -> int:
        """Line of ``[path]`` (or of the ``index``-th ``[[path]]``); a dotted parent's line if only that exists."""
        found = [n for p, n, _ in self._headers if p == path]
        if len(found) > index:
            return found[index]
        parts = path.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            line = self.key(".".join(parts[:cut]), parts[cut])
            if line:
                return line
        return 0

    def under(self, path: str) -> int:
        """Line of the first table header at or below ``path`` (``[path.x]``), 0 if none."""
        found = [n for p, n, _ in self._headers if p == path or p.startswith(path + ".")]
        return found[0] if found else 0

    def key(self, path: str, key: str, index: int = 0) -> int:
        """Line of ``key = …`` inside ``[path]``; the table's line when the key is not on a line of its own."""
        positions = [i for i, (p, _, _) in enumerate(self._headers) if p == path]
        if len(positions) <= index:
            top = [n for h, k, n in self._keys if h == -1 and k == path.split(".")[0]]
            return top[0] if top and "." not in path else 0
        header = positions[index]
        for h, k, n in self._keys:
            if h == header and k == key:
                return n
        return self._headers[header][1]


#: How deep tables and arrays may nest in a study's TOML; armsflow's own formats need four levels.
MAX_DEPTH = 12


def read_toml(name: str, data: bytes, problems: list[Problem]) -> tuple[dict[str, Any], str] | None:
    """The parsed TOML document and its text; ``None`` after adding a ``file:line`` problem when it cannot be read.

    Beyond TOML syntax, a study file may hold no time of day (armsflow reads days: ``2024-10-28``, not
    ``2024-10-28T00:00:00``) and no nesting deeper than ``MAX_DEPTH``.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(name, data[: exc.start].count(b"\n") + 1, "", "not valid UTF-8 text"))
        return None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+)", str(exc))
        line = int(m.group(1)) if m else text.count("\n") + 1  # tomllib says "at end of document"
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        problems.append(Problem(name, line, "", f"TOML syntax: {message}"))
        return None
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        problems.append(Problem(name, 0, "", f"nested more than {MAX_DEPTH} levels deep"))
        return None
    found = _typed(doc, TomlLines(text))
    if found:
        problems.extend(Problem(name, line, path, message) for line, path, message in found)
        return None
    return doc, text


def _typed(doc: dict[str, Any], lines: TomlLines) -> list[tuple[int, str, str]]:
    """Values no study file may hold: a time of day, or nesting past ``MAX_DEPTH``; each as (line, key, message)."""
    found = []
    stack: list[tuple[str, str, Any, int]] = [("", "", doc, 0)]
    while stack:
        table, key, value, depth = stack.pop()
        path = f"{table}.{key}" if table and key else table or key
        if depth > MAX_DEPTH:
            found.append((lines.key(table, key) or lines.table(path), path, f"nested more than {MAX_DEPTH} levels"))
            continue
        if isinstance(value, dict):
            stack.extend((path, str(k), v, depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((table, key, v, depth + 1) for v in value)
        elif isinstance(value, datetime.datetime | datetime.time):
            found.append((lines.key(table, key), path, f"a day is expected (YYYY-MM-DD), not a time: {value}"))
    return sorted(found)
