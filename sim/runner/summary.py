"""`summary.csv`: the headline outcomes (`sim.metrics`) per replicate and year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim import metrics


def summary_table(timeseries: pd.DataFrame, exits: pd.DataFrame, seeds: list[int]) -> pd.DataFrame:
    """`summary.csv`: one row per replicate, a column per outcome and year (`deaths_y1`, ...)."""
    yearly = metrics.yearly(timeseries, exits)
    wide = yearly.pivot(index="replicate", columns="year")
    wide.columns = [f"{metric}_y{year}" for metric, year in wide.columns]
    wide.insert(0, "seed", [seeds[r] for r in wide.index])
    return wide.reset_index()


def interval(values: pd.Series | np.ndarray) -> tuple[float, float, float]:
    """Mean and 90% interval (5th-95th percentile) across replicates."""
    arr = np.asarray(values, dtype=float)
    return float(arr.mean()), float(np.percentile(arr, 5)), float(np.percentile(arr, 95))
