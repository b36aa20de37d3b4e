"""The two route maps: the run's (whole network and detail), the briefing's (baseline, change).

Both are composed of the layers of `sim.report.maps`, each with its own options:

* :func:`route_map` - the map of a `vraem run` (`run_figures.route_map_figure`): the whole
  network and, when the producing area is small against it, a detail panel; line width by the
  mean flow; the busiest places named.
* :func:`change_map` - the map of a briefing (`briefing_figures.flow_map_figure`): on Peru's
  outline and its neighbours, the baseline flows and, beside them, the change with the scenario;
  a locator inset; exits labelled with their flows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

from sim.report.basemap import (
    REGION_NAME_COLOUR,
    RIVER_NAME_COLOUR,
    TOWN_NODE_KM,
    TextRequest,
    draw_geography,
    draw_towns,
    geography_handles,
    km_between,
    place_texts,
    region_requests,
    river_requests,
    scale_bar,
    town_requests,
    towns,
    unmarked_towns,
)
from sim.report.maps import (
    EXIT_LABEL_OFFSET_PT,
    LABEL_HALO,
    LABEL_ZORDER,
    LEGEND_LINE_WIDTH,
    LESS_TRAFFIC,
    MIN_LW,
    MORE_TRAFFIC,
    PLACE_LABEL_OFFSET_PT,
    VRAEM_CENTRE,
    VRAEM_SIZE,
    Box,
    ExitStyle,
    LabelItem,
    NodeStyle,
    Pos,
    bbox_of,
    draw_change_flows,
    draw_mode_flows,
    draw_network,
    draw_places,
    exit_groups,
    frame_map,
    in_box,
    locator,
    map_shape,
    mode_handles,
    name_places,
    network_segments,
    node_boxes,
    node_kinds,
    node_name,
    pad_box,
    place_handles,
    place_labels,
    show_box,
    stack_legends,
    width_handles,
)
from sim.report.outline import draw_countries
from sim.report.style import (
    GREY,
    INK,
    MIN_FONT_PT,
    MODE_STYLE,
    NOTE_INK,
    RC,
    figure_title,
    footer,
    group_label,
    group_short,
    new_figure,
    reserve_footer,
)

# the run's route map
RUN_MAX_LW = 11.0  # pt: line width of the busiest edge
RUN_NETWORK_WIDTH = 0.9  # pt: links without flow
RUN_FULL_PAD = (0.06, 0.05)  # margin around the network: share of its extent, least degrees
RUN_ZOOM_PAD = (0.12, 0.08)  # ... around the producing area in the detail panel
ZOOM_MAX_SHARE = 0.4  # a detail panel only if the producing area is this small against the whole
LEGEND_COLUMN_SHARE = 0.24  # width of the legend column against the maps (about 3 in)
RUN_GRID = {"color": "#EEEEEE"}
RUN_WIDTH_FRACTIONS = (0.05, 0.25, 1.0)  # reference flows in the legend, against the largest
NO_FLOW_WIDTH = 1.5  # pt: the legend line of a link without flow
RUN_LEGEND = {"frameon": False, "alignment": "left", "borderaxespad": 0.0}
RUN_LEGEND_HANDLE = 3.2  # length of the legend lines (font sizes)
WIDTH_LEGEND_Y = 0.52  # the line-width legend is centred this high in the legend column
ZOOM_BOX_STYLE = {"fill": False, "ec": INK, "lw": 1.5, "ls": "--", "zorder": 9}
HUBS_NAMED = 7  # hubs named on the whole network
HUBS_NAMED_ZOOMED, DISTRICTS_NAMED_ZOOMED = 5, 8  # ... and on the detail panel
EXIT_FONT = {"fontsize": 12, "fontweight": "bold"}
HUB_FONT = {"fontsize": 11}
DISTRICT_FONT = {"fontsize": 11, "fontstyle": "italic", "color": "#333333"}
DEFAULT_NODE_PT = 5.0  # marker size assumed for a node of unknown kind (label clearance)
# kind -> style, in legend order
RUN_NODE_STYLES: dict[str, NodeStyle] = {
    "district": NodeStyle("o", 7.0, "white", "district", 6),
    "hub": NodeStyle("o", 4.5, INK, "hub", 7),
    "airstrip": NodeStyle("^", 8.0, "#666666", "airstrip", 7),
}
RUN_EXIT_STYLE = ExitStyle(size=14.0, edge_width=1.5, legend_size=12, legend_edge_width=1.5)

# the briefing's change map
MAP_PAD_DEG = 0.8  # margin around the network (degrees)
BASE_MAX_LW = 12.0  # line width (pt) of the busiest baseline edge
CHANGE_MAX_LW = 10.0  # line width (pt) of the largest change
MIN_WIDTH_STEP = 0.75  # pt: legend widths closer than this look the same
CHANGE_ZOOM = 3.0  # changes are drawn at most this many times wider than a flow of that size
MIN_CHANGE_T = 0.5  # t/yr: smaller changes on an edge are drawn as no change
MIN_CHANGE_FRACTION = 0.03  # ... and so are changes under 3% of the largest one
CHANGE_LEGEND_COLOUR = INK  # the one colour of change lines
CHANGE_WIDTH_FRACTIONS = (0.1, 0.4, 1.0)  # reference flows in the legends, against the largest
CHANGE_NETWORK_WIDTH = 0.8  # pt: the links
CHANGE_GRID = {"color": "white", "lw": 0.6, "alpha": 0.7}
CHANGE_WIDTH_RATIOS = (1.0, 1.0, 0.4)  # baseline map, change map, legend column
LOCATOR_BOUNDS = (0.77, 0.01, 0.22, 0.28)  # inset in the baseline map (axes fraction)
CHANGE_NODE_STYLES: dict[str, NodeStyle] = {
    "district": NodeStyle("o", 4.5, "white", "producing district", 7, 0.9, legend_size=6),
}
CHANGE_EXIT_STYLE = ExitStyle(size=12, edge_width=1.4, legend_size=11)
EXIT_LABEL_FONT = {"fontsize": 11.5, "fontweight": "bold"}
VRAEM_LABEL_FONT = {"fontsize": 12, "fontweight": "bold", "fontstyle": "italic"}
VRAEM_LABEL_OFFSET_PT = 4.0
NODE_CLEARANCE_PT = 7.0  # labels keep this far from node centres
MARKER_CLEARANCE_PT = 3.5  # ... names of towns, rivers and regions from other nodes' centres

# the geography on both maps
TOWN_FONT = {"fontsize": MIN_FONT_PT, "color": NOTE_INK}
REGION_FONT = {"fontsize": MIN_FONT_PT, "color": REGION_NAME_COLOUR, "fontstyle": "italic"}
RIVER_FONT = {"fontsize": MIN_FONT_PT, "color": RIVER_NAME_COLOUR, "fontstyle": "italic"}
PLACE_NAME_FONT = {"fontsize": MIN_FONT_PT, "color": INK}
DISTRICT_NAME_FONT = {"fontsize": MIN_FONT_PT, "color": INK, "fontstyle": "italic"}
TOWNS_NAMED = 8  # towns named on a whole-network map (largest first)
TOWNS_NAMED_CLOSE = 6  # ... on a close-up
VRAEM_REGIONS = ("Ayacucho", "Cusco", "Junín", "Huancavelica", "Apurímac")
RIVERS_NAMED = ("Ucayali", "Madre de Dios", "Marañón", "Huallaga")  # on a whole-network map
CLOSEUP_RIVERS = ("Apurímac", "Ene", "Tambo")  # on a close-up
# the briefing map's VRAEM close-up: an inset over the Pacific and Chile (empty of routes), and
# the area it shows
CLOSEUP_BOX: Box = (-74.8, -73.4, -13.2, -11.0)
CLOSEUP_BOUNDS = (0.01, 0.01, 0.42, 0.38)  # axes fraction of the map panel
CLOSEUP_ROOM_DEG = 6.0  # the map reaches this much further south, to hold the close-up
CLOSEUP_FRAME = {"fill": False, "ec": INK, "lw": 1.2, "zorder": 9}
CLOSEUP_TITLE = {"fontsize": 11, "fontweight": "bold", "color": INK}
CLOSEUP_TITLE_POS = (0.03, 0.97)  # axes fraction


# ----------------------------------------------------------------------------------------------
# geography shared by both maps
# ----------------------------------------------------------------------------------------------
def draw_base(ax: Any, pos: Pos) -> None:
    """Countries, region borders, rivers and the towns that no node marks."""
    draw_countries(ax)
    draw_geography(ax)
    draw_towns(ax, unmarked_towns(list(pos.values())))


def exit_named_towns(pos: Pos, kinds: Mapping[Any, str]) -> list[Any]:
    """The towns to name: all but those an exit's label already names (Callao, Desaguadero)."""
    exit_places = [pos[n] for n in pos if kinds[n] == "exit"]
    return [
        t for t in towns() if all(km_between((t.lon, t.lat), p) > TOWN_NODE_KM for p in exit_places)
    ]


