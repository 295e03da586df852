"""Sanctions screening (the screen extra): load UN, OFAC and OpenSanctions lists, match ships and firms to them.

    from armsflow import screen
    screen.load_lists([Path("consolidated.xml"), Path("sdn.xml")], Path("lists.db"))
    result = screen.query(Path("lists.db"), "Chonmasan", kind="vessel")
    study = screen.screen_study("russia-dprk", Path("lists.db"))

Every match carries the features behind its score (``docs/screen.md``). The calls need the screen extra
(``pip install 'armsflow[screen]'``): without it they raise ``MissingExtraError``. The result classes, IMO checks
and the entities.csv reader need nothing of it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any, NoReturn

from armsflow.errors import MissingExtraError
from armsflow.screen.imo import Imo, is_valid, parse_imo
from armsflow.screen.results import (
    EntityScreen,
    Feature,
    FileResult,
    Listing,
    LoadedList,
    LoadResult,
    Match,
    Query,
    QueryResult,
    ScreenStudyResult,
    SourceRef,
)

__all__ = [
    "EntityScreen",
    "Feature",
    "FileResult",
    "Imo",
    "Listing",
    "LoadResult",
    "LoadedList",
    "Match",
    "Query",
    "QueryResult",
    "ScreenStudyResult",
    "SourceRef",
    "is_valid",
    "load_lists",
    "open_index",
    "parse_imo",
    "query",
    "run_query",
    "screen_file",
    "screen_study",
]

#: The calls that need the screen extra, each in ``api``.
_LAZY = frozenset({"load_lists", "open_index", "query", "run_query", "screen_file", "screen_study"})
#: The modules the screen extra installs.
_EXTRA_MODULES = frozenset({"rapidfuzz", "defusedxml"})

if TYPE_CHECKING:
    from armsflow.screen.api import load_lists, open_index, query, run_query, screen_file, screen_study


def _needs_extra(name: str, cause: ImportError) -> Any:
    def unavailable(*args: object, **kwargs: object) -> NoReturn:
        raise MissingExtraError("screen", "Sanctions screening") from cause

    unavailable.__name__ = unavailable.__qualname__ = name
    return unavailable


def _extra_missing() -> ImportError | None:
    for module in sorted(_EXTRA_MODULES):
        try:
            import_module(module)
        except ImportError as exc:
            return exc
    return None


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    missing = _extra_missing()
    if missing is not None:
        return _needs_extra(name, missing)
    return getattr(import_module(f"{__name__}.api"), name)
