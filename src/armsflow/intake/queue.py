"""The review queue in the study folder, and the one way a candidate becomes a claim.

``STUDY/intake/`` holds three JSON-lines files, each only ever appended to and written atomically:
``documents.jsonl`` (each document read: its hash, path, kind and proposed source), ``candidates.jsonl`` (each
candidate, once) and ``decisions.jsonl`` (accepted as which claim, or rejected). Accepting writes ``sources.csv``,
``claims.csv`` and ``model.toml`` in that order, each a valid study on its own, after ``check`` passed on the
would-be files in a scratch copy: a kill at any point leaves a study that passes ``check``.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from armsflow.errors import InputError, ParameterError, Problem
from armsflow.intake.candidates import Candidate, candidates
from armsflow.intake.files import add_to_toml_list, append_csv_row, locked
from armsflow.intake.lexicon import load_lexicon
from armsflow.intake.readers import read_document
from armsflow.intake.results import DocumentAdded, IntakeAccepted, IntakeAdded, IntakeQueue, IntakeRejected, QueueEntry
from armsflow.study.files import atomic_write, editing

QUEUE = "intake"
DOCUMENTS, CANDIDATES, DECISIONS = "documents.jsonl", "candidates.jsonl", "decisions.jsonl"
_GRADE = re.compile(r"^([A-F])([1-6])$")
_SOURCE_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
#: What ``accept`` lets a reviewer change, by claims.csv column, and the source fields for a new sources.csv row.
CLAIM_FIELDS = ("id", "measure", "low", "central", "high", "unit", "as_of", "quote", "notes")
SOURCE_FIELDS = ("publisher", "title", "url", "published", "language")


def study_folder(study: str | Path) -> Path:
    """The folder of a study that intake may write into; bundled studies are read-only."""
    folder = Path(study)
    if not (folder / "claims.csv").is_file() or not (folder / "model.toml").is_file():
        raise ParameterError("study", f"{study}: not a study folder (no claims.csv and model.toml); intake writes "
                                      "into the study, so copy a bundled one into a folder first")
    return folder


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError([Problem(str(path), number, "", f"not a JSON line: {exc.msg}")]) from None
    return out


def _append_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    if not records:
        return
    path.parent.mkdir(exist_ok=True)
    old = path.read_bytes() if path.is_file() else b""
    new = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records).encode()
    atomic_write(path, old + new)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").upper()[:24].strip("-")


def _propose_source(meta: Any, path: str, given: str | None) -> str:
    if given is not None:
        if not _SOURCE_ID.match(given):
            raise ParameterError("source_id", f"{given!r}: use letters, digits, '-', '_' and '.'")
        return given
    name = _slug(meta.publisher)
    name = name if len(name) >= 3 else _slug(Path(path).stem) or "DOC"
    return f"S-{name}-{meta.published.isoformat()}" if meta.published else f"S-{name}"


def add_documents(study: str | Path, documents: list[str | Path], source_id: str | None = None) -> IntakeAdded:
    """Read documents, queue their candidate claims in ``STUDY/intake/`` and propose a source for each.

    A document read before (same bytes) and a candidate queued before are not queued again. Every document is
    read before anything is written: one unreadable document leaves the queue unchanged.
    """
    folder = study_folder(study)
    with locked(folder / QUEUE):
        if not documents:
            raise ParameterError("documents", "give at least one document")
        lex = load_lexicon(folder)
        problems: list[Problem] = []
        docs = []
        for path in documents:
            try:
                docs.append(read_document(path, lex))
            except InputError as exc:
                problems += exc.problems
        if problems:
            raise InputError(problems)
        queue = folder / QUEUE
        known_docs = {d["sha256"] for d in _read_jsonl(queue / DOCUMENTS)}
        known = {c["id"] for c in _read_jsonl(queue / CANDIDATES)}
        sources = _ids(folder / "sources.csv")
        new_docs: list[dict[str, Any]] = []
        new: list[Candidate] = []
        added: list[DocumentAdded] = []
        for doc in docs:
            meta = doc.metadata
            source = _propose_source(meta, doc.path, source_id)
            found = candidates(doc, lex, source)
            fresh = [c for c in found if c.id not in known]
            known.update(c.id for c in fresh)
            new += fresh
            if doc.sha256 not in known_docs:
                known_docs.add(doc.sha256)
                new_docs.append({"sha256": doc.sha256, "path": doc.path, "kind": doc.kind, "source": source,
                                 "publisher": meta.publisher, "title": meta.title, "url": meta.url,
                                 "published": meta.published.isoformat() if meta.published else "",
                                 "language": meta.language})
            pages = max((p.page for p in doc.paragraphs), default=0)
            added.append(DocumentAdded(doc.path, doc.kind, doc.sha256, meta.language, pages, source,
                                       source in sources, meta.title, meta.publisher, meta.url,
                                       meta.published.isoformat() if meta.published else "", len(fresh),
                                       len(found) - len(fresh)))
        _append_jsonl(queue / CANDIDATES, [c.to_record() for c in new])
        _append_jsonl(queue / DOCUMENTS, new_docs)
        existing = _existing_claims(folder)
        return IntakeAdded(str(study), tuple(added), tuple(_mark(c, existing) for c in new))


#: An existing claim as a candidate is compared with it: source, unit dimensions, numbers in base units.
_Known = list[tuple[str, Any, tuple[float, ...], str]]


def _existing_claims(folder: Path) -> _Known:
    """(source, unit dimensions, numbers in base units, id) of every row of claims.csv that can be read."""
    import csv
    import io

    out = []
    for row in csv.DictReader(io.StringIO((folder / "claims.csv").read_text(encoding="utf-8-sig"))):
        base = _base(row.get("unit") or "")
        if base is None:
            continue
        try:
            numbers = tuple(float(row[c]) * base[1] for c in ("low", "central", "high") if (row.get(c) or "").strip())
        except ValueError:
            continue
        out.append((row.get("source", ""), base[0], numbers, row.get("id", "")))
    return out


def _base(unit_text: str) -> tuple[Any, float] | None:
    from armsflow.model.units import UnitError, parse_unit

    try:
        unit = parse_unit(unit_text)
    except UnitError:
        return None
    return unit.dims, unit.scale


def _mark(c: Candidate, existing: _Known) -> Candidate:
    """``c`` with ``existing`` set to the first claim from the same source, in the same unit, whose numbers include
    all of the candidate's (an "up to 5.5 bn USD" candidate is in a claim of 1.7-5.5 bn USD)."""
    import math

    base = _base(c.unit)
    if base is None:
        return c
    numbers = [v * base[1] for v in (c.low, c.central, c.high) if v is not None]
    for source, dims, known, ident in existing:
        if source == c.source and dims == base[0] and all(any(math.isclose(v, k, rel_tol=1e-9) for k in known)
                                                          for v in numbers):
            return Candidate(**{**c.__dict__, "existing": ident})
    return c


