"""Load a study folder into a ``Study``, reporting every problem at once as ``file:line: field: message``."""

from __future__ import annotations

import hashlib
from datetime import date
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from armsflow.errors import Problem, StudyError
from armsflow.evidence.events import load_events
from armsflow.evidence.grading import Grading
from armsflow.evidence.records import BASES
from armsflow.evidence.trade import load_trade
from armsflow.model.units import is_currency, parse_unit
from armsflow.results import CheckResult
from armsflow.study.bundled import locate
from armsflow.study.checks import Known, check_model
from armsflow.study.evidence_load import load_claims, load_prices, load_sources
from armsflow.study.model_load import ModelReader
from armsflow.study.spec import Study, StudyMeta
from armsflow.study.texts_load import FILE, load_texts
from armsflow.study.toml_lines import TomlLines, read_toml

REQUIRED = ("study.toml", "sources.csv", "claims.csv", "prices.csv", "model.toml")
OPTIONAL = ("grading.toml", "events.csv", "trade.csv")
REFERENCE = ("fx.csv", "price_index.csv", "units.toml")
#: The run history beside the study files (armsflow.history); not a study file, and ignored by git after init.
HISTORY_FILE = ".armsflow-history.sqlite"
MAX_BYTES = 50 * 1024 * 1024


class _MetaModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = None
    title: str = Field(min_length=1)
    question: str = Field(min_length=1)
    period_start: date
    period_end: date
    reference_date: date
    currency: str
    seed: int = Field(ge=0, lt=2**63)
    draws: int = Field(ge=100, le=100_000_000)
    sobol_n: int = Field(default=4096, ge=64, le=2**20)
    basis: str | None = None

    def inconsistencies(self) -> list[tuple[str, str]]:
        """(field, message) for what single-field validation cannot see."""
        out = []
        if self.period_start > self.period_end:
            out.append(("period_end", "period_start is after period_end"))
        if self.sobol_n & (self.sobol_n - 1):
            out.append(("sobol_n", "sobol_n must be a power of two"))
        if not is_currency(self.currency):
            out.append(("currency", f"unknown currency {self.currency!r}"))
        if self.basis is not None and self.basis not in BASES:
            out.append(("basis", f"one of {', '.join(BASES)}, got {self.basis!r}"))
        return out


def _read_files(folder: Traversable, problems: list[Problem]) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for name in REQUIRED + OPTIONAL:
        entry = folder.joinpath(name)
        if not entry.is_file():
            if name in REQUIRED:
                problems.append(Problem(name, 0, "", "missing file"))
            continue
        if (data := _bounded(entry, name, problems)) is not None:
            files[name] = data
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if FILE.match(entry.name) and entry.is_file() and (data := _bounded(entry, entry.name, problems)) is not None:
            files[entry.name] = data
    return files


def _bounded(entry: Traversable, name: str, problems: list[Problem]) -> bytes | None:
    """The bytes of a study file, or None with a problem when it is larger than ``MAX_BYTES``: the size is checked
    before reading (a link to a huge file is not read whole) and the read stops past the limit."""
    if isinstance(entry, Path) and entry.stat().st_size > MAX_BYTES:
        data = None
    else:
        with entry.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
        data = data if len(data) <= MAX_BYTES else None
    if data is None:
        problems.append(Problem(name, 0, "", f"larger than {MAX_BYTES // 2**20} MiB"))
    return data


def _pydantic_problems(name: str, section: str, exc: ValidationError, lines: TomlLines) -> list[Problem]:
    out = []
    for err in exc.errors():
        field = ".".join(str(x) for x in err["loc"])
        line = lines.key(section, field) if field else lines.table(section)
        message = str(err["msg"]).removeprefix("Value error, ")
        out.append(Problem(name, line or lines.table(section), f"{section}.{field}" if field else section, message))
    return out


