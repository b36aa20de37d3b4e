"""Parameter sweeps: same results on any executor, crash-safe resume, known Sobol indices,
failed runs recorded, clear errors for bad sweep files."""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import SCENARIOS
from typer.testing import CliRunner

from sim.cli.main import app
from sim.network.routes import packaged_data_dir
from sim.sweep import evaluate
from sim.sweep.analysis import discover
from sim.sweep.results import write_sweep_outputs
from sim.sweep.runner import run_sweep
from sim.sweep.spec import SweepSpec, load_sweep

REPO = SCENARIOS.parent


def _tiny_sweep(folder: Path, **extra) -> Path:
    """A 2 x 2 grid over Callao port control and the week of the leader's capture, 2 replicates,
    one year: 10 runs (8 design + 2 reference) of about 0.3 s."""
    spec = {
        "name": "tiny",
        "base": str(SCENARIOS / "baseline.yaml"),
        "scenario": {
            "weeks": 52,
            "interventions": [
                {"type": "arrest_leader", "week": 20, "who": "leader", "outcome": "captured"}
            ],
        },
        "method": "grid",
        "parameters": {
            "network.exit_risk_factor.callao": {"values": [1.0, 3.0]},
            "interventions.0.week": {"values": [10, 30]},
        },
        "replicates": 2,
        "years": [1, 1],
        "metrics": ["exported_t", "exported_callao_t", "deaths", "armed_groups"],
        **extra,
    }
    path = folder / "tiny.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def _run(path: Path, out: Path, **kw):
    return run_sweep(
        load_sweep(path),
        out,
        finalize=lambda s, d, r, f: write_sweep_outputs(s, d, r, f, figures=False),
        **kw,
    )


