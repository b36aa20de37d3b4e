"""Map layers shared by the route maps of vraem-sim: the drawing code of both maps exists here once.

A map shows the route network on lon/lat at true proportions (:func:`frame_map`), optionally on
Peru's outline and its neighbours (`sim.report.outline`), with

* the network's links in grey (:func:`draw_network`),
* flows by line width, colour and dashes by transport mode (:func:`draw_mode_flows`), or changes
  in flow, solid for more traffic and dashed for less (:func:`draw_change_flows`),
* places by kind and exits by route group (:func:`draw_places`),
* labels placed off the markers and each other (:func:`place_labels`),
* legends of modes, line widths and places (:func:`mode_handles`, :func:`width_handles`,
  :func:`place_handles`, :func:`stack_legends`).

`sim.report.map_figures` composes them into the run's route map and the briefing's change map.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse, Rectangle
from matplotlib.patheffects import withStroke
from matplotlib.transforms import Bbox

from sim.report.basemap import TextRequest, area_spots, place_texts
from sim.report.outline import country_rings, draw_countries
from sim.report.style import (
    EXIT_LABELS,
    GREY,
    INK,
    MODE_STYLE,
    group_styles,
    mode_style,
    nice,
    ordered_groups,
    require_columns,
)
from sim.units import KG_PER_T, WEEKS_PER_YEAR

Box = tuple[float, float, float, float]  # lon from, lon to, lat from, lat to
Pos = dict[Any, tuple[float, float]]  # node -> (lon, lat)

FLOWS_REQUIRED = ("replicate", "u", "v", "kg")
DEFAULT_MODE = "road"  # mode of an edge flow when edge_flows has no mode column

# layers shared by both maps
MIN_LW = 1.0  # pt: the thinnest flow line, so that small flows stay visible
FLOW_ALPHA = 0.9
FLOW_ZORDER, AIR_ZORDER = 3, 4  # flights above the ground routes
EXIT_ZORDER = 8
LABEL_ZORDER = 20
LABEL_HALO = [withStroke(linewidth=3.5, foreground="white")]
LEGEND_LINE_WIDTH = 4  # pt: lines of the transport-mode legends
# label positions around a point, in order of preference: (offset direction, ha, va)
LABEL_OFFSETS = (
    ((1, 1), "left", "bottom"),
    ((-1, 1), "right", "bottom"),
    ((1, -1), "left", "top"),
    ((-1, -1), "right", "top"),
    ((0, 1.4), "center", "bottom"),
    ((0, -1.4), "center", "top"),
)
EXIT_LABEL_OFFSET_PT = 8.0  # pt from an exit to its label
PLACE_LABEL_OFFSET_PT = 5.0  # pt from another place to its label
MIN_MAP_SHAPE, MAX_MAP_SHAPE = 0.5, 2.5  # width/height kept for a map panel
OTHER_NODE_STYLE = {"marker": ".", "color": "#666666", "zorder": 6}  # nodes of no known kind
# colour and line style of a change line: one colour (black) means "change" on the change map,
# so that no colour of the baseline's modes or of the exits' route groups means two things
CHANGE_COLOUR = INK
MORE_TRAFFIC = (CHANGE_COLOUR, "-")
LESS_TRAFFIC = (CHANGE_COLOUR, (0, (3, 1.5)))
LEGEND_GAP = 0.035  # space between stacked legends, as a share of the legend column's height

# on Peru's outline: where to write country names (lon, lat), if the point is on the map
COUNTRY_PLACES: dict[str, tuple[float, float]] = {
    "Peru": (-76.6, -6.6),
    "Ecuador": (-78.4, -2.2),
    "Colombia": (-72.0, -1.6),
    "Brazil": (-68.2, -8.6),
    "Bolivia": (-66.6, -17.9),
    "Chile": (-69.4, -20.0),
}
COUNTRY_NAME_STYLE = {"fontsize": 12, "color": "#8A8A8A", "fontweight": "bold"}
OCEAN_PLACE = (-80.9, -8.4)
OCEAN_NAME_STYLE = {"fontsize": 11, "color": "#6F8CA3", "fontstyle": "italic"}
VRAEM_CENTRE = (-74.05, -12.0)
VRAEM_SIZE = (1.4, 2.3)  # ellipse width and height (degrees) around the producing districts
VRAEM_STYLE = {"fill": False, "ec": INK, "lw": 1.3, "ls": "--", "zorder": 7}
SOUTH_AMERICA_LAT = (-56.5, 13.5)  # latitudes shown on the locator map
LOCATOR_BORDER = 0.4  # pt: country borders on the locator map
LOCATOR_FRAME = {"fill": False, "ec": INK, "lw": 1.8, "zorder": 3}


@dataclass(frozen=True)
class NodeStyle:
    """How nodes of one kind are drawn, and shown in the legend."""

    marker: str
    size: float  # pt
    face: str
    label: str
    zorder: float
    edge_width: float = 1.0
    legend_size: float | None = None  # pt; None: as drawn


@dataclass(frozen=True)
class ExitStyle:
    """How exit nodes are drawn (marker and colour by route group) and shown in the legend."""

    size: float
    edge_width: float
    legend_size: float
    legend_edge_width: float | None = None  # None: matplotlib's default


# ----------------------------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------------------------
def _edge_key(u: Any, v: Any) -> tuple[Any, Any]:
    a, b = (u, v) if str(u) <= str(v) else (v, u)
    return a, b


def mean_edge_flows(edge_flows: pd.DataFrame, graph: nx.Graph, weeks: int) -> pd.DataFrame:
    """One row per undirected edge: u, v, mode, t_per_year (mean over replicates).

    Replicates absent for an edge count as zero flow; the number of replicates
    is the number of distinct ``replicate`` values in ``edge_flows``.
    """
    if weeks <= 0:
        raise ValueError("weeks must be positive")
    require_columns(edge_flows, FLOWS_REQUIRED, "edge_flows")
    n_rep = edge_flows["replicate"].nunique()
    keys = [_edge_key(u, v) for u, v in zip(edge_flows["u"], edge_flows["v"], strict=True)]
    df = pd.DataFrame(
        {
            "u": [k[0] for k in keys],
            "v": [k[1] for k in keys],
            "kg": edge_flows["kg"].astype(float).to_numpy(),
            "mode": edge_flows["mode"].astype(str).to_numpy()
            if "mode" in edge_flows.columns
            else DEFAULT_MODE,
        }
    )
    agg = df.groupby(["u", "v"], sort=False).agg(kg=("kg", "sum"), mode=("mode", "first"))
    agg = agg.reset_index()
    modes = []
    for u, v, m in zip(agg["u"], agg["v"], agg["mode"], strict=True):
        data = graph.get_edge_data(u, v)
        modes.append(str(data.get("mode", m)) if data else m)
    agg["mode"] = modes
    agg["t_per_year"] = agg["kg"] / n_rep / weeks * WEEKS_PER_YEAR / KG_PER_T
    return agg[agg["t_per_year"] > 0].sort_values("t_per_year").reset_index(drop=True)


def node_positions(graph: nx.Graph) -> Pos:
    """node -> (lon, lat) of every node that has both."""
    return {
        n: (float(d["lon"]), float(d["lat"]))
        for n, d in graph.nodes(data=True)
        if d.get("lon") is not None and d.get("lat") is not None
    }


def node_kinds(graph: nx.Graph, pos: Pos) -> dict[Any, str]:
    """node -> kind ("district", "hub", "airstrip", "exit", ...) of the nodes in ``pos``."""
    return {n: str(graph.nodes[n].get("kind", "")) for n in pos}


def exit_groups(graph: nx.Graph, pos: Pos) -> dict[Any, str]:
    """exit node -> its route group, for the exits in ``pos`` (in graph order)."""
    return {
        n: str(graph.nodes[n].get("group", ""))
        for n in pos
        if str(graph.nodes[n].get("kind", "")) == "exit"
    }


def node_name(graph: nx.Graph, n: Any) -> str:
    """Short map label: known exits by their short name, others by ``name``
    without parenthesised detail ("Rio Tambo (Puerto Ocopa)" -> "Rio Tambo")."""
    if str(n) in EXIT_LABELS:
        return EXIT_LABELS[str(n)]
    name = str(graph.nodes[n].get("name") or n)
    return re.sub(r"\s*\([^)]*\)", "", name).strip() or name


def segments(pos: Pos, us: Sequence[Any], vs: Sequence[Any]) -> list[list[tuple[float, float]]]:
    """Line segments (lon, lat) from each ``us[i]`` to ``vs[i]``."""
    return [[pos[u], pos[v]] for u, v in zip(us, vs, strict=True)]


def network_segments(graph: nx.Graph, pos: Pos) -> list[list[tuple[float, float]]]:
    """A segment per edge of ``graph`` between nodes with a position."""
    return [[pos[u], pos[v]] for u, v in graph.edges() if u in pos and v in pos]


# ----------------------------------------------------------------------------------------------
# boxes and map axes
# ----------------------------------------------------------------------------------------------
def bbox_of(pts: np.ndarray) -> Box:
    """The lon/lat box around points (an (n, 2) array)."""
    return (
        float(pts[:, 0].min()),
        float(pts[:, 0].max()),
        float(pts[:, 1].min()),
        float(pts[:, 1].max()),
    )


def pad_box(box: Box, frac: float, min_deg: float) -> Box:
    """``box`` widened on each side by ``frac`` of its extent, at least ``min_deg`` degrees."""
    x0, x1, y0, y1 = box
    px = max((x1 - x0) * frac, min_deg)
    py = max((y1 - y0) * frac, min_deg)
    return x0 - px, x1 + px, y0 - py, y1 + py


def map_shape(box: Box) -> float:
    """Width/height of a lon/lat box drawn at true scale, kept within 0.5..2.5."""
    x0, x1, y0, y1 = box
    ratio = (x1 - x0) * math.cos(math.radians((y0 + y1) / 2.0)) / (y1 - y0)
    return min(max(ratio, MIN_MAP_SHAPE), MAX_MAP_SHAPE)


def in_box(p: tuple[float, float], box: Box | None) -> bool:
    """Whether point ``p`` lies in ``box`` (never for no box)."""
    return box is not None and box[0] <= p[0] <= box[1] and box[2] <= p[1] <= box[3]


def show_box(ax: Any, box: Box) -> None:
    """Show `box` at true lon/lat proportions (widened along one axis to fill the panel)."""
    x0, x1, y0, y1 = box
    ax.dataLim.set_points(np.array([[x0, y0], [x1, y1]]))
    ax.set_xmargin(0.0)
    ax.set_ymargin(0.0)
    ax.autoscale_view()
    ax.set_aspect(1.0 / math.cos(math.radians((y0 + y1) / 2.0)), adjustable="datalim")


def frame_map(ax: Any, box: Box, grid: Mapping[str, Any]) -> None:
    """Show ``box``, label the axes in degrees, draw the grid and a full frame."""
    show_box(ax, box)
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.grid(True, **grid)
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)


# ----------------------------------------------------------------------------------------------
# layers
# ----------------------------------------------------------------------------------------------
def draw_network(
    ax: Any, network: list, width: float, zorder: float, capstyle: str | None = None
) -> None:
    """Every link of the network as a thin grey line."""
    ax.add_collection(
        LineCollection(network, colors=GREY, linewidths=width, zorder=zorder, capstyle=capstyle),
        autolim=False,
    )


def draw_mode_flows(
    ax: Any, pos: Pos, flows: pd.DataFrame, column: str, k: float, *, round_caps: bool
) -> None:
    """Edges with a positive ``column`` (t/yr), ``k`` pt per t/yr wide (at least MIN_LW),
    coloured and dashed by mode; ``round_caps``: round ends on solid lines, butt on dashed."""
    for mode, sub in flows[flows[column] > 0].groupby("mode", sort=False):
        colour, style, _label = mode_style(mode)
        capstyle = ("round" if style == "-" else "butt") if round_caps else None
        ax.add_collection(
            LineCollection(
                segments(pos, sub["u"], sub["v"]),
                colors=colour,
                linewidths=np.maximum(sub[column].to_numpy() * k, MIN_LW),
                linestyles=style,
                capstyle=capstyle,
                alpha=FLOW_ALPHA,
                zorder=AIR_ZORDER if mode == "air" else FLOW_ZORDER,
            ),
            autolim=False,
        )


def draw_places(
    ax: Any,
    pos: Pos,
    kinds: Mapping[Any, str],
    styles: Mapping[str, NodeStyle],
    exits: Mapping[Any, str],
    exit_style: ExitStyle,
    *,
    others: bool = False,
) -> None:
    """Nodes of each kind in ``styles``, (with ``others``) the remaining non-exit nodes as dots,
    then the ``exits`` (node -> group) with the marker and colour of their route group."""
    for kind, st in styles.items():
        pts = np.array([pos[n] for n in pos if kinds[n] == kind]).reshape(-1, 2)
        if len(pts):
            ax.plot(
                pts[:, 0],
                pts[:, 1],
                ls="none",
                marker=st.marker,
                ms=st.size,
                mfc=st.face,
                mec=INK,
                mew=st.edge_width,
                zorder=st.zorder,
            )
    other = [pos[n] for n in pos if kinds[n] not in (*styles, "exit")]
    if others and other:
        arr = np.array(other)
        ax.plot(arr[:, 0], arr[:, 1], ls="none", **OTHER_NODE_STYLE)
    for g, (colour, _hatch, marker) in group_styles(ordered_groups(list(exits.values()))).items():
        arr = np.array([pos[n] for n, group in exits.items() if group == g])
        ax.plot(
            arr[:, 0],
            arr[:, 1],
            ls="none",
            marker=marker,
            ms=exit_style.size,
            mfc=colour,
            mec=INK,
            mew=exit_style.edge_width,
            zorder=EXIT_ZORDER,
        )


def draw_change_flows(ax: Any, pos: Pos, flows: pd.DataFrame, kd: float, threshold: float) -> None:
    """Edges whose flow (column ``delta``, t/yr) changes by at least ``threshold``: solid for
    more traffic, dashed for less, ``kd`` pt per t/yr of change wide (at least MIN_LW)."""
    for sign, (colour, style) in ((1, MORE_TRAFFIC), (-1, LESS_TRAFFIC)):
        sub = flows[flows["delta"] * sign >= threshold]
        if sub.empty:
            continue
        ax.add_collection(
            LineCollection(
                segments(pos, sub["u"], sub["v"]),
                colors=colour,
                linewidths=np.maximum(sub["delta"].abs().to_numpy() * kd, MIN_LW),
                linestyles=style,
                alpha=FLOW_ALPHA,
                zorder=AIR_ZORDER,
            ),
            autolim=False,
        )


def draw_vraem(ax: Any) -> None:
    """A dashed ellipse around the producing districts."""
    ax.add_patch(Ellipse(VRAEM_CENTRE, *VRAEM_SIZE, **VRAEM_STYLE))


def name_places(ax: Any, placed: list[Bbox]) -> None:
    """Country and ocean names inside the shown area, each at the first spot near its anchor
    that overprints no label in ``placed`` (else left out); call after the other labels."""
    requests = [
        TextRequest(name.upper(), lon, lat, COUNTRY_NAME_STYLE, area_spots())
        for name, (lon, lat) in COUNTRY_PLACES.items()
    ]
    requests.append(TextRequest("PACIFIC\nOCEAN", *OCEAN_PLACE, OCEAN_NAME_STYLE, area_spots()))
    place_texts(ax, requests, placed)


def locator(ax: Any, box: Box) -> None:
    """South America, Peru in white, and the main map's area as a black box."""
    draw_countries(ax, border_width=LOCATOR_BORDER)
    pts = np.vstack([r for rings in country_rings().values() for r in rings])
    show_box(ax, (float(pts[:, 0].min()), float(pts[:, 0].max()), *SOUTH_AMERICA_LAT))
    x0, x1, y0, y1 = box
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, **LOCATOR_FRAME))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(True)
        side.set_color("#666666")


