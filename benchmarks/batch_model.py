"""The model as `mesa.batch_run` runs it, for benchmark B7 (`vraem sweep` against Mesa's own
batch runner on the same runs).

`BatchRunVraem(sweep_file, run_id)` is one run of a sweep file: the same scenario and seed that
`vraem sweep` gives that run, stepped by Mesa's batch runner week by week, with a DataCollector
that records the sweep's metrics once, at the last week (what `data_collection_period=-1`
collects). Defined in its own module so Mesa's spawned worker processes can import it.
"""

from __future__ import annotations

from functools import cache

import mesa

from sim.model import VraemModel
from sim.scenarios import compile_scenario
from sim.sweep.design import RunSpec, build_design, plan_runs
from sim.sweep.evaluate import model_metrics
from sim.sweep.spec import Sweep, load_sweep


@cache
def _sweep(sweep_file: str) -> tuple[Sweep, tuple[RunSpec, ...]]:
    """A sweep file's spec and runs, read once per process."""
    sweep = load_sweep(sweep_file)
    return sweep, tuple(plan_runs(sweep.spec, build_design(sweep.spec)))


class BatchRunVraem(VraemModel):
    """Run `run_id` of a sweep file, with the sweep's metrics collected at its last week."""

    def __init__(self, sweep_file: str, run_id: int, rng: object = None) -> None:
        sweep, runs = _sweep(sweep_file)
        run = runs[run_id]  # mesa's own seed (`rng`) is not used: the run carries its seed
        scenario = sweep.scenario_for(run.values, sweep_file)
        network, routes = compile_scenario(scenario)
        super().__init__(scenario, run.seed, network, routes)
        self.run_spec = run
        self.sweep_spec = sweep.spec
        self.metrics: dict[str, float] = {}
        reporters = {m: (lambda model, m=m: model.metrics[m]) for m in sweep.spec.metrics}
        self.datacollector = mesa.DataCollector(model_reporters=reporters)

    def step(self) -> None:
        """One week; after the last, the run's metrics, as a sweep computes them."""
        super().step()
        if self.week < self.weeks:
            return
        spec = self.sweep_spec
        self.metrics, _ = model_metrics(
            self, self.run_spec.replicate, tuple(spec.metrics), spec.years, spec.weeks
        )
        self.datacollector.collect(self)
        self.running = False
