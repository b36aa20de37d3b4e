"""What a worker does with a chunk of runs: build each run's scenario, run it, reduce it to metrics.

A chunk is small and picklable (the base scenario dict plus the runs' values and seeds); the
result is small too (one metrics row per run, and the run's weekly series if the sweep keeps
them), so the same function serves local processes and remote Dask workers, which need no shared
file system.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.sweep.design import RunSpec

ISHIGAMI_A = 7.0
ISHIGAMI_B = 0.1


@dataclass(frozen=True)
class Chunk:
    """Runs handed to one task."""

    model: str  # "vraem" or "ishigami"
    base: dict[str, Any] | None  # resolved base scenario (vraem)
    runs: tuple[RunSpec, ...]
    metrics: tuple[str, ...]
    years: tuple[int, int]
    keep_timeseries: bool


@dataclass
class ChunkResult:
    """One row per run (status, error, metrics) and the kept weekly series."""

    rows: list[dict[str, Any]]
    timeseries: dict[int, pd.DataFrame] = field(default_factory=dict)


def ishigami(x1: float, x2: float, x3: float) -> float:
    """The Ishigami function (a=7, b=0.1), whose Sobol indices are known analytically."""
    return math.sin(x1) + ISHIGAMI_A * math.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * math.sin(x1)


def run_metrics(
    timeseries: pd.DataFrame, exits: pd.DataFrame, metrics: tuple[str, ...], years: tuple[int, int]
) -> dict[str, float]:
    """A run's metrics: the yearly values of `sim.metrics.yearly`, averaged over `years`
    (inclusive; cut at the horizon)."""
    from sim.metrics import yearly as yearly_outcomes

    yearly = yearly_outcomes(timeseries, exits)
    window = yearly[(yearly["year"] >= years[0]) & (yearly["year"] <= years[1])]
    return {m: float(window[m].mean()) for m in metrics}


def simulate_run(chunk: Chunk, run: RunSpec) -> tuple[dict[str, float], pd.DataFrame | None]:
    """Run one design point replicate; return its metrics and weekly series."""
    if chunk.model == "ishigami":
        return {"y": ishigami(**run.values)}, None
    from sim.config.loader import set_key
    from sim.runner.replicate import ReplicateTask, run_replicate
    from sim.scenarios import validate_scenario

    data = copy.deepcopy(chunk.base)
    for key, value in run.values.items():
        set_key(data, key, value, f"run {run.run_id}")
    scenario = validate_scenario(data, f"run {run.run_id}")
    result = run_replicate(ReplicateTask(scenario, run.replicate, run.seed))
    metrics = run_metrics(result.timeseries, result.exits, chunk.metrics, chunk.years)
    return metrics, (result.timeseries if chunk.keep_timeseries else None)


def run_chunk(chunk: Chunk) -> ChunkResult:
    """Run every run of a chunk; a failing run is recorded with its error, the others go on."""
    out = ChunkResult(rows=[])
    for run in chunk.runs:
        row: dict[str, Any] = {"run_id": run.run_id, "status": "ok", "error": ""}
        try:
            metrics, series = simulate_run(chunk, run)
        except Exception as exc:  # recorded in runs.parquet; the sweep goes on
            metrics, series = dict.fromkeys(chunk.metrics, np.nan), None
            row.update(status="failed", error=f"{type(exc).__name__}: {exc}"[:500])
        row.update(metrics)
        out.rows.append(row)
        if series is not None:
            out.timeseries[run.run_id] = series
    return out