def list_candidates(study: str | Path, include_decided: bool = False) -> IntakeQueue:
    """The queue: open candidates (with ``include_decided`` also accepted and rejected ones), each marked when an
    existing claim of the study states its numbers in the same unit from the same source."""
    folder = study_folder(study)
    decisions = {d["candidate"]: d for d in _read_jsonl(folder / QUEUE / DECISIONS)}
    existing = _existing_claims(folder)
    entries = []
    counts = {"open": 0, "accepted": 0, "rejected": 0}
    for record in _read_jsonl(folder / QUEUE / CANDIDATES):
        c = _mark(Candidate.from_record(record), existing)
        decision = decisions.get(c.id, {})
        status = decision.get("decision", "open")
        counts[status] += 1
        if status == "open" or include_decided:
            entries.append(QueueEntry(c, status, decision.get("claim", ""), decision.get("reason", "")))
    return IntakeQueue(str(study), tuple(entries), counts["open"], counts["accepted"], counts["rejected"])


def _find(folder: Path, candidate: str) -> Candidate:
    for record in _read_jsonl(folder / QUEUE / CANDIDATES):
        if record["id"] == candidate:
            c = Candidate.from_record(record)
            break
    else:
        raise ParameterError("candidate", f"no candidate {candidate!r} in {folder / QUEUE / CANDIDATES}")
    for d in _read_jsonl(folder / QUEUE / DECISIONS):
        if d["candidate"] == candidate:
            what = f"accepted as {d['claim']}" if d["decision"] == "accepted" else "rejected"
            raise ParameterError("candidate", f"{candidate} was already {what}")
    return c


