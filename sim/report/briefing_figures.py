"""The five comparison figures of a briefing, in the style of `sim.report.figures`.

Each is a 16:9 PNG (16 x 9 in at 120 dpi, 1920 x 1080 px) titled with a finding computed from the
numbers, with units on the axes, the intervention markers of the run figures and the source line
"vraem-sim <version>, N replicates, seed S". Scenario and baseline are told apart by colour *and*
line style, marker or hatch, so that they survive greyscale printing.

1. :func:`flow_map_figure` - route network on Peru's outline: baseline flows and the change.
2. :func:`fan_chart_figure` - median and 50%/90% bands of the main series, scenario over baseline.
3. :func:`exit_shares_figure` - each exit's share of exports before and after, and the change.
4. :func:`armed_groups_figure` - armed groups, fighters and violent deaths, leadership events.
5. :func:`effects_summary_figure` - every scenario's effect on the headline outcomes.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse, Patch, Rectangle
from matplotlib.patheffects import withStroke
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter
from matplotlib.transforms import Bbox

from sim.config.models import Scenario
from sim.report.effects import OUTCOMES, windows
from sim.report.figures import (
    _BLUE,
    _GREY,
    _INK,
    _MODE_STYLE,
    _NUM_FMT,
    _RC,
    _VERMILLION,
    _fmt_about,
    _footer,
    _group_short,
    _group_styles,
    _marker_labels,
    _marker_lines,
    _mean_edge_flows,
    _merge_markers,
    _new_figure,
    _nice,
    _ordered_groups,
    _place_labels,
    _reserve_footer,
    _save,
    _title,
    _week_axis,
    marker_note,
)
from sim.report.findings import (
    armed_title,
    fan_title,
    leadership_events,
    shares_title,
    summary_title,
)
from sim.report.outline import country_rings, draw_countries
from sim.report.wording import EXIT_WORDS, HEADINGS, fmt_signed, scenario_label

WEEKS_PER_YEAR = 52
SMOOTH_WEEKS = 13  # trailing window (a quarter) for lumpy weekly flows and deaths
KG_PER_T = 1000.0
BAND_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)  # 90% band, 50% band, median

# baseline: black dashed median and dotted 90% range; scenario: blue median and filled bands
BASE_STYLE = {"color": _INK, "ls": "--", "lw": 1.8}
BASE_RANGE_STYLE = {"color": "#6E6E6E", "ls": ":", "lw": 1.3}
SCEN_STYLE = {"color": _BLUE, "ls": "-", "lw": 2.2}
SCEN_BAND_ALPHA = {"inner": 0.38, "outer": 0.16}
YEAR1_STYLE = {"color": _BLUE, "marker": "o", "mfc": _BLUE, "ls": "-"}
LATER_STYLE = {"color": _VERMILLION, "marker": "s", "mfc": "white", "ls": "--"}
MORE_TRAFFIC = (_VERMILLION, "-")
LESS_TRAFFIC = (_BLUE, (0, (4, 2)))


def source_line(scenario: Scenario) -> str:
    """The source line of every figure: "vraem-sim <version>, N replicates, seed S"."""
    from sim import __version__

    return f"vraem-sim {__version__}, {scenario.replicates} replicates, seed {scenario.seed}"


def intervention_markers(scenario: Scenario) -> list[tuple[int, str]]:
    """(week, short label) of each intervention, for the dashed marker lines."""
    from sim.interventions import describe

    return [(iv.week, describe(iv)) for iv in scenario.interventions]


# ----------------------------------------------------------------------------------------------
# shared pieces
# ----------------------------------------------------------------------------------------------
def _weekly(frame: pd.DataFrame, column: str, scale: float = 1.0) -> pd.DataFrame:
    """A week x replicate table of `column` (times `scale`)."""
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
    ax.fill_between(x, s["p05"], s["p95"], color=_BLUE, alpha=SCEN_BAND_ALPHA["outer"], lw=0)
    ax.fill_between(x, s["p25"], s["p75"], color=_BLUE, alpha=SCEN_BAND_ALPHA["inner"], lw=0)
    xb = b.index.to_numpy(dtype=float)
    ax.plot(xb, b["p05"], **BASE_RANGE_STYLE)
    ax.plot(xb, b["p95"], **BASE_RANGE_STYLE)
    ax.plot(xb, b["p50"], **BASE_STYLE, zorder=4)
    ax.plot(x, s["p50"], **SCEN_STYLE, zorder=5)
    return np.vstack([x, s.to_numpy().T, b.reindex(s.index).to_numpy().T])


def _fan_legend_handles() -> list[Any]:
    return [
        Line2D([], [], **SCEN_STYLE, label="scenario: median"),
        Patch(color=_BLUE, alpha=SCEN_BAND_ALPHA["inner"] + 0.1, label="scenario: middle 50%"),
        Patch(color=_BLUE, alpha=SCEN_BAND_ALPHA["outer"], label="scenario: middle 90%"),
        Line2D([], [], **BASE_STYLE, label="baseline: median"),
        Line2D([], [], **BASE_RANGE_STYLE, label="baseline: middle 90%"),
    ]


LEGEND_ROW = 0.075  # height of the legend row, as a share of one panel row


def _panels_with_legend(
    fig: Figure,
    nrows: int,
    ncols: int,
    handles: list[Any],
    *,
    height_ratios: Sequence[float] | None = None,
    sharex: bool = True,
    sharey: bool = False,
) -> np.ndarray:
    """A grid of panels under a legend row that spans the figure (so the legend never meets the
    title). Returns the panels as an (nrows, ncols) array."""
    ratios = list(height_ratios or [1.0] * nrows)
    gs = fig.add_gridspec(nrows + 1, ncols, height_ratios=[LEGEND_ROW * max(ratios), *ratios])
    leg_ax = fig.add_subplot(gs[0, :])
    leg_ax.axis("off")
    leg_ax.legend(
        handles=handles,
        loc="center",
        ncols=len(handles),
        frameon=False,
        handlelength=2.6,
        columnspacing=1.8,
        borderaxespad=0.0,
    )
    axes = np.empty((nrows, ncols), dtype=object)
    for r in range(nrows):
        for c in range(ncols):
            first = axes[0, 0] if (r or c) else None
            axes[r, c] = fig.add_subplot(
                gs[r + 1, c],
                sharex=first if sharex else None,
                sharey=first if sharey else None,
            )
    if sharex:
        for ax in axes[:-1].flat:
            ax.tick_params(labelbottom=False)
    if sharey:
        for ax in axes[:, 1:].flat:
            ax.tick_params(labelleft=False)
    return axes


def _window_spans(ax: Any, event_week: int, weeks: int) -> None:
    """Thin dotted line at the end of year 1 after the event (start of years 2-5)."""
    spans = windows(event_week, weeks)
    later = spans["years 2-5"]
    if len(later):
        ax.axvline(later.start, color="#9A9A9A", ls=":", lw=1.0, zorder=1.4)


def _markers_note(scenario: Scenario) -> tuple[list[tuple[int, str]], str]:
    merged = _merge_markers(intervention_markers(scenario), scenario.weeks - 1)
    return merged, marker_note(merged)


def _row(table: pd.DataFrame, scenario: str, outcome: str, window: str) -> Any | None:
    hit = table[
        (table["scenario"] == scenario)
        & (table["outcome"] == outcome)
        & (table["window"] == window)
    ]
    return next(hit.itertuples(), None)


def _panel_note(table: pd.DataFrame, scenario: str, outcome: str) -> str:
    """The year-1 change for a panel title: "year 1: -23%" or "year 1: no clear change"."""
    row = _row(table, scenario, outcome, "year 1")
    if row is None or not math.isfinite(row.change):
        return ""
    unit = "%" if row.relative else ""
    return f"year 1: {fmt_signed(row.change)}{unit}" if row.clear else "year 1: no clear change"


# ----------------------------------------------------------------------------------------------
# 2. fan charts
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FanPanel:
    outcome: str
    ylabel: str
    series: Callable[[Any], pd.DataFrame]  # RunResult -> week x replicate
    smooth: bool
    from_zero: bool


def _exit_weekly(res: Any, exit_id: str, column: str, scale: float = 1.0) -> pd.DataFrame:
    return _weekly(res.exits[res.exits["exit"] == exit_id], column, scale)


PER_YEAR_T = WEEKS_PER_YEAR / KG_PER_T  # weekly kg -> t/yr
FAN_PANELS: tuple[FanPanel, ...] = (
    FanPanel(
        "exports",
        "t/yr (13-week mean)",
        lambda r: _weekly(r.timeseries, "exported_kg", PER_YEAR_T),
        True,
        True,
    ),
    FanPanel(
        "exports via Callao",
        "t/yr (13-week mean)",
        lambda r: _exit_weekly(r, "callao", "exported_kg", PER_YEAR_T),
        True,
        True,
    ),
    FanPanel(
        "seizures",
        "t/yr (13-week mean)",
        lambda r: _weekly(r.timeseries, "seized_kg", PER_YEAR_T),
        True,
        True,
    ),
    FanPanel(
        "HCl price VRAEM",
        "USD per kg of cocaine HCl",
        lambda r: _weekly(r.timeseries, "price_hcl_vraem_usd_per_kg"),
        False,
        False,
    ),
    FanPanel(
        "HCl price Callao",
        "USD per kg of cocaine HCl",
        lambda r: _exit_weekly(r, "callao", "price_hcl_usd_per_kg"),
        False,
        False,
    ),
    FanPanel(
        "leaf price",
        "USD per kg of coca leaf",
        lambda r: _weekly(r.timeseries, "price_leaf_usd_per_kg"),
        False,
        False,
    ),
)


def _smoothed(wide: pd.DataFrame, smooth: bool) -> pd.DataFrame:
    return wide.rolling(SMOOTH_WEEKS, min_periods=SMOOTH_WEEKS).mean() if smooth else wide


def fan_chart_figure(pair: Any, table: pd.DataFrame) -> Figure:
    """Six fan charts (2 x 3): exports, exports via Callao, seizures, HCl prices in the VRAEM and
    at Callao, leaf price; scenario bands over the baseline's median and 90% range."""
    sc = pair.scenario.scenario
    name = sc.name
    merged, note = _markers_note(sc)
    title = fan_title(table, name, tuple(p.outcome for p in FAN_PANELS))
    n_rep = sc.replicates
    with mpl.rc_context(_RC):
        fig = _new_figure()
        _reserve_footer(fig)
        axes = _panels_with_legend(fig, 2, 3, _fan_legend_handles())
        first: list[np.ndarray] = []
        for ax, panel in zip(axes.flat, FAN_PANELS, strict=True):
            base = _smoothed(panel.series(pair.baseline), panel.smooth)
            scen = _smoothed(panel.series(pair.scenario), panel.smooth)
            drawn = _draw_fan(ax, base, scen)
            if ax is axes.flat[0]:
                first.append(drawn)
            _marker_lines(ax, merged, zorder=1.5)
            _window_spans(ax, pair.event_week, sc.weeks)
            ax.set_title(HEADINGS[panel.outcome], loc="left")
            ax.set_title(
                _panel_note(table, name, panel.outcome),
                loc="right",
                fontsize=11.5,
                fontweight="normal",
                color="#333333",
            )
            ax.set_ylabel(panel.ylabel)
            ax.yaxis.set_major_formatter(_NUM_FMT)
            if panel.from_zero:
                ax.set_ylim(bottom=0)
            _week_axis(ax, sc.weeks)
        for ax in axes[-1]:
            ax.set_xlabel("weeks since start of run")
        _title(fig, title)
        _footer(
            fig,
            source_line(sc),
            f"Bands across {n_rep} paired replicates (same seeds: the lines coincide before the "
            f"first intervention). Flows: trailing {SMOOTH_WEEKS}-week mean in t/yr. Dotted "
            f"vertical line: start of years 2-5 after the first intervention."
            + (f"\n{note}" if note else ""),
        )
        if merged:
            fig.draw_without_rendering()
            _marker_labels(axes.flat[0], merged, first)
    return fig


