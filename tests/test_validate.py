"""`vraem validate` and the calibration procedure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from conftest import SCENARIOS
from typer.testing import CliRunner

from sim.calibration import calibrate, load_targets
from sim.calibration.validate import target_values
from sim.cli.main import VALIDATION_MISSED, app

runner = CliRunner()


def test_validate_writes_the_table_and_figure_and_exits_0_when_all_pass(tmp_path):
    out = tmp_path / "val"
    res = runner.invoke(
        app,
        [
            "validate",
            "--replicates",
            "2",
            "--out",
            str(out),
            "--scenario",
            str(SCENARIOS / "baseline.yaml"),
        ],
    )
    assert res.exit_code == 0, res.output + res.stderr
    table = pd.read_csv(out / "validation.csv")
    assert list(table["target"]) == list(load_targets())
    assert (out / "figures" / "validation.png").is_file()
    assert (out / "figures" / "validation.svg").is_file()  # written like every figure
    assert "| target |" in (out / "validation.md").read_text()
    n = len(load_targets())
    assert f"{n} of {n} targets inside their band" in res.output


def test_validate_exits_3_and_names_the_missed_target(tmp_path):
    scenario = tmp_path / "heavy.yaml"
    scenario.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\nname: heavy\n"
        "security:\n  interdiction_capacity: 4.0\n"  # four times the police: too many seizures
    )
    res = runner.invoke(
        app,
        [
            "validate",
            "--replicates",
            "2",
            "--out",
            str(tmp_path / "v"),
            "--scenario",
            str(scenario),
        ],
    )
    assert res.exit_code == VALIDATION_MISSED
    table = pd.read_csv(tmp_path / "v" / "validation.csv").set_index("target")
    assert table.loc["seizure_share", "status"] == "MISS"


def test_every_target_is_either_fitted_or_held_back():
    fitted, held = calibrate.fitted_and_held_back()
    assert not set(fitted) & set(held)
    assert set(fitted) | set(held) == set(load_targets())


def test_distance_is_zero_on_the_reported_values_and_grows_away_from_them():
    values = target_values()
    targets = load_targets()
    table = pd.DataFrame(
        {
            "target": list(targets),
            "model_mean": [values[t] for t in targets],
            "band_low": [t["band"][0] for t in targets.values()],
            "band_high": [t["band"][1] for t in targets.values()],
        }
    )
    assert calibrate.distance(table) == 0.0
    table.loc[table["target"] == "seizure_share", "model_mean"] += 0.05
    assert calibrate.distance(table) > 0.1


def test_the_shipped_baseline_holds_the_calibrated_values_of_every_free_parameter():
    text = (SCENARIOS / "baseline.yaml").read_text()
    assert calibrate.BEGIN in text and calibrate.END in text
    data = yaml.safe_load(text)
    for p in calibrate.FREE:
        node = data
        for part in p.key.split("."):
            node = node[part]
        assert p.low <= node <= p.high, p.key
    # rewriting the block with the same values changes nothing
    point = np.array([_lookup(data, p.key) for p in calibrate.FREE])
    again = calibrate.strip_block(text).rstrip("\n") + "\n\n" + calibrate.block_for(point)
    assert again == text


def _lookup(data: dict, key: str) -> float:
    for part in key.split("."):
        data = data[part]
    return float(data)


def test_a_drifting_baseline_ranks_after_any_steady_one():
    targets = load_targets()
    values = target_values()

    def table(shift: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "target": list(targets),
                "model_mean": [values[t] + shift for t in targets],
                "band_low": [t["band"][0] for t in targets.values()],
                "band_high": [t["band"][1] for t in targets.values()],
            }
        )

    steady_but_far = calibrate.score(table(0.01), {"armed_members": 0.05})
    close_but_drifting = calibrate.score(table(0.0), {"armed_members": 0.3})
    assert steady_but_far < close_but_drifting


def test_drift_measures_the_change_from_year_2_to_year_5_in_band_widths():
    weeks = np.arange(260)
    ts = pd.DataFrame(
        {
            "week": weeks,
            "armed_members": np.where(weeks >= 208, 450.0, 300.0),  # +150 = one band width
            "armed_fighters": 100.0,
            "coca_ha": 36_000.0,
        }
    )
    d = calibrate.drift(ts)
    assert d["armed_members"] == 1.0 and d["armed_fighters"] == 0.0 and d["coca_ha"] == 0.0


def test_vraem_validate_works_from_any_folder(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # no scenarios/ folder here
    res = runner.invoke(app, ["validate", "--replicates", "1", "--workers", "1", "--out", "val"])
    assert res.exit_code in (0, VALIDATION_MISSED), res.output + res.stderr
    assert (elsewhere / "val" / "validation.csv").is_file()
    assert "targets inside their band" in res.output


def test_the_packaged_baseline_is_the_repository_baseline():
    import sim.calibration
    from sim.calibration import packaged_baseline

    shipped = packaged_baseline()
    assert shipped.parent == Path(sim.calibration.__file__).parent  # inside the package
    # one file: a link in the repository (a copy in an installed package) that must not drift
    assert shipped.read_bytes() == (SCENARIOS / "baseline.yaml").read_bytes()


def test_the_packaged_baseline_is_package_data():
    import tomllib
    from fnmatch import fnmatch

    from conftest import REPO

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["sim.calibration"]
    assert any(fnmatch("baseline.yaml", p) for p in patterns), patterns
