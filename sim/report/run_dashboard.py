"""The dashboard of a `vraem run`: eight panels of the main weekly series (median and 90% band
across replicates), titled with a finding, on a date axis from the end of the model's start-up.
Also the time-axis and start-up helpers the run's other time figure shares
(`sim.report.run_figures`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.report.calendar import time_axis
from sim.report.markers import marker_labels, marker_lines, marker_note, merge_markers
from sim.report.style import (
    BLUE,
    GREEN,
    NUM_FMT,
    ORANGE,
    RC,
    VERMILLION,
    figure_title,
    fmt_about,
    fmt_pct,
    footer,
    new_figure,
    require_columns,
    reserve_footer,
    save_figure,
    week_axis,
)
from sim.report.windows import START_UP_WEEKS
from sim.report.wording import scenario_label
from sim.units import KG_PER_T, WEEKS_PER_YEAR

__all__ = [
    "dashboard_figure",
    "first_week",
    "headline_finding",
    "plot_dashboard",
    "production_and_seizure_share",
    "run_time_axis",
    "select_scenario",
    "start_up_text",
]

_TS_REQUIRED = ("replicate", "week")
BAND_QUANTILES = (0.05, 0.5, 0.95)  # the dashboard's band and median across replicates
BAND_ALPHA = 0.22
MEDIAN_WIDTH = 2.0
PANEL_LEGEND = {"loc": "best", "frameon": True, "framealpha": 0.85, "edgecolor": "none"}


def select_scenario(ts: pd.DataFrame, scenario: str | None) -> pd.DataFrame:
    """Rows of ``scenario`` when ``ts`` holds several scenarios, else all rows."""
    if scenario is None or "scenario" not in ts.columns:
        return ts
    names = ts["scenario"].dropna().unique()
    if len(names) <= 1:
        return ts
    if scenario not in set(names):
        raise ValueError(f"ts holds scenarios {sorted(map(str, names))}, not {scenario!r}")
    return ts[ts["scenario"] == scenario]


# ----------------------------------------------------------------------------------------------
# dashboard
# ----------------------------------------------------------------------------------------------
def production_and_seizure_share(ts: pd.DataFrame) -> tuple[float, float]:
    """Median across replicates of (cocaine production in t/year, seizure share).

    Production of a replicate = its mean weekly ``cocaine_produced_kg`` * 52 /
    1000. Seizure share of a replicate = total ``seized_kg`` / (total
    ``seized_kg`` + total ``exported_kg``) over the whole run, i.e. the share
    of cocaine leaving the valley's stocks that is seized rather than exported.
    """
    require_columns(ts, (*_TS_REQUIRED, "cocaine_produced_kg", "seized_kg", "exported_kg"), "ts")
    by_rep = ts.groupby("replicate")
    prod = by_rep["cocaine_produced_kg"].mean() * WEEKS_PER_YEAR / KG_PER_T
    seized = by_rep["seized_kg"].sum()
    outflow = seized + by_rep["exported_kg"].sum()
    share = (seized / outflow.where(outflow > 0)).dropna()
    return float(prod.median()), float(share.median()) if len(share) else float("nan")


def headline_finding(ts: pd.DataFrame, scenario: str | None = None) -> str:
    """The dashboard title, e.g. "Baseline: the VRAEM produces about 430 t of
    cocaine a year; 6% of shipments are seized before export".

    ``scenario`` is used to pick rows when ``ts`` holds several scenarios and as
    the prefix of the sentence.
    """
    ts = select_scenario(ts, scenario)
    prod_t, share = production_and_seizure_share(ts)
    text = f"the VRAEM produces about {fmt_about(prod_t)} t of cocaine a year"
    if math.isfinite(share):
        text += f"; {fmt_pct(share)} of shipments are seized before export"
    else:
        text += "; nothing was shipped out"
    return f"{scenario_label(scenario)}: {text}" if scenario else text[0].upper() + text[1:]


def _bands(ts: pd.DataFrame, col: str, scale: float = 1.0, roll: int = 0) -> pd.DataFrame:
    """Per-week 5th, 50th and 95th percentile across replicates of ``col``."""
    wide = ts.pivot(index="week", columns="replicate", values=col).sort_index()
    wide = wide.astype(float) * scale
    if roll > 1:
        wide = wide.rolling(roll, min_periods=roll).sum()
    arr = wide.to_numpy()
    ok = ~np.all(np.isnan(arr), axis=1)
    q = np.full((arr.shape[0], 3), np.nan)
    if ok.any():
        q[ok] = np.nanquantile(arr[ok], BAND_QUANTILES, axis=1).T
    return pd.DataFrame(q, index=wide.index, columns=["lo", "mid", "hi"])


# weekly flows are shown as yearly rates, in the units of the briefing: t/yr and deaths per year
T_PER_YEAR = WEEKS_PER_YEAR / KG_PER_T  # kg in a week -> t/yr at that week's rate
DEATH_WINDOW = 4  # weeks summed before scaling to a yearly rate (deaths are few each week)
DEATHS_PER_YEAR = WEEKS_PER_YEAR / DEATH_WINDOW  # deaths in the window -> deaths per year
T_PER_YEAR_LABEL = "tonnes per year (t/yr)"

# (title, y label, [(column, legend label, scale, colour, style)], rolling window)
_DASH_PANELS: list[tuple[str, str, list[tuple[str, str, float, str, str]], int]] = [
    ("Coca area", "hectares (ha)", [("coca_ha", "coca area", 1.0, GREEN, "-")], 0),
    (
        "Cocaine produced",
        T_PER_YEAR_LABEL,
        [("cocaine_produced_kg", "produced", T_PER_YEAR, BLUE, "-")],
        0,
    ),
    (
        "Cocaine exported and seized",
        T_PER_YEAR_LABEL,
        [
            ("exported_kg", "exported", T_PER_YEAR, BLUE, "-"),
            ("seized_kg", "seized", T_PER_YEAR, VERMILLION, "--"),
        ],
        0,
    ),
    (
        "Coca leaf price",
        "USD per kg of leaf",
        [("price_leaf_usd_per_kg", "leaf", 1.0, GREEN, "-")],
        0,
    ),
    (
        "Paste and HCl prices (VRAEM)",
        "USD per kg",
        [
            ("price_hcl_vraem_usd_per_kg", "cocaine HCl", 1.0, BLUE, "-"),
            ("price_paste_usd_per_kg", "base paste", 1.0, ORANGE, "--"),
        ],
        0,
    ),
    (
        "Armed group size",
        "people",
        [
            ("armed_members", "members", 1.0, BLUE, "-"),
            ("armed_fighters", "fighters", 1.0, VERMILLION, "--"),
        ],
        0,
    ),
    (
        f"Deaths (yearly rate over {DEATH_WINDOW} weeks)",
        "deaths per year",
        [("deaths", "deaths", DEATHS_PER_YEAR, VERMILLION, "-")],
        DEATH_WINDOW,
    ),
    (
        "Cocaine stocks",
        "tonnes (t, end of week)",
        [
            ("cocaine_stock_kg", "in stock", 1 / KG_PER_T, BLUE, "-"),
            ("cocaine_in_transit_kg", "in transit", 1 / KG_PER_T, ORANGE, "--"),
        ],
        0,
    ),
]


def first_week(n_weeks: int, merged: Sequence[tuple[int, str]]) -> int:
    """The first week a run figure draws and counts: the end of the model's start-up, unless
    an intervention falls inside it or the run is no longer than it (then week 0)."""
    early = any(w < START_UP_WEEKS for w, _ in merged)
    return START_UP_WEEKS if n_weeks > START_UP_WEEKS and not early else 0


def run_time_axis(ax: Any, start_date: dt.date | None, n_weeks: int, first: int) -> None:
    """Dates on the x axis when the run's start date is known, else reporting weeks."""
    if start_date is not None:
        time_axis(ax, start_date, n_weeks, first)
        return
    week_axis(ax, n_weeks)
    ax.set_xlim(first, max(n_weeks, first + 1))