# ----------------------------------------------------------------------------------------------
# 3. exit shares before and after
# ----------------------------------------------------------------------------------------------
EXIT_TINTS = (0.0, 0.4, 0.65)  # mix with white for the 1st, 2nd, 3rd exit of a group
MIN_LABEL_SHARE = 5.0  # % of exports: segments narrower than this carry no label
MIN_NAME_SHARE = 12.0  # % of exports: segments at least this wide are named too
BAR_GROUP_GAP = 0.45  # extra space (in bar heights) between windows


def _tint(colour: str, amount: float) -> tuple[float, float, float]:
    r, g, b = to_rgb(colour)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def _exit_order(exits: pd.DataFrame) -> tuple[list[str], dict[str, str]]:
    """Exits grouped by route group (Pacific, Bolivia, Brazil), busiest first within a group."""
    groups = dict(exits[["exit", "group"]].drop_duplicates().itertuples(index=False))
    volume = exits.groupby("exit")["exported_kg"].sum()
    order = []
    for g in _ordered_groups(list(groups.values())):
        members = [e for e in groups if groups[e] == g]
        order += sorted(members, key=lambda e: -volume.get(e, 0.0))
    return order, groups


def _share_means(exits: pd.DataFrame, weeks: range) -> pd.Series:
    """Mean across replicates of each exit's share of exports (%) over `weeks`."""
    sel = exits[exits["week"].isin(weeks)]
    wide = sel.pivot_table(
        index="replicate", columns="exit", values="exported_kg", aggfunc="sum", fill_value=0.0
    )
    total = wide.sum(axis=1)
    return (wide.div(total.where(total > 0), axis=0) * 100.0).mean()


