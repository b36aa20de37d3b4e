"""The import layers: config -> network -> scenarios, never back (every import statement
counts, also those inside functions and under TYPE_CHECKING)."""

from __future__ import annotations

import ast

import pytest
from conftest import REPO

FORBIDDEN = {
    "sim/config": ("sim.network", "sim.scenarios"),
    "sim/network": ("sim.scenarios",),
}


def imported_modules(path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


@pytest.mark.parametrize("folder", FORBIDDEN)
def test_a_lower_layer_imports_nothing_from_a_higher_one(folder):
    files = sorted((REPO / folder).rglob("*.py"))
    assert files
    for path in files:
        for name in imported_modules(path):
            assert not name.startswith(FORBIDDEN[folder]), f"{path.name} imports {name}"


def _module_name(path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def test_no_module_of_sim_takes_part_in_an_import_cycle():
    """Module-level graph of every `sim` import (inside functions and under TYPE_CHECKING too);
    `from sim.a import b` counts as importing `sim.a.b` when that is a module, else `sim.a`."""
    import networkx as nx

    paths = sorted((REPO / "sim").rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    graph = nx.DiGraph()
    for path in paths:
        source = _module_name(path)
        graph.add_node(source)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    full = f"{node.module}.{a.name}"
                    targets.append(full if full in modules else node.module)
            for target in targets:
                if target in modules and target != source:
                    graph.add_edge(source, target)
    cycles = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles}"
