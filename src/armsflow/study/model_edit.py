"""Save assumptions' distributions into a study's model.toml in place: the lines of the changed keys rewritten,
every other byte kept (comments, order, spacing), nothing written unless the would-be study passes ``check``, the
file replaced atomically, and a stale save refused (optimistic concurrency).

This is how a what-if (``engine.whatif``) becomes part of the study. An assumption is a variable model.toml gives
as a distribution (``dist = "pert"`` with ``low = …`` lines in its ``[variables.NAME]`` table). A save names such
variables with their distribution as a table (``{"dist": "pert", "low": 0.6, "mode": 0.8, "high": 0.95,
"lambda": 4.0}``, as ``engine.whatif.table_of`` gives it); each key whose value differs from the file gets its line
rewritten (a key the file leaves to its default, such as a PERT's ``lambda``, gets a line of its own after the
table's distribution keys). model.toml's version is a hash of its bytes (its ``etag``): a save names the version
it was made from, and is refused as a ``conflict`` when the file has changed since.

Only the base table is written. A scenario that overrides a saved variable with a table of its own
(``[scenarios.X.variables.NAME]``) keeps it, so that scenario's run is unchanged by the save; a what-if instead
applies its tables in every scenario. ``ModelEdit.scenarios`` names those scenarios so that an interface can say so.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from armsflow.errors import Problem, StudyError
from armsflow.model.distributions import DistributionError, finite_number, from_table
from armsflow.results.model_edit import LineChange, ModelEdit
from armsflow.study.files import atomic_write, editing, study_file, version
from armsflow.study.loader import _read_files, study_from_files
from armsflow.study.spec import Study
from armsflow.study.toml_lines import TomlLines

FILE = "model.toml"
#: The number keys a save can write, for each distribution kind (model.toml's names, as ``from_table`` reads
#: them). The kinds made of lists (discrete, empirical, mixture) are edited in the file itself.
KEYS: dict[str, tuple[str, ...]] = {
    "point": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "pert": ("low", "mode", "high", "lambda"),
    "normal": ("mean", "sd", "low", "high"),
    "lognormal": ("low", "high"),
    "beta": ("alpha", "beta", "low", "high"),
}
#: A ``key = value`` line with an optional comment: the only shape of line a save rewrites.
_LINE = re.compile(r"^(?P<head>[ \t]*(?P<key>[A-Za-z0-9_-]+)[ \t]*=[ \t]*)(?P<value>[^\s#]+)(?P<tail>[ \t]*(#.*)?)$")
#: Integers up to this size are written as TOML integers; larger ones as floats (no 64-bit overflow).
_EXACT = 2**53
def model_etag(data: bytes) -> str:
    """The version of model.toml's bytes ``data``: what a save names in ``if_match``."""
    return version(data)


def save_distributions(folder: Path, tables: Mapping[str, Mapping[str, Any]], *,
                       if_match: str | None) -> ModelEdit:
    """Write the distributions in ``tables`` (variable name to a model.toml table) into ``folder``'s model.toml.

    Refused as ``invalid``, each with a problem naming the variable and key, and nothing written: a variable that
    is not an assumption, a key its kind does not have, a value that is not a finite number, a change of kind
    (``dist``), a key not on a ``key = value`` line of its own in the variable's ``[variables.NAME]`` table, a
    table that leaves out a key the file sets, and a would-be study that does not pass ``check``. ``if_match`` is
    the ``etag`` the save was made from (``None``: any version). The file is replaced atomically
    (``study.files.atomic_write``).
    """
    with editing(folder):
        return _save(folder, tables, if_match)


