"""Where a sweep's chunks run: one `concurrent.futures.Executor` seam for every back end.

- `local`: this process for one worker, else a pool of local processes (forkserver);
- `dask`: a Dask distributed cluster; an existing one at `scheduler` (`tcp://host:8786`), or a
  `LocalCluster` started here with one single-threaded worker process per `workers`, its
  dashboard bound to the loopback interface.

Local workers of either kind never see a Ctrl-C (this process handles it and stops them) and do
not outlive this process, even if it is killed (see `sim.runner.batch`; Dask's worker processes
watch their nanny's process themselves).

Results never depend on the executor: each run's seed and values are fixed before submission.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass

from sim.runner.batch import make_executor, sigint_blocked, start_forkserver, stop_executor

DASHBOARD_ADDRESS = "127.0.0.1:0"  # loopback only, on a free port (printed): never a clash
# Settings of the local cluster, each measured on 2 cores:
# - Dask's statistical profiler (a stack sample every 10 ms) cost about 12% of a model run
#   (4-run chunks);
# - Dask sets MALLOC_TRIM_THRESHOLD_ in its workers' environment, and glibc then fixes its mmap
#   threshold at 128 KiB, so every array over the 24,000 households is mmap'ed and faulted in
#   afresh: a run took 15-25% longer with it set to any value (8 runs of 52 weeks: 1.17-1.25 s
#   unset, 1.27-1.40 s at 128 MiB, 1.43-1.62 s at Dask's 64 KiB); None leaves it unset;
# - worker processes forked from multiprocessing's forkserver (the one local pools use; Dask
#   preloads its modules in it if this process has none running yet) rather than spawned: a
#   spawned worker ends through a full interpreter shutdown, and closing the cluster took 0.27 s
#   (0.02 s forked), 2% of a 200-run sweep of 52-week runs;
# - Dask's housekeeping runs on each server's event loop (scheduler, nannies and client in this
#   process, one per worker) and takes the GIL and a core from the runs: the event-loop
#   watchdog ticks every 20 ms, the system monitor samples for the dashboard every 500 ms, the
#   nannies poll their worker's memory every 100 ms and the scheduler balances work for
#   stealing every 100 ms. A sweep submits only a few chunks per worker at a time (nothing to
#   steal) and a run's memory is flat (a poll every few seconds is enough). An idle cluster used
#   0.32 s of CPU here and 0.16 s in each worker per 10 s with Dask's defaults, 0.06 s and
#   0.025 s with these; a 200-run sweep of 52-week runs 0.8 s less here, 0.7 s less per worker.
HOUSEKEEPING_INTERVAL = "5s"
# what the forkserver imports before it forks a sweep's workers, local or the local Dask
# cluster's: the chunk runner, and Dask's worker (0.14 s more, once per process; the forkserver
# lives as long as the process, which may run a local sweep and a Dask one)
SWEEP_WORKER_PRELOAD = ("sim.sweep.evaluate", "distributed")

LOCAL_CLUSTER_CONFIG: dict[str, object] = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.worker.multiprocessing-method": "forkserver",
    "distributed.scheduler.work-stealing": False,
    "distributed.admin.tick.interval": "1s",  # warns of a loop blocked for longer than that
    "distributed.admin.system-monitor.interval": HOUSEKEEPING_INTERVAL,
    "distributed.worker.memory.monitor-interval": HOUSEKEEPING_INTERVAL,
}


@dataclass(frozen=True)
class ExecutorInfo:
    """What the sweep ran on (for the manifest and the console)."""

    kind: str
    workers: int
    address: str | None = None
    dashboard: str | None = None


class ExecutorUnavailable(Exception):
    """The requested executor cannot be started (e.g. no Dask scheduler at the address)."""


@contextlib.contextmanager
def open_executor(
    kind: str,
    workers: int,
    scheduler: str | None = None,
    report: Callable[[ExecutorInfo], None] | None = None,
) -> Iterator[tuple[Executor, ExecutorInfo]]:
    """Start the executor, yield it with a description, and shut it down afterwards."""
    if kind == "local":
        pool = make_executor(workers, SWEEP_WORKER_PRELOAD)
        info = ExecutorInfo("local", workers)
        if report:
            report(info)
        try:
            yield pool, info
        except BaseException:  # Ctrl-C or an error: stop the workers, do not wait for them
            stop_executor(pool)
            raise
        pool.shutdown(wait=True)
        return
    if kind != "dask":
        raise ValueError(f"unknown executor {kind!r}")
    with _dask_client(workers, scheduler) as (client, info):
        if report:
            report(info)
        yield client.get_executor(), info


@contextlib.contextmanager
def _dask_client(workers: int, scheduler: str | None):
    import dask
    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.ERROR)
    cluster = None
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise ExecutorUnavailable(
                    f"no Dask scheduler answered at {scheduler} ({exc}); start one with "
                    "`dask scheduler` and `dask worker ADDRESS`, or leave out --scheduler for a "
                    "local cluster"
                ) from None
        else:
            # the cluster's thread, and so its worker processes, never see Ctrl-C: this
            # process handles it and closes the cluster
            with dask.config.set(LOCAL_CLUSTER_CONFIG), sigint_blocked():
                start_forkserver(SWEEP_WORKER_PRELOAD)  # its workers fork from it
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,  # the model is pure Python: one run per process
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=DASHBOARD_ADDRESS,
                    # a worker that outlives the scheduler by a heartbeat (Ctrl-C, shutdown) logs
                    # an ERROR with a traceback; failures of runs reach us through their futures
                    silence_logs=logging.CRITICAL,
                )
            client = Client(cluster)
        n = len(client.scheduler_info().get("workers", {})) or workers
        info = ExecutorInfo("dask", n, client.scheduler.address, client.dashboard_link)
        try:
            yield client, info
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()
