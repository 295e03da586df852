"""A study's own texts in another language (``texts.de.toml``): title, question, labels and assumptions as the
report shows them in that language. Anything not translated is shown as model.toml states it.

```toml
[study]
title = "…"
question = "…"

[labels]        # variables and outputs of model.toml
deliveries_value = "…"

[timelines]     # a timeline by its name, a series as "timeline.series"
containers = "…"
"shells.osc-crates" = "…"

[indicators]
meetings = "…"

[published]
fnf-2024 = "…"

[scenarios]
production-cost = "…"

[assumptions]   # the own assumption of a variable or a timeline; "VAR.fallback" for a variable's fallback,
munitions_share = "…"   # "SCENARIO.VAR" for a scenario's override

[claims]        # what a claim measures, by claim id (the measure column of claims.csv)
C023 = "…"

[prices]        # what a price is for, by price id (the item column of prices.csv)
P-KEI-152 = "…"

[places]        # the places of events.csv, as written there
Pyongyang = "…"
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from armsflow.errors import Problem
from armsflow.study.spec import Study, assumption_key
from armsflow.study.toml_lines import TomlLines, read_toml

FILE = re.compile(r"^texts\.([a-z]{2})\.toml$")
TABLES = ("study", "labels", "timelines", "indicators", "published", "scenarios", "assumptions", "claims", "prices",
          "places")
WHAT = {"study": "key", "labels": "variable or output", "timelines": "timeline or series",
        "indicators": "indicator", "published": "published estimate", "scenarios": "scenario",
        "assumptions": "variable or timeline with an assumption", "claims": "claim id", "prices": "price id",
        "places": "place of events.csv"}


@dataclass(frozen=True)
class StudyTexts:
    """One language's texts of a study, each keyed as in its table of ``texts.LANG.toml``."""

    lang: str
    title: str = ""
    question: str = ""
    tables: dict[str, dict[str, str]] = field(default_factory=dict)

    def get(self, table: str, key: str, default: str) -> str:
        return self.tables.get(table, {}).get(key) or default


def _known(study: Study, declared: set[str]) -> dict[str, set[str]]:
    """The keys each table may hold, from the loaded study; ``declared`` adds the variables whose definition had a
    problem of its own, so that their texts are not reported a second time."""
    variables = set(study.variables) | declared | {n for s in study.scenarios.values() for n in s.overrides}
    # A variable's own assumption, its fallback's, and a scenario's override's (``spec.assumption_key``).
    assumed = set()
    for scenario, defined in ((None, study.variables), *((s.name, s.overrides) for s in study.scenarios.values())):
        for n, v in defined.items():
            if v.definition.assumption:
                assumed.add(assumption_key(n, scenario))
            if v.fallback is not None and v.fallback.assumption:
                assumed.add(assumption_key(n, scenario, fallback=True))
    return {
        "labels": variables,
        "timelines": set(study.timelines) | {f"{t.name}.{s.name}" for t in study.timelines.values() for s in t.series},
        "indicators": set(study.indicators),
        "published": set(study.published),
        "scenarios": set(study.scenarios),
        "assumptions": assumed | {n for n, t in study.timelines.items() if t.assumption},
        "claims": set(study.claims),
        "prices": set(study.prices),
        "places": {e.place for e in study.events if e.place},
    }


def load_texts(name: str, data: bytes, study: Study, problems: list[Problem],
               declared: set[str] | None = None) -> StudyTexts | None:
    """Parse and check one ``texts.LANG.toml``; every problem goes to ``problems`` as ``file:line: field: …``."""
    match = FILE.match(name)
    assert match is not None
    parsed = read_toml(name, data, problems)
    if parsed is None:
        return None
    raw, text = parsed
    lines = TomlLines(text)
    known = _known(study, declared or set())
    tables: dict[str, dict[str, str]] = {}
    meta: dict[str, str] = {}
    before = len(problems)
    for table, entries in raw.items():
        if table not in TABLES or not isinstance(entries, dict):
            problems.append(Problem(name, lines.table(table) or lines.key(table, table), table,
                                    f"unknown table (known: {', '.join(TABLES)})"))
            continue
        allowed = {"title", "question"} if table == "study" else known[table]
        out = meta if table == "study" else tables.setdefault(table, {})
        for key, value in entries.items():
            where = lines.key(table, key)
            if key not in allowed:
                problems.append(Problem(name, where, f"{table}.{key}", f"unknown {WHAT[table]} {key!r}"))
            elif not isinstance(value, str) or not value.strip():
                problems.append(Problem(name, where, f"{table}.{key}", "must be a non-empty text"))
            else:
                out[key] = value.strip()
    if len(problems) > before:
        return None
    return StudyTexts(match.group(1), meta.get("title", ""), meta.get("question", ""), tables)