def _timeseries(folder: Path) -> pd.DataFrame:
    frame = pd.read_parquet(folder / "timeseries")
    return frame.sort_values(["run_id", "week"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, Path]:
    """The tiny sweep file and its uninterrupted result with one worker."""
    folder = tmp_path_factory.mktemp("tiny")
    path = _tiny_sweep(folder)
    out = folder / "one_worker"
    _run(path, out, executor="local", workers=1)
    return path, out


def test_same_sweep_gives_identical_runs_with_1_and_2_workers_and_dask(tiny, tmp_path):
    path, one = tiny
    two = _run(path, tmp_path / "two", executor="local", workers=2).folder
    dask = _run(path, tmp_path / "dask", executor="dask", workers=2).folder
    reference = (one / "runs.parquet").read_bytes()
    assert (two / "runs.parquet").read_bytes() == reference
    assert (dask / "runs.parquet").read_bytes() == reference
    runs = pd.read_parquet(one / "runs.parquet")
    assert len(runs) == 10 and (runs["status"] == "ok").all()
    assert runs["run_id"].tolist() == list(range(10))
    pd.testing.assert_frame_equal(_timeseries(two), _timeseries(one))
    pd.testing.assert_frame_equal(_timeseries(dask), _timeseries(one))


def test_runs_carry_parameters_seeds_and_metrics(tiny):
    _, one = tiny
    runs = pd.read_parquet(one / "runs.parquet")
    design = runs[runs["point"] >= 0]
    assert sorted(set(design["network.exit_risk_factor.callao"])) == [1.0, 3.0]
    assert sorted(set(design["interventions.0.week"])) == [10, 30]
    # common random numbers: replicate k has the same seed at every point and in the reference
    assert design.groupby("replicate")["seed"].nunique().eq(1).all()
    ref = runs[runs["point"] == -1]
    assert len(ref) == 2 and set(ref["seed"]) == set(design["seed"])
    # more port control at Callao sends less through Callao, in every replicate
    pivot = design.pivot_table(
        index=["replicate", "interventions.0.week"],
        columns="network.exit_risk_factor.callao",
        values="exported_callao_t",
    )
    assert (pivot[3.0] < pivot[1.0]).all()
    # each run's series is in the dataset, partitioned by point
    ts = _timeseries(one)
    assert ts.groupby("run_id")["week"].count().eq(52).all()
    assert sorted(p.name for p in (one / "timeseries").iterdir()) == [
        "point=-1",
        "point=0",
        "point=1",
        "point=2",
        "point=3",
    ]


KILL_SEED = 20240613
KILL_MOMENTS_S = (0.5, 1.5, 3.0)  # after the sweep starts, each with seeded jitter
KILL_JITTER_S = 0.5
KILL_DEADLINE_S = 120


def _holds_lock(holder: Path, pid: int) -> bool:
    """The sweep `pid` has started: it holds its folder's lock (`.<name>.lock.json` says so)."""
    try:
        return json.loads(holder.read_text())["pid"] == pid
    except (OSError, ValueError, KeyError):
        return False


def _killed(cmd: list[str], env: dict, *, after_s: float | None, out: Path, parts: int):
    """Run `cmd` in its own session and SIGKILL it and its workers `after_s` seconds after the
    sweep has started (it holds the lock of `out`), or as soon as the ledger holds `parts` parts;
    the exit code if it ended first."""
    ledger = out.parent / f".{out.name}.partial" / "ledger"
    holder = out.parent / f".{out.name}.lock.json"
    proc = subprocess.Popen(
        cmd, cwd=REPO, env=env, start_new_session=True, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + KILL_DEADLINE_S
    started = None
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list(ledger.glob("runs-*.parquet"))) >= parts:
            break
        if started is None and _holds_lock(holder, proc.pid):
            started = time.monotonic()
            if after_s is not None:
                deadline = started + after_s
        time.sleep(0.02)
    if proc.poll() is not None:
        return proc.returncode
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return None


def test_killed_sweep_resumes_to_the_same_result_row_for_row(tiny, tmp_path):
    """SIGKILL at several moments of a sweep (seeded), each time carrying on with --resume when
    there is something to resume: the result is the uninterrupted one, every run exactly once,
    and no result folder appears before the sweep is complete."""
    path, one = tiny
    spec = yaml.safe_load(path.read_text())
    spec["chunk_size"] = 1  # one run per ledger part, so the kill falls between parts
    killed = tmp_path / "tiny.yaml"
    killed.write_text(yaml.safe_dump(spec), encoding="utf-8")
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "sim", "sweep", str(killed), "--workers", "2", "--out", str(out)]
    cmd.append("--no-figures")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    work = tmp_path / ".killed.partial"
    ledger = work / "ledger"
    rng = random.Random(KILL_SEED)
    moments = [m + rng.uniform(0, KILL_JITTER_S) for m in KILL_MOMENTS_S]
    for after_s in [*moments, None]:  # the last once more runs are recorded
        recorded = len(list(ledger.glob("runs-*.parquet")))
        parts = 6 if after_s is not None else max(3, recorded + 1)  # never all 10
        resume = ["--resume"] if (work / "sweep.json").exists() else []
        code = _killed([*cmd, *resume], env, after_s=after_s, out=out, parts=parts)
        assert code is None, f"the sweep ended (exit {code}) before it could be killed"
        assert not out.exists(), "a killed sweep must not leave a result folder"
    done_before = len(list(ledger.glob("runs-*.parquet")))
    assert 3 <= done_before < 10

    # without --resume the unfinished sweep is not overwritten
    refused = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    assert refused.returncode == 2 and "--resume" in refused.stderr

    resumed = subprocess.run([*cmd, "--resume"], cwd=REPO, env=env, capture_output=True)
    assert resumed.returncode == 0, resumed.stderr
    assert (out / "runs.parquet").read_bytes() == (one / "runs.parquet").read_bytes()
    pd.testing.assert_frame_equal(_timeseries(out), _timeseries(one))
    manifest = json.loads((out / "sweep.json").read_text())
    last = manifest["sessions"][-1]
    # no run lost, none done twice: the resumed session ran exactly the missing ones
    assert last["runs_before"] == done_before and last["rerun_damaged"] == 0
    assert last["runs_before"] + last["executed"] == 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["killed", "tiny.yaml"]
    again = subprocess.run([*cmd, "--resume"], cwd=REPO, env=env, capture_output=True, text=True)
    assert again.returncode == 0 and "complete" in again.stdout


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch):
    path = _tiny_sweep(tmp_path, timeseries=False)
    real = evaluate.simulate_run

    def flaky(chunk, run):
        if run.run_id == 3:
            raise RuntimeError("boom in run 3")
        return real(chunk, run)

    monkeypatch.setattr(evaluate, "simulate_run", flaky)
    seen = []
    outcome = _run(path, tmp_path / "out", workers=1, on_progress=lambda *a: seen.append(a))
    runs = outcome.runs.set_index("run_id")
    assert runs.loc[3, "status"] == "failed"
    assert runs.loc[3, "error"] == "RuntimeError: boom in run 3"
    assert np.isnan(runs.loc[3, "exported_t"])
    assert (runs.drop(index=3)["status"] == "ok").all()
    assert seen[-1] == (10, 10, 1)
    points = pd.read_csv(outcome.folder / "points.csv").set_index("point")
    assert points.loc[1, "replicates_ok"] == 1  # run 3 is replicate 1 of point 1


