"""The explorer's live route map: the network on Peru's outline (the layers of
`sim.report.maps`), line width by the flow of the last weeks, colour and dashes by transport
mode. The outline, regions, rivers, links, exit names and legends are rendered once into a
background (matplotlib's blitting); each redraw restores it and draws only the flows (one line
collection per mode, whose widths change), the places and the title over it, so that it is
cheap enough to redraw every few weeks while playing.
"""

from __future__ import annotations

import io
import threading

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from sim.network.routes import RouteNetwork
from sim.report.basemap import draw_geography
from sim.report.map_figures import RUN_EXIT_STYLE, RUN_NODE_STYLES
from sim.report.maps import (
    AIR_ZORDER,
    FLOW_ALPHA,
    FLOW_ZORDER,
    LABEL_HALO,
    LABEL_ZORDER,
    MIN_LW,
    bbox_of,
    draw_network,
    draw_places,
    exit_groups,
    frame_map,
    mode_handles,
    network_segments,
    node_kinds,
    node_name,
    node_positions,
    pad_box,
    place_handles,
    segments,
)
from sim.report.outline import draw_countries
from sim.report.style import GREY, INK, group_label, mode_style

FIGSIZE = (7.6, 6.0)  # in
DPI = 100
REFERENCE_T = 300.0  # t/yr drawn REFERENCE_LW pt wide (a fixed scale, so weeks compare)
REFERENCE_LW = 10.0
WIDTHS_SHOWN = (10.0, 50.0, 150.0, 300.0)  # t/yr in the width legend
PAD = (0.05, 0.4)  # margin around the network: share of its extent, least degrees
MAP_RECT = (0.09, 0.08, 0.6, 0.84)  # the map panel (figure fraction)
LEGEND_RECT = (0.71, 0.02, 0.28, 0.9)
EXIT_FONT = {"fontsize": 9, "fontweight": "bold", "color": INK}
LEGEND_FONT = 8.5
# the picture sent to the browser: JPEG at high quality without chroma subsampling (lines and
# text stay sharp) encodes in a few ms, a PNG of the same map in about 20
PICTURE_FORMAT = "jpeg"
JPEG_QUALITY = 92


