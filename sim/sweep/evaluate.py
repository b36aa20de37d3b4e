"""What a worker does with a chunk of runs: build each run's scenario, run it, reduce it to metrics.

A chunk is small and picklable (the base scenario dict plus the runs' values and seeds); the
result is small too (one metrics row per run, and the run's weekly series if the sweep keeps
them), so the same function serves local processes and remote Dask workers, which need no shared
file system.
"""

from __future__ import annotations

import copy
import gc
import math
import multiprocessing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.sweep.design import RunSpec
from sim.sweep.spec import COUNTERFACTUAL, EFFECT, RATIO

if TYPE_CHECKING:
    from sim.model import VraemModel

ISHIGAMI_A = 7.0
ISHIGAMI_B = 0.1

_imports_frozen = False  # whether this worker process has frozen its long-lived objects yet


@dataclass(frozen=True)
class Chunk:
    """Runs handed to one task."""

    model: str  # "vraem" or "ishigami"
    base: dict[str, Any] | None  # resolved base scenario (vraem)
    runs: tuple[RunSpec, ...]
    metrics: tuple[str, ...]
    years: tuple[int, int]
    keep_timeseries: bool
    weeks: tuple[int, int] | None = None  # the metric window in weeks, instead of `years`
    effects: bool = False  # also run each run's counterfactual (no interventions)
    effect_ratio: bool = False  # with `effects`: also scenario / counterfactual

    @property
    def columns(self) -> tuple[str, ...]:
        """The metric columns of a run's row (see `SweepSpec.metric_columns`)."""
        suffixes = [COUNTERFACTUAL, EFFECT, *([RATIO] if self.effect_ratio else [])]
        derived = [f"{m}_{s}" for s in suffixes for m in self.metrics] if self.effects else []
        return (*self.metrics, *derived)


@dataclass
class ChunkResult:
    """One row per run (status, error, metrics) and the kept weekly series."""

    rows: list[dict[str, Any]]
    timeseries: dict[int, pd.DataFrame] = field(default_factory=dict)


def ishigami(x1: float, x2: float, x3: float) -> float:
    """The Ishigami function (a=7, b=0.1), whose Sobol indices are known analytically."""
    return math.sin(x1) + ISHIGAMI_A * math.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * math.sin(x1)


def run_metrics(
    timeseries: pd.DataFrame,
    exits: pd.DataFrame,
    metrics: tuple[str, ...],
    years: tuple[int, int],
    weeks: tuple[int, int] | None = None,
) -> dict[str, float]:
    """A run's metrics: the yearly values of `sim.metrics.yearly`, averaged over `years`
    (inclusive; cut at the horizon); or, with `weeks` (0-based, inclusive; cut at the horizon),
    `sim.metrics.over_weeks` of those weeks: a flow's weekly mean times 52, a level's mean, a
    share of the summed flows. NaN if the window holds no week."""
    from sim.metrics import over_weeks
    from sim.metrics import yearly as yearly_outcomes

    if weeks is not None:
        ts = timeseries[(timeseries["week"] >= weeks[0]) & (timeseries["week"] <= weeks[1])]
        ex = exits[(exits["week"] >= weeks[0]) & (exits["week"] <= weeks[1])]
        if ts.empty:
            return dict.fromkeys(metrics, np.nan)
        return {m: float(over_weeks(m, ts, ex).iloc[0]) for m in metrics}
    yearly = yearly_outcomes(timeseries, exits)
    window = yearly[(yearly["year"] >= years[0]) & (yearly["year"] <= years[1])]
    return {m: float(window[m].mean()) for m in metrics}


def model_metrics(
    model: VraemModel,
    replicate: int,
    metrics: tuple[str, ...],
    years: tuple[int, int],
    weeks: tuple[int, int] | None = None,
) -> tuple[dict[str, float], pd.DataFrame]:
    """A finished run's metrics (`run_metrics`) and its weekly series, from the model's records
    (only the tables the metrics need are made)."""
    rec = model.recorder
    timeseries = rec.timeseries(model.config.name, replicate, model.seed)
    exits = rec.exits_frame(replicate, model.network.exit_group)
    return run_metrics(timeseries, exits, metrics, years, weeks), timeseries


