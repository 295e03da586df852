"""Candidate claims: each finding of the rules, placed in its document (offsets, page, language, quote)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from armsflow.intake.document import Document
from armsflow.intake.language import detect
from armsflow.intake.lexicon import Lexicon
from armsflow.intake.rules import extract
from armsflow.intake.sentences import sentences

#: The study's scale words (units.toml), largest first: a row's unit says "billion USD", never "억 KRW".
_STUDY_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand"))
_QUOTE_LIMIT = 600


@dataclass(frozen=True)
class Candidate:
    """A claim the rules propose: the numbers in base units, what kind of statement it is, where it stands."""

    id: str
    document: str
    document_sha256: str
    source: str
    start: int
    end: int
    page: int
    language: str
    span: str
    quote: str
    low: float | None
    central: float | None
    high: float | None
    unit: str
    scale: str
    kind: str
    period: str | None
    rules: tuple[str, ...]
    flags: tuple[str, ...] = ()
    #: Filled in when the queue is read: the id of an existing claim with the same source, numbers and unit.
    existing: str = field(default="", compare=False)

    def to_record(self) -> dict[str, Any]:
        """The candidate as one line of ``intake/candidates.jsonl``."""
        record = {k: v for k, v in self.__dict__.items() if k != "existing"}
        record["rules"], record["flags"] = list(self.rules), list(self.flags)
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Candidate:
        return cls(**{**record, "rules": tuple(record["rules"]), "flags": tuple(record.get("flags", ()))})

    def row_values(self) -> tuple[float | None, float | None, float | None, str]:
        """(low, central, high, unit) as claims.csv writes them: in the largest study scale the numbers reach."""
        numbers = [v for v in (self.low, self.central, self.high) if v is not None]
        base, _, per = self.unit.partition("/")
        factor, word = next(((f, w) for f, w in _STUDY_SCALES if numbers and min(numbers) >= f
                             and base not in ("percent",) and _money_or_large(base, f)), (1.0, ""))

        def scaled(v: float | None) -> float | None:
            return None if v is None else float(f"{v / factor:.12g}")

        unit = f"{word} {base}".strip() + (f"/{per}" if per else "")
        return scaled(self.low), scaled(self.central), scaled(self.high), unit


def _money_or_large(base: str, factor: float) -> bool:
    """Counts stay whole below a million (13,000 containers, not 13 thousand container)."""
    return base.isupper() or factor >= 1e6


def _id(doc: Document, start: int, end: int, values: tuple[Any, ...]) -> str:
    digest = hashlib.sha256(f"{doc.sha256}:{start}:{end}:{values!r}".encode()).hexdigest()
    return f"K-{digest[:10]}"


def candidates(doc: Document, lex: Lexicon, source: str) -> list[Candidate]:
    """Every candidate claim of a document, in reading order."""
    out: list[Candidate] = []
    today = doc.metadata.published
    for para in doc.paragraphs:
        for s_start, s_end in sentences(doc.text, para.start, para.end, lex):
            sentence = doc.text[s_start:s_end]
            flat = re.sub(r"\s+", " ", sentence)
            # Line breaks (PDF lines) read as spaces; the replacement keeps every offset.
            # A sentence in another language than its paragraph (a PDF page without blank lines between its
            # German, English and Korean paragraphs) is read by its own language's rules.
            lang = detect(sentence, lex) or para.language
            for f in extract(sentence.replace("\n", " "), lang, lex, today):
                start, end = s_start + f.start, s_start + f.end
                values = (f.low, f.central, f.high, f.unit, f.kind)
                period = str(f.period) if f.period else None
                out.append(Candidate(_id(doc, start, end, values), doc.path, doc.sha256, source, start, end,
                                     para.page, lang, doc.text[start:end], flat[:_QUOTE_LIMIT], f.low,
                                     f.central, f.high, f.unit, f.scale, f.kind, period, f.rules, f.flags))
    return out
