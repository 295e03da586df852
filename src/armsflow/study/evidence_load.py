"""Load sources.csv, claims.csv and prices.csv, checking each field and every cross-reference."""

from __future__ import annotations

from armsflow.errors import Problem
from armsflow.evidence.period import parse_period
from armsflow.evidence.records import BASES, CLAIM_KINDS, LANGUAGE, RELIABILITY, Claim, Price, Source
from armsflow.evidence.tables import Row, read_table
from armsflow.model.money import MoneyError, to_reporting
from armsflow.model.units import UnitError, is_currency, parse_unit

SOURCE_COLUMNS = ("id", "publisher", "title", "url", "published", "language", "reliability")
CLAIM_COLUMNS = ("id", "source", "measure", "low", "central", "high", "unit", "as_of", "credibility", "quote")
PRICE_COLUMNS = ("id", "item", "low", "central", "high", "currency", "per", "price_year", "basis", "source",
                 "credibility")


def load_sources(data: bytes, problems: list[Problem]) -> dict[str, Source]:
    rows = read_table("sources.csv", data, SOURCE_COLUMNS, ("notes", "originator"), problems)
    out: dict[str, Source] = {}
    seen: dict[str, int] = {}
    for row in rows:
        before = len(problems)
        ident = row.unique_id(seen)
        url = row.text("url")
        if url and not url.lower().startswith(("http://", "https://")):
            row.problem("url", "only http:// and https:// addresses are allowed")
        language = row.text("language")
        if language and not LANGUAGE.match(language):
            row.problem("language", f"not an ISO 639-1 code: {language[:20]!r}")
        reliability = row.text("reliability")
        if reliability and reliability not in RELIABILITY:
            row.problem("reliability", f"must be one of A-F, got {reliability[:10]!r}")
        published = row.publication_day("published")
        publisher, title = row.text("publisher"), row.text("title")
        if ident and len(problems) == before and published:
            out[ident] = Source(ident, publisher, title, url, published, language, reliability,
                                row.text("notes", required=False), row.line, row.text("originator", required=False))
    return out


def _numbers(row: Row) -> tuple[float | None, float | None, float | None]:
    low, central, high = row.number("low"), row.number("central"), row.number("high")
    if low is None and central is None and high is None:
        if not any(row.text(c, required=False) for c in ("low", "central", "high")):
            row.problem("central", "no number: give low, central or high")
        return None, None, None
    pairs = [("low", low), ("central", central), ("high", high)]
    given = [(n, v) for n, v in pairs if v is not None]
    for (n1, v1), (n2, v2) in zip(given, given[1:], strict=False):
        if v1 > v2:
            row.problem(n1, f"{n1} ({v1:g}) is above {n2} ({v2:g})")
    if any(v < 0 for _, v in given):
        row.problem(next(n for n, v in given if v < 0), "negative numbers are not allowed here")
    return low, central, high


def _kind(row: Row, low: float | None, central: float | None, high: float | None) -> str:
    """The claim's kind (``estimate`` when the column is absent or empty); a bound states its one number only."""
    kind = row.text("kind", required=False) or "estimate"
    if kind not in CLAIM_KINDS:
        row.problem("kind", f"one of {', '.join(CLAIM_KINDS)}, got {kind[:20]!r}")
    elif kind == "lower" and (central is not None or high is not None or low is None):
        row.problem("kind", "a lower bound ('at least', 'more than') states low only")
    elif kind == "upper" and (central is not None or low is not None or high is None):
        row.problem("kind", "an upper bound ('up to') states high only")
    return kind


def load_claims(data: bytes, known_sources: set[str] | None, currency: str, reference_year: int | None,
                problems: list[Problem]) -> dict[str, Claim]:
    rows = read_table("claims.csv", data, CLAIM_COLUMNS, ("notes", "kind", "per"), problems)
    out: dict[str, Claim] = {}
    seen: dict[str, int] = {}
    for row in rows:
        before = len(problems)
        ident = row.unique_id(seen)
        source = row.source(known_sources)
        low, central, high = _numbers(row)
        unit_text = row.text("unit")
        if unit_text:
            try:
                unit = parse_unit(unit_text)
            except UnitError as exc:
                row.problem("unit", str(exc))
            else:
                code = unit.currency()
                if code and code != currency and not is_currency(code):
                    row.problem("unit", f"unknown currency {code}")
        as_of_text = row.text("as_of")
        as_of = None
        if as_of_text:
            try:
                as_of = parse_period(as_of_text)
            except ValueError as exc:
                row.problem("as_of", f"not a date or period: {exc}")
        if as_of_text and as_of and unit_text and len(problems) == before:
            try:
                code = parse_unit(unit_text).currency()
                if code:
                    to_reporting(code, as_of.end.year, currency,
                                 as_of.end.year if reference_year is None else reference_year)
            except MoneyError as exc:
                row.problem("unit", str(exc))
        credibility = row.integer("credibility", 1, 6)
        measure, quote = row.text("measure"), row.text("quote", required=False)
        kind = _kind(row, low, central, high)
        if ident and len(problems) == before and as_of and credibility:
            out[ident] = Claim(ident, source, measure, low, central, high, unit_text, as_of, credibility, quote,
                               row.text("notes", required=False), row.line, kind, row.text("per", required=False))
    _check_denominators(out, problems)
    return out


def _check_denominators(claims: dict[str, Claim], problems: list[Problem]) -> None:
    """A ratio's ``per`` names a claim of the quantity it was derived on, in the unit of the ratio's denominator."""
    for claim in claims.values():
        if not claim.per:
            continue
        base = claims.get(claim.per)
        if base is None:
            problems.append(Problem("claims.csv", claim.line, "per", f"unknown claim id {claim.per!r}"))
            continue
        dims = dict(parse_unit(claim.unit).dims)
        denominator = dict(parse_unit(base.unit).dims)
        if not denominator or any(dims.get(d, 0) != -power for d, power in denominator.items()):
            problems.append(Problem("claims.csv", claim.line, "per", f"{claim.unit} is not per {base.unit} "
                                                                     f"(the unit of {base.id})"))


def load_prices(data: bytes, known_sources: set[str] | None, currency: str, reference_year: int | None,
                problems: list[Problem]) -> dict[str, Price]:
    rows = read_table("prices.csv", data, PRICE_COLUMNS, ("notes",), problems)
    out: dict[str, Price] = {}
    seen: dict[str, int] = {}
    for row in rows:
        before = len(problems)
        ident = row.unique_id(seen)
        source = row.source(known_sources)
        low, central, high = _numbers(row)
        code = row.text("currency")
        if code and not is_currency(code):
            row.problem("currency", f"unknown currency {code[:20]!r}")
        per = row.text("per")
        if per:
            try:
                parse_unit(per)
            except UnitError as exc:
                row.problem("per", str(exc))
        year = row.integer("price_year", 1900, 2100)
        if year and code and is_currency(code) and reference_year is not None:
            try:
                to_reporting(code, year, currency, reference_year)
            except MoneyError as exc:
                row.problem("price_year", str(exc))
        basis = row.text("basis")
        if basis and basis not in BASES:
            row.problem("basis", f"must be one of {', '.join(BASES)}")
        credibility = row.integer("credibility", 1, 6)
        item = row.text("item")
        if ident and len(problems) == before and year and credibility:
            out[ident] = Price(ident, item, low, central, high, code, per, year, basis, source, credibility,
                               row.text("notes", required=False), row.line)
    return out
