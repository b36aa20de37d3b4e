"""Robustness across parameters (`vraem compare --robustness FILE`): each headline finding is
computed again at every parameter set of a design, and robustness.csv says in how many it holds
and which parameter it is most sensitive to."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import SCENARIOS
from openpyxl import load_workbook
from typer.testing import CliRunner

from sim.cli.main import app
from sim.report.compare import plan_comparison, run_plan
from sim.report.effects import effect_table
from sim.report.robustness import (
    FALLS,
    RISES,
    ROBUSTNESS_FILE,
    ROBUSTNESS_SHEET,
    UNCLEAR,
    finding_line,
    robustness_table,
)
from sim.runner.batch import make_executor
from sim.sweep.robustness import load_robustness, run_robustness

runner = CliRunner()
INCOME = "growers.alt_net_income_usd_per_ha_year"  # default 1000.0
REPLANT = "growers.replant_fraction"  # default 0.6
WEEKS = 40


def _effect(scenario, outcome, change, half=1.0, window="first year", **extra):
    """One effect row: a mean change with an interval of +- `half` (clear if it excludes 0)."""
    return {
        "scenario": scenario,
        "counterfactual": "baseline",
        "window": window,
        "outcome": outcome,
        "change": change,
        "change_lo": change - half,
        "change_hi": change + half,
        "clear": abs(change) > half,
        "relative": True,
        "replicates": 5,
        **extra,
    }


def _sets(rows_by_set):
    """Stacked effect tables of parameter sets 0, 1, ...: one list of rows per set."""
    return pd.DataFrame(
        [dict(row, parameter_set=i) for i, rows in enumerate(rows_by_set) for row in rows]
    )


def test_robustness_counts_the_parameter_sets_where_each_finding_holds():
    main = pd.DataFrame(
        [_effect("surge", "exports", -5.0), _effect("surge", "violent deaths", 0.5)]
    )
    exports = [-6.0, -4.0, -0.5, -3.0]  # clear falls, then an unclear one, then a clear fall
    deaths = [0.2, 3.0, -0.1, 0.4]  # unclear, clear rise, unclear, unclear
    per_set = _sets(
        [
            [_effect("surge", "exports", e), _effect("surge", "violent deaths", d)]
            for e, d in zip(exports, deaths, strict=True)
        ]
    )
    points = pd.DataFrame({INCOME: [500.0, 1000.0, 1500.0, 2000.0]})
    table = robustness_table(main, per_set, points, design="grid").set_index("outcome")

    assert table.loc["exports", "main_finding"] == FALLS
    assert (table.loc["exports", "holds"], table.loc["exports", "of"]) == (3, 4)
    assert table.loc["exports", "unclear"] == 1
    assert table.loc["violent deaths", "main_finding"] == UNCLEAR
    # a "no clear change" holds where the interval includes zero there too
    assert (table.loc["violent deaths", "holds"], table.loc["violent deaths", "of"]) == (3, 4)
    assert table.loc["violent deaths", "clear_rise"] == 1
    assert table.loc["exports", "change_min"] == -6.0
    assert table.loc["exports", "change_max"] == -0.5


def test_a_finding_that_reverses_at_one_end_of_a_range_names_that_parameter_as_most_sensitive():
    # exports fall clearly at low income from the alternative crop and rise at the high end;
    # the replanting share is shuffled with no bearing on the effect
    income = [0.0, 0.25, 0.5, 0.75, 1.0]
    replant = [0.3, 0.9, 0.1, 0.7, 0.5]
    changes = [-10.0 + 15.0 * a for a in income]  # -10, -6.25, -2.5, +1.25, +5
    main = pd.DataFrame([_effect("surge", "exports", -4.0)])
    per_set = _sets([[_effect("surge", "exports", c)] for c in changes])
    points = pd.DataFrame({REPLANT: replant, INCOME: income})

    row = robustness_table(main, per_set, points, design="lhs").iloc[0]

    assert (row.holds, row.of, row.clear_rise) == (3, 5, 2)
    assert row.most_sensitive == INCOME
    assert row.spearman == pytest.approx(1.0)


# ----------------------------------------------------------------------------------------------
# with the model: a small eradication (weeks 10-29) over 40 weeks, 3 replicates
# ----------------------------------------------------------------------------------------------
def _scenario(folder: Path) -> Path:
    path = folder / "small_eradication.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "extends": str(SCENARIOS / "baseline.yaml"),
                "name": "small_eradication",
                "interventions": [
                    {
                        "type": "eradication",
                        "week": 10,
                        "weeks": 20,
                        "hectares": 8000,
                        "districts": ["pichari", "kimbiri", "santa_rosa", "llochegua", "sivia"],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    return path


def _robustness_file(folder: Path, **spec) -> Path:
    path = folder / "robustness.yaml"
    body = {"name": "small", "method": "grid", "parameters": {INCOME: {"values": [1000.0]}}}
    path.write_text(yaml.safe_dump(body | spec), encoding="utf-8")
    return path


def _plan(folder: Path):
    overrides = [f"weeks={WEEKS}", "replicates=3"]
    return plan_comparison(SCENARIOS / "baseline.yaml", [_scenario(folder)], overrides)


def test_a_parameter_set_at_the_scenarios_own_values_reproduces_the_main_comparison(tmp_path):
    plan = _plan(tmp_path)
    robustness = load_robustness(_robustness_file(tmp_path), plan.scenarios)
    pairs = run_plan(plan)
    main = effect_table(pairs[0].baseline, pairs[0].scenario)

    again = run_robustness(robustness, plan).effects

    assert again.drop(columns="parameter_set").equals(main)


def test_robustness_results_are_the_same_with_one_worker_or_two(tmp_path):
    plan = _plan(tmp_path)
    grid = {INCOME: {"values": [500.0, 2000.0]}, REPLANT: {"values": [0.3]}}
    robustness = load_robustness(_robustness_file(tmp_path, parameters=grid), plan.scenarios)
    results = []
    for workers in (1, 2):
        pool = make_executor(workers)
        try:
            results.append(run_robustness(robustness, plan, executor=pool).effects)
        finally:
            pool.shutdown(wait=True)

    pd.testing.assert_frame_equal(results[0], results[1], check_exact=True)
    assert sorted(set(results[0]["parameter_set"])) == [0, 1]


def test_compare_writes_robustness_csv_and_a_line_per_headline_finding_and_brief_keeps_them(
    tmp_path,
):
    grid = {INCOME: {"values": [500.0, 1000.0, 2000.0]}}
    rob = _robustness_file(tmp_path, parameters=grid)
    out = tmp_path / "cmp"
    args = ["compare", str(SCENARIOS / "baseline.yaml"), str(_scenario(tmp_path))]
    args += ["--replicates", "3", "--weeks", str(WEEKS), "--workers", "1", "--out", str(out)]
    result = runner.invoke(app, [*args, "--robustness", str(rob), "--no-figures"])
    assert result.exit_code == 0, result.output

    table = pd.read_csv(out / ROBUSTNESS_FILE)
    assert set(table["of"]) == {3}
    assert set(table["main_finding"]) <= {RISES, FALLS, UNCLEAR}
    assert {"scenario", "outcome", "main_finding", "holds", "of", "most_sensitive", "spearman"} <= (
        set(table.columns)
    )
    headline = table[table["headline"]]
    assert "Robustness across parameters (robustness.yaml: grid, 3 parameter sets" in result.output
    assert "3 replicates per run (from the comparison)" in result.output
    lines = result.output.splitlines()
    for row in headline.itertuples():  # one line per headline finding, as the report words it
        assert f"- {finding_line(row)}" in lines, finding_line(row)
    assert ROBUSTNESS_SHEET in load_workbook(out / "comparison.xlsx").sheetnames

    redrawn = runner.invoke(app, ["brief", str(out)])
    assert redrawn.exit_code == 0, redrawn.output
    briefing = (out / "briefing.md").read_text(encoding="utf-8")
    assert "Small eradication across parameters" in briefing
    assert "Robustness across parameters: every finding computed again at 3 parameter sets" in (
        briefing
    )
    pd.testing.assert_frame_equal(pd.read_csv(out / ROBUSTNESS_FILE), table)


@pytest.mark.parametrize(
    ("spec", "key", "expected"),
    [
        (
            {"parameters": {"growers.no_such_key": {"values": [1.0]}}},
            "parameters.growers.no_such_key",
            "unknown key",
        ),
        (
            {"parameters": {"interventions.0.week": {"values": [20]}}},
            "parameters.interventions.0.week",
            "expected a key path of every compared scenario, but baseline has none",
        ),
        ({"parameters": {INCOME: {"values": [-5.0]}}}, f"parameters.{INCOME}", "-5.0 is not valid"),
        ({"method": "lhs"}, "samples", "expected a number of samples"),
        ({"replicates": 1}, "replicates", "greater than or equal to 3"),
        ({"base": "../baseline.yaml"}, "base", "expected no `base` in a robustness file"),
    ],
)
def test_a_bad_robustness_file_exits_2_naming_the_file_and_key(tmp_path, spec, key, expected):
    rob = _robustness_file(tmp_path, **spec)
    args = ["compare", str(SCENARIOS / "baseline.yaml"), str(_scenario(tmp_path))]
    args += ["--replicates", "3", "--weeks", str(WEEKS), "--out", str(tmp_path / "cmp")]
    result = runner.invoke(app, [*args, "--robustness", str(rob)])

    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert str(rob) in text
    assert key in text
    assert expected in text
    assert "Traceback" not in result.output
    assert not (tmp_path / "cmp").exists()


def _failing_at(sets: set[int], monkeypatch) -> None:
    """Make the runs of the given parameter sets fail (the main comparison runs as usual)."""
    import sim.sweep.robustness as robustness

    calls = {"set": -1}
    real = robustness.run_plan

    def run_plan_or_fail(plan, **kwargs):
        calls["set"] += 1
        if calls["set"] in sets:
            raise RuntimeError("the model diverged")
        return real(plan, **kwargs)

    monkeypatch.setattr(robustness, "run_plan", run_plan_or_fail)


def _compare_with_robustness(folder: Path, values: list[float]):
    rob = _robustness_file(folder, parameters={INCOME: {"values": values}})
    args = ["compare", str(SCENARIOS / "baseline.yaml"), str(_scenario(folder))]
    args += ["--replicates", "3", "--weeks", str(WEEKS), "--workers", "1"]
    args += ["--out", str(folder / "cmp"), "--no-figures", "--robustness", str(rob)]
    return runner.invoke(app, args)


def test_a_parameter_set_that_fails_is_left_out_and_named(tmp_path, monkeypatch):
    _failing_at({1}, monkeypatch)
    result = _compare_with_robustness(tmp_path, [500.0, 1000.0, 2000.0])

    assert result.exit_code == 0, result.output
    assert "parameter set 1 failed and is left out: RuntimeError: the model diverged" in (
        " ".join(result.output.split())
    )
    table = pd.read_csv(tmp_path / "cmp" / ROBUSTNESS_FILE)
    assert set(table["of"]) == {2} and set(table["failed"]) == {1}


def test_when_every_parameter_set_fails_no_comparison_folder_is_written(tmp_path, monkeypatch):
    _failing_at({0, 1}, monkeypatch)
    result = _compare_with_robustness(tmp_path, [500.0, 2000.0])

    assert result.exit_code == 1, result.output
    assert "every parameter set failed" in result.output
    assert not (tmp_path / "cmp").exists()
