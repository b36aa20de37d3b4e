"""Same seed and config give bit-identical results, whatever the number of workers, the executor
(local processes or Dask) and the interpreter's hash seed."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import numpy as np
from conftest import REPO, SCENARIOS, baseline

from sim.runner.batch import run_scenario
from sim.runner.results import write_tables
from sim.runner.seeds import replicate_seeds
from sim.sweep.executors import open_executor

TABLES = (
    "timeseries.parquet",
    "exits.parquet",
    "edge_flows.parquet",
    "events.parquet",
    "summary.csv",
)


def digests(folder) -> dict[str, str]:
    """SHA-256 of each table of a run folder."""
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in TABLES}


def parquet_digests(result, folder) -> dict[str, str]:
    folder.mkdir()
    write_tables(result, folder)
    return digests(folder)


def test_same_seed_gives_identical_parquet_with_one_and_two_workers(tmp_path):
    sc = baseline(replicates=3, weeks=60, seed=7)
    one = parquet_digests(run_scenario(sc, workers=1), tmp_path / "w1")
    two = parquet_digests(run_scenario(sc, workers=2), tmp_path / "w2")
    again = parquet_digests(run_scenario(sc, workers=1), tmp_path / "w1b")
    assert one == two == again


def test_same_seed_gives_identical_parquet_on_local_workers_and_on_dask(tmp_path):
    """The replicates of a run (not only a sweep's metrics: tests/test_sweep.py) are the same on
    a Dask cluster as in this process."""
    sc = baseline(replicates=3, weeks=40, seed=7)
    local = parquet_digests(run_scenario(sc, workers=1), tmp_path / "local")
    with open_executor("dask", 2) as (executor, _):
        dask = parquet_digests(run_scenario(sc, executor=executor), tmp_path / "dask")
    assert dask == local


HASH_SEEDS = ("0", "12345")


def test_same_seed_gives_identical_files_under_different_hash_seeds(tmp_path):
    """`vraem run` in two interpreters whose str hashes (and so set orders) differ."""
    found = {}
    for hash_seed in HASH_SEEDS:
        out = tmp_path / f"hash{hash_seed}"
        cmd = [sys.executable, "-m", "sim", "run", str(SCENARIOS / "baseline.yaml")]
        cmd += ["--replicates", "2", "--weeks", "40", "--seed", "3", "--workers", "1"]
        cmd += ["--set", "growers.households=2000", "--no-figures", "--out", str(out)]
        pythonpath = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": pythonpath}
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        found[hash_seed] = digests(out)
    assert found[HASH_SEEDS[0]] == found[HASH_SEEDS[1]]


def test_different_master_seeds_give_different_runs():
    a = run_scenario(baseline(replicates=1, weeks=30, seed=1), workers=1).timeseries
    b = run_scenario(baseline(replicates=1, weeks=30, seed=2), workers=1).timeseries
    assert not a["exported_kg"].equals(b["exported_kg"])


def test_replicate_seeds_are_independent_of_how_many_are_drawn():
    assert replicate_seeds(42, 3) == replicate_seeds(42, 10)[:3]
    assert len(set(replicate_seeds(42, 100))) == 100


def test_replicates_sharing_a_compiled_network_match_replicates_that_build_their_own():
    from sim.model import VraemModel
    from sim.network.route_table import RouteTable
    from sim.network.routes import apply_network_overrides, load_network
    from sim.scenarios import compile_scenario

    sc = baseline(weeks=40)
    sc = sc.model_copy(
        update={"network": sc.network.model_copy(update={"exit_risk_factor": {"callao": 1.5}})}
    )
    network, routes = compile_scenario(sc)
    assert compile_scenario(sc)[0] is network  # compiled once, then shared
    for seed in replicate_seeds(3, 2):
        shared = VraemModel(sc, seed, network, routes).run().timeseries(sc.name, 0, seed)
        own_net = apply_network_overrides(load_network(sc.network.data_dir), sc)
        own = VraemModel(sc, seed, own_net, RouteTable.build(own_net, sc.traffickers))
        alone = own.run().timeseries(sc.name, 0, seed)
        assert shared.equals(alone)
    # the exit risk factor was applied once, however many replicates used the network
    fresh = apply_network_overrides(load_network(sc.network.data_dir), sc)
    assert np.array_equal(network.edge_risk, fresh.edge_risk)