class LiveMap:
    """A run's route map, drawn once and redrawn with new flows."""

    def __init__(self, network: RouteNetwork) -> None:
        self.network = network
        graph = network.graph
        self.pos = node_positions(graph)
        kinds, exits = node_kinds(graph, self.pos), exit_groups(graph, self.pos)
        box = pad_box(bbox_of(np.array(list(self.pos.values()))), *PAD)
        with mpl.rc_context({"font.size": 9}):
            self.fig = Figure(figsize=FIGSIZE, dpi=DPI)
            self.canvas = FigureCanvasAgg(self.fig)
            ax = self.ax = self.fig.add_axes(MAP_RECT)
            draw_countries(ax)
            draw_geography(ax)
            draw_network(ax, network_segments(graph, self.pos), 0.8, zorder=1, capstyle="round")
            frame_map(ax, box, {"color": "#EEEEEE"})
            self._legends(self.fig.add_axes(LEGEND_RECT), exits)
            for n in exits:
                ax.annotate(
                    node_name(graph, n),
                    self.pos[n],
                    xytext=(7, 5),
                    textcoords="offset points",
                    path_effects=LABEL_HALO,
                    zorder=LABEL_ZORDER,
                    **EXIT_FONT,
                )
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
            # drawn on each frame over the background: flows, then places, then the title
            self.flows = self._flow_lines(network)
            draw_places(ax, self.pos, kinds, RUN_NODE_STYLES, exits, RUN_EXIT_STYLE, others=True)
            self.places = list(ax.lines)
            self.title = ax.text(0.0, 1.015, "", transform=ax.transAxes, fontsize=10.5)
        for artist in (*self.places, self.title):
            artist.set_animated(True)
        self.lock = threading.Lock()

    def _flow_lines(self, network: RouteNetwork) -> list[tuple[LineCollection, np.ndarray]]:
        """One line collection per transport mode over all its edges (drawn in the style of
        `sim.report.maps.draw_mode_flows`), with the indices of its edges."""
        out = []
        modes = np.asarray(network.edge_mode, dtype=object)
        for mode in dict.fromkeys(modes):
            idx = np.flatnonzero(modes == mode)
            idx = np.array([i for i in idx if self._placed(network, i)], dtype=np.int64)
            if not idx.size:
                continue
            colour, style, _label = mode_style(str(mode))
            lines = LineCollection(
                segments(
                    self.pos, [network.edge_u[i] for i in idx], [network.edge_v[i] for i in idx]
                ),
                colors=colour,
                linestyles=style,
                capstyle="round" if style == "-" else "butt",
                alpha=FLOW_ALPHA,
                zorder=AIR_ZORDER if mode == "air" else FLOW_ZORDER,
                animated=True,
            )
            self.ax.add_collection(lines, autolim=False)
            out.append((lines, idx))
        return sorted(out, key=lambda item: item[0].get_zorder())

    def _placed(self, network: RouteNetwork, i: int) -> bool:
        return network.edge_u[i] in self.pos and network.edge_v[i] in self.pos

    def _legends(self, leg_ax, exits: dict) -> None:
        leg_ax.axis("off")
        style = {"frameon": False, "alignment": "left", "fontsize": LEGEND_FONT}
        modes = [Line2D([], [], color=GREY, lw=1.5, label="link, no flow"), *mode_handles()]
        widths = [
            Line2D(
                [], [], color=INK, lw=max(t * REFERENCE_LW / REFERENCE_T, MIN_LW), label=f"{t:g}"
            )
            for t in WIDTHS_SHOWN
        ]
        places = place_handles(
            RUN_NODE_STYLES, exits, RUN_EXIT_STYLE, lambda g: f"exit: {group_label(g)}"
        )
        for handles, title, loc, y in (
            (modes, "Transport mode", "upper left", 1.0),
            (widths, "Flow, last 4 weeks (t/yr)", "center left", 0.5),
            (places, "Places", "lower left", 0.0),
        ):
            legend = leg_ax.legend(
                handles=handles,
                title=title,
                loc=loc,
                bbox_to_anchor=(0.0, y),
                title_fontsize=LEGEND_FONT,
                **style,
            )
            leg_ax.add_artist(legend)

    def draw(self, flows_t_per_year: np.ndarray, title: str) -> np.ndarray:
        """The map with these flows (t/yr per edge of the network, in its order), as an RGBA
        array: the background restored, then flows, places, exit names and title."""
        ax = self.ax
        flows = np.asarray(flows_t_per_year, dtype=float)
        self.title.set_text(title)
        self.canvas.restore_region(self.background)
        for lines, idx in self.flows:
            t = flows[idx]
            lines.set_linewidths(
                np.where(t > 0, np.maximum(t * REFERENCE_LW / REFERENCE_T, MIN_LW), 0.0)
            )
            lines.set_visible(bool((t > 0).any()))
            if lines.get_visible():
                ax.draw_artist(lines)
        for artist in (*self.places, self.title):
            ax.draw_artist(artist)
        return np.asarray(self.canvas.buffer_rgba())

    def picture(self, flows_t_per_year: np.ndarray, title: str) -> bytes:
        """The map as image bytes in PICTURE_FORMAT (one drawing at a time: sessions may
        share a map)."""
        with self.lock:
            rgb = Image.fromarray(self.draw(flows_t_per_year, title)).convert("RGB")
        out = io.BytesIO()
        rgb.save(out, format=PICTURE_FORMAT, quality=JPEG_QUALITY, subsampling=0)
        return out.getvalue()


_maps: dict[int, LiveMap] = {}
_maps_lock = threading.Lock()
MAPS_KEPT = 8


def live_map(network: RouteNetwork) -> LiveMap:
    """The live map of a compiled network, drawn once per network (networks are shared by the
    runs of one scenario, `sim.scenarios.compile_scenario`)."""
    with _maps_lock:
        key = id(network)
        found = _maps.get(key)
        if found is None or found.network is not network:
            if len(_maps) >= MAPS_KEPT:
                _maps.pop(next(iter(_maps)))
            found = _maps[key] = LiveMap(network)
        return found
