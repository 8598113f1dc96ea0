"""The package's layering: no import circles, no module importing one that stands above it, no module over 400 lines.

The layers are those that ``docs/architecture.md`` states (its "What each module may import" list);
imports are read from the source (inside functions and ``TYPE_CHECKING`` blocks too: a circle
hidden there is still a circle).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "taxonomy"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """The modules of the package that a module imports, anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:  # ``from package import module`` takes the module, not the package
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {m for m in found if m in modules and m != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, name, modules) for name, path in modules.items()}


def _unit(module: str) -> str:
    """The top-level module or sub-package of taxonomy a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "taxonomy"


def _layers() -> dict[str, int]:
    """The layer of each unit, from the list in docs/architecture.md (top layer first)."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    block = text.split("<!-- layers -->")[1]
    rows = re.findall(r"^\| *(\d+) *\| *([^|]+)\|", block, flags=re.MULTILINE)
    return {unit.strip(" `"): int(layer) for layer, units in rows for unit in units.split(",")}


def test_every_unit_has_a_layer() -> None:
    units = {_unit(m) for m in _modules()}
    assert sorted(units - set(_layers())) == []


def test_no_module_imports_one_above_it_or_beside_it() -> None:
    layers = _layers()
    upward = sorted(
        f"{module} ({layers[_unit(module)]}) imports {target} ({layers[_unit(target)]})"
        for module, targets in _graph().items()
        for target in targets
        if _unit(module) != _unit(target) and layers[_unit(target)] >= layers[_unit(module)]
    )
    assert upward == []


def test_no_import_circles() -> None:
    graph = _graph()
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                circles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert circles == []


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_module_is_over_400_lines(path: Path) -> None:
    name = path.relative_to(ROOT).as_posix()
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name}: {lines} lines; split it by format or family"