def name_obstacles(ax: Any, pos: Pos, kinds: Mapping[Any, str]) -> list[Bbox]:
    """Display boxes of the node markers that names keep off (a town's name may sit close to
    the node that marks it: the boxes are the markers' own, exits' larger)."""
    return list(
        node_boxes(
            ax, pos, lambda n: NODE_CLEARANCE_PT if kinds[n] == "exit" else MARKER_CLEARANCE_PT
        ).values()
    )


def name_geography(
    ax: Any, pos: Pos, kinds: Mapping[Any, str], placed: list[Bbox], *, close_up: bool
) -> None:
    """Towns, regions and rivers, each only where it overprints no label already placed (call
    after the labels that must appear): a close-up names the VRAEM's regions and rivers, a
    whole-network map the largest towns and rivers."""
    obstacles = name_obstacles(ax, pos, kinds)
    written = {t.get_text() for t in ax.texts}
    named = [t for t in exit_named_towns(pos, kinds) if t.name not in written]
    n_towns = TOWNS_NAMED_CLOSE if close_up else TOWNS_NAMED
    place_texts(ax, town_requests(named, TOWN_FONT, n_towns), placed, obstacles)
    rivers = CLOSEUP_RIVERS if close_up else RIVERS_NAMED
    place_texts(ax, river_requests(ax, RIVER_FONT, rivers), placed, obstacles)
    place_texts(ax, region_requests(REGION_FONT, VRAEM_REGIONS), placed, obstacles)


