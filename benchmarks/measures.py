"""The measurements of the benchmark suite (benchmarks/run.py), one function per figure.

Every ratio is measured side by side in one process run: the two sides alternate, repeat by
repeat, and the ratio is of their medians over the repeats. Times are wall-clock seconds
(`time.perf_counter`). Sizes come from `Sizes`: `FULL` is what the targets of issue 16 name,
`QUICK` a tiny version that the test suite runs so that the benchmarks cannot rot (its figures
are not comparable with the targets).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import psutil
import yaml

from sim.config.models import Scenario
from sim.model import VraemModel
from sim.runner.replicate import ReplicateTask, run_replicate
from sim.runner.seeds import replicate_seeds
from sim.scenarios import compile_scenario, load_scenario
from sim.sweep.results import write_sweep_outputs
from sim.sweep.runner import run_sweep
from sim.sweep.spec import load_sweep

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
MIB = 2**20
MEMORY_SAMPLE_S = 0.05  # how often the peak-memory sampler looks (s)
SWEEP_METRICS = ["exported_t", "exported_callao_t", "seized_t", "deaths", "armed_groups"]
# the sweeps' varied parameter: the national interdiction capacity, around its calibrated value
SWEEP_PARAMETER = {"security.interdiction_capacity": {"low": 0.5, "high": 1.0}}
SWEEP_SEED = 20231113
START_UP_WEEKS = 12  # weeks the briefings leave out (sim.report.windows); metrics start after


@dataclass(frozen=True)
class Sizes:
    """How big each measurement is."""

    repeats: int  # repeats of every timed side (medians over these)
    run_weeks: int  # length of the single runs (B2, B3, B10)
    grower_households: int  # B1
    grower_weeks: int  # B1: weeks timed per repeat
    week_window: tuple[tuple[int, int], tuple[int, int]]  # B4: early and late weeks [a, b)
    sweep_runs: int  # B5-B7
    sweep_weeks: int  # B5-B7: weeks per run
    big_runs: int  # B8, B11
    big_weeks: int  # B8, B11: weeks per run
    explorer_weeks: int  # B9: explorer steps per repeat


FULL = Sizes(
    repeats=5,
    run_weeks=260,
    grower_households=20_000,
    grower_weeks=52,
    week_window=((0, 60), (200, 260)),
    sweep_runs=200,
    sweep_weeks=52,
    big_runs=1000,
    big_weeks=260,
    explorer_weeks=52,
)
QUICK = Sizes(
    repeats=1,
    run_weeks=20,
    grower_households=500,
    grower_weeks=4,
    week_window=((0, 8), (12, 20)),
    sweep_runs=6,
    sweep_weeks=16,
    big_runs=6,
    big_weeks=16,
    explorer_weeks=3,
)


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def timed(fn: Callable[[], Any]) -> float:
    """Seconds `fn()` takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def baseline(weeks: int, overrides: list[str] | None = None) -> Scenario:
    """The shipped baseline cut to `weeks`, with dotted `key=value` overrides."""
    return load_scenario(BASELINE, [f"weeks={weeks}", *(overrides or [])])


def seeds(n: int) -> list[int]:
    """The seeds `vraem run` gives the baseline's first `n` replicates."""
    return replicate_seeds(load_scenario(BASELINE).seed, n)


# --- single runs ---------------------------------------------------------------------------
def time_runs(a: Scenario, b: Scenario, repeats: int) -> tuple[list[float], list[float]]:
    """Seconds of one run of `a` and of `b` (model built and run; the network compiled once
    before, as replicates share it), alternating, `repeats` times each on the same seeds."""
    nets = [compile_scenario(a), compile_scenario(b)]
    times: tuple[list[float], list[float]] = ([], [])
    for seed in seeds(repeats):
        for side, (sc, (net, routes)) in enumerate(zip((a, b), nets, strict=True)):
            # the model's construction is timed too; `timed` calls the lambda at once
            times[side].append(timed(lambda: VraemModel(sc, seed, net, routes).run()))  # noqa: B023
    return times


def scaled_run(sizes: Sizes, key: str, factor: int) -> dict[str, Any]:
    """One run with `key` (a count) multiplied by `factor` against one at the default."""
    one = baseline(sizes.run_weeks)
    section, field = key.split(".")
    default = getattr(getattr(one, section), field)
    many = baseline(sizes.run_weeks, [f"{key}={default * factor}"])
    t1, tn = time_runs(one, many, sizes.repeats)
    return {
        "value": median(tn) / median(t1),
        "detail": {f"{key}": [default, default * factor], "s_1x": median(t1), "s_nx": median(tn)},
    }


