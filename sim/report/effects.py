"""Effects of a scenario against the baseline, paired replicate by replicate.

Both are run with the same master seed, so replicate k of each shares its seed (common random
numbers) and the paired difference isolates the intervention. Effects are given for year 1 after
the event (the scenario's first intervention, or week 0 without one) and for years 2-5 after it,
as the mean and 90% interval across replicates, for the compared outcomes of `sim.metrics`.
`vraem compare` builds on this module.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd

from sim import metrics
from sim.config.models import Scenario
from sim.runner.batch import RunResult
from sim.units import WEEKS_PER_YEAR

LAST_YEAR = 5  # the second window runs to the end of year 5 after the event
INTERVAL_PERCENTILES = (5.0, 95.0)  # the 90% interval across replicates
WINDOWS = ("year 1", "years 2-5")

Measure = Callable[[pd.DataFrame, pd.DataFrame], pd.Series]

#: The compared outcomes of `sim.metrics` by their name in the comparison table: (how each is
#: computed per replicate over a window, relative change or absolute, unit).
OUTCOMES: dict[str, tuple[Measure, bool, str]] = {
    o.wording.name: (partial(metrics.over_weeks, o), o.relative, o.unit) for o in metrics.compared()
}


def first_event_week(scenario: Scenario) -> int:
    """The week the windows start from: the scenario's first intervention, else week 0."""
    return min((iv.week for iv in scenario.interventions), default=0)


def windows(event_week: int, weeks: int) -> dict[str, range]:
    """Year 1 after the event and years 2-5 after it (cut at the horizon)."""
    return {
        "year 1": range(event_week, min(event_week + WEEKS_PER_YEAR, weeks)),
        "years 2-5": range(
            event_week + WEEKS_PER_YEAR, min(event_week + LAST_YEAR * WEEKS_PER_YEAR, weeks)
        ),
    }


def window_notes(event_week: int, weeks: int) -> list[str]:
    """Plain-language notes on windows that the horizon cuts short or leaves empty."""
    notes = []
    full = {"year 1": WEEKS_PER_YEAR, "years 2-5": (LAST_YEAR - 1) * WEEKS_PER_YEAR}
    for name, span in windows(event_week, weeks).items():
        if len(span) == 0:
            notes.append(f"{name} is not covered: the run ends at week {weeks - 1}")
        elif len(span) < full[name]:
            notes.append(
                f"{name} is cut short at the end of the run: weeks {span.start}-{span.stop - 1} "
                f"({len(span)} of {full[name]} weeks)"
            )
    return notes


