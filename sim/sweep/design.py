"""Design points of a sweep (grid, Latin hypercube, Sobol/Saltelli, Morris) and the run plan.

Samples come from SALib (Sobol, Morris) and scipy.stats.qmc (Latin hypercube), seeded from the
sweep's master seed, so the same file and seed always give the same design.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.runner.seeds import replicate_seeds
from sim.sweep.spec import SweepSpec

REFERENCE_POINT = -1  # point id of the reference runs (the unchanged base scenario)
_DESIGN_STREAM = 0x5EED  # mixes into the master seed for the design's own random stream


@dataclass(frozen=True)
class Design:
    """The sampled matrix `x` (one row per design point, as SALib sees it) and the values the
    runs use (`points`: integer parameters rounded)."""

    problem: dict[str, Any]
    x: np.ndarray
    points: pd.DataFrame


def salib_problem(spec: SweepSpec) -> dict[str, Any]:
    """The SALib problem: names and bounds of the ranged parameters."""
    names = spec.parameter_names
    bounds = [[p.low, p.high] if p.values is None else [0.0, 1.0] for p in spec.parameters.values()]
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def design_seed(master_seed: int) -> int:
    """The design's seed, derived from the master seed (independent of the runs' seeds)."""
    state = np.random.SeedSequence([master_seed, _DESIGN_STREAM]).generate_state(1)
    return int(state[0])


def build_design(spec: SweepSpec) -> Design:
    """Sample the design points of `spec`."""
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    problem = salib_problem(spec)
    names = spec.parameter_names
    seed = design_seed(spec.seed)
    if spec.method == "grid":
        values = [p.values for p in spec.parameters.values()]
        rows = list(itertools.product(*values))
        points = pd.DataFrame(rows, columns=names)
        return Design(problem, np.empty((len(rows), 0)), points)
    if spec.method == "lhs":
        from scipy.stats import qmc  # here, not at the top: run workers import this module

        sampler = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed))
        unit = sampler.random(spec.samples)
        bounds = np.asarray(problem["bounds"], dtype=float)
        x = qmc.scale(unit, bounds[:, 0], bounds[:, 1])
    elif spec.method == "sobol":
        x = sobol_sample.sample(
            problem, spec.samples, calc_second_order=spec.second_order, seed=seed
        )
    else:
        x = morris_sample.sample(problem, spec.samples, num_levels=spec.levels, seed=seed)
    points = pd.DataFrame(x, columns=names)
    for name, p in spec.parameters.items():
        if p.integer:
            points[name] = np.rint(points[name]).astype(np.int64)
    return Design(problem, x, points)


@dataclass(frozen=True)
class RunSpec:
    """One run: its id, design point (-1 = reference), replicate, seed and parameter values."""

    run_id: int
    point: int
    replicate: int
    seed: int
    values: dict[str, Any]


def plan_runs(spec: SweepSpec, design: Design) -> list[RunSpec]:
    """Every run of the sweep: design points x replicates, then the reference runs.

    Run ids are stable: point p, replicate k is run p * replicates + k. With common random
    numbers replicate k has the same seed at every point (the seed `vraem run --seed` gives
    replicate k); otherwise each run has its own seed spawned from the master seed.
    """
    n_points = len(design.points)
    reps = spec.replicates
    n_runs = n_points * reps + (reps if spec.has_reference else 0)
    if spec.common_random_numbers:
        per_rep = replicate_seeds(spec.seed, reps)
        seeds = [per_rep[i % reps] for i in range(n_runs)]
    else:
        seeds = replicate_seeds(spec.seed, n_runs)
    records = design.points.to_dict("records")
    runs = []
    for p, values in enumerate(records):
        clean = {k: (v.item() if hasattr(v, "item") else v) for k, v in values.items()}
        for k in range(reps):
            rid = p * reps + k
            runs.append(RunSpec(rid, p, k, seeds[rid], clean))
    if spec.has_reference:
        for k in range(reps):
            rid = n_points * reps + k
            runs.append(RunSpec(rid, REFERENCE_POINT, k, seeds[rid], {}))
    return runs
