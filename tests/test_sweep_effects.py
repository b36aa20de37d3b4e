"""Paired intervention effects in sweeps (`effects: true`): each run also runs its counterfactual
(the same scenario, parameter values and seed with no interventions), and runs.parquet holds the
level, the counterfactual, the effect and the ratio of every metric."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import SCENARIOS
from typer.testing import CliRunner

from sim.cli.main import app
from sim.config.loader import set_key
from sim.runner.replicate import ReplicateTask, run_replicate
from sim.scenarios import validate_scenario
from sim.sweep.evaluate import run_metrics
from sim.sweep.results import write_sweep_outputs
from sim.sweep.runner import run_sweep
from sim.sweep.spec import load_sweep

METRICS = ["deaths", "armed_groups", "exported_t", "seizure_share"]
WINDOW = (10, 59)
PARAMS = ["armed_group.violence.threat_weight", "interventions.0.week"]


def _effects_sweep(folder: Path, **extra) -> Path:
    """A Morris design with one trajectory over the armed groups' threat weight and the week of
    the leader's capture: 3 design points + 1 reference run of 60 weeks, each with its
    counterfactual (8 model runs, a few seconds)."""
    spec = {
        "name": "effects",
        "base": str(SCENARIOS / "baseline.yaml"),
        "scenario": {
            "weeks": 60,
            "interventions": [
                {"type": "arrest_leader", "week": 15, "who": "leader", "outcome": "captured"}
            ],
        },
        "method": "morris",
        "samples": 1,
        "parameters": {
            PARAMS[0]: {"low": 0.4, "high": 1.6},
            PARAMS[1]: {"low": 10, "high": 30, "integer": True},
        },
        "replicates": 1,
        "metrics": METRICS,
        "weeks": list(WINDOW),
        "effects": True,
        "effect_ratio": True,
        **extra,
    }
    path = folder / "effects.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def _run(path: Path, out: Path, figures: bool = False, **kw):
    return run_sweep(
        load_sweep(path),
        out,
        finalize=lambda s, d, r, f: write_sweep_outputs(s, d, r, f, figures=figures),
        **kw,
    )


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("effects")
    path = _effects_sweep(folder)
    out = folder / "out"
    _run(path, out, figures=True, workers=1)
    return path, out


def test_runs_hold_level_counterfactual_effect_and_ratio_of_every_metric(swept):
    _, out = swept
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 4 and (runs["status"] == "ok").all()
    derived = [f"{m}_{s}" for s in ("counterfactual", "effect", "ratio") for m in METRICS]
    assert list(runs.columns[-4 * len(METRICS) :]) == METRICS + derived
    for m in METRICS:
        level, cf = runs[m], runs[f"{m}_counterfactual"]
        assert (runs[f"{m}_effect"] == level - cf).all()  # exactly, not approximately
        ratio = runs[f"{m}_ratio"]
        assert ((ratio == level / cf) | (cf == 0) & ratio.isna()).all()
    # the capture changes something: not every effect is zero
    assert (runs[[f"{m}_effect" for m in METRICS]] != 0).to_numpy().any()


def test_the_counterfactual_is_the_run_without_interventions_at_the_same_seed(swept):
    path, out = swept
    sweep = load_sweep(path)
    runs = pd.read_parquet(out / "runs.parquet")
    for _, row in runs.iterrows():
        data = copy.deepcopy(sweep.base)
        if row["point"] >= 0:
            for key in PARAMS:
                value = row[key]
                set_key(data, key, value.item() if hasattr(value, "item") else value, "test")
        for interventions, suffix in ((data["interventions"], ""), ([], "_counterfactual")):
            data["interventions"] = interventions
            scenario = validate_scenario(copy.deepcopy(data), "test")
            result = run_replicate(ReplicateTask(scenario, 0, int(row["seed"])))
            direct = run_metrics(result.timeseries, result.exits, tuple(METRICS), (2, 5), WINDOW)
            for m in METRICS:
                assert row[f"{m}{suffix}"] == direct[m], (row["run_id"], m, suffix)
    # the counterfactual does not see the intervention's week: points differing only in it
    # have the same counterfactual
    design = runs[runs["point"] >= 0]
    same = design.groupby(PARAMS[0]).filter(lambda g: g[PARAMS[1]].nunique() > 1)
    assert not same.empty
    cf = [f"{m}_counterfactual" for m in METRICS]
    assert same.groupby(PARAMS[0])[cf].nunique().eq(1).all().all()


def test_analysis_and_figures_cover_the_effect_columns(swept):
    _, out = swept
    sens = pd.read_csv(out / "sensitivity.csv")
    assert list(sens.columns) == [
        "metric",
        "parameter",
        "method",
        "mu",
        "mu_star",
        "mu_star_conf",
        "sigma",
        "note",
    ]
    expected = load_sweep(out.parent / "effects.yaml").spec.metric_columns
    assert list(dict.fromkeys(sens["metric"])) == expected
    assert sens.loc[sens["metric"] == "deaths_effect", "mu_star"].notna().all()
    points = pd.read_csv(out / "points.csv")
    assert set(expected) <= set(points.columns)
    figures = sorted(p.name for p in (out / "figures").glob("*.png"))
    kinds = ["", "_counterfactual", "_effect", "_ratio"]
    assert figures == sorted(f"{f}{k}.png" for f in ("scatter", "sensitivity") for k in kinds)


def test_effects_are_the_same_with_2_workers_and_after_a_resume(swept, tmp_path):
    path, out = swept
    expected = (out / "runs.parquet").read_bytes()
    two = _run(path, tmp_path / "two", workers=2).folder
    assert (two / "runs.parquet").read_bytes() == expected

    class Stop(KeyboardInterrupt):
        pass

    def stop(done: int, total: int, failed: int) -> None:
        if done >= 2:
            raise Stop

    spec = yaml.safe_load(path.read_text())
    spec["chunk_size"] = 1
    chunked = tmp_path / "effects.yaml"
    chunked.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(Stop):
        _run(chunked, tmp_path / "resumed", workers=1, on_progress=stop)
    ledger = pd.concat(
        pd.read_parquet(p) for p in (tmp_path / ".resumed.partial" / "ledger").glob("*.parquet")
    )
    assert {"deaths_effect", "deaths_counterfactual", "deaths_ratio"} <= set(ledger.columns)
    outcome = _run(chunked, tmp_path / "resumed", workers=1, resume=True)
    assert outcome.executed == 2
    assert (outcome.folder / "runs.parquet").read_bytes() == expected


def test_a_ratio_to_a_zero_counterfactual_is_nan():
    from sim.sweep.evaluate import effect_columns

    got = effect_columns(
        {"deaths": 3.0, "armed_groups": 2.0}, {"deaths": 0.0, "armed_groups": 4.0}, True
    )
    assert got["deaths_effect"] == 3.0 and math.isnan(got["deaths_ratio"])
    assert got["armed_groups_effect"] == -2.0 and got["armed_groups_ratio"] == 0.5
    assert "deaths_ratio" not in effect_columns({"deaths": 1.0}, {"deaths": 1.0}, False)


@pytest.mark.parametrize(
    ("change", "key", "expected"),
    [
        (
            {
                "scenario": {"weeks": 60},
                "parameters": {
                    PARAMS[0]: {"low": 0.4, "high": 1.6},
                    "security.interdiction_capacity": {"low": 0.5, "high": 1.0},
                },
            },
            "effects",
            "has none",
        ),
        ({"effects": False}, "effect_ratio", "`effects: true`"),
    ],
)
def test_effects_need_interventions_in_the_base_scenario(tmp_path, change, key, expected):
    path = _effects_sweep(tmp_path, **change)
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "effects.yaml" in message and f"key '{key}'" in message and expected in message
    assert "Traceback" not in message


def test_check_says_each_run_has_its_counterfactual(tmp_path):
    result = CliRunner().invoke(app, ["check", str(_effects_sweep(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "4 runs, each with its counterfactual" in " ".join(result.output.split())


def test_points_average_the_defined_ratios(tmp_path):
    """A point's ratio is the mean over its replicates where the ratio is defined."""
    from sim.sweep.analysis import point_means

    spec = load_sweep(_effects_sweep(tmp_path)).spec
    runs = pd.DataFrame(
        {
            "point": [0, 0],
            "status": ["ok", "ok"],
            **{p: [1.0, 1.0] for p in PARAMS},
            **{c: [1.0, 3.0] for c in spec.metric_columns},
        }
    )
    runs.loc[1, "deaths_ratio"] = np.nan
    points = point_means(runs, spec)
    assert points.loc[0, "deaths_ratio"] == 1.0 and points.loc[0, "deaths_effect"] == 2.0
