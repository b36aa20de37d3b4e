"""Measure a baseline run on the calibration targets of `targets.yaml`.

Each target's metric is computed per replicate over years 2-5 (weeks 52-259, or every week after
the first year if the run is shorter), then summarised as the mean and 90% interval across
replicates and compared with the band.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

import numpy as np
import pandas as pd
import yaml

WEEKS_PER_YEAR = 52
FIRST_WEEK = 52  # years 2-5 of the run


def load_targets() -> dict[str, dict]:
    """The packaged calibration targets, by name."""
    text = (resources.files("sim.calibration") / "targets.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["targets"]


def per_year(ts: pd.DataFrame, col: str, scale: float = 1.0) -> pd.Series:
    """A weekly flow summed per replicate and expressed per year (times `scale`)."""
    g = ts.groupby("replicate")
    return g[col].sum() / g["week"].count() * WEEKS_PER_YEAR * scale


def _exit_share(exits: pd.DataFrame, select: Callable[[pd.DataFrame], pd.Series]) -> pd.Series:
    total = exits.groupby("replicate")["exported_kg"].sum()
    part = exits[select(exits)].groupby("replicate")["exported_kg"].sum()
    return part.reindex(total.index, fill_value=0.0) / total


def _seizure_share(ts: pd.DataFrame) -> pd.Series:
    g = ts.groupby("replicate")
    seized, exported = g["seized_kg"].sum(), g["exported_kg"].sum()
    return seized / (seized + exported)


METRICS: dict[str, Callable[[pd.DataFrame, pd.DataFrame], pd.Series]] = {
    "vraem_coca_ha": lambda ts, ex: ts.groupby("replicate")["coca_ha"].mean(),
    "vraem_leaf_output_t_per_year": lambda ts, ex: per_year(ts, "leaf_t"),
    "vraem_cocaine_hcl_t_per_year": lambda ts, ex: per_year(ts, "cocaine_produced_kg") / 1000,
    "seizure_share": lambda ts, ex: _seizure_share(ts),
    "callao_export_share": lambda ts, ex: _exit_share(ex, lambda e: e["exit"] == "callao"),
    "bolivia_export_share": lambda ts, ex: _exit_share(ex, lambda e: e["group"] == "bolivia"),
    "brazil_export_share": lambda ts, ex: _exit_share(ex, lambda e: e["group"] == "brazil"),
    "price_leaf_usd_per_kg": lambda ts, ex: ts.groupby("replicate")["price_leaf_usd_per_kg"].mean(),
    "price_paste_usd_per_kg": lambda ts, ex: ts.groupby("replicate")[
        "price_paste_usd_per_kg"
    ].mean(),
    "price_hcl_vraem_usd_per_kg": lambda ts, ex: ts.groupby("replicate")[
        "price_hcl_vraem_usd_per_kg"
    ].mean(),
    "price_hcl_callao_usd_per_kg": lambda ts, ex: (
        ex[ex["exit"] == "callao"].groupby("replicate")["price_hcl_usd_per_kg"].mean()
    ),
    "mpcp_members": lambda ts, ex: ts.groupby("replicate")["armed_members"].mean(),
    "mpcp_fighters": lambda ts, ex: ts.groupby("replicate")["armed_fighters"].mean(),
    "conflict_deaths_per_year": lambda ts, ex: per_year(ts, "deaths"),
    "vraem_eradication_ha_per_year": lambda ts, ex: per_year(ts, "eradicated_ha"),
}


def evaluate_targets(timeseries: pd.DataFrame, exits: pd.DataFrame) -> pd.DataFrame:
    """One row per target: model mean and 90% interval across replicates, band, pass/miss."""
    first = FIRST_WEEK if timeseries["week"].max() >= FIRST_WEEK else 0
    ts = timeseries[timeseries["week"] >= first]
    ex = exits[exits["week"] >= first]
    rows = []
    for name, target in load_targets().items():
        values = METRICS[name](ts, ex).to_numpy(dtype=float)
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