def _meta(files: dict[str, bytes], folder_name: str, problems: list[Problem]) -> StudyMeta | None:
    parsed = read_toml("study.toml", files["study.toml"], problems) if "study.toml" in files else None
    if parsed is None:
        return None
    doc, text = parsed
    lines = TomlLines(text)
    for key in doc:
        if key != "study":
            problems.append(Problem("study.toml", lines.table(key) or lines.key("", key), key, "unknown section"))
    if not isinstance(doc.get("study"), dict):
        problems.append(Problem("study.toml", 1, "study", "missing [study] table"))
        return None
    try:
        m = _MetaModel.model_validate(doc["study"])
    except ValidationError as exc:
        problems.extend(_pydantic_problems("study.toml", "study", exc, lines))
        return None
    bad = m.inconsistencies()
    for field, message in bad:
        problems.append(Problem("study.toml", lines.key("study", field), f"study.{field}", message))
    if bad:
        return None
    return StudyMeta(m.id or folder_name, m.title, m.question, m.period_start, m.period_end, m.reference_date,
                     m.currency, m.seed, m.draws, m.sobol_n, m.basis)


def _grading(files: dict[str, bytes], problems: list[Problem]) -> Grading | None:
    name = "grading.toml"
    data = files.get(name) or resources.files("armsflow.reference").joinpath(name).read_bytes()
    parsed = read_toml(name, data, problems)
    if parsed is None:
        return None
    doc, text = parsed
    lines = TomlLines(text)
    try:
        grading = Grading.model_validate(doc)
    except ValidationError as exc:
        for err in exc.errors():
            loc = [str(x) for x in err["loc"]]
            line = lines.key(loc[0], loc[1]) if len(loc) > 1 else lines.key("", loc[0]) if loc else 0
            problems.append(Problem(name, line, ".".join(loc), str(err["msg"])))
        return None
    for missing in grading.missing_grades():
        problems.append(Problem(name, lines.table(missing.split(".")[0]), missing, "missing grade"))
    return grading


def inputs_hash(files: dict[str, bytes]) -> str:
    """SHA-256 over the study's files and the reference tables it is read with (names, sizes and bytes)."""
    digest = hashlib.sha256()
    ref = resources.files("armsflow.reference")
    everything = {**files, **{f"reference/{n}": ref.joinpath(n).read_bytes() for n in REFERENCE}}
    if "grading.toml" not in files:
        everything["reference/grading.toml"] = ref.joinpath("grading.toml").read_bytes()
    for name in sorted(everything):
        data = everything[name]
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def load_study(ref: str | Path) -> Study:
    """Load and fully validate a study (a folder path or a bundled name); raise ``StudyError`` listing all problems."""
    return refresh(ref, None)


def refresh(ref: str | Path, previous: Study | None) -> Study:
    """The study ``ref`` as it is on disk now: ``previous`` itself when its files hold the same bytes (a server
    answering many requests on one study reads the files each time, but validates them only when they changed),
    else the study read afresh and validated."""
    folder = locate(ref)
    problems: list[Problem] = []
    files = _read_files(folder, problems)
    # Only a folder of the user's is the study's path: a bundled study lives in the installed package, where
    # nothing (a run history, say) may be written.
    path = Path(ref) if Path(ref).is_dir() else None
    if previous is not None and not problems and previous.files == files and previous.path == path:
        return previous
    return _build(files, folder.name, path, problems, str(ref))


def study_from_files(files: dict[str, bytes], name: str) -> Study:
    """Validate and build a study from the bytes of its files (as a run recorded them, or a git revision held them);
    ``name`` stands for the folder's name. Raise ``StudyError`` listing all problems."""
    problems = [Problem(n, 0, "", "missing file") for n in REQUIRED if n not in files]
    return _build(dict(files), name, None, problems, name)


