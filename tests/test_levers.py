"""Interventions change named levers and, once they have all ended, leave them as they were."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SCENARIOS, baseline

from sim.config.interventions import InterdictionSurge, Unrest
from sim.interventions import LEVERS
from sim.model import VraemModel
from sim.scenarios import load_scenario

WITH_LEVERS = [
    "combined",
    "crop_substitution",
    "demand_shock",
    "eradication",
    "interdiction_surge_callao",
    "route_closure_air_bridge",
    "unrest",
]
FEW_HOUSEHOLDS = "growers.households=2000"  # the levers do not depend on the growers' number


def _run_until_every_intervention_has_ended(model: VraemModel) -> None:
    while not model.schedule.done:
        model.step()


@pytest.mark.parametrize("name", WITH_LEVERS)
def test_when_every_intervention_has_ended_the_levers_equal_the_baselines(name):
    sc = load_scenario(SCENARIOS / f"{name}.yaml", [FEW_HOUSEHOLDS])
    model = VraemModel(sc, seed=11)
    # the baseline over the same horizon (the boycott lever has an entry per week)
    reference = VraemModel(baseline(weeks=sc.weeks), seed=11).levers.snapshot()
    changed = set()
    while not model.schedule.done:
        model.step()
        now = model.levers.snapshot()
        changed |= {k for k in LEVERS if not np.array_equal(now[k], reference[k])}
    assert changed, "the scenario's interventions changed no lever"
    after = model.levers.snapshot()
    for lever in LEVERS:
        assert np.array_equal(after[lever], reference[lever]), lever


def test_overlapping_interventions_on_one_lever_restore_it_exactly():
    surges = [
        InterdictionSurge(type="interdiction_surge", week=1, weeks=7, nodes=["callao"], factor=0.7),
        InterdictionSurge(type="interdiction_surge", week=3, weeks=2, nodes=["callao"], factor=0.3),
        Unrest(type="unrest", week=2, weeks=3, factor=0.9),
        Unrest(type="unrest", week=4, weeks=5, factor=0.35),
    ]
    model = VraemModel(baseline(weeks=12, interventions=surges), seed=2)
    start = model.levers.at_start()
    seen = []
    for _ in range(12):
        model.step()
        seen.append(model.levers["security_effectiveness"][0])
    assert seen[4] == pytest.approx(0.9 * 0.35)  # both unrest spells in force in week 4
    after = model.levers.snapshot()
    for lever in LEVERS:
        assert np.array_equal(after[lever], start[lever]), lever
