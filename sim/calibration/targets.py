"""Measure a baseline run on the calibration targets of `targets.yaml`.

Each target's metric is computed per replicate over years 2-5 (weeks 52-259, or every week after
the first year if the run is shorter), then summarised across replicates by its statistic
(STATISTICS: the mean unless said otherwise) with the 90% interval of the replicates' values, and
compared with the band. Exceptions, as the targets' metrics say:

- `largest_event_deaths_in_5_years` is measured over weeks 0-259 (the first five years, year 1
  included): per replicate, the deaths (all victims) of its deadliest violent event, 0 if it had
  none; the model's value is the median over replicates.
- `median_deaths_per_lethal_event` is one value for the whole run: the median deaths of the
  violent events with at least one death, all replicates pooled. Its interval is that of the
  replicates' own medians.
- `civilian_share_of_non_armed_deaths` is civilians / (security forces + civilians) killed, summed
  over years 2-5 per replicate. A replicate with no such death has no share: it is left out of
  the mean and the interval, and the table's `note` says how many were. The same holds for a
  replicate with no lethal event in `median_deaths_per_lethal_event`'s interval.

A target whose value is undefined in every replicate (no non-armed death, no lethal event at all)
is a MISS, with the reason in `note`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim import metrics
from sim.recorder import DEATHS_BY_VICTIM, VIOLENCE_TYPE
from sim.units import WEEKS_PER_YEAR

FIRST_WEEK = WEEKS_PER_YEAR  # years 2-5 of the run
FIVE_YEARS = 5 * WEEKS_PER_YEAR  # weeks 0-259
SHARE_SUFFIX = "_export_share"  # "<exit or route group>_export_share": its share of exports

#: Per replicate, from the time series, exits and events tables of the target's weeks.
Measure = Callable[[pd.DataFrame, pd.DataFrame, pd.DataFrame], pd.Series]

#: Targets named otherwise than the outcome of `sim.metrics` that measures them.
TARGET_OUTCOMES: dict[str, str] = {
    "vraem_coca_ha": "coca_ha",
    "vraem_leaf_output_t_per_year": "leaf_t",
    "vraem_cocaine_hcl_t_per_year": "cocaine_produced_t",
    "mpcp_members": "armed_members",
    "mpcp_fighters": "armed_fighters",
    "conflict_deaths_per_year": "deaths",
    "vraem_eradication_ha_per_year": "eradicated_ha",
    "non_armed_deaths_per_year": "non_armed_deaths",
}


def violent_events(events: pd.DataFrame) -> pd.DataFrame:
    """The violent events of an events table, with their `deaths` (all victims)."""
    violent = events[events["type"] == VIOLENCE_TYPE]
    return violent.assign(deaths=violent[list(DEATHS_BY_VICTIM)].sum(axis=1))


def _replicates(timeseries: pd.DataFrame) -> pd.Index:
    return pd.Index(sorted(timeseries["replicate"].unique()), name="replicate")


def civilian_share(ts: pd.DataFrame, ex: pd.DataFrame, ev: pd.DataFrame) -> pd.Series:
    """Civilians / (security forces + civilians) killed, per replicate; NaN without either."""
    sums = ts.groupby("replicate")[["deaths_civilians", "deaths_security"]].sum()
    total = sums["deaths_civilians"] + sums["deaths_security"]
    return (sums["deaths_civilians"] / total.where(total > 0)).astype(float)


def largest_event_deaths(ts: pd.DataFrame, ex: pd.DataFrame, ev: pd.DataFrame) -> pd.Series:
    """The deaths of each replicate's deadliest violent event (0 if it had none)."""
    largest = violent_events(ev).groupby("replicate")["deaths"].max()
    return largest.reindex(_replicates(ts), fill_value=0).astype(float)


def _lethal(ev: pd.DataFrame) -> pd.DataFrame:
    violent = violent_events(ev)
    return violent[violent["deaths"] >= 1]


def lethal_event_median(ts: pd.DataFrame, ex: pd.DataFrame, ev: pd.DataFrame) -> pd.Series:
    """Per replicate, the median deaths of its lethal events (NaN if it had none)."""
    medians = _lethal(ev).groupby("replicate")["deaths"].median()
    return medians.reindex(_replicates(ts)).astype(float)


def pooled_lethal_event_median(ts: pd.DataFrame, ex: pd.DataFrame, ev: pd.DataFrame) -> float:
    """The median deaths of the lethal events of all replicates together (NaN if none)."""
    deaths = _lethal(ev)["deaths"]
    return float(deaths.median()) if len(deaths) else float("nan")


def _in_usd(outcome: str, ts: pd.DataFrame, ex: pd.DataFrame, ev: pd.DataFrame) -> pd.Series:
    """An outcome in million USD, in USD."""
    return metrics.over_weeks(outcome, ts, ex) * metrics.USD_PER_MUSD


#: Targets measured otherwise than by one outcome of `sim.metrics` or an export share.
MEASURES: dict[str, Measure] = {
    "civilian_share_of_non_armed_deaths": civilian_share,
    "largest_event_deaths_in_5_years": largest_event_deaths,
    "median_deaths_per_lethal_event": lethal_event_median,
    "armed_income_usd_per_year": partial(_in_usd, "armed_income_musd"),
}

