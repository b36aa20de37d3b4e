"""The explorer's time series as ECharts options (plain data, drawn in the browser: cheap to
send each week). Flows are yearly rates over the last 4 weeks, in the units of the run's
dashboard (t/yr); prices in USD/kg; deaths counted since week 0 by victim type; x axes in dates.
The baseline, when run beside, is the same line dashed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from sim.app.state import Explorer, LiveRun
from sim.report.calendar import week_date
from sim.report.style import BLUE, GREEN, INK, ORANGE, PURPLE, SKY, VERMILLION
from sim.units import KG_PER_T, WEEKS_PER_YEAR

SMOOTH_WEEKS = 4  # flows: trailing mean over this many weeks
T_PER_YEAR = WEEKS_PER_YEAR / KG_PER_T  # kg in a week -> t/yr
BASELINE_SUFFIX = " (baseline)"
CHART_HEIGHT = "250px"
MS_PER_DAY = 86_400_000
YEAR_DAYS, QUARTER_DAYS = 365, 91
QUARTER_WEEKS, AHEAD_WEEKS, MIN_SHOWN_WEEKS = 13, 4, 26


@dataclass(frozen=True)
class Line:
    """One line of a chart: its label, how to read it from a run, colour, right axis."""

    label: str
    read: Callable[[LiveRun], np.ndarray]
    colour: str
    decimals: int = 1
    right: bool = False
    step: bool = False


@dataclass(frozen=True)
class Chart:
    """A chart: title (with the unit) and y-axis names (left, and right if any line uses it)."""

    key: str
    title: str
    unit: str
    lines: tuple[Line, ...]
    right_unit: str = ""


def trailing_mean(x: np.ndarray, window: int = SMOOTH_WEEKS) -> np.ndarray:
    """Mean of the last `window` values at each week (fewer at the start)."""
    if x.size == 0:
        return x
    c = np.cumsum(np.insert(x.astype(float), 0, 0.0))
    n = np.minimum(np.arange(1, x.size + 1), window)
    return (c[1:] - c[np.arange(1, x.size + 1) - n]) / n


def _flow(column: str) -> Callable[[LiveRun], np.ndarray]:
    return lambda run: trailing_mean(run.values(column)) * T_PER_YEAR


def _callao_flow(run: LiveRun) -> np.ndarray:
    return trailing_mean(run.at_callao("exported")) * T_PER_YEAR


def _plain(column: str) -> Callable[[LiveRun], np.ndarray]:
    return lambda run: run.values(column)


def _cumulative(column: str) -> Callable[[LiveRun], np.ndarray]:
    return lambda run: np.cumsum(run.values(column))


CHARTS: tuple[Chart, ...] = (
    Chart(
        "exports",
        "Exports (t/yr, 4-week mean)",
        "t/yr",
        (
            Line("all exits", _flow("exported_kg"), BLUE),
            Line("via Callao", _callao_flow, ORANGE),
        ),
    ),
    Chart(
        "seizures",
        "Seizures (t/yr, 4-week mean)",
        "t/yr",
        (Line("seized", _flow("seized_kg"), VERMILLION),),
    ),
    Chart(
        "hcl_price",
        "HCl price (USD/kg)",
        "USD/kg",
        (
            Line("in the VRAEM", _plain("price_hcl_vraem_usd_per_kg"), BLUE, 0),
            Line("at Callao", lambda run: run.at_callao("price"), ORANGE, 0),
        ),
    ),
    Chart(
        "leaf_price",
        "Coca leaf price (USD/kg)",
        "USD/kg",
        (Line("leaf", _plain("price_leaf_usd_per_kg"), GREEN, 2),),
    ),
    Chart(
        "deaths",
        "Deaths since week 0 (deaths)",
        "deaths",
        (
            Line("security", _cumulative("deaths_security"), BLUE, 0),
            Line("civilians", _cumulative("deaths_civilians"), VERMILLION, 0),
            Line("armed", _cumulative("deaths_armed"), INK, 0),
        ),
    ),
    Chart(
        "armed",
        "Fighters (people), groups (count)",
        "fighters",
        (
            Line("fighters", _plain("armed_fighters"), PURPLE, 0),
            Line("armed groups", _plain("armed_groups"), SKY, 0, right=True, step=True),
        ),
        right_unit="groups",
    ),
)


@cache
def week_dates(start: dt.date, weeks: int) -> tuple[str, ...]:
    """The first day of each week of a run, as ISO dates."""
    return tuple(week_date(start, w).isoformat() for w in range(weeks + 1))


def _series(line: Line, column: int, baseline: bool) -> dict:
    """One line, drawn from `column` of the chart's dataset."""
    style: dict[str, Any] = {"color": line.colour, "width": 1.6 if baseline else 2.2}
    if baseline:
        style["type"] = "dashed"
    series: dict[str, Any] = {
        "type": "line",
        "name": line.label + (BASELINE_SUFFIX if baseline else ""),
        "encode": {"x": 0, "y": column},
        "showSymbol": False,
        "lineStyle": style,
        "itemStyle": {"color": line.colour},
        "yAxisIndex": 1 if line.right else 0,
    }
    if line.step:
        series["step"] = "end"
    return series