def reject_candidate(study: str | Path, candidate: str, reason: str = "") -> IntakeRejected:
    """Record that a candidate is not a claim, so that it is never proposed again."""
    folder = study_folder(study)
    with locked(folder / QUEUE):
        _find(folder, candidate)
        _append_jsonl(folder / QUEUE / DECISIONS, [{"candidate": candidate, "decision": "rejected", "reason": reason,
                                                    "at": datetime.now(UTC).isoformat(timespec="seconds")}])
        return IntakeRejected(str(study), candidate, reason)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.12g}"


def _next_claim_id(existing: set[str]) -> str:
    numbers = [int(m.group(1)) for i in existing if (m := re.fullmatch(r"C(\d+)", i))]
    return f"C{max(numbers, default=0) + 1:03d}"


def accept_candidate(study: str | Path, candidate: str, variable: str, grade: str,
                     edits: dict[str, str] | None = None) -> IntakeAccepted:
    """Write a candidate into the study as a claim of ``variable``, graded ``grade`` (source reliability A-F and
    information credibility 1-6, e.g. ``B2``), with ``edits`` to its fields (claims.csv columns, or the publisher,
    title, url, published and language of a new source).

    Nothing is written unless ``armsflow check`` passes on the would-be study; then ``sources.csv`` (a new source
    only), ``claims.csv`` (one row appended) and ``model.toml`` (the id added to the variable's claims) are each
    replaced atomically, and the decision is recorded.
    """
    from armsflow.study.loader import check_study, load_study

    folder = study_folder(study)
    # The queue's lock, then the study folder's, which the workbench's edits take too: from reading the study to
    # writing its files, no other edit of claims.csv, sources.csv or model.toml comes between.
    with locked(folder / QUEUE), editing(folder):
        edits = dict(edits or {})
        unknown = sorted(set(edits) - set(CLAIM_FIELDS) - set(SOURCE_FIELDS) - {"source"})
        if unknown:
            raise ParameterError("edits", f"cannot edit {', '.join(unknown)}; editable: "
                                          f"{', '.join(CLAIM_FIELDS + ('source',) + SOURCE_FIELDS)}")
        m = _GRADE.match(grade.strip().upper())
        if not m:
            raise ParameterError("grade", f"{grade!r}: a source reliability A-F and a credibility 1-6, e.g. B2")
        reliability, credibility = m.group(1), m.group(2)
        c = _find(folder, candidate)
        current = load_study(folder)
        var = current.variables.get(variable)
        if var is None:
            names = ", ".join(n for n, v in current.variables.items() if v.definition.kind in ("claims", "timeline"))
            raise ParameterError("variable", f"no variable {variable!r} in model.toml; claim-based variables: {names}")
        table, key = _claims_list(current, variable)
        low, central, high, unit_text = c.row_values()
        unit_text = edits.get("unit", unit_text)
        _check_unit(unit_text, var.unit, current.meta.currency, variable)
        doc = next((d for d in _read_jsonl(folder / QUEUE / DOCUMENTS) if d["sha256"] == c.document_sha256), {})
        as_of = edits.get("as_of") or c.period or doc.get("published", "")
        if not as_of:
            raise ParameterError("edits", f"as_of: {candidate} names no period and its document no date; give one")
        resumed = _written_by(folder / "claims.csv", c.id)
        claim_id = resumed or edits.get("id") or _next_claim_id(set(current.claims) | _ids(folder / "claims.csv"))
        source = edits.get("source", c.source)
        row = {"id": claim_id, "source": source,
               "measure": edits.get("measure") or f"{var.label} ({c.kind.replace('_', ' ')}: '{c.span}')",
               "low": edits.get("low", _number(low)), "central": edits.get("central", _number(central)),
               "high": edits.get("high", _number(high)), "unit": unit_text, "as_of": as_of,
               "credibility": credibility, "quote": edits.get("quote", c.quote),
               "notes": edits.get("notes", _notes(c))}
        files: dict[str, bytes] = {}
        source_added = source not in current.sources and source not in _ids(folder / "sources.csv")
        if source_added:
            files["sources.csv"] = append_csv_row((folder / "sources.csv").read_bytes(),
                                                  _source_row(c, source, reliability, doc, edits))[0]
        if not resumed:
            files["claims.csv"] = append_csv_row((folder / "claims.csv").read_bytes(), row)[0]
        model = (folder / "model.toml").read_text(encoding="utf-8")
        if claim_id not in _listed(current, variable):
            files["model.toml"] = add_to_toml_list(model, table, key, claim_id, "variable").encode()
        _check_would_be(folder, files, check_study)
        for name in ("sources.csv", "claims.csv", "model.toml"):
            if name in files:
                atomic_write(folder / name, files[name])
        _append_jsonl(folder / QUEUE / DECISIONS, [{"candidate": candidate, "decision": "accepted", "claim": claim_id,
                                                    "variable": variable,
                                                    "at": datetime.now(UTC).isoformat(timespec="seconds")}])
        return IntakeAccepted(str(study), candidate, claim_id, variable, row, source_added, tuple(files))