def name_close_up_nodes(
    graph: nx.Graph, ax: Any, pos: Pos, kinds: Mapping[Any, str], placed: list[Bbox]
) -> None:
    """In a close-up: the producing districts, then the hubs, by name."""
    requests = [
        TextRequest(node_name(graph, n), *pos[n], DISTRICT_NAME_FONT)
        for n in pos
        if kinds[n] == "district"
    ]
    requests += [
        TextRequest(node_name(graph, n), *pos[n], PLACE_NAME_FONT) for n in pos if kinds[n] == "hub"
    ]
    place_texts(ax, requests, placed, name_obstacles(ax, pos, kinds))


# ----------------------------------------------------------------------------------------------
# the run's route map
# ----------------------------------------------------------------------------------------------
def _zoom_box(pos: Pos, kinds: Mapping[Any, str], full_box: Box) -> Box | None:
    """The producing area (districts and airstrips), if it is small against the whole map."""
    core = np.array([pos[n] for n in pos if kinds[n] in ("district", "airstrip")])
    if len(core) < 2:
        return None
    zb = pad_box(bbox_of(core), *RUN_ZOOM_PAD)
    small_x = (zb[1] - zb[0]) < ZOOM_MAX_SHARE * (full_box[1] - full_box[0])
    small_y = (zb[3] - zb[2]) < ZOOM_MAX_SHARE * (full_box[3] - full_box[2])
    return zb if small_x and small_y else None


def _throughput(flows: pd.DataFrame) -> dict[Any, float]:
    """t/yr through each node (both directions of every edge), to pick places worth naming."""
    through: dict[Any, float] = {}
    for u, v, t in zip(flows["u"], flows["v"], flows["t_per_year"], strict=True):
        through[u] = through.get(u, 0.0) + t
        through[v] = through.get(v, 0.0) + t
    return through


