"""The `vraem` command itself: its version."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

from typer.testing import CliRunner

from sim.cli.main import app

runner = CliRunner()


def test_vraem_version_prints_the_package_version_and_exits_0():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output == f"vraem-sim {version('vraem-sim')}\n"


def test_python_dash_m_sim_version_is_the_same():
    done = subprocess.run(
        [sys.executable, "-m", "sim", "--version"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"vraem-sim {version('vraem-sim')}"


def test_vraem_version_falls_back_to_the_source_tree_version_when_not_installed(monkeypatch):
    import importlib.metadata

    import sim

    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"vraem-sim {sim.__version__}\n"