def exit_shares_figure(pair: Any, shares: pd.DataFrame) -> Figure:
    """Left: each exit's share of exports before the intervention and, for baseline and scenario,
    in year 1 and years 2-5 (stacked bars). Right: the paired change in share per exit."""
    sc = pair.scenario.scenario
    name = sc.name
    order, groups = _exit_order(pair.baseline.exits)
    gstyles = _group_styles(_ordered_groups(list(groups.values())))
    colours, hatches = {}, {}
    rank: dict[str, int] = {}
    for e in order:
        k = rank[groups[e]] = rank.get(groups[e], -1) + 1
        colours[e] = _tint(gstyles[groups[e]][0], EXIT_TINTS[min(k, len(EXIT_TINTS) - 1)])
        hatches[e] = gstyles[groups[e]][1]
    mine = shares[(shares["scenario"] == name) & (shares["level"] == "exit")]
    bars: list[tuple[str, pd.Series]] = []
    if pair.event_week > 0:
        before = _share_means(pair.baseline.exits, range(0, pair.event_week))
        bars.append((f"Before (weeks 0-{pair.event_week - 1})", before))
    for window in ("year 1", "years 2-5"):
        w = mine[mine["window"] == window].set_index("name")
        if w.empty:
            continue
        span = f"weeks {int(w['week_from'].iloc[0])}-{int(w['week_to'].iloc[0])}"
        bars.append((f"{window.capitalize()}, baseline\n({span})", w["baseline_share"]))
        bars.append((f"{window.capitalize()}, scenario\n({span})", w["scenario_share"]))
    before_odd = 1 if pair.event_week > 0 else 0  # index parity at which a new window starts
    with mpl.rc_context(_RC):
        fig = _new_figure()
        _reserve_footer(fig)
        ax_bar, ax_chg = fig.subplots(1, 2, width_ratios=[1.55, 1.0])
        # a gap between "before", the year-1 pair and the years 2-5 pair
        steps = [0.0] + [
            1.0 + (BAR_GROUP_GAP if i % 2 == before_odd else 0.0) for i in range(1, len(bars))
        ]
        y = -np.cumsum(steps)
        for yi, (_label, values) in zip(y, bars, strict=True):
            left = 0.0
            for e in order:
                v = float(values.get(e, 0.0))
                if not math.isfinite(v) or v <= 0:
                    continue
                ax_bar.barh(
                    yi,
                    v,
                    left=left,
                    height=0.72,
                    color=colours[e],
                    hatch=hatches[e],
                    edgecolor=_INK,
                    linewidth=0.7,
                )
                if v >= MIN_LABEL_SHARE:
                    text = f"{v:.0f}%"
                    if v >= MIN_NAME_SHARE:
                        text = f"{_short_exit(e)}\n{text}"
                    ax_bar.text(
                        left + v / 2,
                        yi,
                        text,
                        ha="center",
                        va="center",
                        fontsize=10.5,
                        color=_INK,
                        path_effects=[withStroke(linewidth=3, foreground="white")],
                    )
                left += v
        ax_bar.set_yticks(y, [label for label, _ in bars])
        ax_bar.set_xlim(0, 100)
        ax_bar.xaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax_bar.set_xlabel("share of exported cocaine (%, mean over replicates)")
        ax_bar.set_title("Where exports leave the country", loc="left")
        ax_bar.grid(axis="y", visible=False)
        handles = [
            Patch(facecolor=colours[e], hatch=hatches[e], edgecolor=_INK, label=_short_exit(e))
            for e in order
        ]
        ax_bar.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncols=4,
            frameon=False,
            handleheight=1.3,
            handlelength=2.2,
        )

        # right: change in share (points), year 1 and years 2-5
        yc = np.arange(len(order))[::-1].astype(float)
        offsets = {"year 1": -0.17, "years 2-5": 0.17}
        for window, style in (("year 1", YEAR1_STYLE), ("years 2-5", LATER_STYLE)):
            w = mine[mine["window"] == window].set_index("name").reindex(order)
            if w["change"].isna().all():
                continue
            yy = yc - offsets[window]
            err = np.vstack(
                [
                    (w["change"] - w["change_p05"]).clip(lower=0).fillna(0),
                    (w["change_p95"] - w["change"]).clip(lower=0).fillna(0),
                ]
            )
            line = ax_chg.errorbar(
                w["change"],
                yy,
                xerr=err,
                fmt=style["marker"],
                color=style["color"],
                mfc=style["mfc"],
                mec=style["color"],
                ms=8,
                mew=1.8,
                elinewidth=1.8,
                capsize=4,
                label=window,
            )
            line[-1][0].set_linestyle(style["ls"])
        ax_chg.axvline(0, color="#555555", lw=1.2, zorder=1)
        ax_chg.set_yticks(yc, [_short_exit(e) for e in order])
        ax_chg.set_xlabel("change in share of exports (percentage points)")
        ax_chg.set_title("Change in share vs baseline", loc="left")
        ax_chg.grid(axis="y", visible=False)
        ax_chg.legend(loc="lower right", frameon=True, framealpha=0.9, edgecolor="none")
        lim = np.nanmax(np.abs(mine[["change_p05", "change_p95"]].to_numpy(dtype=float)))
        lim = max(float(lim) if math.isfinite(lim) else 0.0, 1.0) * 1.15
        ax_chg.set_xlim(-lim, lim)
        _title(fig, shares_title(shares, name))
        _, note = _markers_note(sc)
        _footer(
            fig,
            source_line(sc),
            f"Shares of exported kg per replicate, averaged over {sc.replicates} replicates; "
            "before the first intervention baseline and scenario are the same (same seeds)."
            + (f"\n{note}" if note else ""),
        )
    return fig


def _short_exit(exit_id: str) -> str:
    word = EXIT_WORDS.get(exit_id, exit_id.replace("_", " "))
    word = word.removeprefix("the ")
    return word[:1].upper() + word[1:]


