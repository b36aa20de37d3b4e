"""Effects of a scenario against the baseline, paired replicate by replicate.

Both are run with the same master seed, so replicate k of each shares its seed (common random
numbers) and the paired difference isolates the intervention. Effects are given for each window
of the scenario (`sim.report.windows`: during its interventions, after them and in the first
year, or the analyst's own), for the compared outcomes of `sim.metrics`: the mean paired
difference and its 90% confidence interval from Student's t with n - 1 degrees of freedom
(mean ± t · sd / √n), which stays honest at small n where percentiles of a few values do not.
An effect is *clear* when the interval excludes zero; a *large* effect (a tenth of the
baseline or more) that is not clear comes with about how many replicates would resolve it.
`vraem compare` builds on this module.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from scipy import stats

from sim import metrics
from sim.report.windows import Window, scenario_windows
from sim.runner.batch import RunResult

CONFIDENCE = 0.90  # of the interval of a mean paired difference
MIN_REPLICATES = 3  # fewer pairs give no usable interval: `vraem compare` refuses them
FEW_REPLICATES = 10  # fewer pairs: a bold warning on page 1 of the briefing and in the CLI
# An effect of a tenth of the baseline level or more matters to a decision (estimate): when its
# interval includes zero the briefing says so and how many replicates would resolve it.
LARGE_EFFECT_SHARE = 0.10
MAX_REPLICATES_NEEDED = 10_000  # beyond this, "more than 10,000"

Measure = Callable[[pd.DataFrame, pd.DataFrame], pd.Series]

#: The compared outcomes of `sim.metrics` by their name in the comparison table: (how each is
#: computed per replicate over a window, relative change or absolute, unit).
OUTCOMES: dict[str, tuple[Measure, bool, str]] = {
    o.wording.name: (partial(metrics.over_weeks, o), o.relative, o.unit) for o in metrics.compared()
}


@dataclass(frozen=True)
class PairedChange:
    """The mean of paired differences and its confidence interval (NaN without two values)."""

    mean: float
    lo: float
    hi: float
    sd: float  # of the paired differences
    n: int

    @property
    def clear(self) -> bool:
        """The interval excludes zero."""
        return bool(self.lo > 0 or self.hi < 0)


def t_quantile(n: int) -> float:
    """Student's t quantile for a two-sided CONFIDENCE interval of a mean of `n` values."""
    return float(stats.t.ppf(0.5 + CONFIDENCE / 2.0, n - 1))


def paired_change(values: np.ndarray) -> PairedChange:
    """Mean and Student-t confidence interval of the finite paired differences in `values`."""
    finite = values[np.isfinite(values)]
    n = int(finite.size)
    if n == 0:
        return PairedChange(float("nan"), float("nan"), float("nan"), float("nan"), 0)
    mean = float(finite.mean())
    if n < 2:
        return PairedChange(mean, float("nan"), float("nan"), float("nan"), n)
    sd = float(finite.std(ddof=1))
    half = t_quantile(n) * sd / math.sqrt(n)
    return PairedChange(mean, mean - half, mean + half, sd, n)


def replicates_needed(change: PairedChange) -> int | None:
    """About how many pairs would make an interval of this width exclude zero, if the mean and
    the spread stayed as they are: the smallest n with t(n) · sd / √n < |mean|. None when the
    mean is zero or undefined; MAX_REPLICATES_NEEDED + 1 when more than that would be needed."""
    if not (math.isfinite(change.mean) and math.isfinite(change.sd)) or change.mean == 0:
        return None
    if change.sd == 0:
        return max(change.n, MIN_REPLICATES)
    guess = math.ceil((stats.norm.ppf(0.5 + CONFIDENCE / 2.0) * change.sd / change.mean) ** 2)
    n = max(MIN_REPLICATES, guess)
    while n <= MAX_REPLICATES_NEEDED and t_quantile(n) * change.sd / math.sqrt(n) >= abs(
        change.mean
    ):
        n += 1
    return n


def is_large(change: float, baseline: float, relative: bool) -> bool:
    """A change of LARGE_EFFECT_SHARE of the baseline level or more (relative changes are in %)."""
    if not math.isfinite(change):
        return False
    if relative:
        return abs(change) >= 100.0 * LARGE_EFFECT_SHARE
    return baseline > 0 and abs(change) >= LARGE_EFFECT_SHARE * baseline