def _nan_stats(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 90% interval of the finite values (NaN when there are none)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return float("nan"), float("nan"), float("nan")
    lo, hi = np.percentile(finite, INTERVAL_PERCENTILES)
    return float(finite.mean()), float(lo), float(hi)


def effect_table(base: RunResult, scen: RunResult, event_week: int | None = None) -> pd.DataFrame:
    """One row per (outcome, window): baseline mean, scenario mean, change mean and 90% interval
    (relative change in % for flows, prices, area and income; absolute for deaths and armed
    groups), the window's weeks and whether the interval excludes zero (`clear`).

    `event_week` defaults to the scenario's first intervention. Empty windows have no rows.
    """
    if base.seeds != scen.seeds:
        raise ValueError("baseline and scenario must share their replicate seeds")
    if base.scenario.weeks != scen.scenario.weeks:
        raise ValueError("baseline and scenario must run for the same number of weeks")
    start = event_week if event_week is not None else first_event_week(scen.scenario)
    rows = []
    for window, weeks in windows(start, scen.scenario.weeks).items():
        if len(weeks) == 0:
            continue
        picked = []
        for res in (base, scen):
            ts = res.timeseries[res.timeseries["week"].isin(weeks)]
            ex = res.exits[res.exits["week"].isin(weeks)]
            picked.append((ts, ex))
        for name, (measure, relative, unit) in OUTCOMES.items():
            b = measure(*picked[0]).to_numpy(dtype=float)
            s = measure(*picked[1]).to_numpy(dtype=float)
            with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
                warnings.simplefilter("ignore", RuntimeWarning)
                change = 100.0 * (s - b) / np.where(b != 0, b, np.nan) if relative else s - b
            mean, lo, hi = _nan_stats(change)
            rows.append(
                {
                    "scenario": scen.scenario.name,
                    "outcome": name,
                    "window": window,
                    "unit": unit,
                    "baseline": float(b.mean()),
                    "scenario_mean": float(s.mean()),
                    "change": mean,
                    "change_p05": lo,
                    "change_p95": hi,
                    "relative": relative,
                    "week_from": weeks.start,
                    "week_to": weeks.stop - 1,
                    "replicates": len(scen.seeds),
                    "clear": bool(lo > 0 or hi < 0),
                }
            )
    return pd.DataFrame(rows)


def _shares(exits: pd.DataFrame, by: str, replicates: list[int]) -> pd.DataFrame:
    """Per replicate (rows) and exit or group (columns): share of exported kg, in %."""
    wide = exits.pivot_table(
        index="replicate", columns=by, values="exported_kg", aggfunc="sum", fill_value=0.0
    ).reindex(replicates, fill_value=0.0)
    total = wide.sum(axis=1)
    return wide.div(total.where(total > 0), axis=0) * 100.0


def exit_share_table(
    base: RunResult, scen: RunResult, event_week: int | None = None
) -> pd.DataFrame:
    """One row per (window, level, name) for each route group and exit (with its `group`): mean
    share of exports in the baseline and the scenario (%) and the paired change in percentage
    points (mean, 90% interval, `clear` if the interval excludes zero)."""
    if base.seeds != scen.seeds:
        raise ValueError("baseline and scenario must share their replicate seeds")
    start = event_week if event_week is not None else first_event_week(scen.scenario)
    replicates = list(range(len(scen.seeds)))
    groups = dict(scen.exits[["exit", "group"]].drop_duplicates().itertuples(index=False))
    rows = []
    for window, weeks in windows(start, scen.scenario.weeks).items():
        if len(weeks) == 0:
            continue
        for level, column in (("group", "group"), ("exit", "exit")):
            b_ex = base.exits[base.exits["week"].isin(weeks)]
            s_ex = scen.exits[scen.exits["week"].isin(weeks)]
            b = _shares(b_ex, column, replicates)
            s = _shares(s_ex, column, replicates).reindex(columns=b.columns, fill_value=0.0)
            for name in b.columns:
                change = (s[name] - b[name]).to_numpy(dtype=float)
                mean, lo, hi = _nan_stats(change)
                rows.append(
                    {
                        "scenario": scen.scenario.name,
                        "window": window,
                        "level": level,
                        "name": str(name),
                        "group": str(groups.get(name, name)),
                        "baseline_share": float(b[name].mean()),
                        "scenario_share": float(s[name].mean()),
                        "change": mean,
                        "change_p05": lo,
                        "change_p95": hi,
                        "clear": bool(lo > 0 or hi < 0),
                        "week_from": weeks.start,
                        "week_to": weeks.stop - 1,
                    }
                )
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    """The effects as a Markdown table: change (90% interval) per outcome and window."""
    lines = []
    for scenario, rows in table.groupby("scenario", sort=False):
        header = ["scenario", "window"] + [
            f"{o} ({'%' if r else 'abs.'})"
            for o, r in rows.drop_duplicates("outcome")[["outcome", "relative"]].itertuples(
                index=False
            )
        ]
        if not lines:
            lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for window, w in rows.groupby("window", sort=False):
            cells = [
                f"{r.change:+.1f} ({r.change_p05:+.1f} to {r.change_p95:+.1f})"
                for r in w.itertuples()
            ]
            lines.append(f"| {scenario} | {window} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