# ----------------------------------------------------------------------------------------------
# 4. armed groups, fighters, violent deaths, leadership events
# ----------------------------------------------------------------------------------------------
EVENT_KINDS = ("leader removed", "member removed", "group splits", "group dissolves")
EVENT_MARKERS = {
    "leader removed": "v",
    "member removed": "o",
    "group splits": "D",
    "group dissolves": "X",
}
EVENT_OFFSET = 0.18  # scenario above, baseline below the row of its kind


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
        (scen, EVENT_OFFSET, _VERMILLION, _INK),
        (base, -EVENT_OFFSET, "white", "#6E6E6E"),
    ):
        if ev.empty:
            continue
        counts = ev.groupby(["kind", "week"])["replicate"].nunique().reset_index()
        for r in counts.itertuples():
            if r.kind not in ypos:
                continue
            size = 40 + 110 * r.replicate / n_rep
            ax.scatter(
                r.week,
                ypos[r.kind] + dy,
                s=size,
                marker=EVENT_MARKERS[r.kind],
                c=face,
                edgecolors=edge,
                linewidths=1.2,
                zorder=5,
            )
    if scen.empty and base.empty:
        ax.text(
            0.5,
            0.5,
            "no leader removed, no split and no dissolution in any replicate",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=11,
            color="#555555",
        )
    ax.set_yticks(list(ypos.values()), list(ypos.keys()))
    ax.set_ylim(-0.6, len(kinds) - 0.4)
    ax.grid(axis="y", visible=False)
    ax.set_title(
        "Leadership events (filled: scenario, hollow: baseline; size: share of replicates)",
        loc="left",
    )


GROUPS_HEADROOM = 1.9  # the groups panel's top, as a multiple of its largest value (+1)
LABEL_ROWS = (0.95, 0.74, 0.53)  # axes heights of the rows of marker labels


def _stacked_marker_labels(ax: Any, merged: Sequence[tuple[int, str]]) -> None:
    """Horizontal labels right of each marker line near the top of `ax`, numbered as in the
    footnote; a label that would touch the previous one goes a row lower (or shows its number
    only). Call once the layout is final."""
    renderer = ax.get_figure().canvas.get_renderer()
    numbered = len(merged) > 1
    placed: list[Any] = []
    for i, (week, label) in enumerate(merged, 1):
        texts = [f"{i} {label}" if numbered else label] + ([str(i)] if numbered else [])
        done = False
        for text in texts:
            for y in LABEL_ROWS:
                t = ax.annotate(
                    text,
                    (week, y),
                    xycoords=("data", "axes fraction"),
                    xytext=(4, 0),
                    textcoords="offset points",
                    ha="left",
                    va="top",
                    fontsize=10,
                    color="#333333",
                    bbox={
                        "boxstyle": "square,pad=0.15",
                        "fc": "white",
                        "ec": "none",
                        "alpha": 0.85,
                    },
                    zorder=6,
                )
                bb = t.get_window_extent(renderer)
                if bb.x1 <= ax.bbox.x1 and not any(bb.overlaps(p) for p in placed):
                    placed.append(bb)
                    done = True
                    break
                t.remove()
            if done:
                break


def armed_groups_figure(pair: Any, table: pd.DataFrame) -> Figure:
    """Leadership events, then armed groups (mean number), fighters and violent deaths over
    time, scenario over baseline."""
    sc = pair.scenario.scenario
    merged, note = _markers_note(sc)
    title = armed_title(table, pair.scenario.events, sc.name, sc.replicates)
    with mpl.rc_context(_RC):
        fig = _new_figure()
        _reserve_footer(fig)
        axes = _panels_with_legend(fig, 4, 1, _fan_legend_handles(), height_ratios=[0.8, 1, 1, 1])[
            :, 0
        ]
        ax_ev, ax_groups, ax_fight, ax_deaths = axes
        _draw_events(ax_ev, pair)

        # armed groups: mean number per week, and the range across replicates for the scenario
        series = []
        for res, style in ((pair.baseline, BASE_STYLE), (pair.scenario, SCEN_STYLE)):
            wide = _weekly(res.timeseries, "armed_groups")
            x = wide.index.to_numpy(dtype=float)
            if res is pair.scenario:
                ax_groups.fill_between(
                    x,
                    wide.min(axis=1),
                    wide.max(axis=1),
                    step="post",
                    color=_BLUE,
                    alpha=SCEN_BAND_ALPHA["outer"],
                    lw=0,
                )
            ax_groups.step(x, wide.mean(axis=1), where="post", **style)
            series.append(np.vstack([x, wide.mean(axis=1).to_numpy()]))
        ax_groups.set_ylabel("groups (mean)")
        ax_groups.yaxis.set_major_locator(MaxNLocator(integer=True))
        most = max(float(np.nanmax(a[1])) for a in series)
        ax_groups.set_ylim(0, most * GROUPS_HEADROOM + 1)  # room for the marker labels
        ax_groups.set_yticks(range(0, math.ceil(most) + 1))
        ax_groups.set_title(
            "Armed groups: mean number across replicates (shading: fewest to most)", loc="left"
        )

        _draw_fan(
            ax_fight,
            _weekly(pair.baseline.timeseries, "armed_fighters"),
            _weekly(pair.scenario.timeseries, "armed_fighters"),
        )
        ax_fight.set_ylabel("fighters (people)")
        ax_fight.set_ylim(bottom=0)
        ax_fight.set_title("Armed fighters, all groups together", loc="left")

        deaths_scale = float(WEEKS_PER_YEAR)
        _draw_fan(
            ax_deaths,
            _smoothed(_weekly(pair.baseline.timeseries, "deaths", deaths_scale), True),
            _smoothed(_weekly(pair.scenario.timeseries, "deaths", deaths_scale), True),
        )
        ax_deaths.set_ylabel("deaths per yr")
        ax_deaths.set_ylim(bottom=0)
        ax_deaths.set_title(
            f"Violent deaths (trailing {SMOOTH_WEEKS}-week mean, per year)", loc="left"
        )
        for ax in axes:
            _marker_lines(ax, merged, zorder=1.5)
            _week_axis(ax, sc.weeks)
        for ax in axes[1:]:
            ax.yaxis.set_major_formatter(_NUM_FMT)
            _window_spans(ax, pair.event_week, sc.weeks)
        ax_deaths.set_xlabel("weeks since start of run")
        _title(fig, title)
        _footer(
            fig,
            source_line(sc),
            f"{sc.replicates} paired replicates. Leadership events: successful removals of the "
            "leader or another member, splits into gangs, dissolution (failed operations left "
            "out)." + (f"\n{note}" if note else ""),
        )
        if merged:
            fig.draw_without_rendering()
            _stacked_marker_labels(ax_groups, merged)
    return fig