# ----------------------------------------------------------------------------------------------
# labels
# ----------------------------------------------------------------------------------------------
LabelItem = tuple[Any, float, float, str, float, dict[str, Any], bool]


def node_boxes(ax: Any, pos: Pos, radius_pt: Callable[[Any], float]) -> dict[Any, Bbox]:
    """node -> display-space box of its marker, ``radius_pt(node)`` points around its centre."""
    dpi = ax.get_figure().dpi
    out = {}
    for n, (x, y) in pos.items():
        cx, cy = ax.transData.transform((x, y))
        r = radius_pt(n) * dpi / 72.0
        out[n] = Bbox([[cx - r, cy - r], [cx + r, cy + r]])
    return out


def place_labels(
    ax: Any,
    items: list[LabelItem],
    obstacles: dict[Any, Bbox],
    placed: list[Bbox],
) -> None:
    """Label points, trying offsets that keep off earlier labels and markers.

    ``items`` are (key, x, y, text, offset in points, text kwargs, required).
    ``obstacles`` maps keys to display-space boxes of markers (a label ignores
    its own marker); ``placed`` holds boxes to avoid and collects new labels.
    A label with no free position is dropped unless ``required``; then it
    goes to the best position that stays inside the axes.
    """
    renderer = ax.figure.canvas.get_renderer()
    ax_box = ax.get_window_extent(renderer)
    for key, x, y, text, off, kw, required in items:
        scored = []
        for i, ((fx, fy), ha, va) in enumerate(LABEL_OFFSETS):
            t = ax.annotate(
                text,
                (x, y),
                xytext=(fx * off, fy * off),
                textcoords="offset points",
                ha=ha,
                va=va,
                path_effects=LABEL_HALO,
                zorder=LABEL_ZORDER,
                **kw,
            )
            t.set_in_layout(False)
            bb = t.get_window_extent(renderer)
            outside = not (
                bb.x0 >= ax_box.x0
                and bb.x1 <= ax_box.x1
                and bb.y0 >= ax_box.y0
                and bb.y1 <= ax_box.y1
            )
            hits_label = any(bb.overlaps(p) for p in placed)
            hits_marker = any(bb.overlaps(b) for k, b in obstacles.items() if k != key)
            scored.append(((outside, hits_label, hits_marker, i), t, bb))
            t.remove()
        score, t, bb = min(scored, key=lambda item: item[0])
        if any(score[:3]) and not required:
            continue
        ax.add_artist(t)
        placed.append(bb)


