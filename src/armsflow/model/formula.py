"""The formula language: arithmetic over variable names, parsed and checked, never passed to ``eval``.

Python's ``ast`` module is used only as a parser. The parse tree is translated into a handful of node types of our own;
any construct outside the documented language (attributes, subscripts, strings, comparisons, lambdas, calls to
anything but the listed functions) is rejected before anything is evaluated.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from armsflow.errors import InvalidValueError
from armsflow.model.units import Unit, dims_text

Array = NDArray[np.float64]
MAX_LENGTH = 2000

#: The documented functions and their arity (min, max); ``None`` means any number >= min.
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "min": (2, None),
    "max": (2, None),
    "abs": (1, 1),
    "sqrt": (1, 1),
    "exp": (1, 1),
    "log": (1, 1),
    "log10": (1, 1),
    "clip": (3, 3),
    "sin": (1, 1),
    "cos": (1, 1),
}


class FormulaError(InvalidValueError):
    """A formula outside the language, or one whose units do not agree."""


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class Bin:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Node, ...]


Node = Num | Var | Neg | Bin | Call

_BINOPS: dict[type[ast.operator], str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its source text, its tree and the variable names it reads."""

    text: str
    tree: Node
    names: frozenset[str]


def parse(text: str) -> Formula:
    """Parse ``text`` into a ``Formula``; raise ``FormulaError`` for anything outside the language."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        if "too many nested" in str(exc.msg):
            raise FormulaError("formula nested too deeply") from None
        raise FormulaError(f"syntax error at column {exc.offset or 0}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise FormulaError("formula nested too deeply") from None
    try:
        node = _translate(tree.body)
    except RecursionError:
        raise FormulaError("formula nested too deeply") from None
    return Formula(text, node, frozenset(_names(node)))


def _translate(node: ast.expr) -> Node:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError(f"only numbers are allowed as constants, not {type(node.value).__name__}")
        return Num(float(node.value))
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise FormulaError(f"names may not start with an underscore: {node.id!r}")
        return Var(node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _translate(node.operand)
        return Neg(inner) if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return Bin(_BINOPS[type(node.op)], _translate(node.left), _translate(node.right))
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            shown = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)[:40]
            raise FormulaError(f"unknown function {shown!r}; allowed: {', '.join(sorted(FUNCTIONS))}")
        if node.keywords:
            raise FormulaError(f"{node.func.id}() takes no keyword arguments")
        lo, hi = FUNCTIONS[node.func.id]
        if len(node.args) < lo or (hi is not None and len(node.args) > hi):
            want = str(lo) if lo == hi else f"at least {lo}"
            raise FormulaError(f"{node.func.id}() takes {want} arguments, got {len(node.args)}")
        return Call(node.func.id, tuple(_translate(a) for a in node.args))
    raise FormulaError(f"not allowed in a formula: {_describe(node)}; only arithmetic and documented functions")


def _describe(node: ast.AST) -> str:
    try:
        return f"{type(node).__name__.lower()} {ast.unparse(node)[:40]!r}"
    except Exception:  # pragma: no cover - unparse failing is only cosmetic
        return type(node).__name__.lower()


def _names(node: Node) -> set[str]:
    if isinstance(node, Var):
        return {node.name}
    if isinstance(node, Neg):
        return _names(node.operand)
    if isinstance(node, Bin):
        return _names(node.left) | _names(node.right)
    if isinstance(node, Call):
        return set().union(*(_names(a) for a in node.args))
    return set()


def infer_unit(formula: Formula, units: Mapping[str, Unit]) -> Unit:
    """The dimension of ``formula`` given the units of its variables (scale 1: values are in base units)."""
    return _unit(formula.tree, units)


def _unit(node: Node, units: Mapping[str, Unit]) -> Unit:
    if isinstance(node, Num):
        return Unit()
    if isinstance(node, Var):
        return Unit(1.0, units[node.name].dims)
    if isinstance(node, Neg):
        return _unit(node.operand, units)
    if isinstance(node, Bin):
        a, b = _unit(node.left, units), _unit(node.right, units)
        if node.op in "+-":
            _same(a, b, node.op)
            return a
        if node.op == "*":
            return a * b
        if node.op == "/":
            return a / b
        return _power(node, a, b)
    args = [_unit(x, units) for x in node.args]
    if node.func in ("min", "max", "clip"):
        for other in args[1:]:
            _same(args[0], other, f"{node.func}()")
        return args[0]
    if node.func == "abs":
        return args[0]
    if node.func == "sqrt":
        if any(e % 2 for _, e in args[0].dims):
            raise FormulaError(f"sqrt() of {dims_text(args[0].dims)} has no whole unit")
        return Unit(1.0, tuple((d, e // 2) for d, e in args[0].dims))
    if not args[0].dimensionless:
        raise FormulaError(f"{node.func}() needs a dimensionless argument, got {dims_text(args[0].dims)}")
    return Unit()


def _same(a: Unit, b: Unit, where: str) -> None:
    if not a.same_dimension(b):
        raise FormulaError(f"unit mismatch in {where}: {dims_text(a.dims)} vs {dims_text(b.dims)}")


def _power(node: Bin, base: Unit, exponent: Unit) -> Unit:
    if not exponent.dimensionless:
        raise FormulaError("the exponent of ** must be dimensionless")
    if base.dimensionless:
        return Unit()
    value = _constant(node.right)
    if value is None or value != int(value):
        raise FormulaError(f"{dims_text(base.dims)} can only be raised to a whole constant power")
    return base.power(int(value))


def _constant(node: Node) -> float | None:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Neg):
        inner = _constant(node.operand)
        return None if inner is None else -inner
    return None


_UFUNC: dict[str, Callable[..., Array]] = {
    "abs": np.abs,
    "sqrt": np.sqrt,
    "exp": np.exp,
    "log": np.log,
    "log10": np.log10,
    "clip": np.clip,
    "sin": np.sin,
    "cos": np.cos,
}


def evaluate(formula: Formula, values: Mapping[str, Array | float]) -> Array:
    """Evaluate ``formula`` element-wise over arrays of draws (NumPy broadcasting)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.asarray(_eval(formula.tree, values), dtype=np.float64)


def _eval(node: Node, values: Mapping[str, Array | float]) -> Array | float:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Var):
        return values[node.name]
    if isinstance(node, Neg):
        return -_eval(node.operand, values)
    if isinstance(node, Bin):
        a, b = _eval(node.left, values), _eval(node.right, values)
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        if node.op == "/":
            return np.divide(a, b)
        return np.power(a, b)
    args = [_eval(a, values) for a in node.args]
    if node.func == "min":
        return _reduce(np.minimum, args)
    if node.func == "max":
        return _reduce(np.maximum, args)
    return _UFUNC[node.func](*args)


def _reduce(fn: Callable[[Array | float, Array | float], Array], args: list[Array | float]) -> Array | float:
    out = args[0]
    for a in args[1:]:
        out = fn(out, a)
    return out