def _notes(c: Candidate) -> str:
    """What a reviewer needs to retrace a claim to its document and rules; its start also marks the row as this
    candidate's, so that an interrupted accept can finish."""
    where = f"characters {c.start}-{c.end}" + (f", page {c.page}" if c.page else "")
    flags = f" Flags: {'; '.join(c.flags)}." if c.flags else ""
    return (f"Intake {c.id}: {c.kind.replace('_', ' ')} read from {Path(c.document).name} ({where}) by "
            f"{'; '.join(c.rules)}.{flags}")


def _source_row(c: Candidate, source: str, reliability: str, doc: dict[str, Any],
                edits: dict[str, str]) -> dict[str, str]:
    """A new sources.csv row from the document's metadata and the reviewer's edits; what is missing is asked for."""
    fields = {k: edits.get(k, str(doc.get(k, ""))) for k in SOURCE_FIELDS}
    missing = [k for k in SOURCE_FIELDS if not fields[k].strip()]
    if missing:
        raise ParameterError("edits", f"the new source {source} needs {', '.join(missing)}, which "
                                      f"{Path(c.document).name} does not state: give "
                                      + " ".join(f"{k}=..." for k in missing))
    return {"id": source, **fields, "reliability": reliability,
            "notes": f"Proposed by intake from {Path(c.document).name}."}


def _written_by(path: Path, candidate: str) -> str:
    """The id of a claim an earlier, interrupted ``accept`` of ``candidate`` wrote (its notes name the candidate)."""
    import csv
    import io

    for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))):
        if (r.get("notes") or "").startswith(f"Intake {candidate}:"):
            return r.get("id", "")
    return ""


def _ids(path: Path) -> set[str]:
    import csv
    import io

    return {r.get("id", "") for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))}


def _claims_list(study: Any, variable: str) -> tuple[str, str]:
    """The TOML table and key whose list names the variable's claims."""
    definition = study.variables[variable].definition
    if definition.kind == "claims":
        return f"variables.{variable}", "claims"
    if definition.kind == "timeline":
        spec = study.timelines.get(definition.timeline)
        if spec is not None and len(spec.series) == 1:
            return f"timelines.{definition.timeline}", "claims"
        raise ParameterError("variable", f"{variable} reads timeline {definition.timeline!r}, which has several "
                                         "series: add the claim to one of them in model.toml by hand")
    raise ParameterError("variable", f"{variable} is defined by {definition.kind}, not by claims")


def _listed(study: Any, variable: str) -> tuple[str, ...]:
    """The claim ids the variable's list names now (its own, or its timeline's)."""
    definition = study.variables[variable].definition
    if definition.kind == "timeline":
        return tuple(study.timelines[definition.timeline].series[0].claims)
    return tuple(definition.claims)


def _check_unit(unit_text: str, var_unit: Any, currency: str, variable: str) -> None:
    from armsflow.model.units import UnitError, parse_unit

    try:
        unit = parse_unit(unit_text)
    except UnitError as exc:
        raise ParameterError("unit", f"{unit_text!r}: {exc}") from None
    code = unit.currency()
    if code and code != currency:
        unit = unit.replace_currency(code, currency)
    if not unit.same_dimension(var_unit):
        raise ParameterError("unit", f"{unit_text} does not fit variable {variable}, which is in {var_unit}")


def _check_would_be(folder: Path, files: dict[str, bytes], check: Any) -> None:
    with tempfile.TemporaryDirectory(prefix="armsflow-intake-") as tmp:
        scratch = Path(tmp) / folder.name
        scratch.mkdir()
        for entry in folder.iterdir():
            if entry.is_file():
                shutil.copy2(entry, scratch / entry.name)
        for name, data in files.items():
            (scratch / name).write_bytes(data)
        problems = check(scratch)
    if problems:
        raise InputError(problems)