# ----------------------------------------------------------------------------------------------
# legends
# ----------------------------------------------------------------------------------------------
def mode_handles(extra_modes: Sequence[str] = ()) -> list[Line2D]:
    """Legend lines of the transport modes (then of ``extra_modes``, unknown ones)."""
    out = []
    for mode in list(MODE_STYLE) + list(extra_modes):
        colour, style, label = mode_style(mode)
        out.append(Line2D([], [], color=colour, ls=style, lw=LEGEND_LINE_WIDTH, label=label))
    return out


def width_handles(
    max_t: float,
    max_lw: float,
    colour: str,
    *,
    fractions: Sequence[float],
    prefix: str = "",
    min_step: float = 0.0,
) -> list[Line2D]:
    """Legend lines for round flows (``fractions`` of ``max_t``, rounded down) drawn as wide as
    on the map, where ``max_t`` is ``max_lw`` pt wide; flows that would look alike (under
    ``min_step`` pt apart) are shown once, by the largest of them."""
    refs = sorted({nice(max_t * f) for f in fractions} - {0.0})
    k = max_lw / max_t if max_t > 0 else 0.0
    kept: list[tuple[float, float]] = []
    for r in refs:
        width = max(r * k, MIN_LW)
        if kept and width - kept[-1][1] < min_step:
            kept.pop()
        kept.append((r, width))
    return [
        Line2D([], [], color=colour, lw=width, label=f"{prefix}{r:,g} t/yr") for r, width in kept
    ]


def place_handles(
    styles: Mapping[str, NodeStyle],
    exits: Mapping[Any, str],
    exit_style: ExitStyle,
    exit_text: Callable[[str], str],
) -> list[Line2D]:
    """Legend markers of each node kind, then of the exits of each route group."""
    handles = [
        Line2D(
            [],
            [],
            ls="none",
            marker=st.marker,
            ms=st.legend_size or st.size,
            mfc=st.face,
            mec=INK,
            label=st.label,
        )
        for st in styles.values()
    ]
    for g, (colour, _h, marker) in group_styles(ordered_groups(list(exits.values()))).items():
        handles.append(
            Line2D(
                [],
                [],
                ls="none",
                marker=marker,
                ms=exit_style.legend_size,
                mfc=colour,
                mec=INK,
                mew=exit_style.legend_edge_width,
                label=exit_text(g),
            )
        )
    return handles


def stack_legends(ax: Any, groups: list[tuple[str, list[Any]]]) -> None:
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
