"""armsflow: graded, sourced claims about covert arms transfers in; transparent estimates with honest intervals out.

The public API, for notebooks and other programs: one function behind each command, each returning a typed result
with ``to_dict()`` and ``to_json()`` (``armsflow.results``); errors are ``armsflow.errors.ArmsflowError``::

    import armsflow
    study = armsflow.load_study("russia-dprk")
    result = armsflow.run(study, seed=1)
    result.to_pandas()

Heavy modules load on first use, so that ``import armsflow`` and ``armsflow --help`` stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "ArmsflowError",
    "Problem",
    "RunResult",
    "Study",
    "StudyError",
    "__version__",
    "bundled_names",
    "bundled_studies",
    "check",
    "check_study",
    "comtrade",
    "diff",
    "event_rate",
    "explain",
    "init",
    "load_study",
    "reconcile",
    "run",
    "run_history",
    "timeline",
    "trade",
    "write_report",
]

_LAZY = {
    "ArmsflowError": ("armsflow.errors", "ArmsflowError"),
    "Problem": ("armsflow.errors", "Problem"),
    "StudyError": ("armsflow.errors", "StudyError"),
    "RunResult": ("armsflow.results", "RunResult"),
    "Study": ("armsflow.study.spec", "Study"),
    "bundled_names": ("armsflow.study.bundled", "bundled_names"),
    "bundled_studies": ("armsflow.study.bundled", "bundled_studies"),
    "check": ("armsflow.study.loader", "check"),
    "check_study": ("armsflow.study.loader", "check_study"),
    "load_study": ("armsflow.study.loader", "load_study"),
    "init": ("armsflow.study.copy", "init"),
    "run": ("armsflow.engine.run", "run"),
    "explain": ("armsflow.engine.explain", "explain"),
    "timeline": ("armsflow.engine.timeline", "timeline"),
    "event_rate": ("armsflow.engine.context", "event_rate"),
    "trade": ("armsflow.engine.context", "trade"),
    "comtrade": ("armsflow.indicators.comtrade", "comtrade"),
    "diff": ("armsflow.engine.diff", "diff"),
    "run_history": ("armsflow.engine.diff", "run_history"),
    "reconcile": ("armsflow.engine.reconcile", "reconcile"),
    "write_report": ("armsflow.report.api", "write_report"),
}

if TYPE_CHECKING:
    from armsflow.engine.context import event_rate, trade
    from armsflow.engine.diff import diff, run_history
    from armsflow.engine.explain import explain
    from armsflow.engine.reconcile import reconcile
    from armsflow.engine.run import run
    from armsflow.engine.timeline import timeline
    from armsflow.errors import ArmsflowError, Problem, StudyError
    from armsflow.indicators.comtrade import comtrade
    from armsflow.report.api import write_report
    from armsflow.results import RunResult
    from armsflow.study.bundled import bundled_names, bundled_studies
    from armsflow.study.copy import init
    from armsflow.study.loader import check, check_study, load_study
    from armsflow.study.spec import Study


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'armsflow' has no attribute {name!r}")