#: How a target's per-replicate values make the model's value, if not by their mean.
STATISTICS: dict[str, str] = {
    "largest_event_deaths_in_5_years": "median",
    "median_deaths_per_lethal_event": "pooled median",
}
POOLED: dict[str, Callable[[pd.DataFrame, pd.DataFrame, pd.DataFrame], float]] = {
    "median_deaths_per_lethal_event": pooled_lethal_event_median,
}
#: Targets measured over weeks 0-259 instead of years 2-5.
FIRST_FIVE_YEARS = frozenset({"largest_event_deaths_in_5_years"})
#: Why a replicate has no value of a target (NaN).
UNDEFINED: dict[str, str] = {
    "civilian_share_of_non_armed_deaths": "no security-force or civilian death",
    "median_deaths_per_lethal_event": "no lethal event",
}


def packaged_baseline() -> Path:
    """The baseline scenario shipped inside the package, which `vraem validate` runs by default
    from any folder. In the repository it is a link to `scenarios/baseline.yaml`, the one file
    users edit and the calibration writes; an installed package holds a copy of it."""
    return Path(str(resources.files("sim.calibration") / "baseline.yaml"))


def load_targets() -> dict[str, dict]:
    """The packaged calibration targets, by name."""
    text = (resources.files("sim.calibration") / "targets.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["targets"]


def target_measure(name: str) -> Measure:
    """How a target is measured per replicate: by MEASURES, an outcome of `sim.metrics` (by its
    name or through TARGET_OUTCOMES), or the export share of the exit or route group the name
    starts with (e.g. `bolivia_export_share`)."""
    if name in MEASURES:
        return MEASURES[name]
    outcome = TARGET_OUTCOMES.get(name, name)
    if outcome in metrics.OUTCOMES:
        return lambda ts, ex, ev: metrics.over_weeks(outcome, ts, ex)
    place = name.removesuffix(SHARE_SUFFIX)
    if name.endswith(SHARE_SUFFIX) and place in metrics.network_places():
        return lambda ts, ex, ev: metrics.export_share(ex, place)
    raise ValueError(
        f"calibration target {name!r} names no outcome of sim.metrics and no exit or route group "
        "of the network"
    )


def target_weeks(name: str, timeseries: pd.DataFrame) -> tuple[int, int | None]:
    """The first and last week (None: to the end) a target is measured over."""
    if name in FIRST_FIVE_YEARS:
        return 0, FIVE_YEARS - 1
    return (FIRST_WEEK if timeseries["week"].max() >= FIRST_WEEK else 0), None


def _weeks(frame: pd.DataFrame, first: int, last: int | None) -> pd.DataFrame:
    keep = frame["week"] >= first
    if last is not None:
        keep &= frame["week"] <= last
    return frame[keep]


def _summary(name: str, values: np.ndarray, frames: tuple[pd.DataFrame, ...]) -> dict:
    """The model's value by the target's statistic, the 90% interval and a note. Only targets of
    UNDEFINED leave out the replicates without a value; for the others such a replicate makes
    the value undefined (a MISS)."""
    statistic = STATISTICS.get(name, "mean")
    finite = np.isfinite(values)
    defined = values[finite] if name in UNDEFINED else values
    if statistic == "pooled median":
        model = POOLED[name](*frames)
    elif not defined.size or not np.isfinite(defined).all():
        model = float("nan")
    else:
        model = float(np.median(defined) if statistic == "median" else defined.mean())
    missing = f"{int((~finite).sum())} of {values.size} replicates had "
    missing += UNDEFINED.get(name, "an undefined value")
    note = ""
    if not np.isfinite(model):
        note = f"no value: {missing}"
    elif not finite.all():
        note = f"{missing}; left out"
    p05, p95 = (
        (float(np.percentile(defined, 5)), float(np.percentile(defined, 95)))
        if defined.size
        else (float("nan"), float("nan"))
    )
    return {
        "statistic": statistic,
        "model_mean": model,
        "model_p05": p05,
        "model_p95": p95,
        "note": note,
    }


def evaluate_targets(
    timeseries: pd.DataFrame, exits: pd.DataFrame, events: pd.DataFrame
) -> pd.DataFrame:
    """One row per target: the model's value across replicates (`model_mean`, by the target's
    `statistic`: mean, median or pooled median) and the 90% interval of the replicates' values,
    band, PASS/MISS and a `note` (replicates without a value, or why there is none)."""
    rows = []
    for name, target in load_targets().items():
        first, last = target_weeks(name, timeseries)
        frames = tuple(_weeks(f, first, last) for f in (timeseries, exits, events))
        values = target_measure(name)(*frames).to_numpy(dtype=float)
        summary = _summary(name, values, frames)
        lo, hi = (float(b) for b in target["band"])
        model = summary["model_mean"]
        rows.append(
            {
                "target": name,
                "unit": target.get("unit", ""),
                "statistic": summary["statistic"],
                "model_mean": model,
                "model_p05": summary["model_p05"],
                "model_p95": summary["model_p95"],
                "band_low": lo,
                "band_high": hi,
                "value": target.get("value"),
                "status": "PASS" if lo <= model <= hi else "MISS",  # NaN: MISS
                "note": summary["note"],
            }
        )
    return pd.DataFrame(rows)
