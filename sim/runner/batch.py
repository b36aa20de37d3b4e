"""Run a scenario's replicates, sequentially or on local worker processes.

Results never depend on the number of workers: each replicate's seed is fixed by its index, and
results are put back in replicate order.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import pandas as pd

from sim.config.models import Scenario
from sim.runner.replicate import ReplicateResult, ReplicateTask, run_replicate
from sim.runner.seeds import replicate_seeds


class InlineExecutor(Executor):
    """Runs each task in this process: the 1-worker case, with no pickling."""

    def submit(self, fn, /, *args, **kwargs) -> Future:  # type: ignore[override]
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future
            future.set_exception(exc)
        return future


def default_workers() -> int:
    """One worker per core."""
    return max(1, os.cpu_count() or 1)


def make_executor(workers: int) -> Executor:
    """Local executor: inline for one worker, a process pool (forkserver) for more."""
    if workers <= 1:
        return InlineExecutor()
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("forkserver")
    )


@dataclass
class RunResult:
    """All replicates of one scenario, concatenated in replicate order."""

    scenario: Scenario
    seeds: list[int]
    timeseries: pd.DataFrame
    exits: pd.DataFrame
    edge_flows: pd.DataFrame
    events: pd.DataFrame
    wall_time_s: float
    workers: int
    extra: dict = field(default_factory=dict)


def iter_replicates(
    scenario: Scenario, executor: Executor, seeds: list[int]
) -> Iterator[ReplicateResult]:
    """Submit every replicate and yield results as they complete (in any order)."""
    tasks = [ReplicateTask(scenario, k, seed) for k, seed in enumerate(seeds)]
    if isinstance(executor, InlineExecutor):  # run one at a time so progress shows each
        for task in tasks:
            yield run_replicate(task)
        return
    futures = [executor.submit(run_replicate, task) for task in tasks]
    for future in as_completed(futures):
        yield future.result()


def run_scenario(
    scenario: Scenario,
    workers: int = 1,
    on_done: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
) -> RunResult:
    """Run `scenario.replicates` replicates from `scenario.seed`; `on_done(done, total)` reports.

    Pass `executor` to reuse a pool across many runs (it is not shut down here); otherwise one
    is made for `workers` and shut down at the end.
    """
    seeds = replicate_seeds(scenario.seed, scenario.replicates)
    start = time.perf_counter()
    results: list[ReplicateResult] = []
    own = executor is None
    pool = make_executor(workers) if own else executor
    try:
        for result in iter_replicates(scenario, pool, seeds):
            results.append(result)
            if on_done:
                on_done(len(results), len(seeds))
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
    results.sort(key=lambda r: r.replicate)
    return RunResult(
        scenario=scenario,
        seeds=seeds,
        timeseries=pd.concat([r.timeseries for r in results], ignore_index=True),
        exits=pd.concat([r.exits for r in results], ignore_index=True),
        edge_flows=pd.concat([r.edge_flows for r in results], ignore_index=True),
        events=pd.concat([r.events for r in results], ignore_index=True),
        wall_time_s=time.perf_counter() - start,
        workers=workers if own else getattr(pool, "_max_workers", workers),
    )
