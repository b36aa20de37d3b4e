"""One replicate: build the model, run it, return its tables (picklable, for process workers)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.config.models import Scenario
from sim.model import VraemModel
from sim.scenarios import compile_scenario


@dataclass(frozen=True)
class ReplicateTask:
    """What a worker needs to run one replicate."""

    scenario: Scenario
    replicate: int
    seed: int


@dataclass
class ReplicateResult:
    """The tables of one replicate."""

    replicate: int
    seed: int
    timeseries: pd.DataFrame
    exits: pd.DataFrame
    edge_flows: pd.DataFrame
    events: pd.DataFrame


def simulate(task: ReplicateTask) -> VraemModel:
    """Build and run one seeded replicate of a scenario; the model holds its records."""
    network, routes = compile_scenario(task.scenario)  # once per scenario and process
    model = VraemModel(task.scenario, task.seed, network, routes)
    model.run()
    return model


def run_replicate(task: ReplicateTask) -> ReplicateResult:
    """Run one seeded replicate of a scenario and make its tables."""
    model = simulate(task)
    rec, net = model.recorder, model.network
    return ReplicateResult(
        replicate=task.replicate,
        seed=task.seed,
        timeseries=rec.timeseries(task.scenario.name, task.replicate, task.seed),
        exits=rec.exits_frame(task.replicate, net.exit_group),
        edge_flows=rec.edge_frame(task.replicate, net.edge_u, net.edge_v, net.edge_mode),
        events=rec.events_frame(task.replicate),
    )