def _map_panels(fig: Figure, boxes: list[Box]) -> tuple[list[Any], Any]:
    """A panel per box, sized to its shape, and a legend column right of them."""
    ratios = [map_shape(b) for b in boxes]
    ratios.append(LEGEND_COLUMN_SHARE * sum(ratios))
    axes = fig.subplots(1, len(ratios), width_ratios=ratios)
    return list(axes[:-1]), axes[-1]


def _route_legends(leg_ax: Any, flows: pd.DataFrame, max_t: float, exits: dict[Any, str]) -> None:
    """Transport modes (top), line widths (middle) and places (bottom) in the legend column."""
    leg_ax.axis("off")
    mode = [Line2D([], [], color=GREY, lw=NO_FLOW_WIDTH, label="link, no flow")]
    mode += mode_handles(sorted(set(flows["mode"]) - set(MODE_STYLE)))
    width = width_handles(max_t, RUN_MAX_LW, INK, fractions=RUN_WIDTH_FRACTIONS) or [
        Line2D([], [], color=INK, lw=MIN_LW, label="no flow")
    ]
    places = (
        place_handles(RUN_NODE_STYLES, exits, RUN_EXIT_STYLE, lambda g: f"exit: {group_label(g)}")
        + geography_handles()
    )
    leg_ax.add_artist(
        leg_ax.legend(
            handles=mode,
            title="Transport mode",
            loc="upper left",
            bbox_to_anchor=(0.0, 1.0),
            handlelength=RUN_LEGEND_HANDLE,
            **RUN_LEGEND,
        )
    )
    leg_ax.add_artist(
        leg_ax.legend(
            handles=width,
            title="Mean flow (line width)",
            loc="center left",
            bbox_to_anchor=(0.0, WIDTH_LEGEND_Y),
            handlelength=RUN_LEGEND_HANDLE,
            labelspacing=1.0,
            **RUN_LEGEND,
        )
    )
    leg_ax.legend(
        handles=places,
        title="Places",
        loc="lower left",
        bbox_to_anchor=(0.0, 0.0),
        labelspacing=0.9,
        **RUN_LEGEND,
    )


def _zoom_frame(map_axes: list[Any], zoom_box: Box | None) -> Rectangle | None:
    """Panel titles; the detail panel's box drawn (dashed) on the overview."""
    map_axes[0].set_title(
        "Whole network (dashed box: detail)" if zoom_box is not None else "Route network",
        loc="left",
    )
    if zoom_box is None:
        return None
    map_axes[1].set_title("Detail: producing area", loc="left")
    x0, x1, y0, y1 = zoom_box
    rect = Rectangle((x0, y0), x1 - x0, y1 - y0, **ZOOM_BOX_STYLE)
    map_axes[0].add_patch(rect)
    return rect


def _route_labels(
    graph: nx.Graph,
    pos: Pos,
    kinds: Mapping[Any, str],
    through: Mapping[Any, float],
    map_axes: list[Any],
    zoom_rect: Rectangle | None,
) -> None:
    """Name the exits, the busiest hubs and (in the detail) districts; call after the layout."""
    renderer = map_axes[0].get_figure().canvas.get_renderer()
    shown_zoom = None
    if zoom_rect is not None:
        # the detail panel shows more than the box (equal aspect): draw what it shows
        (zx0, zx1), (zy0, zy1) = map_axes[1].get_xlim(), map_axes[1].get_ylim()
        shown_zoom = (zx0, zx1, zy0, zy1)
        zoom_rect.set_bounds(zx0, zy0, zx1 - zx0, zy1 - zy0)

    def radius(n: Any) -> float:
        if kinds[n] == "exit":
            return RUN_EXIT_STYLE.size / 2
        st = RUN_NODE_STYLES.get(kinds[n])
        return (st.size if st else DEFAULT_NODE_PT) / 2

    def top(kind: str, n_max: int, keep: Callable[[Any], bool]) -> list[Any]:
        """The ``n_max`` busiest nodes of ``kind`` that pass ``keep``."""
        nodes = [n for n in pos if kinds[n] == kind and keep(n)]
        nodes.sort(key=lambda n: -through.get(n, 0.0))
        busy = [n for n in nodes if through.get(n, 0.0) > 0]
        return (busy or nodes)[:n_max]

    exit_nodes = [n for n in pos if kinds[n] == "exit"]
    for zoomed, ax in zip((False, True), map_axes, strict=False):
        obstacles = node_boxes(ax, pos, radius)
        placed: list[Bbox] = []
        if not zoomed and zoom_rect is not None:
            placed.append(zoom_rect.get_window_extent(renderer))

        def wanted(n: Any, zoomed: bool = zoomed) -> bool:
            return in_box(pos[n], shown_zoom) == zoomed

        def item(n: Any, off: float, font: dict[str, Any], required: bool) -> LabelItem:
            return (n, *pos[n], node_name(graph, n), off, font, required)

        items = [
            item(n, EXIT_LABEL_OFFSET_PT, EXIT_FONT, True)
            for n in sorted(exit_nodes, key=lambda n: -through.get(n, 0.0))
            if wanted(n)
        ]
        hubs = top("hub", HUBS_NAMED_ZOOMED if zoomed else HUBS_NAMED, wanted)
        items += [item(n, PLACE_LABEL_OFFSET_PT, HUB_FONT, False) for n in hubs]
        if zoomed:
            districts = top("district", DISTRICTS_NAMED_ZOOMED, wanted)
            items += [item(n, PLACE_LABEL_OFFSET_PT, DISTRICT_FONT, False) for n in districts]
        placed.append(scale_bar(ax).get_window_extent(renderer))
        place_labels(ax, items, obstacles, placed)
        name_places(ax, placed)
        name_geography(ax, pos, kinds, placed, close_up=zoomed)


