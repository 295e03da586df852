"""The house keeps its shape: packages import only downward, and the CLI holds no analysis.

Layers, from the interfaces down to the error tree; a module may import from its own package and from any layer
below it, never from one above (so there can be no package cycle). ``armsflow`` itself only re-exports lazily.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "armsflow"

LAYERS: list[set[str]] = [
    {"cli"},
    {"display", "report", "web"},
    {"engine", "gdelt", "intake", "screen", "history"},
    {"study"},
    {"indicators"},
    {"results"},
    {"evidence"},
    {"model"},
    {"errors", "reference", "studies"},  # the last two hold data files only
]
RANK = {name: i for i, names in enumerate(LAYERS) for name in names}


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every ``armsflow.*`` module a file imports, anywhere in it (inside functions and TYPE_CHECKING too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "armsflow":
                found += [(node.lineno, f"armsflow.{a.name}") for a in node.names]
            elif node.module.startswith("armsflow."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("armsflow.")]
    return found


def _package(path: Path) -> str:
    return path.relative_to(SRC).parts[0].removesuffix(".py")


def test_every_package_has_a_layer() -> None:
    packages = {_package(p) for p in SRC.rglob("*.py")} - {"__init__"}
    assert packages <= set(RANK), f"add {sorted(packages - set(RANK))} to LAYERS"


@pytest.mark.parametrize("path", sorted(p for p in SRC.rglob("*.py") if p.name != "__init__.py" or p.parent != SRC),
                         ids=lambda p: str(p.relative_to(SRC)))
def test_imports_go_only_downward(path: Path) -> None:
    here = _package(path)
    wrong = []
    for line, module in _imports(path):
        target = module.split(".")[1]
        if target == "__version__" or target == here or target not in RANK:
            continue
        if RANK[target] < RANK[here]:
            wrong.append(f"{path.relative_to(SRC)}:{line}: {here} imports {module} from a higher layer")
    assert not wrong, "\n".join(wrong)


# armsflow.web: `serve` hands the folders to the web package, which (like the display layer) only presents.
ALLOWED_IN_CLI = {"armsflow", "armsflow.cli", "armsflow.display", "armsflow.errors", "armsflow.results",
                  "armsflow.gdelt", "armsflow.intake", "armsflow.web"}
ARITHMETIC = (ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
COUNTING = {"len", "sum", "min", "max", "round", "sorted", "abs"}


@pytest.mark.parametrize("path", sorted((SRC / "cli").glob("*.py")), ids=lambda p: p.name)
def test_the_cli_holds_no_analysis(path: Path) -> None:
    """The CLI calls the public library and the display layer; it computes, counts, compares and formats nothing."""
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        where = f"cli/{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("armsflow"):
            module = node.module
            if module not in ALLOWED_IN_CLI and not module.startswith(("armsflow.cli.", "armsflow.display.")):
                found.append(f"{where}: imports {module}; call the public API (armsflow.*) instead")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ARITHMETIC):
            found.append(f"{where}: arithmetic")
        elif isinstance(node, ast.Compare) and any(isinstance(op, ORDERING) for op in node.ops):
            found.append(f"{where}: an ordering comparison")
        elif isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            found.append(f"{where}: a number format (belongs in armsflow.display)")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in COUNTING:
            found.append(f"{where}: {node.func.id}() (counting belongs in the library)")
    assert not found, "\n".join(found)


def test_public_names_are_not_shadowed_by_modules() -> None:
    """A lazily exported function must not share its name with a subpackage: importing that subpackage (as
    ``importlib.resources`` does for ``armsflow.studies``) would replace the function by the module."""
    import armsflow

    modules = {p.stem if p.is_file() else p.name for p in SRC.iterdir()}
    assert not set(armsflow.__all__) & modules
