"""Effects of a scenario against the baseline, paired replicate by replicate.

Both are run with the same master seed, so replicate k of each shares its seed (common random
numbers) and the paired difference isolates the intervention. Effects are given for year 1 after
the event and for years 2-5 after it, as the mean and 90% interval across replicates.

    python -m sim.report.effects scenarios/baseline.yaml scenarios/arrest_leader.yaml ...
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.targets import per_year
from sim.runner.batch import RunResult

WEEKS_PER_YEAR = 52


def _callao(ts: pd.DataFrame, ex: pd.DataFrame) -> pd.Series:
    at = ex[ex["exit"] == "callao"]
    weeks = ts.groupby("replicate")["week"].count()
    return at.groupby("replicate")["exported_kg"].sum() / weeks * WEEKS_PER_YEAR / 1000


# name -> (how it is computed per replicate over a window, relative change or absolute, unit)
OUTCOMES: dict[str, tuple[Callable[[pd.DataFrame, pd.DataFrame], pd.Series], bool, str]] = {
    "exports": (lambda ts, ex: per_year(ts, "exported_kg", 1e-3), True, "t/yr"),
    "exports via Callao": (_callao, True, "t/yr"),
    "seizures": (lambda ts, ex: per_year(ts, "seized_kg", 1e-3), True, "t/yr"),
    "HCl price VRAEM": (
        lambda ts, ex: ts.groupby("replicate")["price_hcl_vraem_usd_per_kg"].mean(),
        True,
        "USD/kg",
    ),
    "coca area": (lambda ts, ex: ts.groupby("replicate")["coca_ha"].mean(), True, "ha"),
    "violent deaths": (lambda ts, ex: per_year(ts, "deaths"), False, "per yr"),
    "armed groups": (lambda ts, ex: ts.groupby("replicate")["armed_groups"].mean(), False, ""),
}


def windows(event_week: int, weeks: int) -> dict[str, range]:
    """Year 1 after the event and years 2-5 after it (cut at the horizon)."""
    return {
        "year 1": range(event_week, min(event_week + WEEKS_PER_YEAR, weeks)),
        "years 2-5": range(
            event_week + WEEKS_PER_YEAR, min(event_week + 5 * WEEKS_PER_YEAR, weeks)
        ),
    }


def effect_table(base: RunResult, scen: RunResult, event_week: int) -> pd.DataFrame:
    """One row per (outcome, window): baseline mean, scenario mean, change mean and 90% interval
    (relative change in % for flows and prices, absolute for deaths and armed groups)."""
    if base.seeds != scen.seeds:
        raise ValueError("baseline and scenario must share their replicate seeds")
    rows = []
    for window, weeks in windows(event_week, scen.scenario.weeks).items():
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
            change = 100.0 * (s - b) / np.where(b != 0, b, np.nan) if relative else s - b
            rows.append(
                {
                    "scenario": scen.scenario.name,
                    "outcome": name,
                    "window": window,
                    "unit": unit,
                    "baseline": float(b.mean()),
                    "scenario_mean": float(s.mean()),
                    "change": float(np.nanmean(change)),
                    "change_p05": float(np.nanpercentile(change, 5)),
                    "change_p95": float(np.nanpercentile(change, 95)),
                    "relative": relative,
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


def main() -> None:
    from sim.config.loader import load_scenario
    from sim.runner.batch import default_workers, run_scenario

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("baseline", type=Path)
    parser.add_argument("scenarios", type=Path, nargs="+")
    parser.add_argument("--replicates", type=int, default=20)
    parser.add_argument("--event-week", type=int, default=52)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    tables = []
    cache: dict[int, RunResult] = {}
    for path in args.scenarios:
        scen_cfg = load_scenario(path, [f"replicates={args.replicates}"])
        if scen_cfg.weeks not in cache:
            base_cfg = load_scenario(
                args.baseline,
                [
                    f"replicates={args.replicates}",
                    f"weeks={scen_cfg.weeks}",
                    f"seed={scen_cfg.seed}",
                ],
            )
            cache[scen_cfg.weeks] = run_scenario(base_cfg, workers=args.workers)
        scen = run_scenario(scen_cfg, workers=args.workers)
        tables.append(effect_table(cache[scen_cfg.weeks], scen, args.event_week))
    print(markdown(pd.concat(tables, ignore_index=True)))


if __name__ == "__main__":
    main()
