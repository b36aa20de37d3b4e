"""A run whose figures fail to draw keeps its data: `vraem run` and `vraem compare` still write
their result folder (tables, manifests), say in one line that the figures failed and how to draw
them again, and exit 1."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import SCENARIOS
from typer.testing import CliRunner

from sim.cli.main import app

runner = CliRunner()

FAILED_EXIT = 1
HOUSEHOLDS = "growers.households=500"  # a small model: the figures are what is tested
RUN_TABLES = ("timeseries.parquet", "exits.parquet", "edge_flows.parquet", "events.parquet")


def _broken(name: str):
    """A drawing function that writes part of its output into the folder it is given, then
    fails."""

    def draw(*args, **kwargs):
        folder = next(a for a in args if isinstance(a, Path))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("half drawn")
        raise RuntimeError("no font for the legend")

    return draw


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "could not be drawn" in line]


def test_run_keeps_its_tables_when_the_figures_fail(tmp_path, monkeypatch):
    monkeypatch.setattr("sim.cli.main._draw_run_figures", _broken("dashboard.png"))
    # a wide console, as on a wide terminal: "results in PATH" stays on one line however long
    # the test's folder is (pytest-xdist's are 10 characters longer, past the 80 columns)
    monkeypatch.setattr("sim.cli.common.out._width", 200)
    out = tmp_path / "run"
    args = ["run", str(SCENARIOS / "baseline.yaml"), "--replicates", "2", "--weeks", "20"]
    args += ["--workers", "1", "--set", HOUSEHOLDS, "--out", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == FAILED_EXIT, res.output + res.stderr
    assert "Traceback" not in res.stderr
    for name in (*RUN_TABLES, "summary.csv", "run.json"):
        assert (out / name).is_file(), name
    (line,) = _error_lines(res.stderr)
    assert "RuntimeError: no font for the legend" in line and str(out.resolve()) in line
    assert "run the same command again" in line
    assert json.loads((out / "run.json").read_text())["replicates"] == 2
    assert not (out / "figures").exists(), "half-drawn figures must not be left"
    assert f"results in {out.resolve()}" in res.output  # the run itself is reported as usual
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temporary folder left


def test_compare_keeps_its_runs_when_the_briefing_fails_and_brief_draws_it(tmp_path, monkeypatch):
    scenario = tmp_path / "surge.yaml"
    scenario.write_text(
        f"name: surge\nextends: {SCENARIOS / 'baseline.yaml'}\ninterventions:\n"
        "  - {type: interdiction_surge, week: 5, weeks: 10, nodes: [callao], factor: 3.0}\n",
        encoding="utf-8",
    )
    out = tmp_path / "compare"
    args = ["compare", str(SCENARIOS / "baseline.yaml"), str(scenario), "--replicates", "3"]
    args += ["--weeks", "20", "--workers", "1", "--set", HOUSEHOLDS, "--out", str(out)]
    monkeypatch.setattr("sim.report.publish.write_briefing", _broken("comparison.csv"))
    res = runner.invoke(app, args)
    assert res.exit_code == FAILED_EXIT, res.output + res.stderr
    assert "Traceback" not in res.stderr
    # the runs and comparison.json only: nothing half drawn
    assert out.is_dir() and sorted(p.name for p in out.iterdir()) == ["comparison.json", "runs"]
    (line,) = _error_lines(res.stderr)
    assert f"vraem brief {out.resolve()}" in line
    for run in ("baseline", "surge"):
        for name in (*RUN_TABLES, "run.json"):
            assert (out / "runs" / run / name).is_file(), (run, name)
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == ["compare"]

    monkeypatch.undo()  # drawing works again: `vraem brief` draws from the kept runs
    res = runner.invoke(app, ["brief", str(out)])
    assert res.exit_code == 0, res.output + res.stderr
    for name in ("comparison.csv", "briefing.md", "briefing.pdf", "figures"):
        assert (out / name).exists(), name