def effect_columns(
    level: dict[str, float], counterfactual: dict[str, float], ratio: bool
) -> dict[str, float]:
    """`m_counterfactual`, `m_effect` (level - counterfactual) and, if asked, `m_ratio` (level /
    counterfactual, NaN where the counterfactual is 0) of every metric."""
    out = {f"{m}_{COUNTERFACTUAL}": counterfactual[m] for m in level}
    out |= {f"{m}_{EFFECT}": level[m] - counterfactual[m] for m in level}
    if ratio:
        out |= {
            f"{m}_{RATIO}": level[m] / counterfactual[m] if counterfactual[m] != 0 else np.nan
            for m in level
        }
    return out


def _simulate(
    chunk: Chunk, data: dict[str, Any], run: RunSpec, source: str
) -> tuple[dict[str, float], pd.DataFrame]:
    """Validate a scenario dict, run it at the run's replicate and seed; return its metrics
    and weekly series (only the tables the metrics need are made)."""
    from sim.runner.replicate import ReplicateTask, simulate
    from sim.scenarios import validate_scenario

    scenario = validate_scenario(data, source)
    model = simulate(ReplicateTask(scenario, run.replicate, run.seed))
    return model_metrics(model, run.replicate, chunk.metrics, chunk.years, chunk.weeks)


def simulate_run(chunk: Chunk, run: RunSpec) -> tuple[dict[str, float], pd.DataFrame | None]:
    """Run one design point replicate (and, with `effects`, its counterfactual: the same
    scenario and seed with no interventions); return its metric columns and weekly series (the
    scenario's, not the counterfactual's)."""
    if chunk.model == "ishigami":
        return {"y": ishigami(**run.values)}, None
    from sim.config.loader import set_key

    data = copy.deepcopy(chunk.base)
    for key, value in run.values.items():
        set_key(data, key, value, f"run {run.run_id}")
    metrics, timeseries = _simulate(chunk, data, run, f"run {run.run_id}")
    if chunk.effects:
        data["interventions"] = []
        try:
            counterfactual, _ = _simulate(chunk, data, run, f"counterfactual of run {run.run_id}")
        except Exception as exc:
            raise RuntimeError(f"counterfactual: {type(exc).__name__}: {exc}") from exc
        metrics |= effect_columns(metrics, counterfactual, chunk.effect_ratio)
    return metrics, (timeseries if chunk.keep_timeseries else None)


def free_finished_run() -> None:
    """In a worker process, free the model of the run just finished at once.

    A model holds reference cycles (its agents point back at it), so only the cyclic collector
    frees it, and that collector's full passes come rarely: measured on 260-week runs, a
    worker's resident memory grew from 343 to 446 MiB over its first 100 runs, and kept
    growing, but stayed at 290-314 MiB with a collection after each run. A full collection
    scans every tracked object (about 140,000 after the model's imports: 54 ms, 12% of a run),
    so the first one is followed by `gc.freeze()`, which moves the imports' objects out of the
    collector's view: later collections take 0.3 ms. The sweep's own process (one worker runs
    inline) is left to the collector's schedule: freezing it would keep whatever of its state
    later became cyclic garbage. Whether this process has frozen yet is a flag of its own: the
    interpreter may start with objects frozen already (375 on CPython 3.12 here), so the freeze
    count cannot tell (a child forked after the freeze inherits both the flag and the frozen
    objects)."""
    global _imports_frozen
    if multiprocessing.parent_process() is None:
        return
    gc.collect()
    if not _imports_frozen:  # the first run of this worker
        gc.freeze()
        _imports_frozen = True


def run_chunk(chunk: Chunk) -> ChunkResult:
    """Run every run of a chunk; a failing run is recorded with its error, the others go on."""
    out = ChunkResult(rows=[])
    for run in chunk.runs:
        row: dict[str, Any] = {"run_id": run.run_id, "status": "ok", "error": ""}
        try:
            metrics, series = simulate_run(chunk, run)
        except Exception as exc:  # recorded in runs.parquet; the sweep goes on
            metrics, series = dict.fromkeys(chunk.columns, np.nan), None
            row.update(status="failed", error=f"{type(exc).__name__}: {exc}"[:500])
        row.update(metrics)
        out.rows.append(row)
        if series is not None:
            out.timeseries[run.run_id] = series
        free_finished_run()
    return out
