"""The five comparison figures of a briefing, in the style of `sim.report.style`.

Each is a 16:9 PNG (16 x 9 in at 120 dpi, 1920 x 1080 px) titled with a finding computed from the
numbers, with units on the axes, the intervention markers of the run figures and the source line
"vraem-sim <version>, N replicates, seed S". Scenario and baseline are told apart by colour *and*
line style, marker or hatch, so that they survive greyscale printing.

1. :func:`flow_map_figure` - route network on Peru's outline: baseline flows and the change
   (in `sim.report.briefing_map`).
2. :func:`fan_chart_figure` - median and 50%/90% bands of the main series, scenario over baseline
   (in `sim.report.briefing_series`).
3. :func:`exit_shares_figure` - each exit's share of exports before and after, and the change.
4. :func:`armed_groups_figure` - armed groups, fighters and violent deaths, leadership events
   (in `sim.report.briefing_series`).
5. :func:`effects_summary_figure` - every scenario's effect on the headline outcomes.

:func:`write_briefing_figures` draws them all into a folder.
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
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.patheffects import withStroke
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from sim.config.models import Scenario
from sim.report.briefing_map import exit_short_name, flow_map_figure, map_period, map_title
from sim.report.briefing_series import SMOOTH_WEEKS, armed_groups_figure, fan_chart_figure
from sim.report.effects import OUTCOMES
from sim.report.findings import shares_title, summary_title
from sim.report.markers import intervention_markers, scenario_markers
from sim.report.style import (
    BLUE,
    GREEN,
    INK,
    MIN_FONT_PT,
    PURPLE,
    RC,
    VERMILLION,
    figure_title,
    footer,
    group_styles,
    new_figure,
    ordered_groups,
    panels_with_legend,
    reserve_footer,
    save_figure,
    source_line,
)
from sim.report.windows import START_UP_WEEKS, before_window, dates_text, window_title
from sim.report.wording import HEADINGS, INTERVAL_NAME, scenario_label

__all__ = [
    "FIGURE_FILES",
    "SMOOTH_WEEKS",
    "DrawnFigure",
    "armed_groups_figure",
    "combined_source",
    "draw_figure",
    "effects_summary_figure",
    "exit_shares_figure",
    "fan_chart_figure",
    "figure_file",
    "flow_map_figure",
    "intervention_markers",
    "map_period",
    "map_title",
    "source_line",
    "write_briefing_figures",
]

# one style per window of a figure, in the order the windows come (marker, fill, line)
WINDOW_STYLE_CYCLE = (
    {"color": BLUE, "marker": "o", "mfc": BLUE, "ls": "-"},
    {"color": VERMILLION, "marker": "s", "mfc": "white", "ls": "--"},
    {"color": GREEN, "marker": "D", "mfc": GREEN, "ls": ":"},
    {"color": PURPLE, "marker": "^", "mfc": "white", "ls": "-."},
)
WINDOW_ROW_STEP = 0.17  # rows of the windows in an effects panel, in row heights ...
WINDOW_ROWS_SPAN = 0.5  # ... spread over at most this much of a row
ZERO_LINE = {"color": "#555555", "zorder": 1}
LINE_WIDTH = 1.8  # pt: whiskers and marker edges of the effect panels


# ----------------------------------------------------------------------------------------------
# 1. route map on Peru's outline
# ----------------------------------------------------------------------------------------------
def window_styles(names: Sequence[str]) -> dict[str, tuple[dict[str, str], float]]:
    """Per window name (in order): its style and its row offset in an effects panel."""
    names = list(dict.fromkeys(names))
    k = len(names)
    step = min(2 * WINDOW_ROW_STEP, WINDOW_ROWS_SPAN / max(k - 1, 1))
    return {
        n: (WINDOW_STYLE_CYCLE[i % len(WINDOW_STYLE_CYCLE)], (i - (k - 1) / 2) * step)
        for i, n in enumerate(names)
    }


def windows_note(table: pd.DataFrame) -> str:
    """The windows of a table in dates, for a footnote: 'Windows: during Jan 2024-Dec 2025;
    first year Jan 2024-Dec 2024; after: dates differ by scenario (see the table)'."""
    parts = []
    for name in dict.fromkeys(table["window"]):
        spans = table.loc[table["window"] == name, ["date_from", "date_to"]].drop_duplicates()
        if len(spans) == 1:
            parts.append(f"{name} {dates_text(*spans.iloc[0])}")
        else:
            parts.append(f"{name}: dates differ by scenario (see the table)")
    return "Windows: " + "; ".join(parts) + "."


