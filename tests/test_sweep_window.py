"""The metric window of a sweep in weeks (`weeks: [first, last]`, instead of `years`): flows as a
rate per year over those weeks, levels as their mean, as `sim.metrics.over_weeks` measures."""

from __future__ import annotations

import math

import pytest
import yaml
from conftest import SCENARIOS
from typer.testing import CliRunner

from sim.cli.main import app
from sim.metrics import OUTCOMES
from sim.runner.replicate import ReplicateTask, run_replicate
from sim.scenarios import load_scenario
from sim.sweep.evaluate import run_metrics
from sim.units import WEEKS_PER_YEAR

ALL = tuple(OUTCOMES)


@pytest.fixture(scope="module")
def run_tables():
    """One 60-week replicate of a leader's capture in week 15."""
    scenario = load_scenario(SCENARIOS / "arrest_leader.yaml").model_copy(update={"weeks": 60})
    result = run_replicate(ReplicateTask(scenario, 0, 20231113))
    return result.timeseries, result.exits


def test_weeks_0_to_51_are_year_1(run_tables):
    ts, ex = run_tables
    by_year = run_metrics(ts, ex, ALL, (1, 1))
    by_weeks = run_metrics(ts, ex, ALL, (1, 1), (0, 51))
    assert by_weeks == pytest.approx(by_year, rel=1e-12, abs=1e-12)


def test_a_window_gives_flows_per_year_and_levels_as_means(run_tables):
    ts, ex = run_tables
    got = run_metrics(ts, ex, ("deaths", "non_armed_deaths", "armed_groups"), (2, 5), (15, 40))
    window = ts[(ts["week"] >= 15) & (ts["week"] <= 40)]
    assert len(window) == 26
    assert got["deaths"] == pytest.approx(window["deaths"].sum() / 26 * WEEKS_PER_YEAR)
    non_armed = window["deaths_security"] + window["deaths_civilians"]
    assert got["non_armed_deaths"] == pytest.approx(non_armed.sum() / 26 * WEEKS_PER_YEAR)
    assert got["armed_groups"] == pytest.approx(window["armed_groups"].mean())


def test_a_window_is_cut_at_the_horizon_and_empty_beyond_it(run_tables):
    ts, ex = run_tables
    assert run_metrics(ts, ex, ("deaths",), (2, 5), (40, 500)) == pytest.approx(
        run_metrics(ts, ex, ("deaths",), (2, 5), (40, 59))
    )
    assert math.isnan(run_metrics(ts, ex, ("deaths",), (2, 5), (60, 70))["deaths"])


def _sweep(folder, **extra):
    spec = {
        "name": "window",
        "base": str(SCENARIOS / "baseline.yaml"),
        "scenario": {"weeks": 60},
        "method": "grid",
        "parameters": {"security.interdiction_capacity": {"values": [0.5, 1.0]}},
        "metrics": ["deaths"],
        **extra,
    }
    path = folder / "window.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"weeks": [52, 77], "years": [2, 2]}, "either `weeks` or `years`"),
        ({"weeks": [30, 10]}, "0 <= first <= last"),
        ({"weeks": [52, 60]}, "within the 60-week horizon (0-59)"),
    ],
)
def test_bad_windows_are_refused_naming_the_file_and_key(tmp_path, change, expected):
    result = CliRunner().invoke(app, ["check", str(_sweep(tmp_path, **change))])
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "window.yaml" in message and "key 'weeks'" in message and expected in message


def test_a_window_needs_no_year_in_the_horizon(tmp_path):
    """The default `years` (2-5) does not apply, so a 40-week sweep with a window is valid."""
    path = _sweep(tmp_path, scenario={"weeks": 40}, weeks=[0, 39])
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