def start_up_text(first: int) -> str:
    if first > 0:
        return f"The model's first {first} weeks (start-up) are not drawn or counted."
    return ""


def _dash_panel(
    ax: Any,
    ts: pd.DataFrame,
    panel: tuple[str, str, list[tuple[str, str, float, str, str]], int],
    merged: Sequence[tuple[int, str]],
    n_weeks: int,
    start_date: dt.date | None = None,
    first: int = 0,
) -> list[np.ndarray]:
    """One dashboard panel: median and band of each line, marker lines, titles and axes.
    Returns the drawn series as rows (week, lo, mid, hi), for placing marker labels."""
    ptitle, ylabel, lines, roll = panel
    series = []
    for col, label, scale, colour, style in lines:
        b = _bands(ts, col, scale, roll)
        x = b.index.to_numpy(dtype=float)
        ax.fill_between(x, b["lo"], b["hi"], color=colour, alpha=BAND_ALPHA, lw=0)
        ax.plot(x, b["mid"], color=colour, ls=style, lw=MEDIAN_WIDTH, label=label)
        series.append(np.vstack([x, b[["lo", "mid", "hi"]].to_numpy().T]))
    marker_lines(ax, merged)
    ax.set_title(ptitle, loc="left")
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(NUM_FMT)
    ax.set_ylim(bottom=0)
    if len(lines) > 1:
        ax.legend(**PANEL_LEGEND)
    run_time_axis(ax, start_date, n_weeks, first)
    return series


