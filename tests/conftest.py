"""Shared fixtures: scenarios and cached seeded runs (tests must not read outside the repo)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from sim.config.models import Scenario
from sim.model import VraemModel
from sim.recorder import WeeklyRecorder
from sim.runner.batch import RunResult, run_scenario
from sim.scenarios import load_scenario

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"


def baseline(**overrides) -> Scenario:
    """The shipped baseline scenario with top-level fields replaced."""
    return load_scenario(SCENARIOS / "baseline.yaml").model_copy(update=overrides)


@cache
def baseline_run(replicates: int, weeks: int, seed: int = 20231113) -> RunResult:
    """A cached baseline run, shared between test modules."""
    return run_scenario(baseline(replicates=replicates, weeks=weeks, seed=seed), workers=1)


@cache
def baseline_records(weeks: int, seed: int) -> WeeklyRecorder:
    """The records of one cached baseline model run, `VraemModel(baseline(weeks=weeks),
    seed).run()`, shared between test modules: read them, never change them."""
    return VraemModel(baseline(weeks=weeks), seed).run()


@pytest.fixture(scope="session")
def baseline_3x260() -> RunResult:
    """Three seeded replicates of the full five-year baseline."""
    return baseline_run(3, 260)
