"""The report's charts for a study's full run, or for a what-if: an htmx partial the results load after them, and
its JSON twin (each chart's SVG text).

The charts are the report's own (``report.content.gather`` and ``report.figures.build``), checked by
``charts.assert_safe_svg`` before they reach a page. A histogram needs the run's draws, which neither the workbench's
cached run nor ``what_if`` keeps, so the run is made again here with them: with the study's seed and draws for the
full run, with a what-if's draws for a what-if, which gives the very numbers the results beside it show.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from armsflow.engine.whatif import WHAT_IF_DRAWS, with_distributions
from armsflow.report import charts, figures
from armsflow.report.content import Content, gather
from armsflow.report.fmt import Fmt
from armsflow.report.render import Page
from armsflow.study.loader import inputs_hash
from armsflow.study.spec import Study
from armsflow.web import views
from armsflow.web.api import ERRORS
from armsflow.web.app import entry_of, render
from armsflow.web.registry import Entry

router = APIRouter()

#: The workbench speaks English; the report's charts in German are in its German edition.
LANG = "en"


@dataclass(frozen=True)
class Chart:
    """One chart of the report: its key in ``figures.build`` (``kind-subject``), what it shows, and its SVG."""

    key: str
    kind: str
    subject: str
    svg: Markup


@dataclass(frozen=True)
class Charts:
    """The charts of one run, with the run's draws and seed, and whether it was a what-if."""

    what_if: bool
    draws: int
    seed: int
    scenario: str | None
    as_of: str | None
    charts: tuple[Chart, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"what_if": self.what_if, "draws": self.draws, "seed": self.seed, "scenario": self.scenario,
                "as_of": self.as_of, "charts": [{"key": c.key, "kind": c.kind, "subject": c.subject,
                                                 "svg": str(c.svg)} for c in self.charts]}


#: The full run's charts of each study, with the hash of the inputs they were drawn from.
_cache: dict[str, tuple[str, Charts]] = {}
_lock = threading.Lock()


def _subjects(content: Content) -> dict[str, str]:
    """What each chart key's subject (an output, timeline or indicator id) is called."""
    names = {r.id: r.label for r in content.run.headlines}
    names |= {t.name: t.label for t in content.timelines}
    return names | {e.indicator.id: e.indicator.label for e in content.events}


def _draw(content: Content, what_if: bool) -> Charts:
    fmt = Fmt(LANG)
    names = _subjects(content)
    drawn = []
    for key, svg in figures.build(content, fmt, Page(content, fmt)).items():
        kind, _, subject = key.partition("-")
        drawn.append(Chart(key, kind, names.get(subject, subject),
                           Markup(charts.assert_safe_svg(str(svg)))))  # noqa: S704 - checked: no script, no links
    run = content.run
    return Charts(what_if, run.draws, run.seed, run.scenario, run.as_of.isoformat() if run.as_of else None,
                  tuple(drawn))


def _full(entry: Entry, study: Study) -> Charts:
    """The full run's charts, kept while the study's files are unchanged."""
    digest = inputs_hash(study.files)
    with _lock:
        cached = _cache.get(entry.id)
    if cached is not None and cached[0] == digest:
        return cached[1]
    found = _draw(gather(study), what_if=False)
    with _lock:
        _cache[entry.id] = (digest, found)
    return found


def charts_of(request: Request, ident: str) -> Charts:
    """The charts for the request: the full run's, or the what-if's that the query string's form fields give."""
    entry = entry_of(request, ident)
    study = views.study_of(entry)
    change = views.what_if_query(study, request.query_params)
    if not change.distributions and change.scenario is None and change.as_of is None:
        return _full(entry, study)
    changed = with_distributions(study, change.distributions)
    return _draw(gather(changed, scenario=change.scenario, as_of=change.as_of, draws=WHAT_IF_DRAWS), what_if=True)


@router.get("/studies/{ident}/charts", response_class=HTMLResponse, include_in_schema=False)
def charts_partial(request: Request, ident: str) -> Response:
    """The charts as an htmx partial (a ``<section id="charts">``), for the full run or the query's what-if."""
    found = charts_of(request, ident)
    return render(request, "charts.html", charts=found)


@router.get("/api/studies/{ident}/charts", responses=ERRORS)
def charts_json(request: Request, ident: str,
                scenario: str = Query("", description="a scenario of the study (empty: the base)"),
                as_of: str = Query("", description="keep evidence published by this day, YYYY-MM-DD"),
                ) -> dict[str, Any]:
    """The report's charts as SVG text, for the full run or a what-if: ``scenario``, ``as_of`` and, for each
    assumption to change, ``NAME.KEY=number`` (the what-if form's fields; keys left out keep the study's value)."""
    # scenario and as_of are declared for the schema; views.what_if_query reads them with the NAME.KEY fields.
    return charts_of(request, ident).to_dict()
