"""Headline metrics per replicate and year, from the weekly tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

WEEKS_PER_YEAR = 52

# metric name -> (timeseries column, how a year is aggregated, scale)
HEADLINE = {
    "coca_ha": ("coca_ha", "mean", 1.0),
    "leaf_t": ("leaf_t", "sum", 1.0),
    "cocaine_produced_t": ("cocaine_produced_kg", "sum", 1e-3),
    "exported_t": ("exported_kg", "sum", 1e-3),
    "seized_t": ("seized_kg", "sum", 1e-3),
    "lost_t": ("lost_kg", "sum", 1e-3),
    "price_leaf_usd_per_kg": ("price_leaf_usd_per_kg", "mean", 1.0),
    "price_paste_usd_per_kg": ("price_paste_usd_per_kg", "mean", 1.0),
    "price_hcl_vraem_usd_per_kg": ("price_hcl_vraem_usd_per_kg", "mean", 1.0),
    "armed_groups": ("armed_groups", "mean", 1.0),
    "armed_members": ("armed_members", "mean", 1.0),
    "armed_fighters": ("armed_fighters", "mean", 1.0),
    "armed_income_musd": ("armed_income_usd", "sum", 1e-6),
    "violent_events": ("violent_events", "sum", 1.0),
    "deaths": ("deaths", "sum", 1.0),
    "eradicated_ha": ("eradicated_ha", "sum", 1.0),
}


def yearly_metrics(timeseries: pd.DataFrame, exits: pd.DataFrame) -> pd.DataFrame:
    """One row per (replicate, year): yearly sums of flows and means of levels and prices.

    Year 1 is weeks 0-51; a last, partial year is scaled to a full year for sums.
    """
    ts = timeseries.assign(year=timeseries["week"] // WEEKS_PER_YEAR + 1)
    grouped = ts.groupby(["replicate", "year"])
    weeks = grouped["week"].count()
    out = pd.DataFrame(index=weeks.index)
    for name, (col, how, scale) in HEADLINE.items():
        values = grouped[col].mean() if how == "mean" else grouped[col].sum()
        if how == "sum":
            values = values * (WEEKS_PER_YEAR / weeks)
        out[name] = values * scale
    ex = exits.assign(year=exits["week"] // WEEKS_PER_YEAR + 1)
    callao = ex[ex["exit"] == "callao"].groupby(["replicate", "year"])
    out["exported_callao_t"] = callao["exported_kg"].sum() * (WEEKS_PER_YEAR / weeks) * 1e-3
    out["price_hcl_callao_usd_per_kg"] = callao["price_hcl_usd_per_kg"].mean()
    total = out["seized_t"] + out["exported_t"]
    out["seizure_share"] = np.where(total > 0, out["seized_t"] / total.where(total > 0, 1), 0.0)
    return out.reset_index()


def summary_table(timeseries: pd.DataFrame, exits: pd.DataFrame, seeds: list[int]) -> pd.DataFrame:
    """`summary.csv`: one row per replicate, a column per metric and year (`deaths_y1`, ...)."""
    yearly = yearly_metrics(timeseries, exits)
    wide = yearly.pivot(index="replicate", columns="year")
    wide.columns = [f"{metric}_y{year}" for metric, year in wide.columns]
    wide.insert(0, "seed", [seeds[r] for r in wide.index])
    return wide.reset_index()


def interval(values: pd.Series | np.ndarray) -> tuple[float, float, float]:
    """Mean and 90% interval (5th-95th percentile) across replicates."""
    arr = np.asarray(values, dtype=float)
    return float(arr.mean()), float(np.percentile(arr, 5)), float(np.percentile(arr, 95))
