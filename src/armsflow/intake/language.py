"""The language of a paragraph, among German, English and Korean: Hangul makes Korean, frequent words decide the rest.

No model: lingua would add 96 MB for what a script check and two word lists decide on these three languages
(shared/research/libraries.md). Short or mixed text falls back to the document's majority language.
"""

from __future__ import annotations

import re
from collections import Counter

from armsflow.intake.lexicon import Lexicon

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+")
_GERMAN_LETTERS = re.compile(r"[äöüÄÖÜß]")


def detect(text: str, lexicon: Lexicon) -> str:
    """``ko``, ``de`` or ``en`` for ``text``; ``""`` when nothing decides."""
    letters = len(_LETTER.findall(text))
    if letters and len(_HANGUL.findall(text)) * 3 >= letters:
        return "ko"
    de = set(lexicon.table("language", "de").get("words", []))
    en = set(lexicon.table("language", "en").get("words", []))
    words = _WORD.findall(text)
    score_de = sum(w in de for w in words) + len(_GERMAN_LETTERS.findall(text))
    score_en = sum(w in en for w in words)
    if score_de == score_en:
        return ""
    return "de" if score_de > score_en else "en"


def detect_all(texts: list[str], lexicon: Lexicon, default: str = "en") -> list[str]:
    """The language of each text; undecided ones take the majority language of the others (else ``default``)."""
    found = [detect(t, lexicon) for t in texts]
    counts = Counter(x for x in found if x)
    majority = counts.most_common(1)[0][0] if counts else default
    return [x or majority for x in found]