# ----------------------------------------------------------------------------------------------
# 1. route map on Peru's outline
# ----------------------------------------------------------------------------------------------
MAP_PAD_DEG = 0.8  # margin around the network (degrees)
BASE_MAX_LW = 12.0  # line width (pt) of the busiest baseline edge
CHANGE_MAX_LW = 10.0  # line width (pt) of the largest change
MIN_LW = 1.0
MIN_WIDTH_STEP = 0.75  # pt: legend widths closer than this look the same
CHANGE_ZOOM = 3.0  # changes are drawn at most this many times wider than a flow of that size
MIN_CHANGE_T = 0.5  # t/yr: smaller changes on an edge are drawn as no change
MIN_CHANGE_FRACTION = 0.03  # ... and so are changes under 3% of the largest one
# where to write country names (lon, lat); a name is written only if its point is on the map
COUNTRY_PLACES: dict[str, tuple[float, float]] = {
    "Peru": (-76.6, -6.6),
    "Ecuador": (-78.4, -2.2),
    "Colombia": (-72.0, -1.6),
    "Brazil": (-68.2, -8.6),
    "Bolivia": (-66.6, -17.9),
    "Chile": (-69.4, -20.0),
}
OCEAN_PLACE = (-80.9, -8.4)
VRAEM_CENTRE = (-74.05, -12.0)
VRAEM_SIZE = (1.4, 2.3)  # ellipse width and height (degrees) around the producing districts
SOUTH_AMERICA_LAT = (-56.5, 13.5)  # latitudes shown on the locator map
LEGEND_GAP = 0.035  # space between stacked legends, as a share of the legend column's height


def _map_box(graph: nx.Graph) -> tuple[float, float, float, float]:
    pts = np.array([(d["lon"], d["lat"]) for _n, d in graph.nodes(data=True)], dtype=float)
    return (
        float(pts[:, 0].min() - MAP_PAD_DEG),
        float(pts[:, 0].max() + MAP_PAD_DEG),
        float(pts[:, 1].min() - MAP_PAD_DEG),
        float(pts[:, 1].max() + MAP_PAD_DEG),
    )


def _show_box(ax: Any, box: tuple[float, float, float, float]) -> None:
    """Show `box` at true lon/lat proportions (widened along one axis to fill the panel)."""
    x0, x1, y0, y1 = box
    ax.dataLim.set_points(np.array([[x0, y0], [x1, y1]]))
    ax.set_xmargin(0.0)
    ax.set_ymargin(0.0)
    ax.autoscale_view()
    ax.set_aspect(1.0 / math.cos(math.radians((y0 + y1) / 2.0)), adjustable="datalim")


def _exit_inflows(flows: pd.DataFrame, column: str, graph: nx.Graph) -> pd.Series:
    """t/yr (from `column`) on the edges into each exit node."""
    exits = [n for n, d in graph.nodes(data=True) if d.get("kind") == "exit"]
    return pd.Series(
        {e: float(flows.loc[(flows["u"] == e) | (flows["v"] == e), column].sum()) for e in exits}
    )


def map_title(
    name: str, base: pd.Series, scen: pd.Series, period: str = "over the whole run"
) -> str:
    """Which exit loses and which gains most flow in the map's period."""
    label = scenario_label(name)
    delta = (scen - base).sort_values()
    down, up = delta.index[0], delta.index[-1]
    parts = []
    if delta[down] <= -MIN_CHANGE_T:
        parts.append(
            f"{_fmt_about(-delta[down])} t/yr less leaves via {EXIT_WORDS.get(down, down)}"
        )
    if delta[up] >= MIN_CHANGE_T:
        parts.append(f"{_fmt_about(delta[up])} t/yr more via {EXIT_WORDS.get(up, up)}")
    if not parts:
        return f"{label}: {period}, the flows to the exits barely change"
    return f"{label}: {period}, " + " and ".join(parts)


def map_period(pair: Any) -> tuple[int | None, int, str, str]:
    """The map's period: year 1 after the first intervention when it starts at a year boundary
    and the edge flows are recorded per year; else the whole run. Returns (reporting year or
    None, weeks, words for the title, words for the footnote)."""
    sc = pair.scenario.scenario
    start = pair.event_week
    yearly = all("year" in r.edge_flows.columns for r in (pair.baseline, pair.scenario))
    if yearly and start % WEEKS_PER_YEAR == 0 and start + WEEKS_PER_YEAR <= sc.weeks:
        return (
            start // WEEKS_PER_YEAR + 1,
            WEEKS_PER_YEAR,
            "in year 1 after the first intervention",
            f"Mean flow in year 1 after the first intervention (weeks {start}-"
            f"{start + WEEKS_PER_YEAR - 1})",
        )
    return (
        None,
        sc.weeks,
        "over the whole run",
        f"Mean flow over the whole run (weeks 0-{sc.weeks - 1}, including the {start} weeks "
        "before the first intervention)",
    )


def _flow_table(pair: Any, graph: nx.Graph) -> pd.DataFrame:
    """Per undirected edge: mode, baseline and scenario t/yr and their difference, over the
    map's period."""
    year, weeks, _, _ = map_period(pair)

    def flows(run: Any) -> pd.DataFrame:
        edges = run.edge_flows
        return edges if year is None else edges[edges["year"] == year]

    b = _mean_edge_flows(flows(pair.baseline), graph, weeks)
    s = _mean_edge_flows(flows(pair.scenario), graph, weeks)
    merged = b.merge(s, on=["u", "v"], how="outer", suffixes=("_base", "_scen"))
    merged["mode"] = merged["mode_base"].fillna(merged["mode_scen"])
    for col in ("t_per_year_base", "t_per_year_scen"):
        merged[col] = merged[col].fillna(0.0)
    merged["delta"] = merged["t_per_year_scen"] - merged["t_per_year_base"]
    return merged


def _map_base_layer(ax: Any, box: tuple[float, float, float, float], network: list) -> None:
    draw_countries(ax)
    ax.add_collection(
        LineCollection(network, colors=_GREY, linewidths=0.8, zorder=2), autolim=False
    )
    _show_box(ax, box)
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.grid(True, color="white", lw=0.6, alpha=0.7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)