def _build(files: dict[str, bytes], name: str, path: Path | None, problems: list[Problem], ref: str) -> Study:
    meta = _meta(files, name, problems)
    grading = _grading(files, problems)
    sources = load_sources(files["sources.csv"], problems) if "sources.csv" in files else {}
    known = _ids_with_problems(files.get("sources.csv"))
    currency = meta.currency if meta else "USD"
    reference_year = meta.reference_date.year if meta else None
    claims = (load_claims(files["claims.csv"], known, currency, reference_year, problems)
              if "claims.csv" in files else {})
    prices = (load_prices(files["prices.csv"], known, currency, reference_year, problems)
              if "prices.csv" in files else {})
    parsed = read_toml("model.toml", files["model.toml"], problems) if "model.toml" in files else None
    if parsed is None:
        raise StudyError(problems or [Problem(ref, 0, "", "study could not be read")])
    reader = ModelReader(parsed[0], parsed[1], problems)
    variables, correlations, scenarios, published = reader.read()
    timelines = reader.timelines()
    indicators = reader.indicators()
    events = load_events(files["events.csv"], known, problems) if "events.csv" in files else []
    trade = load_trade(files["trade.csv"], known, problems) if "trade.csv" in files else []
    trade_ids = {r.id for r in trade}
    for spec in indicators.values():
        if spec.kind == "event_rate" and "events.csv" not in files:
            problems.append(Problem("model.toml", spec.line, f"indicators.{spec.name}", "needs an events.csv"))
        for ref in spec.records if spec.kind == "trade_ratio" else ():
            if ref not in trade_ids:
                problems.append(Problem("model.toml", spec.line, f"indicators.{spec.name}.compare",
                                        f"unknown trade.csv id {ref!r}"))
        for ref in spec.published:
            claim = claims.get(ref)
            rate = parse_unit("event/month")
            if claim is None:
                problems.append(Problem("model.toml", spec.line, f"indicators.{spec.name}.published",
                                        f"unknown claim id {ref!r}"))
            elif not parse_unit(claim.unit).same_dimension(rate):
                problems.append(Problem("model.toml", spec.line, f"indicators.{spec.name}.published",
                                        f"claim {ref} is in {claim.unit}, not events per unit of time"))
    if meta is None or grading is None:
        raise StudyError(problems)
    study = Study(meta, path, files, grading, sources, claims, prices, variables, correlations, scenarios,
                  published, timelines, indicators, events, trade)
    check_model(study, problems, Known(_ids_with_problems(files.get("claims.csv")),
                                       _ids_with_problems(files.get("prices.csv")), reader.declared))
    for name in sorted(n for n in files if FILE.match(n)):
        texts = load_texts(name, files[name], study, problems, reader.declared)
        if texts is not None:
            study.texts[texts.lang] = texts
    if problems:
        raise StudyError(problems)
    return study


def check_study(ref: str | Path) -> list[Problem]:
    """Every problem of a study, sorted by file and line; empty when it is sound."""
    try:
        load_study(ref)
    except StudyError as exc:
        return exc.problems
    return []


def check(ref: str | Path) -> CheckResult:
    """``armsflow check``: every problem of a study as a result; ``ok`` when there is none."""
    return CheckResult(str(ref), check_study(ref))


#: What the library's commands accept as a study: a loaded study, a folder, or a bundled study's name.
StudyRef = Study | str | Path


def as_study(ref: StudyRef) -> Study:
    """``ref`` itself when it is a loaded study, else the study loaded from that folder or bundled name."""
    return ref if isinstance(ref, Study) else load_study(ref)


def _ids_with_problems(data: bytes | None) -> set[str] | None:
    """Ids present in a CSV even where their row had problems, so that references to them are not reported twice.

    ``None`` when the file is missing or cannot be read at all: references into it are then not checked, since
    the file's own problem is the one to report.
    """
    if not data:
        return None
    import csv
    import io

    try:
        reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")), strict=True)
        if "id" not in (reader.fieldnames or []):
            return None
        return {(r.get("id") or "").strip() for r in reader} - {""}
    except (UnicodeDecodeError, csv.Error):
        return None