def _ishigami_sweep(folder: Path, method: str, samples: int) -> Path:
    """A sweep file of the Ishigami test function over its usual domain [-pi, pi]^3."""
    bounds = {"low": -math.pi, "high": math.pi}
    spec = {
        "name": f"ishigami_{method}",
        "model": "ishigami",
        "method": method,
        "samples": samples,
        "parameters": {"x1": bounds, "x2": bounds, "x3": bounds},
        "metrics": ["y"],
    }
    path = folder / f"ishigami_{method}.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


# Ishigami (a=7, b=0.1): analytic first-order and total Sobol indices (Saltelli et al. 2008,
# Global Sensitivity Analysis: The Primer, section 4.4).
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}
SOBOL_TOLERANCE = 0.05  # absolute; with N = 2048 SALib's estimates lie within about 0.03


def test_sobol_indices_of_the_ishigami_function_match_the_known_values(tmp_path):
    path = _ishigami_sweep(tmp_path, "sobol", 2048)
    result = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    sens = pd.read_csv(tmp_path / "out" / "sensitivity.csv").set_index("parameter")
    for name in ISHIGAMI_S1:
        assert sens.loc[name, "S1"] == pytest.approx(ISHIGAMI_S1[name], abs=SOBOL_TOLERANCE)
        assert sens.loc[name, "ST"] == pytest.approx(ISHIGAMI_ST[name], abs=SOBOL_TOLERANCE)
        assert sens.loc[name, "ST_conf"] < 0.1
    assert (tmp_path / "out" / "figures" / "sensitivity.png").exists()


def test_prim_finds_the_box_where_an_outcome_happens():
    rng = np.random.default_rng(7)
    points = pd.DataFrame(rng.uniform(size=(400, 3)), columns=["a", "b", "c"])
    points["y"] = ((points["a"] > 0.6) & (points["b"] < 0.4)).astype(float)
    spec = SweepSpec.model_validate(
        {
            "name": "box",
            "base": "x.yaml",
            "method": "lhs",
            "samples": 400,
            "parameters": {k: {"low": 0.0, "high": 1.0} for k in "abc"},
            "metrics": ["deaths"],
            "discovery": {
                "metric": "deaths",
                "above": 0.5,
                "relative_to_reference": False,
                "min_density": 0.95,  # a box this dense must hug the true one
            },
        }
    )
    found = discover(spec, points.rename(columns={"y": "deaths"}), None)
    assert found.density >= 0.95 and found.coverage >= 0.8
    assert found.limits.loc["a", "low"] == pytest.approx(0.6, abs=0.05)
    assert found.limits.loc["b", "high"] == pytest.approx(0.4, abs=0.05)
    assert not found.limits.loc["c", "restricted"]