def _name_places(ax: Any) -> None:
    """Country and ocean names, where they fall inside the shown area (call after layout)."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for name, (lon, lat) in COUNTRY_PLACES.items():
        if x0 < lon < x1 and y0 < lat < y1:
            ax.text(
                lon,
                lat,
                name.upper(),
                ha="center",
                va="center",
                fontsize=12,
                color="#8A8A8A",
                fontweight="bold",
                zorder=0.9,
            )
    lon, lat = OCEAN_PLACE
    if x0 < lon < x1 and y0 < lat < y1:
        ax.text(
            lon,
            lat,
            "PACIFIC\nOCEAN",
            ha="center",
            va="center",
            fontsize=11,
            color="#6F8CA3",
            fontstyle="italic",
            zorder=0.9,
        )


def _exit_groups(graph: nx.Graph) -> list[str]:
    return _ordered_groups(
        [str(d.get("group", "")) for _n, d in graph.nodes(data=True) if d.get("kind") == "exit"]
    )


def _draw_nodes(ax: Any, graph: nx.Graph, pos: dict[Any, tuple[float, float]]) -> None:
    groups = _exit_groups(graph)
    gstyles = _group_styles(groups)
    districts = [pos[n] for n, d in graph.nodes(data=True) if d.get("kind") == "district"]
    if districts:
        pts = np.array(districts)
        ax.plot(
            pts[:, 0],
            pts[:, 1],
            ls="none",
            marker="o",
            ms=4.5,
            mfc="white",
            mec=_INK,
            mew=0.9,
            zorder=7,
        )
    for g in groups:
        pts = np.array(
            [
                pos[n]
                for n, d in graph.nodes(data=True)
                if d.get("kind") == "exit" and d.get("group") == g
            ]
        )
        colour, _hatch, marker = gstyles[g]
        ax.plot(
            pts[:, 0],
            pts[:, 1],
            ls="none",
            marker=marker,
            ms=12,
            mfc=colour,
            mec=_INK,
            mew=1.4,
            zorder=8,
        )
    ax.add_patch(Ellipse(VRAEM_CENTRE, *VRAEM_SIZE, fill=False, ec=_INK, lw=1.3, ls="--", zorder=7))


EXIT_LABEL_FONT = {"fontsize": 11.5, "fontweight": "bold"}
VRAEM_LABEL_FONT = {"fontsize": 12, "fontweight": "bold", "fontstyle": "italic"}
NODE_CLEARANCE_PT = 7.0  # labels keep this far from node centres


def _label_exits(ax: Any, pos: dict[Any, tuple[float, float]], texts: dict[str, str]) -> None:
    """Exit labels (and the VRAEM's) placed off the markers and each other."""
    dpi = ax.get_figure().dpi
    obstacles = {}
    for n, (x, y) in pos.items():
        cx, cy = ax.transData.transform((x, y))
        r = NODE_CLEARANCE_PT * dpi / 72.0
        obstacles[n] = Bbox([[cx - r, cy - r], [cx + r, cy + r]])
    items = [(n, *pos[n], text, 8.0, EXIT_LABEL_FONT, True) for n, text in texts.items()]
    vx, vy = VRAEM_CENTRE
    items.append(("vraem", vx + VRAEM_SIZE[0] / 2, vy, "VRAEM", 4.0, VRAEM_LABEL_FONT, True))
    _place_labels(ax, items, obstacles, [])


def _locator(ax: Any, box: tuple[float, float, float, float]) -> None:
    """South America, Peru in white, and the main map's area as a red box."""
    draw_countries(ax, border_width=0.4)
    pts = np.vstack([r for rings in country_rings().values() for r in rings])
    _show_box(ax, (float(pts[:, 0].min()), float(pts[:, 0].max()), *SOUTH_AMERICA_LAT))
    x0, x1, y0, y1 = box
    ax.add_patch(
        Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec=_VERMILLION, lw=1.8, zorder=3)
    )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(True)
        side.set_color("#666666")


def _width_handles(max_t: float, max_lw: float, colour: str, prefix: str) -> list[Line2D]:
    """Legend lines for round flows up to `max_t` drawn `max_lw` wide; flows that would look
    alike (under MIN_WIDTH_STEP apart) are shown once, by the largest of them."""
    refs = sorted({_nice(max_t * f) for f in (0.1, 0.4, 1.0)} - {0.0})
    k = max_lw / max_t if max_t > 0 else 0.0
    kept: list[tuple[float, float]] = []
    for r in refs:
        width = max(r * k, MIN_LW)
        if kept and width - kept[-1][1] < MIN_WIDTH_STEP:
            kept.pop()
        kept.append((r, width))
    return [
        Line2D([], [], color=colour, lw=width, label=f"{prefix}{r:,g} t/yr") for r, width in kept
    ]


def _stack_legends(ax: Any, groups: list[tuple[str, list[Any]]]) -> None:
    """Legends one under another from the top of `ax` (an empty column), measured so that
    they never overlap (call once the layout is final)."""
    renderer = ax.get_figure().canvas.get_renderer()
    height = ax.get_window_extent(renderer).height
    y = 1.0
    for title, handles in groups:
        leg = ax.legend(
            handles=handles,
            title=title,
            loc="upper left",
            bbox_to_anchor=(0.0, y),
            frameon=False,
            alignment="left",
            borderaxespad=0.0,
            handlelength=3.0,
        )
        leg.set_in_layout(False)
        ax.add_artist(leg)
        y -= leg.get_window_extent(renderer).height / height + LEGEND_GAP


