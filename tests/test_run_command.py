"""`vraem run` writes the result folder of the spec, atomically."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import SCENARIOS, baseline_run
from typer.testing import CliRunner

from sim.cli.main import app
from sim.recorder import TIMESERIES_COLUMNS
from sim.runner.results import write_result_folder

runner = CliRunner()


@pytest.fixture(scope="module")
def result_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "baseline"
    res = runner.invoke(
        app,
        [
            "run",
            str(SCENARIOS / "baseline.yaml"),
            "--replicates",
            "2",
            "--weeks",
            "60",
            "--workers",
            "1",
            "--seed",
            "5",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output + res.stderr
    return out


def test_result_folder_has_every_file_of_the_spec(result_dir):
    for name in (
        "timeseries.parquet",
        "exits.parquet",
        "summary.csv",
        "run.json",
        "figures/dashboard.png",
        "figures/exit_shares.png",
        "figures/route_map.png",
    ):
        assert (result_dir / name).is_file(), name
    assert not list(result_dir.parent.glob(".baseline.tmp-*"))


def test_timeseries_has_the_spec_columns_and_one_row_per_replicate_and_week(result_dir):
    ts = pd.read_parquet(result_dir / "timeseries.parquet")
    assert list(ts.columns) == ["scenario", "replicate", "seed", "week", *TIMESERIES_COLUMNS]
    assert len(ts) == 2 * 60
    assert sorted(ts["week"].unique()) == list(range(60))
    assert ts["leader_in_place"].dtype == bool
    exits = pd.read_parquet(result_dir / "exits.parquet")
    assert {
        "replicate",
        "week",
        "exit",
        "group",
        "exported_kg",
        "seized_kg",
        "price_hcl_usd_per_kg",
    } <= set(exits.columns)
    assert len(exits) == 2 * 60 * 7
    # exits add up to the time series
    by_week = exits.groupby(["replicate", "week"])[["exported_kg", "seized_kg"]].sum()
    ts = ts.set_index(["replicate", "week"])
    assert (by_week["exported_kg"] - ts["exported_kg"]).abs().max() < 1e-6
    assert (by_week["seized_kg"] - ts["seized_kg"]).abs().max() < 1e-6


def test_manifest_records_config_seeds_and_versions(result_dir):
    info = json.loads((result_dir / "run.json").read_text())
    assert info["master_seed"] == 5 and len(info["replicate_seeds"]) == 2
    assert info["config"]["weeks"] == 60 and info["config"]["name"] == "baseline"
    assert {"mesa", "numpy", "vraem-sim"} <= set(info["versions"])
    assert info["wall_time_s"] > 0
    summary = pd.read_csv(result_dir / "summary.csv")
    assert len(summary) == 2 and "exported_t_y1" in summary.columns


def test_a_failure_while_writing_leaves_the_old_folder_as_it_was(tmp_path, monkeypatch):
    out = write_result_folder(baseline_run(1, 5), tmp_path / "kept")  # an earlier result
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("sim.runner.results.write_tables", broken)
    res = runner.invoke(
        app,
        [
            "run",
            str(SCENARIOS / "baseline.yaml"),
            "--replicates",
            "1",
            "--weeks",
            "5",
            "--workers",
            "1",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 1
    assert "internal error" in res.stderr and "Traceback" not in res.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["kept"]