def dataset_rows(chart: Chart, runs: list[LiveRun], dates: tuple[str, ...]) -> list[list]:
    """The chart's data, one row a week: its date, then each line of each run (rounded). One
    table rather than a list of points per line keeps what is sent each week small."""
    columns = [np.round(line.read(run), line.decimals) for run in runs for line in chart.lines]
    weeks = min(len(c) for c in columns)
    table = np.column_stack([c[:weeks] for c in columns]).tolist() if weeks else []
    return [[dates[w], *row] for w, row in enumerate(table)]


def chart_option(chart: Chart, explorer: Explorer) -> dict[str, Any]:
    """The ECharts option of one chart of the explorer's run (and the baseline beside it)."""
    run = explorer.run
    if run is None:
        return {}
    dates = week_dates(explorer.config.start_date, explorer.horizon)
    shown = shown_weeks(explorer.week, explorer.horizon)
    runs = [run] if explorer.twin is None else [run, explorer.twin]
    series = [
        _series(line, 1 + k * len(chart.lines) + i, baseline=k > 0)
        for k in range(len(runs))
        for i, line in enumerate(chart.lines)
    ]
    y_axes: list[dict[str, Any]] = [_y_axis()]
    if chart.right_unit:
        y_axes.append({**_y_axis(), "minInterval": 1, "splitLine": {"show": False}})
    return {
        "animation": False,
        "title": {"text": chart.title, "left": 4, "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "axis"},
        "legend": {
            "top": 22,
            "left": 4,
            "itemWidth": 18,
            "textStyle": {"fontSize": 11},
            "data": [line.label for line in chart.lines],  # baselines: dashed, unlisted
        },
        "grid": {"left": 52, "right": 40 if chart.right_unit else 16, "top": 50, "bottom": 24},
        "xAxis": {
            "type": "time",
            "min": dates[0],
            "max": dates[shown],
            "minInterval": _tick_days(shown) * MS_PER_DAY,
            "axisLabel": {"fontSize": 11, "hideOverlap": True},
        },
        "yAxis": y_axes,
        "dataset": {"source": dataset_rows(chart, runs, dates)},
        "series": series,
    }


def shown_weeks(week: int, horizon: int) -> int:
    """Weeks the x axis spans: the weeks simulated and a little more, in quarters, at least
    half a year, at most the horizon (the axis grows as the run goes on)."""
    quarters = -(-(week + AHEAD_WEEKS) // QUARTER_WEEKS)
    return min(horizon, max(MIN_SHOWN_WEEKS, quarters * QUARTER_WEEKS))


def _tick_days(weeks: int) -> int:
    """Date ticks a year apart on runs over two years, else a quarter apart."""
    return YEAR_DAYS if weeks > 2 * WEEKS_PER_YEAR else QUARTER_DAYS


def _y_axis() -> dict[str, Any]:
    """A value axis (its unit is in the chart's title)."""
    return {"type": "value", "axisLabel": {"fontSize": 11}}


def chart_options(explorer: Explorer) -> dict[str, dict[str, Any]]:
    """Every chart's option, by key."""
    return {chart.key: chart_option(chart, explorer) for chart in CHARTS}
