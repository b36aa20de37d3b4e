"""Reproducible calibration of the baseline: a Latin-hypercube search over the free parameters,
scored by a distance on standardised targets (points whose members, fighters or coca area drift
from year 2 to year 5 rank last: a baseline must hold steady), refined on more replicates,
written into
`scenarios/baseline.yaml`.

    python -m sim.calibration.calibrate            # search and rewrite the calibrated block
    python -m sim.calibration.calibrate --check    # search and compare with the shipped block

Which parameters are free (estimates with no source that fixes them), their plausible ranges,
which targets are fitted and which are held back to check the fit are fixed below. The search is
deterministic: one master seed gives the design (scipy.stats.qmc.LatinHypercube) and every run's
seed, so rerunning it reproduces the shipped baseline.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.stats import qmc

from sim.calibration.targets import evaluate_targets, load_targets
from sim.calibration.validate import target_values
from sim.config.loader import apply_overrides, read_scenario_dict
from sim.runner.batch import default_workers, make_executor, run_scenario
from sim.scenarios import validate_scenario


@dataclass(frozen=True)
class FreeParameter:
    """A parameter the calibration may move, within a plausible range."""

    key: str
    low: float
    high: float
    why: str


FREE = [
    FreeParameter(
        "traffickers.markup",
        0.45,
        0.65,
        "traffickers' risk markup; VRAEM 900-1,200 vs Callao ~3,500 USD/kg",
    ),
    FreeParameter(
        "security.interdiction_capacity",
        0.5,
        1.2,
        "scales the estimated base detection risks of all edges",
    ),
    FreeParameter(
        "market.exit_price_usd_per_kg.bolivia_air",
        2600.0,
        3300.0,
        "price on delivery by the air bridge; no source",
    ),
    FreeParameter(
        "armed_group.growth_rate_per_year",
        0.15,
        0.6,
        "how fast the group recruits when funds allow; no source",
    ),
    FreeParameter(
        "security.clash_probability_per_patrol",
        0.006,
        0.02,
        "how often a patrol meets fighters; no source",
    ),
]

FITTED = [
    "vraem_coca_ha",
    "vraem_cocaine_hcl_t_per_year",
    "seizure_share",
    "callao_export_share",
    "bolivia_export_share",
    "price_leaf_usd_per_kg",
    "price_hcl_vraem_usd_per_kg",
    "mpcp_members",
    "conflict_deaths_per_year",
]
HELD_BACK = [
    "vraem_leaf_output_t_per_year",
    "brazil_export_share",
    "price_paste_usd_per_kg",
    "price_hcl_callao_usd_per_kg",
    "mpcp_fighters",
    "vraem_eradication_ha_per_year",
    "non_armed_deaths_per_year",
    "civilian_share_of_non_armed_deaths",
    "largest_event_deaths_in_5_years",
    "median_deaths_per_lethal_event",
    "armed_income_usd_per_year",
]

SEED = 2021  # master seed of the design and of every run in it
DESIGN_POINTS = 40
DESIGN_REPLICATES = 2
REFINE_POINTS = 3
REFINE_REPLICATES = 6
BEGIN = "# --- calibrated: written by `python -m sim.calibration.calibrate`; do not edit ---"
END = "# --- end calibrated ---"


# A baseline must be stationary: these levels should not drift between year 2 and year 5.
STATIONARY = {
    "armed_members": "mpcp_members",
    "armed_fighters": "mpcp_fighters",
    "coca_ha": "vraem_coca_ha",
}


def drift(timeseries: pd.DataFrame) -> dict[str, float]:
    """Change of each stationary level from year 2 to year 5, per band width of its target."""
    targets = load_targets()
    year2 = timeseries[timeseries["week"].between(52, 103)]
    year5 = timeseries[timeseries["week"].between(208, 259)]
    out = {}
    for col, target in STATIONARY.items():
        lo, hi = targets[target]["band"]
        out[col] = float((year5[col].mean() - year2[col].mean()) / (hi - lo))
    return out


DRIFT_LIMIT = 0.1  # band widths: a point whose levels drift more ranks after every steady one


def distance(table: pd.DataFrame) -> float:
    """Root mean square of (model - reported value) / band width over the fitted targets."""
    values = target_values()
    rows = table.set_index("target").loc[FITTED]
    width = (rows["band_high"] - rows["band_low"]).to_numpy()
    gap = rows["model_mean"].to_numpy() - np.array([values[t] for t in FITTED])
    return float(np.sqrt(np.mean((gap / width) ** 2)))


def score(table: pd.DataFrame, drifts: dict[str, float]) -> tuple[bool, float]:
    """Rank of a point: steady points first (no level drifts more than DRIFT_LIMIT), then by
    distance."""
    return (max(abs(d) for d in drifts.values()) > DRIFT_LIMIT, distance(table))


def rounded(x: float) -> float:
    """Three significant digits: what is written to the scenario."""
    return float(f"{x:.3g}")


def point_overrides(point: np.ndarray) -> list[str]:
    return [f"{p.key}={rounded(v)}" for p, v in zip(FREE, point, strict=True)]


def evaluate(base: dict, baseline_path: Path, point: np.ndarray, replicates: int, executor):
    data = apply_overrides(
        base, [*point_overrides(point), f"replicates={replicates}", f"seed={SEED}", "weeks=260"]
    )
    scenario = validate_scenario(data, baseline_path)
    result = run_scenario(scenario, executor=executor)
    table = evaluate_targets(result.timeseries, result.exits, result.events)
    return score(table, drift(result.timeseries)), table


def strip_block(text: str) -> str:
    return re.sub(rf"\n?{re.escape(BEGIN)}.*?{re.escape(END)}\n?", "\n", text, flags=re.S)


def block_for(point: np.ndarray) -> str:
    nested: dict = {}
    for p, v in zip(FREE, point, strict=True):
        node = nested
        *parents, last = p.key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = rounded(v)
    body = yaml.safe_dump(nested, sort_keys=True, default_flow_style=False)
    return f"{BEGIN}\n{body}{END}\n"


def calibrate(baseline_path: Path, workers: int, log=print) -> tuple[np.ndarray, pd.DataFrame]:
    """Run the search; returns the chosen point and its validation table."""
    base = read_scenario_dict(baseline_path)
    for p in FREE:  # the search sets them itself
        node = base
        *parents, last = p.key.split(".")
        for part in parents:
            node = node.get(part, {})
        node.pop(last, None)
    sampler = qmc.LatinHypercube(d=len(FREE), seed=np.random.default_rng(SEED))
    unit = sampler.random(DESIGN_POINTS)
    lows, highs = np.array([p.low for p in FREE]), np.array([p.high for p in FREE])
    design = qmc.scale(unit, lows, highs)
    scores = []
    executor = make_executor(workers)
    try:
        for i, point in enumerate(design):
            sc, _ = evaluate(base, baseline_path, point, DESIGN_REPLICATES, executor)
            scores.append((*sc, i))
            log(f"design {i + 1}/{DESIGN_POINTS}: distance {sc[1]:.4f}, drifting: {sc[0]}")
        best = [i for *_, i in sorted(scores)[:REFINE_POINTS]]
        refined = []
        for i in best:
            sc, table = evaluate(base, baseline_path, design[i], REFINE_REPLICATES, executor)
            refined.append((*sc, int(i), table))
            log(
                f"refine point {i}: distance {sc[1]:.4f}, drifting: {sc[0]} "
                f"({REFINE_REPLICATES} replicates)"
            )
    finally:
        executor.shutdown(wait=True)
    drifts, d, i, table = min(refined, key=lambda r: r[:3])
    log(f"chosen point {i}: distance {d:.4f}, drifting: {drifts}")
    return np.array([rounded(v) for v in design[i]]), table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", type=Path, default=Path("scenarios/baseline.yaml"))
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare with the shipped block instead of rewriting it",
    )
    args = parser.parse_args()
    point, table = calibrate(args.baseline, args.workers, log=lambda m: print(m, file=sys.stderr))
    held = table.set_index("target").loc[
        HELD_BACK, ["statistic", "model_mean", "band_low", "band_high", "status"]
    ]
    print("held-back targets at the chosen point:\n" + held.to_string())
    text = args.baseline.read_text(encoding="utf-8")
    new = strip_block(text).rstrip("\n") + "\n\n" + block_for(point)
    if args.check:
        if new != text:
            print("the shipped baseline differs from what the calibration gives now:")
            print(block_for(point))
            sys.exit(1)
        print("the shipped baseline is what the calibration gives")
        return
    args.baseline.write_text(new, encoding="utf-8")
    print(f"wrote the calibrated block to {args.baseline}:\n{block_for(point)}")


def fitted_and_held_back() -> tuple[list[str], list[str]]:
    """Which targets are fitted and which are held back (every target is one or the other)."""
    assert set(FITTED) | set(HELD_BACK) == set(load_targets())
    return FITTED, HELD_BACK


if __name__ == "__main__":
    main()
