"""Same seed and config give bit-identical results, whatever the number of workers."""

from __future__ import annotations

import hashlib

import numpy as np
from conftest import baseline

from sim.runner.batch import run_scenario
from sim.runner.results import write_tables
from sim.runner.seeds import replicate_seeds


def parquet_digests(result, folder) -> dict[str, str]:
    folder.mkdir()
    write_tables(result, folder)
    return {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in ("timeseries.parquet", "exits.parquet", "edge_flows.parquet", "summary.csv")
    }


def test_same_seed_gives_identical_parquet_with_one_and_two_workers(tmp_path):
    sc = baseline(replicates=3, weeks=60, seed=7)
    one = parquet_digests(run_scenario(sc, workers=1), tmp_path / "w1")
    two = parquet_digests(run_scenario(sc, workers=2), tmp_path / "w2")
    again = parquet_digests(run_scenario(sc, workers=1), tmp_path / "w1b")
    assert one == two == again


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