def flow_map_figure(pair: Any, graph: nx.Graph) -> Figure:
    """Left: baseline flows on the route network (line width by t/yr, colour and dashes by
    mode). Right: the change with the scenario (width by the change; solid = more traffic,
    dashed = less). Both on Peru's outline and its neighbours, with a locator map inset."""
    sc = pair.scenario.scenario
    pos = {n: (float(d["lon"]), float(d["lat"])) for n, d in graph.nodes(data=True)}
    flows = _flow_table(pair, graph)
    flows = flows[flows["u"].isin(pos) & flows["v"].isin(pos)]
    base_in = _exit_inflows(flows, "t_per_year_base", graph)
    scen_in = _exit_inflows(flows, "t_per_year_scen", graph)
    box = _map_box(graph)
    network = [[pos[u], pos[v]] for u, v in graph.edges() if u in pos and v in pos]
    max_t = float(flows["t_per_year_base"].max()) if len(flows) else 0.0
    max_d = float(flows["delta"].abs().max()) if len(flows) else 0.0
    threshold = max(MIN_CHANGE_T, MIN_CHANGE_FRACTION * max_d)
    with mpl.rc_context(_RC):
        fig = _new_figure()
        _reserve_footer(fig)
        ax_base, ax_diff, ax_leg = fig.subplots(1, 3, width_ratios=[1.0, 1.0, 0.4])
        for ax in (ax_base, ax_diff):
            _map_base_layer(ax, box, network)
        k = BASE_MAX_LW / max_t if max_t > 0 else 0.0
        for mode, sub in flows[flows["t_per_year_base"] > 0].groupby("mode", sort=False):
            colour, style, _label = _MODE_STYLE.get(mode, (_INK, ":", mode))
            segs = [[pos[u], pos[v]] for u, v in zip(sub["u"], sub["v"], strict=True)]
            ax_base.add_collection(
                LineCollection(
                    segs,
                    colors=colour,
                    linewidths=np.maximum(sub["t_per_year_base"].to_numpy() * k, MIN_LW),
                    linestyles=style,
                    alpha=0.9,
                    zorder=4 if mode == "air" else 3,
                ),
                autolim=False,
            )
        # changes share the baseline's width scale, magnified at most CHANGE_ZOOM times
        kd = min(CHANGE_MAX_LW / max_d, CHANGE_ZOOM * k) if max_d > 0 else 0.0
        for sign, (colour, style) in ((1, MORE_TRAFFIC), (-1, LESS_TRAFFIC)):
            sub = flows[flows["delta"] * sign >= threshold]
            if sub.empty:
                continue
            segs = [[pos[u], pos[v]] for u, v in zip(sub["u"], sub["v"], strict=True)]
            ax_diff.add_collection(
                LineCollection(
                    segs,
                    colors=colour,
                    linewidths=np.maximum(sub["delta"].abs().to_numpy() * kd, MIN_LW),
                    linestyles=style,
                    alpha=0.9,
                    zorder=4,
                ),
                autolim=False,
            )
        for ax in (ax_base, ax_diff):
            _draw_nodes(ax, graph, pos)
        ax_base.set_title("Baseline: mean flow on each link", loc="left")
        ax_diff.set_title("Change with the scenario (scenario minus baseline)", loc="left")
        _locator(ax_base.inset_axes((0.012, 0.012, 0.25, 0.38)), box)
        ax_leg.axis("off")

        _, _, period, period_note = map_period(pair)
        _title(fig, map_title(sc.name, base_in, scen_in, period))
        _footer(
            fig,
            source_line(sc),
            f"{period_note}, {sc.replicates} replicates,"
            f" both directions together; changes under {threshold:.1f} t/yr are not drawn."
            + (
                f" Change lines are {kd / k:.1f} times as wide as baseline lines of the same t/yr."
                if k > 0 and kd > k * 1.01
                else ""
            )
            + "\nOutlines: Natural Earth 1:50m (public domain). Inset: the map's area (red box) "
            "in South America.",
        )
        fig.draw_without_rendering()  # final layout: limits and transforms are now fixed
        gstyles = _group_styles(_exit_groups(graph))
        _stack_legends(
            ax_leg,
            [
                (
                    "Baseline: transport mode",
                    [
                        Line2D([], [], color=c, ls=s, lw=4, label=lab)
                        for c, s, lab in _MODE_STYLE.values()
                    ],
                ),
                ("Baseline: flow (line width)", _width_handles(max_t, BASE_MAX_LW, _INK, "")),
                (
                    "Change: line width",
                    [
                        Line2D(
                            [],
                            [],
                            color=MORE_TRAFFIC[0],
                            ls=MORE_TRAFFIC[1],
                            lw=4,
                            label="more traffic",
                        ),
                        Line2D(
                            [],
                            [],
                            color=LESS_TRAFFIC[0],
                            ls=LESS_TRAFFIC[1],
                            lw=4,
                            label="less traffic",
                        ),
                        *_width_handles(max_d, kd * max_d, "#555555", "\u00b1"),
                    ],
                ),
                (
                    "Places",
                    [
                        Line2D(
                            [],
                            [],
                            ls="none",
                            marker="o",
                            ms=6,
                            mfc="white",
                            mec=_INK,
                            label="producing district",
                        ),
                        *[
                            Line2D(
                                [],
                                [],
                                ls="none",
                                marker=gstyles[g][2],
                                ms=11,
                                mfc=gstyles[g][0],
                                mec=_INK,
                                label=f"exit to {_group_short(g)}",
                            )
                            for g in gstyles
                        ],
                    ],
                ),
            ],
        )
        for ax in (ax_base, ax_diff):
            _name_places(ax)
        _label_exits(
            ax_base, pos, {e: f"{_short_exit(e)}\n{_fmt_about(v)} t/yr" for e, v in base_in.items()}
        )
        delta = scen_in - base_in
        _label_exits(
            ax_diff, pos, {e: f"{_short_exit(e)}\n{_signed_t(d)} t/yr" for e, d in delta.items()}
        )
    return fig


def _signed_t(x: float) -> str:
    if abs(x) < MIN_CHANGE_T:
        return "\u00b10"
    return ("+" if x > 0 else "-") + _fmt_about(abs(x))


# ----------------------------------------------------------------------------------------------
# 5. effects summary of all scenarios
# ----------------------------------------------------------------------------------------------
SUMMARY_COLUMNS = 5
LABEL_WRAP = 26  # characters per line of a scenario label
MANY_SCENARIOS = 6  # above this many rows, scenario labels get a smaller font
PERCENT_TICKS = FuncFormatter(lambda x, _pos: f"{x:g}%")
UNCLEAR_ALPHA = 0.45  # effects whose interval includes zero are drawn faded


def _summary_handles() -> list[Any]:
    return [
        Line2D(
            [],
            [],
            color=YEAR1_STYLE["color"],
            ls=YEAR1_STYLE["ls"],
            marker="o",
            mfc=YEAR1_STYLE["mfc"],
            lw=1.8,
            label="year 1 after the first intervention",
        ),
        Line2D(
            [],
            [],
            color=LATER_STYLE["color"],
            ls=LATER_STYLE["ls"],
            marker="s",
            mfc="white",
            lw=1.8,
            label="years 2-5",
        ),
        Line2D(
            [],
            [],
            color="#999999",
            marker="o",
            alpha=UNCLEAR_ALPHA,
            lw=1.8,
            label="faded: 90% interval includes zero",
        ),
    ]


