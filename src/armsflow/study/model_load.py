"""Load model.toml: variables, outputs, correlations, scenarios and published estimates, each with its line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from armsflow.errors import Problem
from armsflow.model import formula as fml
from armsflow.model.distributions import DistributionError, finite_number, from_table
from armsflow.model.units import Unit, UnitError, parse_unit
from armsflow.study.spec import (
    Correlation,
    Definition,
    IndicatorSpec,
    Published,
    Scenario,
    TimelineSeries,
    TimelineSpec,
    Variable,
)
from armsflow.study.toml_lines import TomlLines

FILE = "model.toml"
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
DIST_KEYS = {"value", "low", "high", "mode", "lambda", "mean", "sd", "alpha", "beta", "values", "weights",
             "components", "samples"}
DEF_KEYS = {"claims", "prices", "dist", "formula", "timeline", "at", "series", "assumption", "cites", "caps",
            "capacity", "proxy", "rescaled", "censor"} | DIST_KEYS
VAR_KEYS = {"label", "unit", "fallback"} | DEF_KEYS
OUTPUT_KEYS = VAR_KEYS | {"headline", "thresholds"}
TOP_KEYS = {"variables", "outputs", "correlations", "scenarios", "published", "timelines", "indicators"}


class ModelReader:
    """Reads one model.toml document; collects problems instead of stopping at the first."""

    def __init__(self, doc: dict[str, Any], text: str, problems: list[Problem]) -> None:
        self.doc = doc
        self.lines = TomlLines(text)
        self.problems = problems
        self.declared: set[str] = set()

    def problem(self, line: int, field: str, message: str) -> None:
        self.problems.append(Problem(FILE, line, field, message))

    def indicators(self) -> dict[str, IndicatorSpec]:
        from armsflow.evidence.events import KINDS, LEVELS

        out: dict[str, IndicatorSpec] = {}
        for name, table in self._tables("indicators").items():
            path = f"indicators.{name}"
            line = self.lines.table(path)
            for key in table:
                if key not in ("kind", "label", "since", "until", "event_kind", "levels", "compare", "published"):
                    self.problem(self.lines.key(path, key), f"{path}.{key}", "unknown key")
            if table.get("kind") == "trade_ratio":
                pair = table.get("compare")
                if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
                    self.problem(self.lines.key(path, "compare"), f"{path}.compare", "must name two trade.csv ids")
                    continue
                out[name] = IndicatorSpec(name, "trade_ratio", str(table.get("label", name)), None, None, None, (),
                                          line, (pair[0], pair[1]))
                continue
            if table.get("kind") != "event_rate":
                self.problem(self.lines.key(path, "kind"), f"{path}.kind", "the kinds are: event_rate, trade_ratio")
                continue
            since, until = table.get("since"), table.get("until")
            if not isinstance(since, date) or (until is not None and not isinstance(until, date)):
                self.problem(self.lines.key(path, "since"), f"{path}.since", "since (and until) must be TOML dates")
                continue
            if until is not None and until < since:
                self.problem(self.lines.key(path, "until"), f"{path}.until", "until is before since")
                continue
            event_kind = table.get("event_kind")
            if event_kind is not None and event_kind not in KINDS:
                self.problem(self.lines.key(path, "event_kind"), f"{path}.event_kind", f"one of {', '.join(KINDS)}")
                continue
            levels = self._ids(path, table, "levels")
            bad = [x for x in levels if x not in LEVELS]
            if bad:
                self.problem(self.lines.key(path, "levels"), f"{path}.levels", f"unknown level {bad[0]!r}")
                continue
            out[name] = IndicatorSpec(name, "event_rate", str(table.get("label", name)), since, until, event_kind,
                                      levels, line, published=self._ids(path, table, "published"))
        return out

    def timelines(self) -> dict[str, TimelineSpec]:
        out: dict[str, TimelineSpec] = {}
        for name, table in self._tables("timelines").items():
            path = f"timelines.{name}"
            line = self.lines.table(path)
            allowed = {"label", "unit", "claims", "series", "start", "extrapolation_spread", "assumption"}
            for key in table:
                if key not in allowed:
                    self.problem(self.lines.key(path, key), f"{path}.{key}", "unknown key")
            unit = self._unit(path, table, None)
            label = table.get("label")
            if not isinstance(label, str) or not label.strip():
                self.problem(line, f"{path}.label", _missing(label))
            start = table.get("start")
            if start is not None and not isinstance(start, date):
                self.problem(self.lines.key(path, "start"), f"{path}.start", "must be a TOML date (no quotes)")
                start = None
            spread = table.get("extrapolation_spread", 0.25)
            if not _is_number(spread) or not 0 <= float(spread) < 5:
                self.problem(self.lines.key(path, "extrapolation_spread"), f"{path}.extrapolation_spread",
                             "must be a number from 0 to 5")
                spread = 0.25
            series: list[TimelineSeries] = []
            if "claims" in table:
                series.append(TimelineSeries("claims", str(label), self._ids(path, table, "claims"),
                                             self.lines.key(path, "claims")))
            for sname, stable in self._tables(f"{path}.series").items():
                spath = f"{path}.series.{sname}"
                series.append(TimelineSeries(sname, str(stable.get("label", sname)),
                                             self._ids(spath, stable, "claims"), self.lines.table(spath)))
            if not series or any(not s.claims for s in series):
                self.problem(line, path, "needs claims (or [series.NAME] tables with claims)")
                continue
            assumption = table.get("assumption", "")
            if unit is None or not isinstance(label, str):
                continue
            out[name] = TimelineSpec(name, label, unit, tuple(series), start, float(spread), str(assumption), line)
        return out

    def read(self) -> tuple[dict[str, Variable], list[Correlation], dict[str, Scenario], dict[str, Published]]:
        for key in self.doc:
            if key not in TOP_KEYS:
                self.problem(self.lines.table(key) or self.lines.under(key) or self.lines.key("", key), key,
                             "unknown section")
        variables: dict[str, Variable] = {}
        for section, output in (("variables", False), ("outputs", True)):
            for name, table in self._tables(section).items():
                self.declared.add(name)
                var = self.variable(f"{section}.{name}", name, table, output=output)
                if name in variables:
                    self.problem(self.lines.table(f"{section}.{name}"), f"{section}.{name}",
                                 f"name {name!r} is defined twice")
                elif var:
                    variables[name] = var
        return variables, self.correlations(), self.scenarios(variables), self.published()

    def _tables(self, path: str) -> dict[str, Any]:
        node: Any = self.doc
        for part in path.split("."):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        if not isinstance(node, dict):
            self.problem(self.lines.table(path), path, "must be a table")
            return {}
        bad = [k for k, v in node.items() if not isinstance(v, dict)]
        for k in bad:
            self.problem(self.lines.key(path, k), f"{path}.{k}", "must be a table")
        return {k: v for k, v in node.items() if isinstance(v, dict)}

    def variable(self, path: str, name: str, table: dict[str, Any], *, output: bool,
                 base: Variable | None = None) -> Variable | None:
        line = self.lines.table(path)
        if not NAME.match(name):
            self.problem(line, path, "a name starts with a letter and holds letters, digits and '_' only")
            return None
        allowed = OUTPUT_KEYS if output else VAR_KEYS
        for key in table:
            if key not in allowed:
                self.problem(self.lines.key(path, key), f"{path}.{key}", "unknown key")
        label = table.get("label", base.label if base else None)
        if not isinstance(label, str) or not label.strip():
            self.problem(self.lines.key(path, "label") or line, f"{path}.label", _missing(label))
            label = name
        unit = self._unit(path, table, base)
        definition = self.definition(path, table)
        fallback = None
        if "fallback" in table:
            if not isinstance(table["fallback"], dict):
                self.problem(self.lines.key(path, "fallback"), f"{path}.fallback", "must be a table")
            else:
                for key in table["fallback"]:
                    if key not in DEF_KEYS:
                        self.problem(self.lines.key(path, "fallback"), f"{path}.fallback.{key}", "unknown key")
                fallback = self.definition(f"{path}.fallback", table["fallback"],
                                           line=self.lines.key(path, "fallback"))
                if fallback and fallback.kind == "formula":
                    self.problem(fallback.line, f"{path}.fallback", "a fallback cannot be a formula")
                    fallback = None
        if unit is None or definition is None:
            return None
        thresholds = self._thresholds(path, table) if output else ()
        headline = table.get("headline", True)
        if not isinstance(headline, bool):
            self.problem(self.lines.key(path, "headline"), f"{path}.headline", "must be true or false")
            headline = True
        unit_line = self.lines.key(path, "unit") if "unit" in table else (base.unit_line if base else line)
        return Variable(name, label.strip(), unit, definition, line, FILE, fallback,
                        output if base is None else base.output, headline, thresholds, unit_line)

    def _unit(self, path: str, table: dict[str, Any], base: Variable | None) -> Unit | None:
        if "unit" not in table and base is not None:
            return base.unit
        text = table.get("unit")
        line = self.lines.key(path, "unit") or self.lines.table(path)
        if not isinstance(text, str):
            self.problem(line, f"{path}.unit", "missing (use \"1\" for a dimensionless number)")
            return None
        try:
            return parse_unit(text)
        except UnitError as exc:
            self.problem(line, f"{path}.unit", str(exc))
            return None

    def _thresholds(self, path: str, table: dict[str, Any]) -> tuple[float, ...]:
        raw = table.get("thresholds", [])
        if not isinstance(raw, list) or not all(_is_number(v) for v in raw):
            self.problem(self.lines.key(path, "thresholds"), f"{path}.thresholds", "must be a list of numbers")
            return ()
        return tuple(float(v) for v in raw)

    def definition(self, path: str, table: dict[str, Any], line: int | None = None) -> Definition | None:
        line = line or self.lines.table(path)
        kinds = [k for k in ("claims", "prices", "dist", "formula", "timeline") if k in table]
        if len(kinds) != 1:
            what = "none" if not kinds else " and ".join(kinds)
            self.problem(line, path, f"give exactly one of claims, prices, dist, formula or timeline (found {what})")
            return None
        kind = kinds[0]
        key_line = self.lines.key(path, kind) or line
        assumption = table.get("assumption", "")
        if not isinstance(assumption, str):
            self.problem(self.lines.key(path, "assumption"), f"{path}.assumption", "must be text")
            assumption = ""
        cites = self._ids(path, table, "cites")
        for key in ("at", "series"):
            if key in table and kind != "timeline":
                self.problem(self.lines.key(path, key) or line, f"{path}.{key}", "applies to a variable of a timeline")
        if kind == "timeline":
            name, at = table["timeline"], table.get("at")
            if not isinstance(name, str):
                self.problem(key_line, f"{path}.timeline", "must be the name of a [timelines.NAME] table")
                return None
            if at is not None and not isinstance(at, date):
                self.problem(self.lines.key(path, "at") or line, f"{path}.at", "must be a TOML date (no quotes)")
                return None
            series = table.get("series", "")
            if not isinstance(series, str) or ("series" in table and not series):
                self.problem(self.lines.key(path, "series") or line, f"{path}.series",
                             "must be the name of a [timelines.NAME.series.SERIES] table")
                return None
            capacity, _, _ = self._flags(path, table, kind, assumption)
            return Definition("timeline", line, key_line, assumption=assumption.strip(), cites=cites, timeline=name,
                              at=at, series=series, capacity=capacity)
        if kind in ("claims", "prices"):
            ids = self._ids(path, table, kind)
            if not ids:
                self.problem(self.lines.key(path, kind), f"{path}.{kind}", "must list at least one id")
                return None
            capacity, proxy, censor = self._flags(path, table, kind, assumption)
            caps = self._ids(path, table, "caps")
            if caps and kind != "claims":
                self.problem(self.lines.key(path, "caps"), f"{path}.caps", "applies to a variable of claims")
            return Definition(kind, line, key_line, claims=ids if kind == "claims" else (),
                              prices=ids if kind == "prices" else (), assumption=assumption.strip(), cites=cites,
                              caps=caps, capacity=capacity, proxy=proxy, censor=censor)
        if kind == "formula":
            text = table["formula"]
            fline = self.lines.key(path, "formula")
            if not isinstance(text, str):
                self.problem(fline, f"{path}.formula", "must be text")
                return None
            try:
                parsed = fml.parse(text)
            except fml.FormulaError as exc:
                self.problem(fline, f"{path}.formula", str(exc))
                return None
            rescaled = table.get("rescaled", False)
            if not isinstance(rescaled, bool):
                self.problem(self.lines.key(path, "rescaled"), f"{path}.rescaled", "must be true or false")
                rescaled = False
            elif rescaled and not assumption.strip():
                self.problem(self.lines.key(path, "rescaled"), f"{path}.rescaled",
                             "say why in 'assumption' (it is shown among the study's own assumptions)")
            return Definition("formula", line, key_line, formula=parsed, assumption=assumption.strip(), cites=cites,
                              rescaled=rescaled)
        try:
            dist = from_table(table)
        except DistributionError as exc:
            field = exc.field.split("[")[0].split(".")[0]
            self.problem(self.lines.key(path, field), f"{path}.{exc.field}", str(exc))
            return None
        if not assumption.strip() and not cites:
            self.problem(line, path, "a distribution needs 'assumption' (an own assumption, said so) or 'cites'")
        return Definition("dist", line, key_line, dist=dist, assumption=assumption.strip(), cites=cites)

    def _flags(self, path: str, table: Mapping[str, Any], kind: str, assumption: str) -> tuple[bool, bool, bool]:
        """``capacity`` (claims or a timeline taken as values), ``proxy`` (prices of another basis) and ``censor``
        (bounds censor instead of truncating), each true only where it applies and with its reason in
        ``assumption``."""
        flags = []
        for key, applies, where in (("capacity", kind in ("claims", "timeline"), "claims or of a timeline"),
                                    ("proxy", kind == "prices", "prices"),
                                    ("censor", kind == "claims", "claims")):
            value = table.get(key, False)
            if not isinstance(value, bool):
                self.problem(self.lines.key(path, key), f"{path}.{key}", "must be true or false")
            elif value and not applies:
                self.problem(self.lines.key(path, key), f"{path}.{key}", f"applies to a variable of {where}")
            elif value and not assumption.strip():
                self.problem(self.lines.key(path, key), f"{path}.{key}",
                             "say why in 'assumption' (it is shown among the study's own assumptions)")
            flags.append(value is True)
        return flags[0], flags[1], flags[2]

    def _ids(self, path: str, table: dict[str, Any], key: str) -> tuple[str, ...]:
        raw = table.get(key, [])
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            self.problem(self.lines.key(path, key), f"{path}.{key}", "must be a list of ids")
            return ()
        return tuple(raw)

    def correlations(self) -> list[Correlation]:
        raw = self.doc.get("correlations", [])
        if not isinstance(raw, list):
            self.problem(self.lines.key("", "correlations") or 1, "correlations", "use [[correlations]] tables")
            return []
        out: list[Correlation] = []
        for i, item in enumerate(raw):
            line = self.lines.table("correlations", i)
            field = f"correlations[{i}]"
            if not isinstance(item, dict):
                self.problem(line, field, "must be a table")
                continue
            for key in item:
                if key not in ("between", "rho", "reason"):
                    self.problem(self.lines.key("correlations", key, i), f"{field}.{key}", "unknown key")
            between, rho = item.get("between"), item.get("rho")
            if not (isinstance(between, list) and len(between) == 2 and all(isinstance(b, str) for b in between)):
                self.problem(self.lines.key("correlations", "between", i), f"{field}.between",
                             "must name two variables")
                continue
            if not isinstance(rho, int | float) or not _is_number(rho) or not -1 < float(rho) < 1:
                self.problem(self.lines.key("correlations", "rho", i), f"{field}.rho",
                             "must be a number strictly between -1 and 1")
                continue
            reason = item.get("reason", "")
            if not isinstance(reason, str) or not reason.strip():
                self.problem(line, f"{field}.reason", "say why (an own assumption or a source)")
            out.append(Correlation(between[0], between[1], float(rho), str(reason), line,
                                   self.lines.key("correlations", "between", i)))
        return out

    def scenarios(self, variables: dict[str, Variable]) -> dict[str, Scenario]:
        out: dict[str, Scenario] = {}
        for name, table in self._tables("scenarios").items():
            path = f"scenarios.{name}"
            line = self.lines.table(path)
            for key in table:
                if key not in ("label", "variables"):
                    self.problem(self.lines.key(path, key), f"{path}.{key}", "unknown key")
            overrides: dict[str, Variable] = {}
            for vname, vtable in self._tables(f"{path}.variables").items():
                base = variables.get(vname)
                if base is None:
                    self.problem(self.lines.table(f"{path}.variables.{vname}"), f"{path}.variables.{vname}",
                                 f"no variable {vname!r} to override")
                    continue
                var = self.variable(f"{path}.variables.{vname}", vname, vtable, output=base.output, base=base)
                if var:
                    overrides[vname] = var
            label = table.get("label", name)
            out[name] = Scenario(name, str(label), line, overrides)
        return out

    def published(self) -> dict[str, Published]:
        out: dict[str, Published] = {}
        for name, table in self._tables("published").items():
            path = f"published.{name}"
            line = self.lines.table(path)
            for key in table:
                if key not in ("label", "claim", "output", "quantity", "implied_unit", "paired", "not_implied",
                               "scenario", "scenario_end"):
                    self.problem(self.lines.key(path, key), f"{path}.{key}", "unknown key")
            fields = {k: table.get(k) for k in ("label", "claim", "output", "quantity", "implied_unit")}
            bad = [k for k, v in fields.items() if not isinstance(v, str) or not v.strip()]
            for k in bad:
                self.problem(self.lines.key(path, k), f"{path}.{k}", _missing(fields[k]))
            if bad:
                continue
            try:
                quantity = fml.parse(str(fields["quantity"]))
            except fml.FormulaError as exc:
                self.problem(self.lines.key(path, "quantity"), f"{path}.quantity", str(exc))
                continue
            try:
                implied = parse_unit(str(fields["implied_unit"]))
            except UnitError as exc:
                self.problem(self.lines.key(path, "implied_unit"), f"{path}.implied_unit", str(exc))
                continue
            paired, not_implied = table.get("paired", False), table.get("not_implied", "")
            if not isinstance(paired, bool):
                self.problem(self.lines.key(path, "paired"), f"{path}.paired", "must be true or false")
                continue
            if not isinstance(not_implied, str):
                self.problem(self.lines.key(path, "not_implied"), f"{path}.not_implied", "must be text: why no "
                                                                                          "implied price is shown")
                continue
            scenario = table.get("scenario", "")
            if not isinstance(scenario, str):
                self.problem(self.lines.key(path, "scenario"), f"{path}.scenario", "must be a scenario's name")
                continue
            end = table.get("scenario_end", "")
            if end not in ("", "low", "high") or (end and not scenario):
                self.problem(self.lines.key(path, "scenario_end"), f"{path}.scenario_end",
                             "must be 'low' or 'high', the end of the published range that the scenario follows"
                             if end not in ("", "low", "high") else "needs the scenario that follows it (scenario)")
                continue
            lines = {k: self.lines.key(path, k) for k in (*fields, "paired", "not_implied", "scenario",
                                                          "scenario_end")}
            out[name] = Published(name, str(fields["label"]), str(fields["claim"]), str(fields["output"]),
                                  quantity, implied, line, lines, paired, not_implied.strip(), scenario, end)
        return out


def _missing(value: Any) -> str:
    """Why a text field was refused: absent or blank, or given as something other than text."""
    return "missing" if value is None or (isinstance(value, str) and not value.strip()) else "must be text"


def _is_number(value: Any) -> bool:
    return finite_number(value)
