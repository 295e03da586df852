"""The typed results every interface reads: the CLI, the report and (later) the web workbench.

Each command's library function returns one of these; ``to_dict()`` is its JSON contract and ``to_json()`` standard
JSON text of it (numbers that are not finite become ``null``).
"""

from armsflow.results.base import PERCENTILES, Result, ResultLike, Summary, jsonable, summarise, to_json
from armsflow.results.context import (
    BandRow,
    ComtradeResult,
    EventRateResult,
    MonthCount,
    RateComparison,
    SeriesAt,
    TimelineResult,
    TradeComparison,
    TradeConflict,
    TradeResult,
)
from armsflow.results.explain import EvidenceUse, Explanation, InputExplanation
from armsflow.results.history import (
    Change,
    DiffResult,
    FieldChange,
    HistoryResult,
    OutputChange,
    Part,
    RunEntry,
    Side,
)
from armsflow.results.reconcile import PublishedGap, ReconcileResult, ScenarioGap
from armsflow.results.run import (
    Assumption,
    ChainStep,
    IndicatorResult,
    OutputResult,
    PublishedFigure,
    PublishedResult,
    RunResult,
    SensitivityRow,
)
from armsflow.results.study import CheckResult, InitResult, Named, StudyInfo, StudyList

__all__ = [
    "ReconcileResult",
    "ScenarioGap",
    "Side",
    "RunEntry",
    "Part",
    "OutputChange",
    "HistoryResult",
    "FieldChange",
    "DiffResult",
    "Change",
    "PERCENTILES",
    "Assumption",
    "BandRow",
    "ChainStep",
    "ComtradeResult",
    "CheckResult",
    "EventRateResult",
    "EvidenceUse",
    "Explanation",
    "IndicatorResult",
    "InitResult",
    "InputExplanation",
    "MonthCount",
    "Named",
    "OutputResult",
    "PublishedFigure",
    "PublishedGap",
    "PublishedResult",
    "RateComparison",
    "Result",
    "ResultLike",
    "RunResult",
    "SensitivityRow",
    "SeriesAt",
    "StudyInfo",
    "StudyList",
    "Summary",
    "TimelineResult",
    "TradeComparison",
    "TradeConflict",
    "TradeResult",
    "jsonable",
    "summarise",
    "to_json",
]