def week_growth(sizes: Sizes) -> dict[str, Any]:
    """Time per simulated week late in a run against early in it (B4)."""
    (a0, a1), (b0, b1) = sizes.week_window
    sc = baseline(b1)
    net, routes = compile_scenario(sc)
    early, late = [], []
    for seed in seeds(sizes.repeats):
        model = VraemModel(sc, seed, net, routes)
        per_week = [timed(model.step) for _ in range(b1)]
        early.append(statistics.fmean(per_week[a0:a1]))
        late.append(statistics.fmean(per_week[b0:b1]))
    return {
        "value": median(late) / median(early),
        "detail": {
            "weeks_early": [a0, a1],
            "weeks_late": [b0, b1],
            "ms_per_week_early": 1000 * median(early),
            "ms_per_week_late": 1000 * median(late),
        },
    }


def one_replicate(sizes: Sizes) -> dict[str, Any]:
    """Seconds of one baseline replicate as a run or a sweep pays for it: model built and run,
    tables made (`run_replicate`; the compiled network cached after a first, untimed run)."""
    sc = baseline(sizes.run_weeks)
    run_replicate(ReplicateTask(sc, 0, seeds(1)[0]))  # warm: the network cache, imports
    runs = [ReplicateTask(sc, 0, seed) for seed in seeds(sizes.repeats)]
    times = [timed(lambda task=task: run_replicate(task)) for task in runs]
    return {"value": median(times), "detail": {"weeks": sizes.run_weeks, "all_s": times}}