def effects_summary_figure(table: pd.DataFrame, source: str) -> Figure:
    """Dot-whisker small multiples: one panel per headline outcome, a row per scenario, year 1
    (filled circle, solid) and years 2-5 (open square, dashed)."""
    outcomes = [o for o in OUTCOMES if o in set(table["outcome"])]
    scenarios = list(dict.fromkeys(table["scenario"]))
    n_rows = math.ceil(len(outcomes) / SUMMARY_COLUMNS)
    y = {s: float(i) for i, s in enumerate(scenarios)}
    offsets = {"year 1": -0.16, "years 2-5": 0.16}
    with mpl.rc_context(_RC):
        fig = _new_figure()
        _reserve_footer(fig)
        axes = _panels_with_legend(
            fig, n_rows, SUMMARY_COLUMNS, _summary_handles(), sharex=False, sharey=True
        )
        for ax, outcome in zip(axes.flat, outcomes, strict=False):
            rows = table[table["outcome"] == outcome]
            relative = bool(rows["relative"].iloc[0])
            for window, style in (("year 1", YEAR1_STYLE), ("years 2-5", LATER_STYLE)):
                for r in rows[rows["window"] == window].itertuples():
                    if not math.isfinite(r.change):
                        continue
                    yy = y[r.scenario] + offsets[window]
                    alpha = 1.0 if r.clear else UNCLEAR_ALPHA
                    ax.plot(
                        [r.change_p05, r.change_p95],
                        [yy, yy],
                        color=style["color"],
                        ls=style["ls"],
                        lw=1.8,
                        alpha=alpha,
                        solid_capstyle="butt",
                    )
                    ax.plot(
                        r.change,
                        yy,
                        marker=style["marker"],
                        ms=7.5,
                        mfc=style["mfc"],
                        mec=style["color"],
                        mew=1.8,
                        color=style["color"],
                        alpha=alpha,
                        ls="none",
                        zorder=4,
                    )
            ax.axvline(0, color="#555555", lw=1.1, zorder=1)
            unit = "%" if relative else ("per yr" if outcome == "violent deaths" else "number")
            ax.set_title(f"{HEADINGS[outcome]} ({unit})", loc="left", fontsize=12.5)
            ax.grid(axis="y", visible=False)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 5, 10]))
            lo = min(float(rows["change_p05"].min()), 0.0)
            hi = max(float(rows["change_p95"].max()), 0.0)
            pad = max(hi - lo, 1e-9) * 0.12 or 1.0
            ax.set_xlim(lo - pad, hi + pad)
            if relative:
                ax.xaxis.set_major_formatter(PERCENT_TICKS)
        for ax in axes.flat[len(outcomes) :]:
            ax.axis("off")
        for ax in axes[:, 0]:
            ax.set_yticks(
                list(y.values()),
                [textwrap.fill(scenario_label(s), LABEL_WRAP) for s in scenarios],
                fontsize=10.5 if len(scenarios) > MANY_SCENARIOS else 12,
            )
        axes[0, 0].set_ylim(len(scenarios) - 0.5, -0.5)
        for ax in axes[-1]:
            ax.set_xlabel("change vs baseline")
        _title(fig, summary_title(table))
        _footer(
            fig,
            source,
            "Marker: mean paired change across replicates (same seeds as the baseline); line: "
            "90% interval. Flows, prices, area and income: % change; deaths and armed groups: "
            "absolute change.",
        )
    return fig


# ----------------------------------------------------------------------------------------------
# writing
# ----------------------------------------------------------------------------------------------
FIGURE_FILES = {
    "summary": "effects_summary.png",
    "map": "route_map_{name}.png",
    "fans": "fan_charts_{name}.png",
    "exits": "exit_shares_{name}.png",
    "armed": "armed_groups_{name}.png",
}


def figure_file(kind: str, scenario: str | None = None) -> str:
    return FIGURE_FILES[kind].format(name=scenario)


@dataclass
class DrawnFigure:
    """A written figure: file name (relative to the figures folder), kind, scenario, title."""

    file: str
    kind: str
    scenario: str | None
    title: str


def combined_source(pairs: Sequence[Any]) -> str:
    lines = {source_line(p.scenario.scenario) for p in pairs}
    if len(lines) == 1:
        return lines.pop()
    from sim import __version__

    reps = sorted({p.scenario.scenario.replicates for p in pairs})
    seeds = sorted({p.scenario.scenario.seed for p in pairs})
    rep_text = f"{reps[0]}-{reps[-1]}" if len(reps) > 1 else str(reps[0])
    return (
        f"vraem-sim {__version__}, {rep_text} replicates, "
        f"seed{'s' if len(seeds) > 1 else ''} {', '.join(map(str, seeds))}"
    )


def draw_figure(
    kind: str,
    pair: Any | None,
    table: pd.DataFrame,
    shares: pd.DataFrame,
    path: Path,
    source: str,
    graph_for: Callable[[Scenario], nx.Graph] | None = None,
) -> DrawnFigure:
    """Draw one figure (`kind` as in FIGURE_FILES; `pair` None for the summary) and save it at
    `path`."""
    if kind == "summary":
        fig = effects_summary_figure(table, source)
    elif kind == "map":
        if graph_for is None:
            raise ValueError("the route map needs graph_for")
        fig = flow_map_figure(pair, graph_for(pair.scenario.scenario))
    elif kind == "fans":
        fig = fan_chart_figure(pair, table)
    elif kind == "exits":
        fig = exit_shares_figure(pair, shares)
    elif kind == "armed":
        fig = armed_groups_figure(pair, table)
    else:
        raise ValueError(f"unknown figure kind {kind!r}")
    title = " ".join(fig.get_suptitle().split())
    _save(fig, path, title, source)
    return DrawnFigure(path.name, kind, None if pair is None else pair.name, title)


def write_briefing_figures(
    pairs: Sequence[Any],
    table: pd.DataFrame,
    shares: pd.DataFrame,
    fig_dir: Path,
    graph_for: Callable[[Scenario], nx.Graph],
) -> list[DrawnFigure]:
    """Write the summary figure and, for every scenario, its map, fan charts, exit shares and
    armed-group figure into `fig_dir`; return what was written, summary first.

    (Drawing in worker processes was tried: on two cores it is slower than drawing here.)
    """
    fig_dir.mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[str, Any, str]] = [("summary", None, combined_source(pairs))]
    for pair in pairs:
        src = source_line(pair.scenario.scenario)
        jobs += [(kind, pair, src) for kind in ("map", "fans", "exits", "armed")]
    args = [
        (kind, pair, table, shares, fig_dir / figure_file(kind, pair and pair.name), src, graph_for)
        for kind, pair, src in jobs
    ]
    return [draw_figure(*a) for a in args]