def _dash_note(
    n_rep: int, merged: Sequence[tuple[int, str]], start_date: dt.date | None, first: int
) -> str:
    """The dashboard's footnote: what lines and shading show, the start-up, the interventions."""
    if n_rep > 1:
        text = (
            f"Lines: median of {n_rep} replicates; shading: 5th-95th percentile across replicates."
        )
    else:
        text = "Lines: a single replicate (no uncertainty band)."
    if start_date is None:
        text += f" Major x ticks every {WEEKS_PER_YEAR} weeks (1 year) on runs of 2+ years."
    if first:
        text += " " + start_up_text(first)
    note = marker_note(merged, start_date=start_date)
    return text + (f"\n{note}" if merged else "")


def dashboard_figure(
    ts: pd.DataFrame,
    *,
    scenario: str,
    source_line: str,
    markers: Sequence[tuple[int, str]] = (),
    start_date: dt.date | None = None,
) -> Figure:
    """Build the 2 x 4 panel time-series dashboard (median + 90% band).

    ``markers``: (week, short label) pairs, drawn as dashed lines in every
    panel, labelled in the first panel and listed in the footnote. With ``start_date`` (the
    scenario's first day of week 0) the time axes are in dates. The model's start-up weeks
    are left out (`first_week`).
    """
    needed = {c for _t, _y, lines, _r in _DASH_PANELS for c, *_ in lines}
    require_columns(ts, (*_TS_REQUIRED, *sorted(needed)), "ts")
    ts = select_scenario(ts, scenario)
    n_rep = ts["replicate"].nunique()
    last_week = int(ts["week"].max())
    merged = merge_markers(markers, last_week)
    first = first_week(last_week + 1, merged)
    ts = ts[ts["week"] >= first]
    title = headline_finding(ts, scenario)
    with mpl.rc_context(RC):
        fig = new_figure()
        reserve_footer(fig)
        axes = fig.subplots(2, 4, sharex=True)
        drawn = [
            _dash_panel(ax, ts, panel, merged, last_week + 1, start_date, first)
            for ax, panel in zip(axes.flat, _DASH_PANELS, strict=True)
        ]
        if start_date is None:
            for ax in axes[-1]:
                ax.set_xlabel("weeks since start")
        figure_title(fig, title)
        footer(fig, source_line, _dash_note(n_rep, merged, start_date, first))
        if merged:
            fig.draw_without_rendering()  # final layout, so labels can be placed
            marker_labels(axes.flat[0], merged, drawn[0])
    return fig


def plot_dashboard(
    ts: pd.DataFrame,
    path: str | Path,
    *,
    scenario: str,
    source_line: str,
    markers: Sequence[tuple[int, str]] = (),
    start_date: dt.date | None = None,
) -> Path:
    """Save the time-series dashboard as a 16:9 PNG at ``path``; return the path."""
    fig = dashboard_figure(
        ts, scenario=scenario, source_line=source_line, markers=markers, start_date=start_date
    )
    return save_figure(fig, path, fig.get_suptitle(), source_line)
