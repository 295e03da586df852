"""The extraction rules: from one sentence, each stated quantity with its unit, scale, hedge, range, rate and period.

Rule-based and explainable: every finding lists the rules that fired (``number:grouping``, ``scale:de``,
``unit:after``, ``hedge:upper_bound 'bis zu'``, ``period:since`` ...), so a reviewer sees why. A number without a
unit from the lexicon is not a claim and is left out; so are numbers that are part of a date or a year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from armsflow.evidence.period import Period
from armsflow.intake.lexicon import Lexicon, alternation
from armsflow.intake.numbers import Number, find_numbers
from armsflow.intake.periods import PeriodMention, find_periods


@dataclass(frozen=True)
class Finding:
    """A quantity a sentence states, at ``start``..``end`` of the sentence, in absolute numbers of ``unit``."""

    start: int
    end: int
    low: float | None
    central: float | None
    high: float | None
    unit: str
    scale: str
    kind: str
    period: Period | None
    rules: tuple[str, ...]
    flags: tuple[str, ...]


@dataclass
class _Group:
    first: Number
    last: Number
    low: float
    high: float
    rules: list[str]


def _ranges(text: str, numbers: list[Number], lang: str, lex: Lexicon) -> list[_Group]:
    ranges = lex.table("ranges", lang)
    between = ranges.get("between", [])
    around = ranges.get("around", [])
    units = [w for w, _ in lex.unit_words[lang]] + [w for w, _ in lex.prefixes]
    groups: list[_Group] = []
    i = 0
    while i < len(numbers):
        a = numbers[i]
        b = numbers[i + 1] if i + 1 < len(numbers) else None
        if b is not None and between:
            gap = text[a.end:b.start]
            if units:
                gap = re.sub(rf"(?:{alternation(units)})", " ", gap)
            m = re.fullmatch(rf"\s*(?:{alternation(between)})\s*", gap)
            if m:
                word = m.group(0).strip()
                opened = [o for o, c in around if c == word and re.search(
                    rf"(?<![\w]){re.escape(o)}\s+\S*$", text[:a.start], re.IGNORECASE)]
                shared = a.value * b.factor if a.factor == 1 and b.factor != 1 else a.value
                low = shared if shared < b.value else a.value
                if (word not in ("und", "and") or opened) and low < b.value:
                    rules = [f"range:{word!r}" + (f" after {opened[0]!r}" if opened else "")]
                    if low != a.value:
                        rules.append("range:shared-scale")
                    groups.append(_Group(a, b, low, b.value, rules))
                    i += 2
                    continue
        groups.append(_Group(a, a, a.value, a.value, []))
        i += 1
    return groups


def _word_at(text: str, pos: int, words: list[tuple[str, str]], compound: bool) -> tuple[str, int] | None:
    for word, unit in words:
        if text.startswith(word, pos) and not (text[pos + len(word):pos + len(word) + 1].isalnum()):
            return unit, pos + len(word)
    if compound:
        m = re.match(r"[^\W\d_][\w-]*", text[pos:])
        if m:
            token = m.group(0).lower()
            for word, unit in words:
                if len(word) >= 5 and token.endswith(word.lower()):
                    return unit, pos + m.end()
    return None


def _unit_after(text: str, end: int, lang: str, lex: Lexicon) -> tuple[str, int, str] | None:
    words = lex.unit_words[lang]
    stop = set(lex.data.get("stop", {}).get(lang, []))
    pos = end
    for skipped in range(3):
        pos += len(text[pos:]) - len(text[pos:].lstrip())
        hit = _word_at(text, pos, words, lang == "de")
        if hit:
            return hit[0], hit[1], "unit:after" if not skipped else f"unit:after {skipped} word(s)"
        m = re.match(r"[^\W\d_][\w-]*", text[pos:])
        if not m or m.group(0).lower() in stop:
            return None
        pos += m.end()
    return None


def _korean_hedges(lex: Lexicon, where: str) -> dict[str, str]:
    """Korean hedge word -> kind, for the words ``attached`` to a number or standing ``after`` it."""
    hedges = lex.table("hedges", "ko")
    return {w: kind for kind in ("upper_bound", "lower_bound", "approximate")
            for w in hedges.get(f"{where}_{kind}", [])}


def _unit_korean(text: str, group: _Group, lex: Lexicon) -> tuple[str, int, str, tuple[str, str] | None] | None:
    """(unit, end, rule, hedge) for a Korean number: a unit word or counter after it, else a noun before it; the
    hedge (kind, word) when one is attached to the number ("1만3000여") or stands between counter and noun."""
    words = lex.unit_words["ko"]
    counters = lex.table("counters", "ko")
    pos, hedge = group.last.end, None
    attached = _korean_hedges(lex, "attached")
    word = next((w for w in sorted(attached, key=len, reverse=True) if text.startswith(w, pos)), None)
    if word is not None:
        pos, hedge = pos + len(word), (attached[word], word)
    pos += len(text[pos:]) - len(text[pos:].lstrip(" "))
    for word, unit in words:
        if text.startswith(word, pos):
            return unit, pos + len(word), "unit:korean-after", hedge
    counter = next((c for c in sorted(counters, key=len, reverse=True) if text.startswith(c, pos)), None)
    if counter is None:
        return None
    end = pos + len(counter)
    if counters[counter]:
        return counters[counter], end, f"unit:korean-counter {counter!r}", hedge
    after = _korean_hedges(lex, "after")
    between = re.match(rf"\s?({alternation(list(after))})?의\s?", text[end:]) if after else None
    if between:
        if between.group(1):
            hedge = (after[between.group(1)], between.group(1))
        noun = next(((u, end + between.end() + len(w)) for w, u in words
                     if text.startswith(w, end + between.end())), None)
        if noun:
            return noun[0], noun[1], "unit:korean-noun-after-counter", hedge
    before = text[max(0, group.first.start - 24):group.first.start]
    best = max(((before.rfind(w), u) for w, u in words if w in before), default=None)
    if best is not None and not re.search(r"\d", before[best[0]:]):
        return best[1], end, f"unit:korean-noun-before, counter {counter!r}", hedge
    return None


def _unit(text: str, group: _Group, lang: str,
          lex: Lexicon) -> tuple[str, int, int, str, tuple[str, str] | None] | None:
    """(unit, start, end, rule, Korean hedge) of a number or range: a currency before it, a unit word after it
    (Korean: a unit word, counter or noun around it); ``None`` when the lexicon names none."""
    start, end = group.first.start, group.last.end
    prefix = _prefix(text, start, lex)
    if lang == "ko":
        found = _unit_korean(text, group, lex)
        if found is not None:
            unit, end, rule, hedge = found
            return unit, start, end, rule, hedge
        return (prefix[0], prefix[1], end, "unit:prefix", None) if prefix else None
    after = _unit_after(text, end, lang, lex)
    if prefix is not None:
        # "$5.5 billion" or "USD 5.5 billion US dollars": the prefix decides; a repeated unit joins the span
        return prefix[0], prefix[1], after[1] if after and after[0] == prefix[0] else end, "unit:prefix", None
    return (after[0], start, after[1], after[2], None) if after else None


def _prefix(text: str, start: int, lex: Lexicon) -> tuple[str, int] | None:
    before = text[:start].rstrip()
    for word, unit in lex.prefixes:
        if before.endswith(word) and (len(before) == len(word) or not before[-len(word) - 1].isalnum()):
            return unit, len(before) - len(word)
    return None


def _rate(text: str, start: int, end: int, floor: int, lang: str, lex: Lexicon,
          money: bool) -> tuple[str, int, str] | None:
    """A rate's denominators after the unit ("pro Monat", "per soldier per month") or before the number (Korean
    "1인당 월", "jährlich" since the last quantity): ("soldier/month", end, rule); ("fx", ...) for an exchange
    rate ("100 Rubel je Dollar"), which is not a claim."""
    rates = lex.table("rates", lang)
    if lang == "ko":
        before = text[max(floor, start - 16):start]
        keys = []
        for key in ("soldier", "month", "year"):
            words = rates.get(f"before_{key}", [])
            if words and re.search(rf"(?:^|\s)(?:{alternation(words)})(?:\s|$)", before):
                keys.append(key)
        return ("/".join(keys), end, "rate:before-" + "-".join(keys)) if keys else None
    per = rates.get("per", [])
    currencies = [w for w, u in lex.unit_words[lang] if u.isupper()]
    if per and currencies and re.match(rf"\s*(?:{alternation(per)})\s+(?:{alternation(currencies)})(?![\w])",
                                       text[end:]):
        return "fx", end, "rate:exchange-rate"
    keys, rules = [], []
    while per:
        for key in ("month", "year", "day", "soldier"):
            nouns = rates.get(key, [])
            m = re.match(rf"\s*(?:{alternation(per)}|und|and)?\s*(?:{alternation(per)})?\s+"
                         rf"(?:{alternation(nouns)})(?![\w])(?!\s*\d{{4}})", text[end:],
                         re.IGNORECASE) if nouns else None
            if m and (keys or re.match(rf"\s*(?:{alternation(per)})\s", text[end:], re.IGNORECASE)):
                keys.append(key)
                rules.append(f"rate:per-{key}")
                end += m.end()
                break
        else:
            break
    if keys:
        return "/".join(keys), end, ", ".join(rules)
    item = _per_item(text, start, end, floor, lang, lex, money)
    if item is not None:
        return item
    for key in ("month", "year"):
        words = rates.get(f"each_{key}", [])
        if not words:
            continue
        pattern = rf"(?<![\w])(?:{alternation(words)})(?![\w])"
        m = re.match(rf"\s*{pattern}", text[end:], re.IGNORECASE)
        if m:
            return key, end + m.end(), f"rate:each-{key}"
        if re.search(pattern, text[max(floor, start - 40):start], re.IGNORECASE):
            return key, end, f"rate:each-{key}-before"
    return None


def _per_item(text: str, start: int, end: int, floor: int, lang: str, lex: Lexicon,
              money: bool) -> tuple[str, int, str] | None:
    """A price per item: money "per shell" after it, or "für jede Granate" before it in the same clause."""
    words = lex.table("rates", lang).get("per_item", [])
    items = [(w, u) for w, u in lex.unit_words[lang] if not u.isupper() and u != "percent"]
    if not (money and words and items):
        return None
    nouns = alternation([w for w, _ in items])
    m = re.match(rf"\s*(?:{alternation(words)})\s+({nouns})(?![\w])", text[end:], re.IGNORECASE)
    if m:
        return dict((w.lower(), u) for w, u in items)[m.group(1).lower()], end + m.end(), "rate:per-item"
    before = text[max(floor, start - 60):start]
    m = re.search(rf"(?<![\w])(?:{alternation(words)})\s+({nouns})(?![\w])[^,;:]*$", before, re.IGNORECASE)
    if m:
        return dict((w.lower(), u) for w, u in items)[m.group(1).lower()], end, "rate:per-item-before"
    return None


def _hedge(text: str, start: int, end: int, lang: str, lex: Lexicon,
           korean: tuple[str, str] | None) -> tuple[str, str] | None:
    """(kind, word) of the hedge before the number, or (Korean) attached to it or after it."""
    hedges = lex.table("hedges", lang)
    if korean:
        return korean
    before = text[max(0, start - 30):start]
    for kind in ("upper_bound", "lower_bound", "approximate"):
        words = hedges.get(kind, [])
        if words:
            m = re.search(rf"(?:^|[^\w])({alternation(words)})\s*$", before, re.IGNORECASE)
            if m:
                return kind, m.group(1)
    if lang == "ko":
        for kind in ("upper_bound", "lower_bound", "approximate"):
            words = hedges.get(f"after_{kind}", [])
            if words:
                m = re.match(rf"\s?({alternation(words)})", text[end:])
                if m:
                    return kind, m.group(1)
    return None


def _cue(text: str, lang: str, lex: Lexicon) -> str:
    words = lex.table("hedges", lang).get("cue", [])
    if not words:
        return ""
    boundary = "" if lang == "ko" else r"(?<![\w])"
    m = re.search(rf"{boundary}({alternation(words)})", text, re.IGNORECASE)
    return m.group(1) if m else ""


def extract(text: str, lang: str, lex: Lexicon, today: date | None = None) -> list[Finding]:
    """Every quantity ``text`` (one sentence) states, with the rules that read it."""
    periods = find_periods(text, lang, lex, today)
    numbers = find_numbers(text, lang, lex)
    kept_numbers: list[Number] = []
    dropped_periods: set[int] = set()
    for n in numbers:
        inside = [i for i, p in enumerate(periods) if p.start < n.end and n.start < p.end]
        if not inside:
            kept_numbers.append(n)
            continue
        if n.year_shaped and all(periods[i].bare_year for i in inside) and _unit_after(text, n.end, lang, lex):
            kept_numbers.append(n)
            dropped_periods.update(inside)
    periods = [p for i, p in enumerate(periods) if i not in dropped_periods]
    cue = _cue(text, lang, lex)
    out: list[Finding] = []
    floor = 0
    for group in _ranges(text, kept_numbers, lang, lex):
        rules = [*group.first.rules, *([] if group.last is group.first else group.last.rules), *group.rules]
        flags = [*group.first.flags, *([] if group.last is group.first else group.last.flags)]
        found = _unit(text, group, lang, lex)
        if found is None:
            continue  # no unit from the lexicon: not a claim
        unit, start, end, rule, korean_hedge = found
        rules.append(rule)
        rate = _rate(text, start, end, floor, lang, lex, unit.isupper())
        if rate and rate[0] == "fx":
            continue
        if rate:
            unit, end = f"{unit}/{rate[0]}", rate[1]
            rules.append(rate[2])
        hedge = ("lower_bound", "vague") if group.first.vague else _hedge(text, start, end, lang, lex, korean_hedge)
        low = central = high = None
        if group.last is not group.first:
            kind, low, high = "estimate", group.low, group.high
            rules.append("kind:estimate (a range)")
        else:
            kind = hedge[0] if hedge else "estimate"
            value = group.low
            if kind == "upper_bound":
                high = value
            elif kind == "lower_bound":
                low = value
            else:
                central = value
            rules.append(f"hedge:{kind} {hedge[1]!r}" if hedge else
                         f"kind:estimate (cue {cue!r})" if cue else "kind:estimate (no hedge)")
        if hedge and group.last is not group.first:
            flags.append(f"hedge {hedge[1]!r} before a range: kept as a range")
        scale = group.last.scale or group.first.scale
        period = _nearest(text, periods, start, end)
        if period is not None:
            rules.append(period.rule)
            if period.flag:
                flags.append(period.flag)
        floor = end
        out.append(Finding(start, end, low, central, high, unit, scale, kind, period.period if period else None,
                           tuple(rules), tuple(flags)))
    return _without_exchange_rates(text, out)


_EQUALS = re.compile(r"\s*(?:=|:|당|is|equals|entspricht|entsprachen|war|was)\s*", re.IGNORECASE)


def _without_exchange_rates(text: str, found: list[Finding]) -> list[Finding]:
    """Drop pairs like "$1 = 1,350 won" or "1달러당 1350원": two currencies joined as equal are an exchange rate."""
    drop: set[int] = set()
    for i, (a, b) in enumerate(zip(found, found[1:], strict=False)):
        money = a.unit.isupper() and b.unit.isupper() and a.unit != b.unit
        if money and 1.0 in (a.central, b.central) and _EQUALS.fullmatch(text[a.end:b.start]):
            drop.update((i, i + 1))
    return [f for i, f in enumerate(found) if i not in drop]


def _nearest(text: str, periods: list[PeriodMention], start: int, end: int) -> PeriodMention | None:
    """The period closest to a quantity, preferring one in the same clause (no comma or semicolon between):
    "Bis Mitte 2024 lieferte Nordkorea 3 Millionen Granaten, Anfang 2024 …" dates the 3 million mid-2024."""
    def distance(p: PeriodMention) -> tuple[bool, int]:
        between = text[end:p.start] if p.start >= end else text[p.end:start]
        return bool(re.search(r"[,;:]", between)), len(between) if p.start >= end or p.end <= start else 0

    return min(periods, key=distance, default=None)