def window_legend(name: str) -> str:
    """A window in a legend: its short name and what it means ('during: while the
    interventions run'); an analyst's own window by its name."""
    title = window_title(name)
    return (
        name if title == name[:1].upper() + name[1:] else f"{name}: {title[:1].lower()}{title[1:]}"
    )


EXIT_TINTS = (0.0, 0.4, 0.65)  # mix with white for the 1st, 2nd, 3rd exit of a group
MIN_LABEL_SHARE = 5.0  # % of exports: segments narrower than this carry no label
MIN_NAME_SHARE = 12.0  # % of exports: segments at least this wide are named too
BAR_GROUP_GAP = 0.45  # extra space (in bar heights) between windows
SHARE_BAR_HEIGHT = 0.72
SHARE_BAR_EDGE = {"edgecolor": INK, "linewidth": 0.7}
SHARE_LEGEND = {
    "loc": "upper center",
    "bbox_to_anchor": (0.5, -0.12),  # under the bars
    "ncols": 4,
    "frameon": False,
    "handleheight": 1.3,
    "handlelength": 2.2,
}
CHANGE_POINT = {"ms": 8, "mew": LINE_WIDTH, "elinewidth": LINE_WIDTH, "capsize": 4}
CHANGE_LEGEND = {  # under the panel, where it cannot hide a row
    "loc": "upper center",
    "bbox_to_anchor": (0.5, -0.12),
    "ncols": 1,
    "frameon": False,
}
SHARE_WIDTH_RATIOS = (1.55, 1.0)  # stacked bars, changes
SHARE_LABEL_STYLE = {
    "ha": "center",
    "va": "center",
    "fontsize": MIN_FONT_PT,
    "color": INK,
    "path_effects": [withStroke(linewidth=3, foreground="white")],
}
CHANGE_HEADROOM = 1.15  # x axis of the change panel: this times the widest interval


def _tint(colour: str, amount: float) -> tuple[float, float, float]:
    r, g, b = to_rgb(colour)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def _exit_order(exits: pd.DataFrame) -> tuple[list[str], dict[str, str]]:
    """Exits grouped by route group (Pacific, Bolivia, Brazil), busiest first within a group."""
    groups = dict(exits[["exit", "group"]].drop_duplicates().itertuples(index=False))
    volume = exits.groupby("exit")["exported_kg"].sum()
    order = []
    for g in ordered_groups(list(groups.values())):
        members = [e for e in groups if groups[e] == g]
        order += sorted(members, key=lambda e: -volume.get(e, 0.0))
    return order, groups


def _exit_colours(
    order: list[str], groups: dict[str, str]
) -> tuple[dict[str, tuple[float, float, float]], dict[str, str]]:
    """exit -> colour (its group's, lighter for each further exit of the group) and hatch."""
    gstyles = group_styles(ordered_groups(list(groups.values())))
    colours, hatches = {}, {}
    rank: dict[str, int] = {}
    for e in order:
        k = rank[groups[e]] = rank.get(groups[e], -1) + 1
        colours[e] = _tint(gstyles[groups[e]][0], EXIT_TINTS[min(k, len(EXIT_TINTS) - 1)])
        hatches[e] = gstyles[groups[e]][1]
    return colours, hatches