def interval_columns(change: PairedChange, baseline: float, relative: bool) -> dict[str, object]:
    """The columns every effect row shares: mean, interval, clear, large, replicates needed."""
    large = is_large(change.mean, baseline, relative)
    needed = replicates_needed(change) if (large and not change.clear) else None
    return {
        "change": change.mean,
        "change_lo": change.lo,
        "change_hi": change.hi,
        "change_sd": change.sd,
        "clear": change.clear,
        "large": large,
        "replicates_needed": float(needed) if needed is not None else float("nan"),
    }


def effect_table(
    base: RunResult, scen: RunResult, windows: Sequence[Window] | None = None
) -> pd.DataFrame:
    """One row per (outcome, window): baseline mean, scenario mean, the mean paired change and
    its 90% confidence interval (relative change in % for flows, prices, area and income;
    absolute for deaths and armed groups), the spread of the paired changes, whether the
    interval excludes zero (`clear`), whether the change is `large`, and for a large change
    that is not clear about how many replicates would resolve it; the window's weeks and dates.

    `windows` defaults to the scenario's own (`scenario_windows`).
    """
    if base.seeds != scen.seeds:
        raise ValueError("baseline and scenario must share their replicate seeds")
    if base.scenario.weeks != scen.scenario.weeks:
        raise ValueError("baseline and scenario must run for the same number of weeks")
    windows = scenario_windows(scen.scenario) if windows is None else windows
    start_date = scen.scenario.start_date
    rows = []
    for win in windows:
        weeks = win.weeks
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
            rows.append(
                {
                    "scenario": scen.scenario.name,
                    "scenario_title": scen.scenario.display_title,
                    "counterfactual": base.scenario.name,
                    "outcome": name,
                    "window": win.name,
                    "unit": unit,
                    "baseline": float(b.mean()),
                    "scenario_mean": float(s.mean()),
                    **interval_columns(paired_change(change), float(b.mean()), relative),
                    "relative": relative,
                    **_window_columns(win, start_date),
                    "replicates": len(scen.seeds),
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


def _window_columns(win: Window, start_date) -> dict[str, object]:
    """The columns that say where a row's window lies: weeks and dates (first and last day)."""
    date_from, date_to = win.dates(start_date)
    return {"week_from": win.start, "week_to": win.last, "date_from": date_from, "date_to": date_to}


def exit_share_table(
    base: RunResult, scen: RunResult, windows: Sequence[Window] | None = None
) -> pd.DataFrame:
    """One row per (window, level, name) for each route group and exit (with its `group`): mean
    share of exports in the baseline and the scenario (%) and the paired change in percentage
    points (mean, 90% confidence interval, `clear` if the interval excludes zero)."""
    if base.seeds != scen.seeds:
        raise ValueError("baseline and scenario must share their replicate seeds")
    windows = scenario_windows(scen.scenario) if windows is None else windows
    replicates = list(range(len(scen.seeds)))
    groups = dict(scen.exits[["exit", "group"]].drop_duplicates().itertuples(index=False))
    rows = []
    for win in windows:
        weeks = win.weeks
        for level, column in (("group", "group"), ("exit", "exit")):
            b_ex = base.exits[base.exits["week"].isin(weeks)]
            s_ex = scen.exits[scen.exits["week"].isin(weeks)]
            b = _shares(b_ex, column, replicates)
            s = _shares(s_ex, column, replicates).reindex(columns=b.columns, fill_value=0.0)
            for name in b.columns:
                change = paired_change((s[name] - b[name]).to_numpy(dtype=float))
                rows.append(
                    {
                        "scenario": scen.scenario.name,
                        "scenario_title": scen.scenario.display_title,
                        "counterfactual": base.scenario.name,
                        "window": win.name,
                        "level": level,
                        "name": str(name),
                        "group": str(groups.get(name, name)),
                        "baseline_share": float(b[name].mean()),
                        "scenario_share": float(s[name].mean()),
                        "change": change.mean,
                        "change_lo": change.lo,
                        "change_hi": change.hi,
                        "clear": change.clear,
                        **_window_columns(win, scen.scenario.start_date),
                    }
                )
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    """The effects as a Markdown table: change (90% confidence interval) per outcome and window."""
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
                f"{r.change:+.1f} ({r.change_lo:+.1f} to {r.change_hi:+.1f})"
                for r in w.itertuples()
            ]
            span = f"{window}, {w.iloc[0].date_from} to {w.iloc[0].date_to}"
            lines.append(f"| {scenario} | {span} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