def route_map(
    graph: nx.Graph, pos: Pos, flows: pd.DataFrame, *, title: str, source_line: str, note: str
) -> Figure:
    """The run's route map of ``flows`` (as from :func:`mean_edge_flows`): the whole network
    and, if the producing area is small against it, a detail panel (its box drawn on the
    overview); line width proportional to t/yr (at least MIN_LW), colour and dashes by mode."""
    flows = flows[flows["u"].isin(pos) & flows["v"].isin(pos)]
    kinds = node_kinds(graph, pos)
    exits = exit_groups(graph, pos)
    full_box = pad_box(bbox_of(np.array(list(pos.values()))), *RUN_FULL_PAD)
    zoom_box = _zoom_box(pos, kinds, full_box)
    boxes = [full_box] if zoom_box is None else [full_box, zoom_box]
    max_t = float(flows["t_per_year"].max()) if len(flows) else 0.0
    k = RUN_MAX_LW / max_t if max_t > 0 else 0.0
    network = network_segments(graph, pos)
    with mpl.rc_context(RC):
        fig = new_figure()
        reserve_footer(fig)
        map_axes, leg_ax = _map_panels(fig, boxes)
        for ax, box in zip(map_axes, boxes, strict=True):
            draw_base(ax, pos)
            draw_network(ax, network, RUN_NETWORK_WIDTH, zorder=1, capstyle="round")
            draw_mode_flows(ax, pos, flows, "t_per_year", k, round_caps=True)
            draw_places(ax, pos, kinds, RUN_NODE_STYLES, exits, RUN_EXIT_STYLE, others=True)
            # show exactly the box, widened along one axis to keep lon/lat true
            frame_map(ax, box, RUN_GRID)
        zoom_rect = _zoom_frame(map_axes, zoom_box)
        _route_legends(leg_ax, flows, max_t, exits)
        figure_title(fig, title)
        footer(fig, source_line, note)
        # labels last, once the layout (and so the display transform) is final
        fig.draw_without_rendering()
        _route_labels(graph, pos, kinds, _throughput(flows), map_axes, zoom_rect)
    return fig


# ----------------------------------------------------------------------------------------------
# the briefing's change map
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChangeScales:
    """Line-width scales of the change map (pt per t/yr) and the smallest change drawn."""

    max_t: float  # the busiest baseline edge, t/yr
    k: float  # baseline lines
    max_d: float  # the largest change on an edge, t/yr
    kd: float  # change lines
    threshold: float  # t/yr


