"""Measure a baseline run on the calibration targets of `targets.yaml`.

Each target's metric is computed per replicate over years 2-5 (weeks 52-259, or every week after
the first year if the run is shorter), then summarised as the mean and 90% interval across
replicates and compared with the band.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from importlib import resources

import numpy as np
import pandas as pd
import yaml

from sim import metrics
from sim.units import WEEKS_PER_YEAR

FIRST_WEEK = WEEKS_PER_YEAR  # years 2-5 of the run
SHARE_SUFFIX = "_export_share"  # "<exit or route group>_export_share": its share of exports

Measure = Callable[[pd.DataFrame, pd.DataFrame], pd.Series]

#: Targets named otherwise than the outcome of `sim.metrics` that measures them.
TARGET_OUTCOMES: dict[str, str] = {
    "vraem_coca_ha": "coca_ha",
    "vraem_leaf_output_t_per_year": "leaf_t",
    "vraem_cocaine_hcl_t_per_year": "cocaine_produced_t",
    "mpcp_members": "armed_members",
    "mpcp_fighters": "armed_fighters",
    "conflict_deaths_per_year": "deaths",
    "vraem_eradication_ha_per_year": "eradicated_ha",
}


def load_targets() -> dict[str, dict]:
    """The packaged calibration targets, by name."""
    text = (resources.files("sim.calibration") / "targets.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["targets"]


def target_measure(name: str) -> Measure:
    """How a target is measured per replicate: an outcome of `sim.metrics` (by its name or
    through TARGET_OUTCOMES), or the export share of the exit or route group the name starts
    with (e.g. `bolivia_export_share`)."""
    outcome = TARGET_OUTCOMES.get(name, name)
    if outcome in metrics.OUTCOMES:
        return partial(metrics.over_weeks, outcome)
    place = name.removesuffix(SHARE_SUFFIX)
    if name.endswith(SHARE_SUFFIX) and place in metrics.network_places():
        return lambda ts, ex: metrics.export_share(ex, place)
    raise ValueError(
        f"calibration target {name!r} names no outcome of sim.metrics and no exit or route group "
        "of the network"
    )


def evaluate_targets(timeseries: pd.DataFrame, exits: pd.DataFrame) -> pd.DataFrame:
    """One row per target: model mean and 90% interval across replicates, band, pass/miss."""
    first = FIRST_WEEK if timeseries["week"].max() >= FIRST_WEEK else 0
    ts = timeseries[timeseries["week"] >= first]
    ex = exits[exits["week"] >= first]
    rows = []
    for name, target in load_targets().items():
        values = target_measure(name)(ts, ex).to_numpy(dtype=float)
        lo, hi = (float(b) for b in target["band"])
        mean = float(values.mean())
        rows.append(
            {
                "target": name,
                "unit": target.get("unit", ""),
                "model_mean": mean,
                "model_p05": float(np.percentile(values, 5)),
                "model_p95": float(np.percentile(values, 95)),
                "band_low": lo,
                "band_high": hi,
                "value": target.get("value"),
                "status": "PASS" if lo <= mean <= hi else "MISS",
            }
        )
    return pd.DataFrame(rows)
