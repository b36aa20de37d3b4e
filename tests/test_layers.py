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