def change_scales(flows: pd.DataFrame) -> ChangeScales:
    """Scales for ``flows`` (t_per_year_base and delta per edge): changes share the baseline's
    width scale, magnified at most CHANGE_ZOOM times."""
    max_t = float(flows["t_per_year_base"].max()) if len(flows) else 0.0
    max_d = float(flows["delta"].abs().max()) if len(flows) else 0.0
    threshold = max(MIN_CHANGE_T, MIN_CHANGE_FRACTION * max_d)
    k = BASE_MAX_LW / max_t if max_t > 0 else 0.0
    kd = min(CHANGE_MAX_LW / max_d, CHANGE_ZOOM * k) if max_d > 0 else 0.0
    return ChangeScales(max_t, k, max_d, kd, threshold)


def network_box(pos: Pos) -> Box:
    """The box around every node, MAP_PAD_DEG degrees wider on each side."""
    x0, x1, y0, y1 = bbox_of(np.array(list(pos.values()), dtype=float))
    return x0 - MAP_PAD_DEG, x1 + MAP_PAD_DEG, y0 - MAP_PAD_DEG, y1 + MAP_PAD_DEG


def label_exits(
    ax: Any, pos: Pos, kinds: Mapping[Any, str], texts: Mapping[Any, str], placed: list[Bbox]
) -> None:
    """Exit labels (and the VRAEM's) placed off the markers, each other and ``placed``."""
    obstacles = node_boxes(ax, pos, lambda _n: NODE_CLEARANCE_PT)
    items: list[LabelItem] = [
        (n, *pos[n], text, EXIT_LABEL_OFFSET_PT, EXIT_LABEL_FONT, True) for n, text in texts.items()
    ]
    vx, vy = VRAEM_CENTRE
    items.append(
        (
            "vraem",
            vx - VRAEM_SIZE[0] / 2,
            vy,
            "VRAEM",
            VRAEM_LABEL_OFFSET_PT,
            VRAEM_LABEL_FONT,
            True,
        )
    )
    place_labels(ax, items, obstacles, placed)
    name_places(ax, placed)
    name_geography(ax, pos, kinds, placed, close_up=False)


def close_up(ax: Any, draw: Callable[[Any], None]) -> tuple[Any, Rectangle]:
    """An inset over the map's upper right showing CLOSEUP_BOX, its layers drawn by ``draw``,
    and the area it shows framed on the map."""
    inset = ax.inset_axes(CLOSEUP_BOUNDS)
    draw(inset)
    show_box(inset, CLOSEUP_BOX)
    inset.set_xticks([])
    inset.set_yticks([])
    inset.grid(False)
    for side in inset.spines.values():
        side.set_visible(True)
        side.set_color(INK)
    x0, x1, y0, y1 = CLOSEUP_BOX
    frame = Rectangle((x0, y0), x1 - x0, y1 - y0, **CLOSEUP_FRAME)
    frame.set_in_layout(False)
    ax.add_artist(frame)  # not add_patch: the frame must not widen the map
    return inset, frame


def label_close_up(
    graph: nx.Graph, inset: Any, frame: Rectangle, pos: Pos, kinds: Mapping[Any, str]
) -> list[Bbox]:
    """Title, scale bar and names in the close-up (call after layout); the frame on the map is
    set to what the inset shows. Returns the display boxes the map's own labels must avoid."""
    renderer = inset.get_figure().canvas.get_renderer()
    (x0, x1), (y0, y1) = inset.get_xlim(), inset.get_ylim()
    frame.set_bounds(x0, y0, x1 - x0, y1 - y0)
    title = inset.text(
        *CLOSEUP_TITLE_POS,
        "VRAEM close-up",
        transform=inset.transAxes,
        ha="left",
        va="top",
        path_effects=LABEL_HALO,
        zorder=LABEL_ZORDER,
        **CLOSEUP_TITLE,
    )
    title.set_in_layout(False)
    placed = [title.get_window_extent(renderer), scale_bar(inset).get_window_extent(renderer)]
    name_close_up_nodes(graph, inset, pos, kinds, placed)
    name_geography(inset, pos, kinds, placed, close_up=True)
    return [inset.get_window_extent(renderer), frame.get_window_extent(renderer)]


