"""What every result shares: the percentile summary, and one way to turn a result into standard JSON."""

from __future__ import annotations

import dataclasses
import enum
import json
import math
from datetime import date
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from numpy.typing import NDArray

PERCENTILES = (5.0, 50.0, 95.0)


@dataclasses.dataclass(frozen=True)
class Summary:
    """A distribution in four numbers: its mean and its 5th, 50th and 95th percentiles (the 90 % interval)."""

    mean: float
    p5: float
    p50: float
    p95: float


def summarise(x: NDArray[Any], scale: float = 1.0) -> Summary:
    """The summary of the finite draws in ``x``, divided by ``scale``; all ``nan`` when no draw is finite."""
    import numpy as np

    finite = x[np.isfinite(x)]
    if finite.size == 0:
        return Summary(math.nan, math.nan, math.nan, math.nan)
    p5, p50, p95 = np.percentile(finite, PERCENTILES) / scale
    return Summary(float(finite.mean() / scale), float(p5), float(p50), float(p95))


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: dataclasses as objects, dates as ISO text, enums by value, paths as text, and
    numbers that are not finite as ``null`` (standard JSON has no NaN or Infinity)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.metadata.get("json", True)}
    if isinstance(value, dict):
        return {str(jsonable(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return [jsonable(v) for v in items]
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, str | int | bool):
        return value
    if hasattr(value, "item"):  # a NumPy scalar
        return jsonable(value.item())
    return str(value)


def to_json(value: Any, indent: int | None = 2) -> str:
    """Standard JSON text of a result (UTF-8 text kept as it is)."""
    return json.dumps(jsonable(value), indent=indent, ensure_ascii=False, allow_nan=False)


class ResultLike(Protocol):
    """What every command's result offers, whether it derives from ``Result`` or not (the gdelt results)."""

    def to_dict(self) -> dict[str, Any]: ...

    def to_json(self, indent: int | None = 2) -> str: ...


class Result:
    """A result object: ``to_dict()`` is its JSON contract and ``to_json()`` the text of it."""

    def to_dict(self) -> dict[str, Any]:
        data = jsonable(self)
        assert isinstance(data, dict)
        return data

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)


#: A dataclass field left out of ``to_dict`` (samples, internal caches).
NOT_IN_JSON = {"json": False}
