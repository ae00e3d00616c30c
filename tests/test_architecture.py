"""The import graph keeps the architecture (issue 14): import-linter's contracts in pyproject.toml (bench above app
above s11data; s11data never imports Streamlit, app or bench; s11data's subpackages in layers), no import cycle
between modules, no dynamic import route out of s11data, and pages that only read filters, call app/ and draw."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

PROJECT = Path(__file__).resolve().parent.parent
PACKAGES = ("s11data", "app", "bench")


def test_the_import_contracts_in_pyproject_are_kept(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(PROJECT)
    assert lint_imports(config_filename=str(PROJECT / "pyproject.toml"), no_cache=True) == 0


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The import cycles of `graph`: each strongly connected set of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while (member := stack.pop()) != module:
                component.append(member)
            if component:
                found.append(sorted([module, *component]))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_another_that_imports_it_back() -> None:
    graph = grimp.build_graph(*PACKAGES)
    assert cycles(graph) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = grimp.build_graph(*PACKAGES)
    graph.add_import(importer="s11data.store.models", imported="s11data.views.heat_map")
    assert any({"s11data.store.models", "s11data.views.heat_map"} <= set(c) for c in cycles(graph))


def test_s11data_has_no_dynamic_import() -> None:
    """`import_module` / `__import__` would be a route to app or Streamlit that no import graph shows."""
    dynamic = [f"{path.relative_to(PROJECT)}:{number}" for path in sorted((PROJECT / "s11data").rglob("*.py"))
               for number, line in enumerate(path.read_text().splitlines(), 1)
               if re.search(r"\bimport_module\b|__import__\(", line)]
    assert dynamic == []


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_pages_read_through_app_and_never_write_sql() -> None:
    for page in sorted((PROJECT / "pages").glob("*.py")):
        imported = _imports(page)
        assert not [m for m in imported if m.split(".")[0] in ("bench", "sqlalchemy")], page.name
        assert not re.search(r"\b(SELECT|INSERT INTO|DELETE FROM)\b|\bUPDATE \w+ SET\b", page.read_text()), page.name
        assert not re.search(r'reads\.get\("', page.read_text()), page.name  # typed reads only