def _save(folder: Path, tables: Mapping[str, Mapping[str, Any]], if_match: str | None) -> ModelEdit:
    path = study_file(folder, FILE)
    data = path.read_bytes()
    etag = model_etag(data)
    if if_match is not None and if_match != etag:
        return ModelEdit("conflict", etag)
    files = _read_files(folder, [])
    files[FILE] = data
    try:
        study = study_from_files(files, folder.name)
    except StudyError as exc:
        return ModelEdit("invalid", etag, problems=exc.problems)
    text = data.decode("utf-8")
    lines = text.splitlines(keepends=True)  # as TomlLines counts them, so that its numbers index this list
    doc, where = tomllib.loads(text), TomlLines(text)
    problems: list[Problem] = []
    edits: dict[int, str] = {}  # line number to its new text
    inserts: dict[int, list[str]] = {}  # line number to the lines to add after it
    for name, table in tables.items():
        _plan(study, doc, where, lines, name, table, problems, edits, inserts)
    scenarios = {name: [s.name for s in study.scenarios.values() if name in s.overrides] for name in tables}
    scenarios = {name: found for name, found in scenarios.items() if found}
    if problems:
        return ModelEdit("invalid", etag, problems=problems, scenarios=scenarios)
    if not edits and not inserts:
        return ModelEdit("unchanged", etag, scenarios=scenarios)
    new_lines, changed = _apply(lines, edits, inserts)
    files[FILE] = "".join(new_lines).encode()
    try:
        saved = study_from_files(files, folder.name)
    except StudyError as exc:
        return ModelEdit("invalid", etag, changed, exc.problems, scenarios)
    problems = _described(saved, tables)
    if problems:
        return ModelEdit("invalid", etag, changed, problems, scenarios)
    if path.read_bytes() != data:  # changed by another program while we checked
        return ModelEdit("conflict", model_etag(path.read_bytes()), scenarios=scenarios)
    atomic_write(path, files[FILE])
    return ModelEdit("saved", model_etag(files[FILE]), changed, scenarios=scenarios)


def _plan(study: Study, doc: dict[str, Any], where: TomlLines, lines: list[str], name: str,
          table: Mapping[str, Any], problems: list[Problem], edits: dict[int, str],
          inserts: dict[int, list[str]]) -> None:
    """Add to ``edits`` and ``inserts`` the lines that give variable ``name`` the distribution ``table``, or to
    ``problems`` why they cannot be written."""
    var = study.variables.get(name)
    if var is None or var.definition.kind != "dist":
        known = [v.name for v in study.variables.values() if v.definition.kind == "dist"]
        problems.append(Problem(FILE, var.line if var else 0, name, f"{name!r} is not an assumption of the study (a "
                                f"variable given as a distribution): one of {', '.join(known) or 'none'}"))
        return
    path = f"{'outputs' if var.output else 'variables'}.{name}"
    current: dict[str, Any] = doc[path.split(".")[0]][name]
    kind = current.get("dist")
    if table.get("dist") != kind:
        problems.append(Problem(FILE, where.key(path, "dist"), f"{path}.dist", f"the kind stays {kind!r} (got "
                                f"{table.get('dist')!r}): a change of kind is made in model.toml itself"))
        return
    if not isinstance(kind, str) or kind not in KEYS:
        problems.append(Problem(FILE, where.key(path, "dist"), f"{path}.dist",
                                f"a {kind} distribution is edited in model.toml itself, not saved from a form"))
        return
    header = where.table(path)
    if not (0 < header <= len(lines) and lines[header - 1].lstrip().startswith("[")):
        problems.append(Problem(FILE, var.line, path, "not a [table] of its own in model.toml: edit it there"))
        return
    refused = _refusals(where, path, header, current, kind, table)
    if refused:
        problems.extend(refused)
        return
    last = max(_key_line(where, path, key, header) for key in ("dist", *KEYS[kind]))
    added: list[str] = []
    for key, value in table.items():
        if key == "dist":
            continue
        field = f"{path}.{key}"
        old = current.get(key)
        if old is not None and not isinstance(old, bool) and old == value:
            continue
        if old is None:
            if _default(current, key, value):
                continue
            added.append(f"{key} = {_literal(value, None)}")
            continue
        number = _key_line(where, path, key, header)
        m = _LINE.match(lines[number - 1].rstrip("\r\n")) if number else None
        if m is None or m.group("key") != key or _parsed(m.group("value")) != old:
            problems.append(Problem(FILE, number or header, field,
                                    "not on a 'key = value' line of its own: edit it in model.toml"))
            continue
        edits[number] = f"{m.group('head')}{_literal(value, old)}{m.group('tail')}"
    if added:
        inserts[last or header] = added


