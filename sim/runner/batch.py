"""Run a scenario's replicates, sequentially or on local worker processes.

Results never depend on the number of workers: each replicate's seed is fixed by its index, and
results are put back in replicate order.

Local worker processes (`WorkerPool`) leave Ctrl-C to the process that started them (the
forkserver, and so every worker, starts with SIGINT blocked, and workers ignore it) and die with
it: each worker watches that process from its initializer on and exits as soon as it is gone,
even if it was killed with SIGKILL; the forkserver and multiprocessing's resource tracker then
exit on their own, as they do once their last client is gone.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver
import multiprocessing.resource_tracker
import os
import select
import signal
import threading
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


ORPHANED_EXIT = 70  # exit status of a worker whose parent is gone (EX_SOFTWARE)
PARENT_POLL_S = 0.5  # how often a worker checks its parent where pidfd_open is unavailable


def _exit_when_gone(parent: int) -> None:
    """Block until process `parent` has ended, then end this process at once."""
    try:
        fd = os.pidfd_open(parent)  # Linux >= 5.3: readable once the process has ended
    except ProcessLookupError:
        os._exit(ORPHANED_EXIT)
    except (AttributeError, OSError):  # no pidfd here: poll whether the process still exists
        while True:
            try:
                os.kill(parent, 0)
            except (ProcessLookupError, PermissionError):  # gone (or its pid reused)
                os._exit(ORPHANED_EXIT)
            time.sleep(PARENT_POLL_S)
    select.select([fd], [], [])
    os._exit(ORPHANED_EXIT)


def _init_worker(parent: int) -> None:
    """Worker initializer: ignore Ctrl-C (the parent handles it and stops the pool) and exit
    as soon as the parent process is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(
        target=_exit_when_gone, args=(parent,), name="vraem-parent-watch", daemon=True
    ).start()


@contextlib.contextmanager
def sigint_blocked() -> Iterator[None]:
    """Block SIGINT in this thread for the block: processes and threads started in it inherit
    the mask, so a Ctrl-C (sent by the terminal to the whole process group) reaches only this
    process, which stops them itself."""
    # started inside the block, multiprocessing's resource tracker would unblock SIGINT again
    # in this thread (CPython unblocks after spawning it); once running, it is left alone
    multiprocessing.resource_tracker.ensure_running()
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


# imported once by the forkserver, so that each worker forked from it starts with the model
# loaded instead of importing numpy, pandas, Mesa and the model itself (about 1 s a worker)
FORKSERVER_PRELOAD = ("sim.runner.replicate",)


def start_forkserver(extra: tuple[str, ...] = ()) -> None:
    """Start the forkserver (and the resource tracker) with SIGINT blocked, so that neither
    they nor the workers forked from them ever see a Ctrl-C meant for this process; the
    forkserver imports `FORKSERVER_PRELOAD` and the `extra` modules first. It runs until this
    process ends, so the first call decides what it has loaded; later calls do nothing."""
    multiprocessing.set_forkserver_preload([*FORKSERVER_PRELOAD, *extra])
    with sigint_blocked():
        multiprocessing.forkserver.ensure_running()


class WorkerPool(ProcessPoolExecutor):
    """A pool of local worker processes (forkserver) that leave Ctrl-C to this process and die
    with it; `terminate` stops them without waiting for their running tasks."""

    def __init__(self, workers: int, preload: tuple[str, ...] = ()) -> None:
        start_forkserver(preload)
        super().__init__(
            max_workers=workers,
            mp_context=multiprocessing.get_context("forkserver"),
            initializer=_init_worker,
            initargs=(os.getpid(),),
        )

    def terminate(self) -> None:
        """Cancel the queued tasks and end the workers now (after Ctrl-C or an error)."""
        processes = list((self._processes or {}).values())
        self.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(OSError, ValueError):  # already gone or closed
                process.terminate()
        for process in processes:
            with contextlib.suppress(OSError, ValueError):
                process.join()
        self.shutdown(wait=True)


def make_executor(workers: int, preload: tuple[str, ...] = ()) -> Executor:
    """Local executor: inline for one worker, a `WorkerPool` (forkserver) for more, whose
    forkserver also imports `preload` if it is not running yet (`start_forkserver`)."""
    if workers <= 1:
        return InlineExecutor()
    return WorkerPool(workers, preload)


def stop_executor(executor: Executor) -> None:
    """Stop an executor at once: cancel what is queued, end local workers without waiting for
    their running tasks (an executor that cannot be terminated is shut down without waiting)."""
    if isinstance(executor, WorkerPool):
        executor.terminate()
    else:
        executor.shutdown(wait=False, cancel_futures=True)


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
    except BaseException:  # Ctrl-C or a failed replicate: stop the workers, do not wait
        if own:
            stop_executor(pool)
        raise
    if own:
        pool.shutdown(wait=True)
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
