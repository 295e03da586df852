"""Sentences of a paragraph: the quote of every candidate, and the scope a hedge or a period applies within."""

from __future__ import annotations

import re

from armsflow.intake.document import trimmed
from armsflow.intake.lexicon import Lexicon

_END = re.compile(r"[.!?。](?:[\"'”“’»)\]]*)(?=\s+[\"'„“‘«(\[]*[A-ZÄÖÜ\uac00-\ud7a3\d])")


def sentences(text: str, start: int, end: int, lex: Lexicon) -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``text[start:end]``; a dot after an abbreviation or an ordinal day (the
    German "28. Oktober") does not end one."""
    abbreviations = tuple(lex.data.get("sentences", {}).get("abbreviations", []))
    months = {m for lang in ("de", "en") for m in lex.table("months", lang)}
    out = []
    pos = start
    for m in _END.finditer(text, start, end):
        head = text[pos:m.start() + 1]
        word = head.rsplit(None, 1)[-1] if head.split() else ""
        if word.endswith(abbreviations) or re.fullmatch(r"\d{1,2}\.", word):
            nxt = text[m.end():m.end() + 20].split()
            if word.endswith(abbreviations) or (nxt and nxt[0] in months):
                continue
        out.append((pos, m.end()))
        pos = m.end()
    out.append((pos, end))
    return trimmed(text, out)