def _refusals(where: TomlLines, path: str, header: int, current: Mapping[str, Any], kind: str,
              table: Mapping[str, Any]) -> list[Problem]:
    """Why ``table`` cannot be the distribution of the variable at ``path`` (of ``kind``, its table ``current`` in
    the file starting at line ``header``): unknown keys, values that are not finite numbers, keys the file sets that
    the table leaves out, or parameters ``from_table`` refuses."""
    problems = []
    for key, value in table.items():
        line = _key_line(where, path, key, header) or header
        if key != "dist" and key not in KEYS[kind]:
            problems.append(Problem(FILE, line, f"{path}.{key}", f"a {kind} distribution has no key {key!r} (its "
                                                                 f"keys: {', '.join(KEYS[kind])})"))
        elif key != "dist" and not finite_number(value):
            problems.append(Problem(FILE, line, f"{path}.{key}", f"must be a finite number, got "
                                                                 f"{str(value)[:40]!r}"))
    left = [key for key in KEYS[kind] if key in current and key not in table]
    if left:
        problems.append(Problem(FILE, header, path, f"the table leaves out {', '.join(left)}, which model.toml "
                                                    f"sets: give every key of the distribution"))
    if problems:
        return problems
    try:
        from_table(table)
    except DistributionError as exc:
        key = exc.field.split("[")[0].split(".")[0]
        return [Problem(FILE, _key_line(where, path, key, header) or header, f"{path}.{exc.field}", str(exc))]
    return []


def _key_line(where: TomlLines, path: str, key: str, header: int) -> int:
    """The line of ``key`` in the table at ``header``; 0 when the key has no line of its own there."""
    number = where.key(path, key)
    return 0 if number == header else number


def _default(current: Mapping[str, Any], key: str, value: float) -> bool:
    """Whether ``value`` is what the file already means for ``key`` by leaving it out (a PERT's ``lambda``)."""
    try:
        return from_table(current) == from_table({**current, key: value})
    except DistributionError:
        return False


def _parsed(literal: str) -> Any:
    """The value of a TOML literal, ``None`` when it is not one."""
    try:
        return tomllib.loads(f"v = {literal}")["v"]
    except tomllib.TOMLDecodeError:
        return None


def _literal(value: float, old: Any) -> str:
    """``value`` as a TOML number, in the file's style: an integer where the old value was one (or, for a new
    line, where ``value`` is), else a float that reads back exactly (``repr``)."""
    integral = isinstance(value, int) or float(value).is_integer()
    if integral and abs(value) < _EXACT and (isinstance(old, int) or (old is None and isinstance(value, int))):
        return str(int(value))
    return repr(float(value))


def _apply(lines: list[str], edits: dict[int, str], inserts: dict[int, list[str]]) -> tuple[list[str],
                                                                                            list[LineChange]]:
    """``lines`` with ``edits`` made (each keeps its line ending) and ``inserts`` added, and what changed."""
    out: list[str] = []
    changed: list[LineChange] = []
    for number, raw in enumerate(lines, start=1):
        body = raw.rstrip("\r\n")
        ending = raw[len(body):]
        if number in edits:
            out.append(edits[number] + ending)
            changed.append(LineChange(len(out), body, edits[number]))
        else:
            out.append(raw)
        if number in inserts:
            between = ending or "\n"
            if not ending:  # the table ends a file without a final newline: so do the added lines
                out[-1] += between
            for i, added in enumerate(inserts[number], start=1):
                out.append(added + (ending if i == len(inserts[number]) else between))
                changed.append(LineChange(len(out), None, added))
    return out, changed


def _described(study: Study, tables: Mapping[str, Mapping[str, Any]]) -> list[Problem]:
    """Problems where the saved study's distribution is not the one its table describes: a line found where a
    key seemed to be that was not it (the file's lines are found without a full TOML parser: see ``TomlLines``)."""
    problems = []
    for name, table in tables.items():
        var = study.variables[name]
        if var.definition.dist != from_table(table):
            path = f"{'outputs' if var.output else 'variables'}.{name}"
            problems.append(Problem(FILE, var.line, path, "model.toml holds this distribution in a form a save "
                                                          "cannot rewrite: edit it there"))
    return problems
