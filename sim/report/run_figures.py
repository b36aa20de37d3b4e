"""The figures of a `vraem run` (one scenario, several seeded replicates), titled with findings.

:func:`dashboard_figure`, :func:`exit_shares_figure` and :func:`route_map_figure` build a 16:9
``Figure`` (style: `sim.report.style`); the ``plot_*`` functions save one as PNG and
:func:`write_run_figures` writes all three into a folder. The title sentences
(:func:`headline_finding`, :func:`exit_finding`, :func:`route_finding`) are usable on their own.

The time-series figures take ``markers``: (week, short label) pairs drawn as dashed vertical
lines (e.g. ``[(52, "arrest leader")]``; see `sim.report.markers`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from sim.report.map_figures import route_map
from sim.report.maps import MIN_LW, mean_edge_flows, node_name, node_positions
from sim.report.markers import marker_lines, marker_note, merge_markers
from sim.report.run_dashboard import (
    BAND_QUANTILES,
    dashboard_figure,
    first_week,
    headline_finding,
    plot_dashboard,
    production_and_seizure_share,
    run_time_axis,
    start_up_text,
)
from sim.report.style import (
    EXIT_DESTINATIONS,
    INK,
    RC,
    exit_label,
    figure_title,
    fmt_about,
    fmt_pct,
    footer,
    group_label,
    group_short,
    group_styles,
    new_figure,
    ordered_groups,
    require_columns,
    reserve_footer,
    save_figure,
)
from sim.report.wording import scenario_label
from sim.units import WEEKS_PER_YEAR

__all__ = [  # the dashboard's names too, for callers of this module
    "dashboard_figure",
    "exit_finding",
    "exit_shares_figure",
    "first_week",
    "headline_finding",
    "plot_dashboard",
    "plot_exit_shares",
    "plot_route_map",
    "production_and_seizure_share",
    "route_finding",
    "route_map_figure",
    "write_run_figures",
]

_EXITS_REQUIRED = ("replicate", "week", "exit", "group", "exported_kg")

SHORT_BLOCK, LONG_BLOCK = 4, 13  # weeks pooled per block of the exit stack (runs of 2+ years)
BAR_HEIGHT = 0.7
BAR_FONT = 12
BAR_LABEL_GAP = 0.02  # share labels right of the whiskers, as a share of the axis
BAR_HEADROOM = 1.18  # x axis of the bars: up to this times the longest bar
MIN_BAND_LABEL = 7  # percentage points: stack bands at least this thick are named
BAND_LABEL_FONT = 13
BAND_LABEL_CLEARANCE_PX = 8.0  # band labels keep this far from marker lines and the axes edge
BAND_LABEL_BOX = {"boxstyle": "round,pad=0.3", "fc": "white", "ec": INK, "lw": 0.6}
BAR_EDGE = {"edgecolor": INK, "linewidth": 0.8}
WHISKERS = {"fmt": "none", "ecolor": INK, "elinewidth": 1.5, "capsize": 5}
STACK_EDGE = {"edgecolor": INK, "linewidth": 0.6}
# marker lines on the stack: dark dashes on a light line, to show on every colour
STACK_MARKER_UNDERLAY = {"zorder": 2.4, "color": "white", "ls": "-", "lw": 2.6, "alpha": 0.85}
STACK_MARKER_LINE = {"zorder": 2.5, "color": "#3A3A3A", "lw": 1.3}
GROUP_LEGEND = {
    "loc": "lower right",
    "frameon": True,
    "framealpha": 0.95,
    "edgecolor": "none",
    "fontsize": BAR_FONT,
    "handleheight": 1.4,
    "handlelength": 2.4,
}
EXIT_WIDTH_RATIOS = (1.0, 1.15)  # bars by exit, stack over time


# ----------------------------------------------------------------------------------------------
# exit shares
# ----------------------------------------------------------------------------------------------
def _exit_share_table(exits: pd.DataFrame) -> pd.DataFrame:
    """Per exit: mean, 5th and 95th percentile across replicates of its export share."""
    wide = exits.pivot_table(
        index="replicate", columns="exit", values="exported_kg", aggfunc="sum", fill_value=0.0
    ).astype(float)
    tot = wide.sum(axis=1)
    shares = wide[tot > 0].div(tot[tot > 0], axis=0)
    if shares.empty:
        raise ValueError("exits: no cocaine exported in any replicate")
    # exit id -> group (the most frequent group recorded for that exit)
    groups = exits.groupby("exit")["group"].agg(lambda s: s.astype(str).mode().iloc[0])
    table = pd.DataFrame(
        {
            "mean": shares.mean(),
            "lo": shares.quantile(BAND_QUANTILES[0]),
            "hi": shares.quantile(BAND_QUANTILES[-1]),
            "group": groups.reindex(shares.columns).to_numpy(),
        }
    )
    return table.sort_values("mean", ascending=False)


def _group_share_table(exits: pd.DataFrame) -> pd.Series:
    wide = exits.pivot_table(
        index="replicate", columns="group", values="exported_kg", aggfunc="sum", fill_value=0.0
    ).astype(float)
    tot = wide.sum(axis=1)
    return wide[tot > 0].div(tot[tot > 0], axis=0).mean()


def exit_finding(exits: pd.DataFrame, scenario: str | None = None) -> str:
    """Title sentence of the exit chart, e.g. "Baseline: Callao takes 41% of
    exports; by route: Pacific ports 55%, Bolivia 38%, Brazil 7%".

    Shares are per-replicate shares of exported kg over the whole run, averaged
    across replicates.
    """
    require_columns(exits, _EXITS_REQUIRED, "exits")
    table = _exit_share_table(exits)
    top = table.index[0]
    gshares = _group_share_table(exits)
    order = gshares.sort_values(ascending=False)
    parts = ", ".join(f"{group_short(g)} {fmt_pct(s)}" for g, s in order.items())
    text = (
        f"{exit_label(top)} takes {fmt_pct(table.loc[top, 'mean'])} of exports; by route: {parts}"
    )
    return f"{scenario_label(scenario)}: {text}" if scenario else text


def _block_shares(
    exits: pd.DataFrame, groups: list[str], last_week: int
) -> tuple[int, pd.DataFrame]:
    """Weeks per block and each group's share of exports per block: block sums of exports,
    summed over replicates (= export-weighted mean of the replicates' shares)."""
    block = LONG_BLOCK if last_week + 1 >= 2 * WEEKS_PER_YEAR else SHORT_BLOCK
    e = exits.assign(block=(exits["week"] // block).astype(int))
    by_block = e.pivot_table(
        index="block", columns="group", values="exported_kg", aggfunc="sum", fill_value=0.0
    ).astype(float)
    by_block = by_block.reindex(columns=groups, fill_value=0.0)
    tot = by_block.sum(axis=1)
    return block, by_block[tot > 0].div(tot[tot > 0], axis=0)


def _exit_bars(
    ax: Any, table: pd.DataFrame, styles: dict[str, tuple[str, str, str]], first: int = 0
) -> None:
    """Horizontal bars of each exit's share (colour and hatch by group), whiskers, labels;
    `first`: the first week counted (after the model's start-up)."""
    y = np.arange(len(table))[::-1]
    colours = [styles[g][0] for g in table["group"]]
    hatches = [styles[g][1] for g in table["group"]]
    mean = table["mean"].to_numpy() * 100
    lo = table["lo"].to_numpy() * 100
    hi = table["hi"].to_numpy() * 100
    bars = ax.barh(y, mean, color=colours, height=BAR_HEIGHT, **BAR_EDGE)
    for bar, h in zip(bars, hatches, strict=True):
        bar.set_hatch(h)
    ax.errorbar(
        mean,
        y,
        xerr=np.vstack([np.clip(mean - lo, 0, None), np.clip(hi - mean, 0, None)]),
        **WHISKERS,
    )
    xmax = max(float(np.nanmax(hi)), float(np.nanmax(mean)), 1.0)
    for yi, m, h in zip(y, mean, hi, strict=True):
        ax.text(
            max(m, h) + xmax * BAR_LABEL_GAP,
            yi,
            fmt_pct(m / 100),
            va="center",
            ha="left",
            fontsize=BAR_FONT,
        )
    ax.set_yticks(y, [exit_label(x) for x in table.index])
    ax.tick_params(axis="y", labelsize=BAR_FONT)
    ax.set_xlim(0, xmax * BAR_HEADROOM)
    ax.xaxis.set_major_formatter(PercentFormatter(decimals=0))
    span = "whole run" if first == 0 else f"from week {first} (after the start-up)"
    ax.set_xlabel(f"share of exported cocaine, {span} (%)")
    ax.set_title("Share of exports by exit", loc="left")
    ax.grid(axis="y", visible=False)


def _group_stack(
    ax: Any,
    by_block: pd.DataFrame,
    block: int,
    last_week: int,
    styles: dict[str, tuple[str, str, str]],
    merged: Sequence[tuple[int, str]],
    start_date: dt.date | None = None,
    first: int = 0,
) -> tuple[np.ndarray, list[np.ndarray], list[Any]]:
    """Stepped stack of the group shares (each block's share held over its weeks), named in
    the middle, with the marker lines. Returns the x steps, the layers and the band labels."""
    groups = list(by_block.columns)
    starts = by_block.index.to_numpy(dtype=float) * block
    ends = np.minimum(starts + block, last_week + 1)
    x = np.column_stack([starts, ends]).ravel()
    layers = [np.repeat(by_block[g].to_numpy() * 100, 2) for g in groups]
    polys = ax.stackplot(x, *layers, colors=[styles[g][0] for g in groups], **STACK_EDGE)
    for poly, g in zip(polys, groups, strict=True):
        poly.set_hatch(styles[g][1])
    # direct labels in the middle of each band, where it is thick enough
    mid = len(x) // 2
    labels = _band_labels(ax, float(x[mid]), mid, groups, layers)
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.set_ylabel("share of exports (%)")
    if start_date is None:
        ax.set_xlabel("weeks since start")
    run_time_axis(ax, start_date, last_week + 1, first)
    marker_lines(ax, merged, **STACK_MARKER_UNDERLAY)
    marker_lines(ax, merged, **STACK_MARKER_LINE)
    ax.set_title(f"Share of exports by route group, {block}-week blocks", loc="left")
    ax.grid(False)
    return x, layers, labels


def _group_legend(ax: Any, groups: list[str], styles: dict[str, tuple[str, str, str]]) -> None:
    handles = [
        Patch(facecolor=styles[g][0], hatch=styles[g][1], edgecolor=INK, label=group_label(g))
        for g in groups
    ]
    ax.legend(handles=handles, title="Route group", **GROUP_LEGEND)


def _exit_note(
    n_rep: int,
    block: int,
    merged: Sequence[tuple[int, str]],
    start_date: dt.date | None = None,
    first: int = 0,
) -> str:
    if n_rep > 1:
        text = (
            f"Bars: mean over {n_rep} replicates; whiskers: 5th-95th percentile across "
            f"replicates. Right: exports pooled over replicates per {block}-week block."
        )
    else:
        text = f"A single replicate (no whiskers). Right: exports per {block}-week block."
    if first:
        text += " " + start_up_text(first)
    return text + (f"\n{marker_note(merged, start_date=start_date)}" if merged else "")


def exit_shares_figure(
    exits: pd.DataFrame,
    *,
    scenario: str,
    source_line: str,
    markers: Sequence[tuple[int, str]] = (),
    start_date: dt.date | None = None,
) -> Figure:
    """Build the exit-share figure: bars by exit (left), group shares over time (right).

    ``markers``: (week, short label) pairs, drawn as dashed lines on the right
    panel and listed in the footnote; ``start_date`` puts the time axis in dates. The model's
    start-up weeks are left out (`first_week`).
    """
    require_columns(exits, _EXITS_REQUIRED, "exits")
    first = first_week(int(exits["week"].max()) + 1, merge_markers(markers))
    exits = exits[exits["week"] >= first]
    table = _exit_share_table(exits)
    groups = ordered_groups(list(table["group"]))
    styles = group_styles(groups)
    n_rep = exits["replicate"].nunique()
    title = exit_finding(exits, scenario)
    last_week = int(exits["week"].max())
    merged = merge_markers(markers, last_week)
    block, by_block = _block_shares(exits, groups, last_week)
    with mpl.rc_context(RC):
        fig = new_figure()
        reserve_footer(fig)
        ax_bar, ax_area = fig.subplots(1, 2, width_ratios=list(EXIT_WIDTH_RATIOS))
        _exit_bars(ax_bar, table, styles, first)
        x, layers, band_labels = _group_stack(
            ax_area, by_block, block, last_week, styles, merged, start_date, first
        )
        _group_legend(ax_bar, groups, styles)
        figure_title(fig, title)
        footer(fig, source_line, _exit_note(n_rep, block, merged, start_date, first))
        if merged:
            fig.draw_without_rendering()  # final layout: move band labels off the lines
            _clear_band_labels(ax_area, band_labels, x, len(x) // 2, groups, layers, merged)
    return fig


def _band_labels(
    ax: Any, xpos: float, idx: int, groups: Sequence[str], layers: Sequence[np.ndarray]
) -> list[Any]:
    """Name each band of the stacked area at ``xpos`` (values at ``idx``) if 7+ points thick."""
    out = []
    bottom = 0.0
    for g, layer in zip(groups, layers, strict=True):
        thick = float(layer[idx])
        if thick >= MIN_BAND_LABEL:
            out.append(
                ax.text(
                    xpos,
                    bottom + thick / 2,
                    group_short(g),
                    ha="center",
                    va="center",
                    fontsize=BAND_LABEL_FONT,
                    fontweight="bold",
                    bbox=BAND_LABEL_BOX,
                )
            )
        bottom += thick
    return out


def _clear_band_labels(
    ax: Any,
    labels: list[Any],
    x: np.ndarray,
    mid: int,
    groups: Sequence[str],
    layers: Sequence[np.ndarray],
    merged: Sequence[tuple[int, str]],
) -> None:
    """If a marker line runs through the band labels, move them to the block
    nearest the middle where none does (keeping as many labels)."""
    renderer = ax.get_figure().canvas.get_renderer()
    line_x = [float(ax.transData.transform((w, 0.0))[0]) for w, _label in merged]

    def crossed(texts: list[Any]) -> bool:
        for t in texts:
            bb = t.get_window_extent(renderer).padded(BAND_LABEL_CLEARANCE_PX)
            if any(bb.x0 < lx < bb.x1 for lx in line_x):
                return True
            if bb.x0 < ax.bbox.x0 or bb.x1 > ax.bbox.x1:
                return True
        return False

    if not crossed(labels):
        return
    n_shown = len(labels)
    for t in labels:
        t.remove()
    # block k spans x[2k]..x[2k+1]; try block centres, nearest the middle first
    starts = list(range(0, len(x) - 1, 2))
    starts.sort(key=lambda i: abs((x[i] + x[i + 1]) / 2 - x[mid]))
    for i in starts:
        texts = _band_labels(ax, float(x[i] + x[i + 1]) / 2, i, groups, layers)
        if len(texts) >= n_shown and not crossed(texts):
            return
        for t in texts:
            t.remove()
    _band_labels(ax, float(x[mid]), mid, groups, layers)  # nowhere clear: as before


def plot_exit_shares(
    exits: pd.DataFrame,
    path: str | Path,
    *,
    scenario: str,
    source_line: str,
    markers: Sequence[tuple[int, str]] = (),
    start_date: dt.date | None = None,
) -> Path:
    """Save the exit-share figure as a 16:9 PNG at ``path``; return the path."""
    fig = exit_shares_figure(
        exits, scenario=scenario, source_line=source_line, markers=markers, start_date=start_date
    )
    return save_figure(fig, path, fig.get_suptitle(), source_line)


# ----------------------------------------------------------------------------------------------
# route map
# ----------------------------------------------------------------------------------------------
def _exit_place(graph: nx.Graph, n: Any) -> str:
    """Where an exit leads, for title sentences ("... by air to Bolivia")."""
    return EXIT_DESTINATIONS.get(str(n), node_name(graph, n))


def route_finding(
    edge_flows: pd.DataFrame, graph: nx.Graph, *, weeks: int, scenario: str | None = None
) -> str:
    """Title sentence of the route map, from the mean flows on edges into exit
    nodes, e.g. "Baseline: 300 t/yr leave by road to Callao and 130 t/yr by air
    to Bolivia; together 74% of all exports"."""
    flows = mean_edge_flows(edge_flows, graph, weeks)
    exits = {n for n, d in graph.nodes(data=True) if d.get("kind") == "exit"}
    legs: dict[tuple[Any, str], float] = {}
    for u, v, mode, t in zip(
        flows["u"], flows["v"], flows["mode"], flows["t_per_year"], strict=True
    ):
        for end in (u, v):
            if end in exits:
                legs[(end, mode)] = legs.get((end, mode), 0.0) + t
    prefix = f"{scenario_label(scenario)}: " if scenario else ""
    if not legs:
        return prefix + "no cocaine reached an exit on the route network"
    ranked = sorted(legs.items(), key=lambda kv: -kv[1])
    total = sum(legs.values())
    (n1, m1), t1 = ranked[0]
    text = f"{fmt_about(t1)} t/yr leave by {m1} to {_exit_place(graph, n1)}"
    if len(ranked) == 1:
        return prefix + text + ", the only way out used"
    (n2, m2), t2 = ranked[1]
    text += f" and {fmt_about(t2)} t/yr by {m2} to {_exit_place(graph, n2)}"
    return prefix + text + f"; together {fmt_pct((t1 + t2) / total)} of all exports"


def route_map_figure(
    edge_flows: pd.DataFrame,
    graph: nx.Graph,
    *,
    scenario: str,
    source_line: str,
    weeks: int,
) -> Figure:
    """Build the route map: network in grey, flows by line width and mode.

    When the producing area (districts and airstrips) is small against the
    whole network, a second panel zooms in on it (its box is drawn on the
    overview map). Line width is proportional to the mean flow across
    replicates in t/year, with a 1 pt minimum so that small flows stay visible.
    """
    pos = node_positions(graph)
    if not pos:
        raise ValueError("graph: no node has lon/lat")
    flows = mean_edge_flows(edge_flows, graph, weeks)
    title = route_finding(edge_flows, graph, weeks=weeks, scenario=scenario)
    n_rep = edge_flows["replicate"].nunique()
    rep = "replicate" if n_rep == 1 else "replicates"
    note = (
        f"Line width proportional to the mean flow over {n_rep} {rep} in t/yr "
        f"({weeks}-week run; minimum {MIN_LW:g} pt), both directions together."
    )
    return route_map(graph, pos, flows, title=title, source_line=source_line, note=note)


def plot_route_map(
    edge_flows: pd.DataFrame,
    graph: nx.Graph,
    path: str | Path,
    *,
    scenario: str,
    source_line: str,
    weeks: int,
) -> Path:
    """Save the route map as a 16:9 PNG at ``path``; return the path.

    ``weeks`` is the length of the horizon over which ``edge_flows.kg`` was
    summed; flows are shown as t/year = kg / weeks * 52 / 1000.
    """
    fig = route_map_figure(
        edge_flows, graph, scenario=scenario, source_line=source_line, weeks=weeks
    )
    return save_figure(fig, path, fig.get_suptitle(), source_line)


# ----------------------------------------------------------------------------------------------
# all together
# ----------------------------------------------------------------------------------------------
def write_run_figures(
    ts: pd.DataFrame,
    exits: pd.DataFrame,
    edge_flows: pd.DataFrame,
    graph: nx.Graph,
    fig_dir: str | Path,
    *,
    scenario: str,
    source_line: str,
    weeks: int,
    markers: Sequence[tuple[int, str]] = (),
    start_date: dt.date | None = None,
) -> list[Path]:
    """Write dashboard.png, exit_shares.png and route_map.png into ``fig_dir`` (time axes in
    dates from ``start_date``, the scenario's first day of week 0).

    ``markers`` (week, short label) go on the dashboard and the exit shares
    figure; the route map (whole-run totals) has none.
    """
    fig_dir = Path(fig_dir)
    fig_dir.mkdir(parents=True, exist_ok=True)
    common = {"scenario": scenario, "source_line": source_line}
    return [
        plot_dashboard(
            ts, fig_dir / "dashboard.png", markers=markers, start_date=start_date, **common
        ),
        plot_exit_shares(
            exits, fig_dir / "exit_shares.png", markers=markers, start_date=start_date, **common
        ),
        plot_route_map(edge_flows, graph, fig_dir / "route_map.png", weeks=weeks, **common),
    ]
