"""The package's structure: no module reaches into another module's private names."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

SIM = REPO / "sim"


def _is_private(name: str) -> bool:
    """``_x`` is private; dunder names (``__version__``) are not."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported_module(node: ast.ImportFrom, path: Path) -> str:
    """The absolute module of ``from ... import`` (relative imports resolved)."""
    if node.level == 0:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _is_sim_module(dotted: str) -> bool:
    """Whether ``dotted`` names a module or package of sim (not a name inside one)."""
    path = REPO.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def private_imports(path: Path) -> list[str]:
    """Each private name of another sim module that ``path`` imports or reads as an attribute
    of an imported sim module, as "line: what"."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    modules: dict[str, str] = {}  # local name -> sim module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _imported_module(node, path)
            if source != "sim" and not source.startswith("sim."):
                continue
            for alias in node.names:
                if _is_private(alias.name):
                    found.append(f"{node.lineno}: from {source} import {alias.name}")
                elif _is_sim_module(f"{source}.{alias.name}"):
                    modules[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "sim" or alias.name.startswith("sim."):
                    private = [p for p in alias.name.split(".") if _is_private(p)]
                    if private:
                        found.append(f"{node.lineno}: import {alias.name}")
                    if alias.asname:
                        modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and _is_private(node.attr)
        ):
            found.append(f"{node.lineno}: {modules[node.value.id]}.{node.attr}")
    return found


def test_no_module_imports_another_modules_private_names():
    offenders = {
        str(path.relative_to(REPO)): hits
        for path in sorted(SIM.rglob("*.py"))
        if (hits := private_imports(path))
    }
    assert not offenders, f"private names used across modules: {offenders}"


def test_the_check_sees_private_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from sim.report.style import _hidden, footer\n"
        "import sim.report.style as st\n"
        "from sim import __version__\n"
        "x = st._RC\n"
        "y = st.RC\n",
        encoding="utf-8",
    )
    assert private_imports(sample) == [
        "1: from sim.report.style import _hidden",
        "4: sim.report.style._RC",
    ]
