"""Writing study files the way a reviewer wants them: appending rows, other lines byte for byte, each file replaced
atomically (``study.files.atomic_write``), one writer at a time (``locked``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from armsflow.errors import ParameterError


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold ``folder/.lock`` exclusively: two intake commands take turns
    instead of each replacing a file the other just read. Where ``fcntl`` is missing (Windows) nothing is locked."""
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# armsflow intake: the lock and any temporary file a killed write left\n.lock\n.*.tmp\n")
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(folder / ".lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def append_csv_row(data: bytes, row: dict[str, str]) -> tuple[bytes, int]:
    """``data`` (a CSV file) with ``row`` appended in the order of its header, and the new row's line number.

    The existing bytes stay as they are; the row uses the file's line ending and is preceded by one if the file
    lacks a final newline.
    """
    text = data.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    newline = "\r\n" if b"\r\n" in data else "\n"
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerow([row.get(h.strip(), "") for h in header])
    prefix = b"" if not data or data.endswith(b"\n") else newline.encode()
    line = text.count("\n") + (1 if prefix else 0) + 1
    return data + prefix + out.getvalue().encode(), line


def add_to_toml_list(text: str, table: str, key: str, value: str, parameter: str) -> str:
    """``text`` (a TOML file) with ``value`` appended to the array ``key`` of ``[table]``, nothing else changed."""
    header = re.compile(rf"^\[\s*{re.escape(table)}\s*\][ \t]*(?:#.*)?$", re.M)
    m = header.search(text)
    if m is None:
        raise ParameterError(parameter, f"model.toml has no [{table}] table")
    nxt = re.compile(r"^\[", re.M).search(text, m.end())
    end = nxt.start() if nxt else len(text)
    line = re.compile(rf"^{re.escape(key)}\s*=\s*\[", re.M).search(text, m.end(), end)
    if line is None:
        raise ParameterError(parameter, f"[{table}] has no {key} list to add the claim to")
    depth, pos, quote = 0, line.end() - 1, ""
    while pos < end:
        ch = text[pos]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                break
        pos += 1
    else:
        raise ParameterError(parameter, f"[{table}] {key} is not a closed list")
    inside = text[line.end():pos]
    body = inside.rstrip()
    sep = "" if not body.strip() else ("" if body.endswith(",") else ",")
    addition = f'{sep} "{value}"' if body.strip() else f'"{value}"'
    if body.endswith(",") and "\n" in inside:
        addition = f' "{value}",'
    return text[:line.end()] + body + addition + inside[len(body):] + text[pos:]