@pytest.mark.parametrize(
    ("change", "key", "expected"),
    [
        (
            {
                "method": "sobol",
                "samples": 100,
                "parameters": {
                    "armed_group.defection.loyalty_weight": {"low": 2.0, "high": 8.0},
                    "security.interdiction_capacity": {"low": 0.5, "high": 2.0},
                },
            },
            "samples",
            "power of 2",
        ),
        ({"method": "lhs", "samples": 10}, "parameters.interventions.0.week", "`low` and `high`"),
        ({"metrics": ["exports"]}, "metrics", "unknown metric 'exports'"),
        ({"parameters": {"security.no_such_key": {"values": [1]}}}, "parameters.security", "key"),
        (
            {"parameters": {"security.interdiction_capacity": {"values": [-1.0]}}},
            "parameters.security.interdiction_capacity",
            "-1.0",
        ),
        ({"parameters": {"interventions.3.week": {"values": [1]}}}, "interventions.3", "key"),
        ({"years": [9, 9]}, "years", "horizon"),
    ],
)
def test_bad_sweep_files_are_refused_with_file_and_key(tmp_path, change, key, expected):
    path = _tiny_sweep(tmp_path, **change)
    for command in (["check", str(path)], ["sweep", str(path), "--out", str(tmp_path / "o")]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2
        message = " ".join(result.output.split())
        assert "tiny.yaml" in message and key in message and expected in message
        assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("where", ["sweep", "base"])
def test_bad_encoding_of_a_sweep_file_or_its_base_exits_2(tmp_path, where):
    latin1 = "# Perené valley, written by an editor that saves Latin-1\n".encode("latin-1")
    if where == "sweep":
        path = _tiny_sweep(tmp_path)
        bad = path
    else:
        bad = tmp_path / "base.yaml"
        bad.write_bytes(f"extends: {SCENARIOS / 'baseline.yaml'}\nname: b\n".encode() + latin1)
        path = _tiny_sweep(tmp_path, base=str(bad))
    if where == "sweep":
        bad.write_bytes(bad.read_bytes() + latin1)
    position = bad.read_bytes().index(b"\xe9")
    for command in (["check", str(path)], ["sweep", str(path), "--out", str(tmp_path / "o")]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2, result.output
        message = " ".join(result.output.split())
        assert bad.name in message
        assert f"is not valid UTF-8 (byte 0xe9 at position {position})" in message
        assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("where", ["scenario block", "base's parent"])
def test_sweep_file_data_dir_resolves_against_the_file_that_wrote_it(tmp_path, where):
    path = _tiny_sweep(tmp_path)
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    if where == "scenario block":  # relative to the sweep file
        net = tmp_path / "net"
        spec["scenario"]["network"] = {"data_dir": "net"}
    else:  # the base (in B) extends a parent (in A) that names the folder, relative to A
        net = tmp_path / "A" / "net"
        (tmp_path / "B").mkdir()
        (tmp_path / "B" / "base.yaml").write_text(
            "extends: ../A/parent.yaml\nname: base\n", encoding="utf-8"
        )
        net.parent.mkdir()
        (net.parent / "parent.yaml").write_text(
            f"extends: {SCENARIOS / 'baseline.yaml'}\nname: p\nnetwork: {{data_dir: net}}\n",
            encoding="utf-8",
        )
        spec["base"] = "B/base.yaml"
    net.mkdir()
    for name in ("nodes.csv", "edges.csv"):
        shutil.copy(packaged_data_dir() / name, net / name)
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    assert load_sweep(path).base["network"]["data_dir"] == str(net.resolve())


def test_shipped_sweep_files_are_valid():
    from sim.sweep.robustness import is_robustness_file

    files = sorted((SCENARIOS / "sweeps").glob("*.yaml"))
    methods = {load_sweep(f).spec.method for f in files if not is_robustness_file(f)}
    assert {"grid", "lhs", "sobol"} <= methods
    result = CliRunner().invoke(app, ["check", *map(str, files)])
    assert result.exit_code == 0, result.output


def test_ema_adapter_returns_the_metrics_a_sweep_run_records(tiny):
    from sim.sweep.ema import VraemFunction, ema_model, ema_name

    path, one = tiny
    runs = pd.read_parquet(one / "runs.parquet")
    row = runs[(runs["point"] == 2) & (runs["replicate"] == 0)].iloc[0]
    f = VraemFunction.from_sweep(path, replicates=1)
    values = {
        "network.exit_risk_factor.callao": float(row["network.exit_risk_factor.callao"]),
        "interventions.0.week": int(row["interventions.0.week"]),
    }
    got = f(**values)
    assert got == pytest.approx({m: row[m] for m in f.metrics}, rel=1e-12)
    model = ema_model(path, replicates=1)
    names = [ema_name(k) for k in load_sweep(path).spec.parameters]
    assert [u.name for u in model.uncertainties] == names
    assert all(name.isidentifier() for name in names)
    # the workbench calls the function with its names: same numbers
    assert f(**{ema_name(k): v for k, v in values.items()}) == got
    assert [o.name for o in model.outcomes] == list(f.metrics)


def test_morris_screening_ranks_the_ishigami_inputs_and_draws_its_figure(tmp_path):
    path = _ishigami_sweep(tmp_path, "morris", 100)
    result = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    sens = pd.read_csv(tmp_path / "out" / "sensitivity.csv").set_index("parameter")
    assert len(pd.read_parquet(tmp_path / "out" / "runs.parquet")) == 100 * 4
    # x3 acts only through its interaction with x1: the smallest mean |effect|, with sigma > mu*/2
    assert sens["mu_star"].idxmin() == "x3"
    assert sens.loc["x3", "sigma"] > sens.loc["x3", "mu_star"] / 2
    assert (tmp_path / "out" / "figures" / "sensitivity.png").exists()
    # each figure also as SVG, listed in the manifest beside the PNGs
    outputs = json.loads((tmp_path / "out" / "sweep.json").read_text())["outputs"]
    assert "figures/sensitivity.svg" in outputs["figures_svg"]
    assert all((tmp_path / "out" / svg).is_file() for svg in outputs["figures_svg"])


def test_a_model_sweep_writes_every_figure_that_applies(tmp_path):
    path = _tiny_sweep(
        tmp_path,
        method="lhs",
        samples=6,
        replicates=1,
        parameters={
            "security.interdiction_capacity": {"low": 0.5, "high": 2.5},
            "network.exit_risk_factor.callao": {"low": 1.0, "high": 4.0},
        },
        discovery={"metric": "exported_callao_t", "below": -0.3},
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["sweep", str(path), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    figures = sorted(p.name for p in (out / "figures").glob("*.png"))
    found = json.loads((out / "discovery.json").read_text())
    expected = ["scatter.png"] + (["prim_box.png"] if 0 < found["share_of_points"] < 1 else [])
    assert figures == sorted(expected)
    manifest = json.loads((out / "sweep.json").read_text())
    assert manifest["runs"] == 7 and manifest["failed_runs"] == 0
    assert manifest["outputs"]["figures"] == [f"figures/{f}" for f in expected]


def test_a_sweep_whose_runs_all_fail_finishes_and_says_so(tmp_path, monkeypatch):
    path = _tiny_sweep(tmp_path, timeseries=False)

    def broken(chunk, run):
        raise RuntimeError(f"boom in run {run.run_id}")

    monkeypatch.setattr(evaluate, "simulate_run", broken)
    out = tmp_path / "out"
    command = ["sweep", str(path), "--out", str(out), "--workers", "1"]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "all 10 runs failed" in result.output and "boom in run 0" in result.output
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 10 and (runs["status"] == "failed").all()  # the data is kept
    manifest = json.loads((out / "sweep.json").read_text())
    assert manifest["failed_runs"] == 10
    assert "every run failed" in manifest["outputs"]["figures"]
    again = CliRunner().invoke(app, [*command, "--resume"])
    assert again.exit_code == 0 and "complete" in again.output


def test_a_sweep_whose_figures_fail_to_draw_still_publishes_its_data(tmp_path, monkeypatch):
    import sim.sweep.figures

    def broken(*args, **kwargs):
        raise ValueError("no ink")

    monkeypatch.setattr(sim.sweep.figures, "write_sweep_figures", broken)
    path = _tiny_sweep(tmp_path, timeseries=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["sweep", str(path), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "drawing failed (ValueError: no ink)" in result.output
    assert len(pd.read_parquet(out / "runs.parquet")) == 10


# ----------------------------------------------------------------------------------------------
# issue 12: one writer per sweep folder; --resume verifies the saved series
# ----------------------------------------------------------------------------------------------
def _sweep_cmd(path: Path, out: Path, *extra: str) -> list[str]:
    cmd = [sys.executable, "-m", "sim", "sweep", str(path), "--workers", "1", "--out", str(out)]
    return [*cmd, "--no-figures", *extra]


def test_a_second_sweep_on_the_same_folder_is_refused_naming_the_first(tiny, tmp_path):
    path, one = tiny
    out = tmp_path / "shared"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    procs = []
    for _ in range(2):
        procs.append(
            subprocess.Popen(
                _sweep_cmd(path, out),
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
        time.sleep(0.3)
    results = [(p.wait(timeout=180), p.stdout.read(), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 2], results
    refused = next(err for code, _, err in results if code == 2)
    text = " ".join(refused.split())
    assert "PID" in text and str(out) in text and "Traceback" not in text
    assert (out / "runs.parquet").read_bytes() == (one / "runs.parquet").read_bytes()
    pd.testing.assert_frame_equal(_timeseries(out), _timeseries(one))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared"]


class _Stop(KeyboardInterrupt):
    """Stands in for a kill: raised from the progress callback after some runs are recorded."""


def _run_until(path: Path, out: Path, runs: int) -> None:
    def stop(done: int, total: int, failed: int) -> None:
        if done >= runs:
            raise _Stop

    with pytest.raises(_Stop):
        _run(path, out, workers=1, on_progress=stop)


@pytest.mark.parametrize("damage", ["corrupt", "truncated", "missing", "swapped"])
def test_resume_reruns_a_run_whose_saved_series_is_damaged(tiny, tmp_path, damage):
    path, one = tiny
    spec = yaml.safe_load(path.read_text())
    spec["chunk_size"] = 2
    chunked = tmp_path / "tiny.yaml"
    chunked.write_text(yaml.safe_dump(spec), encoding="utf-8")
    out = tmp_path / "out"
    _run_until(chunked, out, 6)
    work = tmp_path / ".out.partial"
    parts = sorted((work / "timeseries").rglob("run-*.parquet"))
    assert len(parts) >= 6
    victim = parts[3]
    if damage == "corrupt":  # unreadable
        data = bytearray(victim.read_bytes())
        data[len(data) // 4 : len(data) // 4 + 64] = b"\0" * 64
        victim.write_bytes(bytes(data))
    elif damage == "truncated":
        victim.write_bytes(victim.read_bytes()[:100])
    elif damage == "missing":
        victim.unlink()
    else:  # a whole Parquet file, of another run: only the checksum tells
        victim.write_bytes(parts[0].read_bytes())

    outcome = _run(chunked, out, workers=1, resume=True)
    assert outcome.runs["run_id"].tolist() == list(range(10))  # every run, exactly once
    assert (out / "runs.parquet").read_bytes() == (one / "runs.parquet").read_bytes()
    pd.testing.assert_frame_equal(_timeseries(out), _timeseries(one))
    session = json.loads((out / "sweep.json").read_text())["sessions"][-1]
    assert session["rerun_damaged"] == 1
    assert session["runs_before"] + session["executed"] == 10


def test_resume_after_a_failed_start_says_what_is_there(tiny, tmp_path):
    path, one = tiny
    out = tmp_path / "out"
    work = tmp_path / ".out.partial"
    (work / "ledger").mkdir(parents=True)  # stopped before sweep.json was written
    res = CliRunner().invoke(app, ["sweep", str(path), "--out", str(out), "--resume"])
    text = " ".join(res.stderr.split())
    assert res.exit_code == 2, res.output + res.stderr
    assert "no unfinished sweep" not in text and "Traceback" not in text
    assert str(work) in text and "sweep.json" in text and "without --resume" in text

    (work / "sweep.json").write_text("{not json")
    res = CliRunner().invoke(app, ["sweep", str(path), "--out", str(out), "--resume"])
    text = " ".join(res.stderr.split())
    assert res.exit_code == 2, res.output + res.stderr
    assert "sweep.json" in text and "without --resume" in text and "Traceback" not in text

    # a file a sweep does not write keeps the work folder from being discarded
    (work / "notes.txt").write_text("mine")
    res = CliRunner().invoke(app, ["sweep", str(path), "--out", str(out), "--workers", "1"])
    assert res.exit_code == 2 and "notes.txt" in res.stderr, res.output + res.stderr
    assert (work / "notes.txt").read_text() == "mine"
    (work / "notes.txt").unlink()

    # without --resume the stopped start (with a half-written sweep.json) is discarded
    (work / ".sweep.json.tmp").write_text("{")
    res = CliRunner().invoke(app, ["sweep", str(path), "--out", str(out), "--workers", "1"])
    assert res.exit_code == 0, res.output + res.stderr
    assert (out / "runs.parquet").read_bytes() == (one / "runs.parquet").read_bytes()
    assert not work.exists()


def test_an_unfinished_sweep_is_discarded_only_with_force(tiny, tmp_path):
    path, one = tiny
    out = tmp_path / "out"
    _run_until(path, out, 3)
    res = CliRunner().invoke(app, ["sweep", str(path), "--out", str(out), "--workers", "1"])
    assert res.exit_code == 2 and "--resume" in res.stderr and "--force" in res.stderr
    args = ["sweep", str(path), "--out", str(out), "--workers", "1", "--force"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output + res.stderr
    session = json.loads((out / "sweep.json").read_text())["sessions"]
    assert len(session) == 1 and session[0]["executed"] == 10
    assert (out / "runs.parquet").read_bytes() == (one / "runs.parquet").read_bytes()


def _freeze_counts_around_two_runs() -> tuple[int, int, int]:
    """In a worker: the frozen objects before, after one and after two finished runs."""
    import gc

    before = gc.get_freeze_count()
    evaluate.free_finished_run()
    first = gc.get_freeze_count()
    evaluate.free_finished_run()
    return before, first, gc.get_freeze_count()


def test_a_sweep_worker_freezes_its_imports_once_after_its_first_run():
    # without the freeze every later run pays a full collection of the imports' objects
    # (about 40 ms a run); the interpreter may start with some objects frozen already
    from sim.runner.batch import WorkerPool

    with WorkerPool(2) as pool:
        before, first, second = pool.submit(_freeze_counts_around_two_runs).result()
    assert first > before + 10_000  # the imports of numpy, pandas, mesa and the model
    assert second == first  # frozen once, not again
