"""The time-series figures of a briefing: scenario over baseline, week by week.

* :func:`fan_chart_figure` - median and 50%/90% bands of the main series (flows, prices).
* :func:`armed_groups_figure` - leadership events, armed groups, fighters and violent deaths.

Both show the scenario (blue median, filled bands) over the baseline (black dashed median, dotted
90% range), with the intervention markers and a dotted line where a window's edge falls between
them (where the interventions end), on a date axis from the end of the model's start-up on.
16:9, in the style of `sim.report.style`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.report.calendar import time_axis
from sim.report.findings import armed_title, fan_title, leadership_events, windows_of
from sim.report.markers import marker_labels, marker_lines, scenario_markers, stacked_marker_labels
from sim.report.style import (
    BLUE,
    INK,
    NOTE_INK,
    NUM_FMT,
    PORT_EXIT,
    RC,
    VERMILLION,
    figure_title,
    footer,
    new_figure,
    panels_with_legend,
    reserve_footer,
    source_line,
)
from sim.report.windows import (
    AFTER,
    DURING,
    FIRST_YEAR,
    START_UP_WEEKS,
    first_drawn_week,
)
from sim.report.wording import HEADINGS, fmt_signed
from sim.units import KG_PER_T, WEEKS_PER_YEAR

SMOOTH_WEEKS = 13  # trailing window (a quarter) for lumpy weekly flows and deaths
BAND_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)  # 90% band, 50% band, median
PER_YEAR_T = WEEKS_PER_YEAR / KG_PER_T  # weekly kg -> t/yr
# A price axis spans at least this share of the level of the baseline's median line, so that
# noise of a few percent does not fill the panel (estimate: +-15% around it).
MIN_PRICE_SPAN = 0.30

# baseline: black dashed median and dotted 90% range; scenario: blue median and filled bands
BASE_STYLE = {"color": INK, "ls": "--", "lw": 1.8}
BASE_RANGE_STYLE = {"color": "#6E6E6E", "ls": ":", "lw": 1.3}
SCEN_STYLE = {"color": BLUE, "ls": "-", "lw": 2.2}
SCEN_BAND_ALPHA = {"inner": 0.38, "outer": 0.16}
LEGEND_BAND_ALPHA = 0.1  # added to the inner band's alpha in the legend, to read as darker
WINDOW_LINE = {"color": "#9A9A9A", "ls": ":", "lw": 1.0, "zorder": 1.4}
PANEL_NOTE_STYLE = {"fontsize": 11.5, "fontweight": "normal", "color": NOTE_INK}

EVENT_KINDS = ("leader removed", "member removed", "group splits", "group dissolves")
EVENT_MARKERS = {
    "leader removed": "v",
    "member removed": "o",
    "group splits": "D",
    "group dissolves": "X",
}
EVENT_OFFSET = 0.18  # scenario above, baseline below the row of its kind
EVENT_SIZE = (40, 110)  # marker area (pt^2): at least, plus this times the share of replicates
GROUPS_HEADROOM = 1.9  # the groups panel's top, as a multiple of its largest value (+1)
ARMED_HEIGHTS = (0.8, 1, 1, 1)  # events, groups, fighters, deaths
FAN_GRID = (2, 3)  # rows and columns of fan charts
BASE_ZORDER, SCEN_ZORDER = 4, 5  # medians above the bands, the scenario's on top
EVENT_EDGE = {"linewidths": 1.2, "zorder": 5}
NO_EVENTS_STYLE = {"ha": "center", "va": "center", "fontsize": 11, "color": "#555555"}
EVENT_ROWS_Y = (-0.6, -0.4)  # y axis of the event rows: from, and to (+ number of rows)


# ----------------------------------------------------------------------------------------------
# shared pieces
# ----------------------------------------------------------------------------------------------
def weekly(frame: pd.DataFrame, column: str, scale: float = 1.0, first: int = 0) -> pd.DataFrame:
    """A week x replicate table of `column` (times `scale`) from week `first` on (the figures
    start after the model's start-up: `sim.report.windows.first_drawn_week`)."""
    frame = frame[frame["week"] >= first]
    return frame.pivot_table(index="week", columns="replicate", values=column, aggfunc="sum") * (
        scale
    )


def _quantiles(wide: pd.DataFrame) -> pd.DataFrame:
    arr = wide.to_numpy(dtype=float)
    q = np.full((arr.shape[0], len(BAND_QUANTILES)), np.nan)
    ok = ~np.all(np.isnan(arr), axis=1)
    if ok.any():
        q[ok] = np.nanquantile(arr[ok], BAND_QUANTILES, axis=1).T
    return pd.DataFrame(q, index=wide.index, columns=["p05", "p25", "p50", "p75", "p95"])


def _draw_fan(ax: Any, base: pd.DataFrame, scen: pd.DataFrame) -> np.ndarray:
    """Baseline (dashed median, dotted 90% range) under the scenario (median, 50%/90% bands).
    Returns the drawn series as rows (week, values...) for placing marker labels."""
    b, s = _quantiles(base), _quantiles(scen)
    x = s.index.to_numpy(dtype=float)
    ax.fill_between(x, s["p05"], s["p95"], color=BLUE, alpha=SCEN_BAND_ALPHA["outer"], lw=0)
    ax.fill_between(x, s["p25"], s["p75"], color=BLUE, alpha=SCEN_BAND_ALPHA["inner"], lw=0)
    xb = b.index.to_numpy(dtype=float)
    ax.plot(xb, b["p05"], **BASE_RANGE_STYLE)
    ax.plot(xb, b["p95"], **BASE_RANGE_STYLE)
    ax.plot(xb, b["p50"], **BASE_STYLE, zorder=BASE_ZORDER)
    ax.plot(x, s["p50"], **SCEN_STYLE, zorder=SCEN_ZORDER)
    return np.vstack([x, s.to_numpy().T, b.reindex(s.index).to_numpy().T])


def fan_legend_handles() -> list[Any]:
    """Legend of the fan charts: the scenario's median and bands, the baseline's."""
    inner = SCEN_BAND_ALPHA["inner"] + LEGEND_BAND_ALPHA
    return [
        Line2D([], [], **SCEN_STYLE, label="scenario: median"),
        Patch(color=BLUE, alpha=inner, label="scenario: middle 50%"),
        Patch(color=BLUE, alpha=SCEN_BAND_ALPHA["outer"], label="scenario: middle 90%"),
        Line2D([], [], **BASE_STYLE, label="baseline: median"),
        Line2D([], [], **BASE_RANGE_STYLE, label="baseline: middle 90%"),
    ]


def start_up_note(scenario: Any) -> str:
    """What a figure says of the model's start-up weeks: left out, or drawn and why."""
    if first_drawn_week(scenario) > 0:
        return f"The model's first {START_UP_WEEKS} weeks (start-up) are not drawn."
    return (
        f"The first intervention falls in the model's start-up (weeks 0-{START_UP_WEEKS - 1}, "
        "while prices settle), so it is drawn."
    )


def _window_spans(ax: Any, pair: Any) -> None:
    """Thin dotted lines at window edges that are not an intervention or the horizon: where
    the interventions end and "after" begins, and the edges of an analyst's own windows."""
    sc = pair.scenario.scenario
    events = {iv.week for iv in sc.interventions}
    edges = set()
    for w in pair.windows:
        if w.name == AFTER:
            edges.add(w.start)
        elif w.name not in (DURING, FIRST_YEAR):
            edges |= {w.start, w.stop}
    for week in sorted(edges - events - {0, sc.weeks}):
        if week > first_drawn_week(sc):
            ax.axvline(week, **WINDOW_LINE)


def _row(table: pd.DataFrame, scenario: str, outcome: str, window: str) -> Any | None:
    hit = table[
        (table["scenario"] == scenario)
        & (table["outcome"] == outcome)
        & (table["window"] == window)
    ]
    return next(hit.itertuples(), None)


def _panel_note(table: pd.DataFrame, scenario: str, outcome: str) -> str:
    """The change in the scenario's key window for a panel title: "while the interventions
    run: -23%" or "...: no clear change"."""
    names = windows_of(table, scenario)  # the key window first
    row = _row(table, scenario, outcome, names[0]) if names else None
    if row is None or not math.isfinite(row.change):
        return ""
    unit = "%" if row.relative else ""
    where = row.window  # the short name: the figure's title says what it means
    return f"{where}: {fmt_signed(row.change)}{unit}" if row.clear else f"{where}: no clear change"


def _smoothed(wide: pd.DataFrame, smooth: bool) -> pd.DataFrame:
    return wide.rolling(SMOOTH_WEEKS, min_periods=SMOOTH_WEEKS).mean() if smooth else wide


# ----------------------------------------------------------------------------------------------
# fan charts
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FanPanel:
    """One fan chart: an outcome of the effect table and the weekly series behind it."""

    outcome: str
    ylabel: str
    column: str
    scale: float = 1.0
    exit: str | None = None  # the series of one exit (exits table), else of the whole valley
    smooth: bool = False
    from_zero: bool = False

    def series(self, res: Any, first: int) -> pd.DataFrame:
        """Week x replicate table of the panel's series in a RunResult, from week `first`."""
        if self.exit is None:
            return weekly(res.timeseries, self.column, self.scale, first)
        return weekly(res.exits[res.exits["exit"] == self.exit], self.column, self.scale, first)


FLOW_LABEL = f"t/yr ({SMOOTH_WEEKS}-week mean)"
HCL_LABEL = "USD per kg of cocaine HCl"
FAN_PANELS: tuple[FanPanel, ...] = (
    FanPanel("exports", FLOW_LABEL, "exported_kg", PER_YEAR_T, smooth=True, from_zero=True),
    FanPanel(
        "exports via Callao",
        FLOW_LABEL,
        "exported_kg",
        PER_YEAR_T,
        exit=PORT_EXIT,
        smooth=True,
        from_zero=True,
    ),
    FanPanel("seizures", FLOW_LABEL, "seized_kg", PER_YEAR_T, smooth=True, from_zero=True),
    FanPanel("HCl price VRAEM", HCL_LABEL, "price_hcl_vraem_usd_per_kg"),
    FanPanel("HCl price Callao", HCL_LABEL, "price_hcl_usd_per_kg", exit=PORT_EXIT),
    FanPanel("leaf price", "USD per kg of coca leaf", "price_leaf_usd_per_kg"),
)


def _fan_panel(
    ax: Any, pair: Any, table: pd.DataFrame, panel: FanPanel, merged: list[tuple[int, str]]
) -> np.ndarray:
    """One fan chart with its titles, markers and axes; returns the drawn series."""
    sc = pair.scenario.scenario
    first = first_drawn_week(sc)
    base = _smoothed(panel.series(pair.baseline, first), panel.smooth)
    scen = _smoothed(panel.series(pair.scenario, first), panel.smooth)
    drawn = _draw_fan(ax, base, scen)
    marker_lines(ax, merged)
    _window_spans(ax, pair)
    ax.set_title(HEADINGS[panel.outcome], loc="left")
    ax.set_title(_panel_note(table, sc.name, panel.outcome), loc="right", **PANEL_NOTE_STYLE)
    ax.set_ylabel(panel.ylabel)
    ax.yaxis.set_major_formatter(NUM_FMT)
    if panel.from_zero:
        ax.set_ylim(bottom=0)
    else:
        _at_least_span(ax, float(np.nanmedian(_quantiles(base)["p50"])))  # the dashed line
    time_axis(ax, sc.start_date, sc.weeks, first_drawn_week(sc))
    return drawn


def _at_least_span(ax: Any, level: float) -> None:
    """Widen a y axis (about its middle) to at least MIN_PRICE_SPAN of `level`."""
    lo, hi = ax.get_ylim()
    need = MIN_PRICE_SPAN * abs(level)
    if np.isfinite(need) and hi - lo < need:
        mid = (lo + hi) / 2
        ax.set_ylim(max(mid - need / 2, 0.0), mid + need / 2)


def fan_chart_figure(pair: Any, table: pd.DataFrame) -> Figure:
    """Six fan charts (2 x 3): exports, exports via Callao, seizures, HCl prices in the VRAEM and
    at Callao, leaf price; scenario bands over the baseline's median and 90% range."""
    sc = pair.scenario.scenario
    merged, note = scenario_markers(sc)
    title = fan_title(table, sc.name, tuple(p.outcome for p in FAN_PANELS))
    with mpl.rc_context(RC):
        fig = new_figure()
        reserve_footer(fig)
        axes = panels_with_legend(fig, *FAN_GRID, fan_legend_handles())
        drawn = [
            _fan_panel(ax, pair, table, panel, merged)
            for ax, panel in zip(axes.flat, FAN_PANELS, strict=True)
        ]
        figure_title(fig, title)
        footer(
            fig,
            source_line(sc),
            f"Bands across {sc.replicates} paired replicates (same seeds: the lines coincide "
            f"before the first intervention). Flows: trailing {SMOOTH_WEEKS}-week mean in t/yr. "
            "Dotted vertical line: a window's edge (where the interventions end). "
            + start_up_note(sc)
            + (f"\n{note}" if note else ""),
        )
        if merged:
            fig.draw_without_rendering()
            marker_labels(axes.flat[0], merged, [drawn[0]])
    return fig


# ----------------------------------------------------------------------------------------------
# armed groups, fighters, violent deaths, leadership events
# ----------------------------------------------------------------------------------------------
def _draw_events(ax: Any, pair: Any) -> None:
    """One row per kind of leadership event; a marker per week with events, sized by the number
    of replicates (scenario filled, baseline hollow grey)."""
    scen = leadership_events(pair.scenario.events)
    base = leadership_events(pair.baseline.events)
    kinds = [k for k in EVENT_KINDS if k in set(scen["kind"]) | set(base["kind"])]
    kinds = kinds or ["leader removed", "group splits"]
    ypos = {k: float(i) for i, k in enumerate(kinds[::-1])}
    n_rep = max(len(pair.scenario.seeds), 1)
    for ev, dy, face, edge in (
        (scen, EVENT_OFFSET, VERMILLION, INK),
        (base, -EVENT_OFFSET, "white", "#6E6E6E"),
    ):
        if ev.empty:
            continue
        counts = ev.groupby(["kind", "week"])["replicate"].nunique().reset_index()
        for r in counts.itertuples():
            if r.kind not in ypos:
                continue
            ax.scatter(
                r.week,
                ypos[r.kind] + dy,
                s=EVENT_SIZE[0] + EVENT_SIZE[1] * r.replicate / n_rep,
                marker=EVENT_MARKERS[r.kind],
                c=face,
                edgecolors=edge,
                **EVENT_EDGE,
            )
    if scen.empty and base.empty:
        ax.text(
            0.5,
            0.5,
            "no leader removed, no split and no dissolution in any replicate",
            transform=ax.transAxes,
            **NO_EVENTS_STYLE,
        )
    ax.set_yticks(list(ypos.values()), list(ypos.keys()))
    ax.set_ylim(EVENT_ROWS_Y[0], len(kinds) + EVENT_ROWS_Y[1])
    ax.grid(axis="y", visible=False)
    ax.set_title(
        "Leadership events (filled: scenario, hollow: baseline; size: share of replicates)",
        loc="left",
    )


def _draw_groups(ax: Any, pair: Any) -> None:
    """Armed groups: mean number per week, and the range across replicates for the scenario."""
    series = []
    for res, style in ((pair.baseline, BASE_STYLE), (pair.scenario, SCEN_STYLE)):
        wide = weekly(
            res.timeseries, "armed_groups", first=first_drawn_week(pair.scenario.scenario)
        )
        x = wide.index.to_numpy(dtype=float)
        if res is pair.scenario:
            ax.fill_between(
                x,
                wide.min(axis=1),
                wide.max(axis=1),
                step="post",
                color=BLUE,
                alpha=SCEN_BAND_ALPHA["outer"],
                lw=0,
            )
        ax.step(x, wide.mean(axis=1), where="post", **style)
        series.append(np.vstack([x, wide.mean(axis=1).to_numpy()]))
    ax.set_ylabel("groups (mean)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    most = max(float(np.nanmax(a[1])) for a in series)
    ax.set_ylim(0, most * GROUPS_HEADROOM + 1)  # room for the marker labels
    ax.set_yticks(range(0, math.ceil(most) + 1))
    ax.set_title(
        "Armed groups: mean number across replicates (shading: fewest to most)", loc="left"
    )


def _draw_fighters_and_deaths(ax_fight: Any, ax_deaths: Any, pair: Any) -> None:
    base, scen = pair.baseline.timeseries, pair.scenario.timeseries
    first = first_drawn_week(pair.scenario.scenario)
    _draw_fan(
        ax_fight,
        weekly(base, "armed_fighters", first=first),
        weekly(scen, "armed_fighters", first=first),
    )
    ax_fight.set_ylabel("fighters (people)")
    ax_fight.set_ylim(bottom=0)
    ax_fight.set_title("Armed fighters, all groups together", loc="left")

    deaths_scale = float(WEEKS_PER_YEAR)
    _draw_fan(
        ax_deaths,
        _smoothed(weekly(base, "deaths", deaths_scale, first), True),
        _smoothed(weekly(scen, "deaths", deaths_scale, first), True),
    )
    ax_deaths.set_ylabel("deaths per yr")
    ax_deaths.set_ylim(bottom=0)
    ax_deaths.set_title(f"Violent deaths (trailing {SMOOTH_WEEKS}-week mean, per year)", loc="left")


def armed_groups_figure(pair: Any, table: pd.DataFrame) -> Figure:
    """Leadership events, then armed groups (mean number), fighters and violent deaths over
    time, scenario over baseline."""
    sc = pair.scenario.scenario
    merged, note = scenario_markers(sc)
    title = armed_title(table, pair.scenario.events, sc.name, sc.replicates, sc.start_date)
    with mpl.rc_context(RC):
        fig = new_figure()
        reserve_footer(fig)
        axes = panels_with_legend(
            fig, 4, 1, fan_legend_handles(), height_ratios=list(ARMED_HEIGHTS)
        )[:, 0]
        ax_ev, ax_groups, ax_fight, ax_deaths = axes
        _draw_events(ax_ev, pair)
        _draw_groups(ax_groups, pair)
        _draw_fighters_and_deaths(ax_fight, ax_deaths, pair)
        for ax in axes:
            marker_lines(ax, merged)
            time_axis(ax, sc.start_date, sc.weeks, first_drawn_week(sc))
        for ax in axes[1:]:
            ax.yaxis.set_major_formatter(NUM_FMT)
            _window_spans(ax, pair)
        figure_title(fig, title)
        footer(
            fig,
            source_line(sc),
            f"{sc.replicates} paired replicates. Leadership events: successful removals of the "
            "leader or another member, splits into gangs, dissolution (failed operations left "
            "out)." + (f"\n{note}" if note else ""),
        )
        if merged:
            fig.draw_without_rendering()
            stacked_marker_labels(ax_groups, merged)
    return fig