def _change_legends(ax_leg: Any, scales: ChangeScales, exits: dict[Any, str]) -> None:
    """Modes, baseline widths, change widths and places, stacked in the legend column."""
    traffic = [
        Line2D([], [], color=c, ls=s, lw=LEGEND_LINE_WIDTH, label=label)
        for (c, s), label in ((MORE_TRAFFIC, "more traffic"), (LESS_TRAFFIC, "less traffic"))
    ]
    base_widths = width_handles(
        scales.max_t,
        BASE_MAX_LW,
        INK,
        fractions=CHANGE_WIDTH_FRACTIONS,
        min_step=MIN_WIDTH_STEP,
    )
    change_widths = width_handles(
        scales.max_d,
        scales.kd * scales.max_d,
        CHANGE_LEGEND_COLOUR,
        fractions=CHANGE_WIDTH_FRACTIONS,
        prefix="\u00b1",
        min_step=MIN_WIDTH_STEP,
    )
    places = (
        place_handles(
            CHANGE_NODE_STYLES, exits, CHANGE_EXIT_STYLE, lambda g: f"exit to {group_short(g)}"
        )
        + geography_handles()
    )
    stack_legends(
        ax_leg,
        [
            ("Baseline: transport mode", mode_handles()),
            ("Baseline: flow (line width)", base_widths),
            ("Change: line width", [*traffic, *change_widths]),
            ("Places", places),
        ],
    )


def change_map(
    graph: nx.Graph,
    pos: Pos,
    flows: pd.DataFrame,
    *,
    title: str,
    source_line: str,
    note: str,
    base_labels: Mapping[Any, str],
    change_labels: Mapping[Any, str],
) -> Figure:
    """The briefing's map of ``flows`` (per edge: mode, t_per_year_base, delta): baseline flows
    (left; width by t/yr, colour and dashes by mode) and the change (right; solid = more traffic,
    dashed = less), on Peru's outline with a locator inset; exits labelled with the texts."""
    scales = change_scales(flows)
    x0, x1, y0, y1 = network_box(pos)
    box = (x0, x1, y0 - CLOSEUP_ROOM_DEG, y1)
    network = network_segments(graph, pos)
    kinds = node_kinds(graph, pos)
    exits = exit_groups(graph, pos)
    with mpl.rc_context(RC):
        fig = new_figure()
        reserve_footer(fig)
        ax_base, ax_diff, ax_leg = fig.subplots(1, 3, width_ratios=list(CHANGE_WIDTH_RATIOS))

        def base_layers(ax: Any) -> None:
            draw_base(ax, pos)
            draw_network(ax, network, CHANGE_NETWORK_WIDTH, zorder=2)

        def places(ax: Any) -> None:
            draw_places(ax, pos, kinds, CHANGE_NODE_STYLES, exits, CHANGE_EXIT_STYLE)

        def baseline(ax: Any) -> None:
            base_layers(ax)
            draw_mode_flows(ax, pos, flows, "t_per_year_base", scales.k, round_caps=False)
            places(ax)

        def change(ax: Any) -> None:
            base_layers(ax)
            draw_change_flows(ax, pos, flows, scales.kd, scales.threshold)
            places(ax)

        insets = []
        for ax, draw in ((ax_base, baseline), (ax_diff, change)):
            draw(ax)
            frame_map(ax, box, CHANGE_GRID)
            insets.append(close_up(ax, draw))
        ax_base.set_title("Baseline: mean flow on each link", loc="left")
        ax_diff.set_title("Change with the scenario (scenario minus baseline)", loc="left")
        loc = ax_base.inset_axes(LOCATOR_BOUNDS)
        locator(loc, box)
        ax_leg.axis("off")
        figure_title(fig, title)
        footer(fig, source_line, note)
        fig.draw_without_rendering()  # final layout: limits and transforms are now fixed
        _change_legends(ax_leg, scales, exits)
        renderer = fig.canvas.get_renderer()
        for ax, (inset, frame), texts in zip(
            (ax_base, ax_diff), insets, (base_labels, change_labels), strict=True
        ):
            placed = label_close_up(graph, inset, frame, pos, kinds)
            placed.append(scale_bar(ax, top=True).get_window_extent(renderer))
            if ax is ax_base:
                placed.append(loc.get_window_extent(renderer))
            label_exits(ax, pos, kinds, texts, placed)
    return fig