def _share_means(exits: pd.DataFrame, weeks: range) -> pd.Series:
    """Mean across replicates of each exit's share of exports (%) over `weeks`."""
    sel = exits[exits["week"].isin(weeks)]
    wide = sel.pivot_table(
        index="replicate", columns="exit", values="exported_kg", aggfunc="sum", fill_value=0.0
    )
    total = wide.sum(axis=1)
    return (wide.div(total.where(total > 0), axis=0) * 100.0).mean()


def _share_bars(pair: Any, mine: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    """(label, share per exit) of each bar: before the intervention (after the start-up), then
    baseline and scenario in each window."""
    bars: list[tuple[str, pd.Series]] = []
    start = pair.scenario.scenario.start_date
    before = before_window(pair.scenario.scenario)
    if before is not None:
        shares = _share_means(pair.baseline.exits, before.weeks)
        bars.append((f"Before\n({before.span(start)})", shares))
    for window in dict.fromkeys(mine["window"]):
        w = mine[mine["window"] == window].set_index("name")
        span = dates_text(w["date_from"].iloc[0], w["date_to"].iloc[0])
        title = window[:1].upper() + window[1:]  # the short name; the legend says what it means
        bars.append((f"{title}, baseline\n({span})", w["baseline_share"]))
        bars.append((f"{title}, scenario\n({span})", w["scenario_share"]))
    return bars


def _draw_share_bars(
    ax: Any,
    bars: list[tuple[str, pd.Series]],
    order: list[str],
    colours: dict[str, Any],
    hatches: dict[str, str],
    before_odd: int,
) -> None:
    """Stacked bars of the exits' shares, segments labelled where wide enough; legend below."""
    # a gap between "before" and each window's pair of bars
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
            ax.barh(
                yi,
                v,
                left=left,
                height=SHARE_BAR_HEIGHT,
                color=colours[e],
                hatch=hatches[e],
                **SHARE_BAR_EDGE,
            )
            if v >= MIN_LABEL_SHARE:
                text = f"{v:.0f}%"
                if v >= MIN_NAME_SHARE:
                    text = f"{exit_short_name(e)}\n{text}"
                ax.text(left + v / 2, yi, text, **SHARE_LABEL_STYLE)
            left += v
    ax.set_yticks(y, [label for label, _ in bars])
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.set_xlabel("share of exported cocaine (%, mean over replicates)")
    ax.set_title("Where exports leave the country", loc="left")
    ax.grid(axis="y", visible=False)
    handles = [
        Patch(facecolor=colours[e], hatch=hatches[e], edgecolor=INK, label=exit_short_name(e))
        for e in order
    ]
    ax.legend(handles=handles, **SHARE_LEGEND)


def _draw_share_changes(ax: Any, mine: pd.DataFrame, order: list[str]) -> None:
    """The paired change in share per exit (points and 90% confidence interval) in each
    window."""
    yc = np.arange(len(order))[::-1].astype(float)
    for window, (style, offset) in window_styles(list(mine["window"])).items():
        w = mine[mine["window"] == window].set_index("name").reindex(order)
        if w["change"].isna().all():
            continue
        yy = yc - offset
        err = np.vstack(
            [
                (w["change"] - w["change_lo"]).clip(lower=0).fillna(0),
                (w["change_hi"] - w["change"]).clip(lower=0).fillna(0),
            ]
        )
        line = ax.errorbar(
            w["change"],
            yy,
            xerr=err,
            fmt=style["marker"],
            color=style["color"],
            mfc=style["mfc"],
            mec=style["color"],
            label=window_legend(window),
            **CHANGE_POINT,
        )
        line[-1][0].set_linestyle(style["ls"])
    ax.axvline(0, lw=1.2, **ZERO_LINE)
    ax.set_yticks(yc, [exit_short_name(e) for e in order])
    ax.set_xlabel("change in share of exports (percentage points)")
    ax.set_title("Change in share vs baseline", loc="left")
    ax.grid(axis="y", visible=False)
    ax.legend(**CHANGE_LEGEND)
    lim = np.nanmax(np.abs(mine[["change_lo", "change_hi"]].to_numpy(dtype=float)))
    lim = max(float(lim) if math.isfinite(lim) else 0.0, 1.0) * CHANGE_HEADROOM
    ax.set_xlim(-lim, lim)


def exit_shares_figure(pair: Any, shares: pd.DataFrame) -> Figure:
    """Left: each exit's share of exports before the intervention and, for baseline and scenario,
    in each window (stacked bars). Right: the paired change in share per exit."""
    sc = pair.scenario.scenario
    name = sc.name
    order, groups = _exit_order(pair.baseline.exits)
    colours, hatches = _exit_colours(order, groups)
    mine = shares[(shares["scenario"] == name) & (shares["level"] == "exit")]
    bars = _share_bars(pair, mine)
    before_odd = 1 if before_window(sc) is not None else 0  # parity at which a window starts
    with mpl.rc_context(RC):
        fig = new_figure()
        reserve_footer(fig)
        ax_bar, ax_chg = fig.subplots(1, 2, width_ratios=list(SHARE_WIDTH_RATIOS))
        _draw_share_bars(ax_bar, bars, order, colours, hatches, before_odd)
        _draw_share_changes(ax_chg, mine, order)
        figure_title(fig, shares_title(shares, name))
        _, note = scenario_markers(sc)
        footer(
            fig,
            source_line(sc),
            f"Shares of exported kg per replicate, averaged over {sc.replicates} replicates; "
            "before the first intervention baseline and scenario are the same (same seeds); the "
            f"model's first {START_UP_WEEKS} weeks (start-up) are not counted."
            + (f"\n{note}" if note else ""),
        )
    return fig


# ----------------------------------------------------------------------------------------------
# 5. effects summary of all scenarios
# ----------------------------------------------------------------------------------------------
SUMMARY_COLUMNS = 5
LABEL_WRAP = 26  # characters per line of a scenario label
MANY_SCENARIOS = 6  # above this many rows, scenario labels get a smaller font
PERCENT_TICKS = FuncFormatter(lambda x, _pos: f"{x:g}%")
UNCLEAR_ALPHA = 0.45  # effects whose interval includes zero are drawn faded
SUMMARY_PAD = 0.12  # margin of each panel's x axis, as a share of its range
MIN_SUMMARY_RANGE = 1e-9  # below this a panel's intervals all sit on zero ...
FLAT_PANEL_MARGIN = {True: 10.0, False: 1.0}  # ... and it spans +-10% (relative) or +-1
SUMMARY_TICKS = {"nbins": 4, "steps": [1, 2, 5, 10]}
EFFECT_MARKER_SIZE = 7.5
SUMMARY_TITLE_FONT = 12.5
SCENARIO_FONT, MANY_SCENARIOS_FONT = 12, 10.5  # scenario labels


def _summary_handles(names: Sequence[str]) -> list[Any]:
    handles = [
        Line2D(
            [],
            [],
            color=style["color"],
            ls=style["ls"],
            marker=style["marker"],
            mfc=style["mfc"],
            lw=LINE_WIDTH,
            label=window_legend(name),
        )
        for name, (style, _) in window_styles(names).items()
    ]
    handles.append(
        Line2D(
            [],
            [],
            color="#999999",
            marker="o",
            alpha=UNCLEAR_ALPHA,
            lw=LINE_WIDTH,
            label=f"faded: {INTERVAL_NAME} includes zero",
        )
    )
    return handles


def _effect(ax: Any, r: Any, yy: float, style: dict[str, str]) -> None:
    """One effect: its 90% confidence interval as a line and its mean as a marker (faded if
    unclear)."""
    alpha = 1.0 if r.clear else UNCLEAR_ALPHA
    ax.plot(
        [r.change_lo, r.change_hi],
        [yy, yy],
        color=style["color"],
        ls=style["ls"],
        lw=LINE_WIDTH,
        alpha=alpha,
        solid_capstyle="butt",
    )
    ax.plot(
        r.change,
        yy,
        marker=style["marker"],
        ms=EFFECT_MARKER_SIZE,
        mfc=style["mfc"],
        mec=style["color"],
        mew=LINE_WIDTH,
        color=style["color"],
        alpha=alpha,
        ls="none",
        zorder=4,
    )


def _summary_panel(ax: Any, table: pd.DataFrame, outcome: str, y: dict[str, float]) -> None:
    """Every scenario's effect on ``outcome`` in each window, a row per scenario."""
    rows = table[table["outcome"] == outcome]
    relative = bool(rows["relative"].iloc[0])
    for window, (style, offset) in window_styles(list(table["window"])).items():
        for r in rows[rows["window"] == window].itertuples():
            if math.isfinite(r.change):
                _effect(ax, r, y[r.scenario] + offset, style)
    ax.axvline(0, lw=1.1, **ZERO_LINE)
    unit = "%" if relative else ("per yr" if outcome == "violent deaths" else "number")
    ax.set_title(f"{HEADINGS[outcome]} ({unit})", loc="left", fontsize=SUMMARY_TITLE_FONT)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_locator(MaxNLocator(**SUMMARY_TICKS))
    ends = rows[["change_lo", "change_hi"]].to_numpy(dtype=float)
    ends = ends[np.isfinite(ends)]  # an empty window (a short run) has no interval
    lo = min(float(ends.min()), 0.0) if ends.size else 0.0
    hi = max(float(ends.max()), 0.0) if ends.size else 0.0
    flat = hi - lo < MIN_SUMMARY_RANGE
    pad = FLAT_PANEL_MARGIN[relative] if flat else (hi - lo) * SUMMARY_PAD
    ax.set_xlim(lo - pad, hi + pad)
    if relative:
        ax.xaxis.set_major_formatter(PERCENT_TICKS)


def effects_summary_figure(table: pd.DataFrame, source: str) -> Figure:
    """Dot-whisker small multiples: one panel per headline outcome, a row per scenario, a marker
    and line style per window (`window_styles`)."""
    outcomes = [o for o in OUTCOMES if o in set(table["outcome"])]
    scenarios = list(dict.fromkeys(table["scenario"]))
    n_rows = math.ceil(len(outcomes) / SUMMARY_COLUMNS)
    y = {s: float(i) for i, s in enumerate(scenarios)}
    with mpl.rc_context(RC):
        fig = new_figure()
        reserve_footer(fig)
        axes = panels_with_legend(
            fig,
            n_rows,
            SUMMARY_COLUMNS,
            _summary_handles(list(table["window"])),
            sharex=False,
            sharey=True,
        )
        for ax, outcome in zip(axes.flat, outcomes, strict=False):
            _summary_panel(ax, table, outcome, y)
        for ax in axes.flat[len(outcomes) :]:
            ax.axis("off")
        for ax in axes[:, 0]:
            ax.set_yticks(
                list(y.values()),
                [textwrap.fill(scenario_label(s), LABEL_WRAP) for s in scenarios],
                fontsize=MANY_SCENARIOS_FONT if len(scenarios) > MANY_SCENARIOS else SCENARIO_FONT,
            )
        axes[0, 0].set_ylim(len(scenarios) - 0.5, -0.5)
        for ax in axes[-1]:
            ax.set_xlabel("change vs baseline")
        figure_title(fig, summary_title(table))
        footer(
            fig,
            source,
            "Marker: mean paired change across replicates (same seeds as the baseline); line: "
            f"{INTERVAL_NAME} of the mean (Student's t). Flows, prices, area and income: % "
            "change; deaths and armed groups: absolute change.\n" + windows_note(table),
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
    """The file name of a figure of ``kind`` (FIGURE_FILES) for ``scenario``."""
    return FIGURE_FILES[kind].format(name=scenario)


@dataclass
class DrawnFigure:
    """A written figure: file name (relative to the figures folder), kind, scenario, title."""

    file: str
    kind: str
    scenario: str | None
    title: str


def combined_source(pairs: Sequence[Any]) -> str:
    """One source line for figures of several scenarios (their replicates and seeds)."""
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
    save_figure(fig, path, title, source)
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