# --- sweeps --------------------------------------------------------------------------------
def write_sweep(folder: Path, name: str, runs: int, weeks: int, timeseries: bool) -> Path:
    """A Latin-hypercube sweep of `runs` runs of the baseline cut to `weeks`, one replicate per
    point and no reference runs, its metrics over the weeks after the start-up."""
    data = {
        "name": name,
        "base": str(BASELINE),
        "scenario": {"weeks": weeks},
        "method": "lhs",
        "samples": runs,
        "replicates": 1,
        "reference_runs": False,
        "seed": SWEEP_SEED,
        "parameters": SWEEP_PARAMETER,
        "metrics": SWEEP_METRICS,
        "weeks": [min(START_UP_WEEKS, weeks - 1), weeks - 1],
        "timeseries": timeseries,
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def sweep_once(sweep_file: Path, out: Path, executor: str, workers: int) -> float:
    """Seconds of `vraem sweep` on a sweep file (runs, Parquet files and the analysis; no
    figures), into a new folder `out`."""
    sweep = load_sweep(sweep_file)

    def finalize(s, d, r, f):
        return write_sweep_outputs(s, d, r, f, figures=False)

    return timed(
        lambda: run_sweep(sweep, out, executor=executor, workers=workers, finalize=finalize)
    )


def batch_run_once(sweep_file: Path, runs: int, weeks: int, workers: int) -> tuple[float, list]:
    """Seconds of `mesa.batch_run` on the same runs (benchmarks/batch_model.py), and its rows."""
    from batch_model import BatchRunVraem
    from mesa.batchrunner import batch_run

    rows: list = []

    def go() -> None:
        rows.extend(
            batch_run(
                BatchRunVraem,
                parameters={"sweep_file": str(sweep_file), "run_id": range(runs)},
                number_processes=workers,
                rng=[None],
                max_steps=weeks,
                data_collection_period=-1,
                display_progress=False,
            )
        )

    return timed(go), rows


def same_metrics(sweep_folder: Path, rows: list[dict[str, Any]]) -> bool:
    """Whether Mesa's batch runner gave every run the metrics `vraem sweep` gave it."""
    ours = pd.read_parquet(sweep_folder / "runs.parquet").set_index("run_id")[SWEEP_METRICS]
    theirs = pd.DataFrame(rows).set_index("run_id")[SWEEP_METRICS].sort_index()
    return ours.sort_index().equals(theirs.astype(ours.dtypes.to_dict()))


def sweep_executors(sizes: Sizes) -> dict[str, dict[str, Any]]:
    """B5-B7: one sweep through 1 and 2 local workers, the Dask executor on 2 workers and
    `mesa.batch_run` on 2 processes, alternating, repeat by repeat."""
    sides = ("local:1", "local:2", "dask:2", "batch_run:2")
    times: dict[str, list[float]] = {side: [] for side in sides}
    identical = True
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sweep_file = write_sweep(root, "bench", sizes.sweep_runs, sizes.sweep_weeks, False)
        for r in range(sizes.repeats):
            for side in sides:
                kind, workers = side.split(":")
                if kind == "batch_run":
                    seconds, rows = batch_run_once(
                        sweep_file, sizes.sweep_runs, sizes.sweep_weeks, int(workers)
                    )
                    identical &= same_metrics(root / f"local_2_{r}", rows)
                else:
                    out = root / f"{kind}_{workers}_{r}"
                    seconds = sweep_once(sweep_file, out, kind, int(workers))
                times[side].append(seconds)
            first = (root / f"local_1_{r}" / "runs.parquet").read_bytes()
            for other in ("local_2", "dask_2"):
                identical &= (root / f"{other}_{r}" / "runs.parquet").read_bytes() == first
    m = {side: median(t) for side, t in times.items()}
    common = {
        "runs": sizes.sweep_runs,
        "weeks_per_run": sizes.sweep_weeks,
        "median_s": m,
        "identical_results": identical,
    }
    return {
        "B5": {"value": m["local:1"] / m["local:2"], "detail": common},
        "B6": {"value": m["local:2"] / m["dask:2"], "detail": common},
        "B7": {"value": m["batch_run:2"] / m["local:2"], "detail": common},
    }


@contextmanager
def peak_memory(root: psutil.Process) -> Iterator[dict[str, float]]:
    """Sample the resident memory of process `root` and all its descendants while the block
    runs; the dict gets `peak_mib` (the largest sum seen)."""
    found = {"peak_mib": 0.0}
    stop = threading.Event()

    def total() -> float:
        rss = 0
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0.0  # it has ended
        for proc in tree:
            try:
                rss += proc.memory_info().rss
            except psutil.Error:
                continue  # a worker that ended between the listing and the reading
        return rss / MIB

    def sample() -> None:
        while not stop.is_set():
            found["peak_mib"] = max(found["peak_mib"], total())
            stop.wait(MEMORY_SAMPLE_S)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        stop.set()
        thread.join()


def big_sweep(sizes: Sizes) -> dict[str, dict[str, Any]]:
    """B8 and B11: `vraem sweep` of `big_runs` runs of `big_weeks` weeks on 2 local workers,
    keeping every run's weekly series (the default) and writing the analysis (no figures), run
    as its own process as a user runs it: its wall time and the peak resident memory of it and
    its workers."""
    vraem = Path(sys.executable).with_name("vraem")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sweep_file = write_sweep(root, "big", sizes.big_runs, sizes.big_weeks, True)
        command = [str(vraem), "sweep", str(sweep_file), "--workers", "2"]
        command += ["--out", str(root / "out"), "--no-figures"]
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        with peak_memory(psutil.Process(proc.pid)) as memory:
            _, err = proc.communicate()
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"vraem sweep failed ({proc.returncode}): {err.decode()[-2000:]}")
    detail = {"runs": sizes.big_runs, "weeks_per_run": sizes.big_weeks, "workers": 2}
    return {
        "B8": {"value": memory["peak_mib"], "detail": detail},
        "B11": {"value": seconds, "detail": detail | {"s_per_run": seconds / sizes.big_runs}},
    }


# --- growers and the explorer --------------------------------------------------------------
def grower_step(sizes: Sizes) -> dict[str, Any]:
    """B1: the vectorised grower step against the per-agent Mesa formulation of its rule."""
    from grower_reference import time_grower_step

    found = time_grower_step(sizes.grower_households, sizes.grower_weeks, sizes.repeats)
    return {"value": found["speedup"], "detail": found | {"households": sizes.grower_households}}


def explorer_step(sizes: Sizes) -> dict[str, Any]:
    """B9: one step of the explorer on the default scenario, with the page's re-render."""
    from bench_explorer import explorer_steps

    means, slowest = explorer_steps(sizes.repeats, view=True, weeks=sizes.explorer_weeks)
    return {
        "value": median(means),  # ms
        "detail": {"weeks": sizes.explorer_weeks, "slowest_ms": median(slowest)},
    }
