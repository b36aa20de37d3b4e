"""The geography under the route maps: Peru's regions, the rivers, towns and a scale bar.

Read from packaged Natural Earth data (`sim/report/data/`, public domain; see `data/SOURCE.md`)
with the standard library, so no map needs a download or a GIS dependency:

* :func:`draw_geography` - region borders (dotted grey) and rivers (pale blue),
* :func:`draw_towns` - towns that no network node already marks,
* :func:`scale_bar` - a bar of a round number of km, true at the map's middle latitude,
* :func:`place_texts` - names tried at candidate spots, kept only where they overprint nothing,
  used for country, region, river and town names alike,
* :func:`geography_handles` - their legend entries.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patheffects import withStroke
from matplotlib.transforms import Bbox

from sim.report.style import INK, MIN_FONT_PT, nice

REGIONS_FILE = "peru_regions_10m.geojson"
RIVERS_FILE = "rivers_10m.geojson"
TOWNS_FILE = "towns.csv"

KM_PER_DEGREE = 111.32  # km per degree of latitude (and of longitude at the equator)
RIVER_COLOUR = "#7FA6C9"
RIVER_NAME_COLOUR = "#3F6F98"
REGION_COLOUR = "#9A9A9A"
REGION_NAME_COLOUR = "#7A7A7A"
TOWN_COLOUR = "#444444"
REGION_STYLE = {"linestyles": (0, (1.5, 1.5)), "zorder": 0.8}
RIVER_ZORDER = 0.85
TOWN_ZORDER = 6.5
TOWN_MARKER = {"marker": "o", "ms": 3.5, "mfc": TOWN_COLOUR, "mec": "white", "mew": 0.6}
TOWN_NODE_KM = 12.0  # a town this close to a network node is marked by the node
TEXT_HALO = [withStroke(linewidth=3.0, foreground="white")]
LABEL_ZORDER = 20
# name offsets tried around a point, in points: (dx, dy, ha, va)
POINT_SPOTS = (
    (5, 3, "left", "bottom"),
    (-5, 3, "right", "bottom"),
    (5, -3, "left", "top"),
    (-5, -3, "right", "top"),
    (0, 6, "center", "bottom"),
    (0, -6, "center", "top"),
    (7, 0, "left", "center"),
    (-7, 0, "right", "center"),
)
# offsets tried around the anchor of an area's name (country, region), in points
AREA_SPOTS = ((0, 0), (0, -14), (0, 14), (-30, 0), (30, 0), (0, -28), (0, 28))
SCALE_SHARE = 0.22  # the scale bar is at most this share of the map's width
SCALE_PAD = 0.03  # ... this far (axes fraction) from the lower right corner
SCALE_TOP_PAD = 0.07  # ... from the upper right corner, leaving room for its label
SCALE_LINE_PT = 3.0
SCALE_FONT = MIN_FONT_PT


@dataclass(frozen=True)
class Town:
    """A town from the packaged Natural Earth populated places."""

    name: str
    kind: str  # "national capital", "regional capital" or "town"
    lon: float
    lat: float
    population: int


def _data_text(name: str) -> str:
    return (resources.files("sim.report") / "data" / name).read_text(encoding="utf-8")


@cache
def region_rings() -> dict[str, tuple[np.ndarray, ...]]:
    """Region (department) name -> its outline rings (arrays of lon, lat)."""
    doc = json.loads(_data_text(REGIONS_FILE))
    out: dict[str, tuple[np.ndarray, ...]] = {}
    for f in doc["features"]:
        rings = [np.asarray(r, dtype=float) for poly in f["geometry"]["coordinates"] for r in poly]
        name = f["properties"]["name"]
        out[name] = out.get(name, ()) + tuple(rings)
    return out


@cache
def river_lines() -> tuple[tuple[str, np.ndarray], ...]:
    """(river name, line as an array of lon, lat) for every packaged river reach."""
    doc = json.loads(_data_text(RIVERS_FILE))
    return tuple(
        (str(f["properties"]["name"] or ""), np.asarray(f["geometry"]["coordinates"], dtype=float))
        for f in doc["features"]
    )


@cache
def towns() -> tuple[Town, ...]:
    """The packaged towns, largest first."""
    rows = csv.DictReader(_data_text(TOWNS_FILE).splitlines())
    return tuple(
        Town(r["name"], r["kind"], float(r["lon"]), float(r["lat"]), int(r["population"]))
        for r in rows
    )


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance in km between two lon/lat points (equirectangular; fine at map scale)."""
    c = math.cos(math.radians((a[1] + b[1]) / 2.0))
    return KM_PER_DEGREE * math.hypot((a[0] - b[0]) * c, a[1] - b[1])


def draw_geography(ax: Any, *, river_width: float = 1.0, region_width: float = 0.8) -> None:
    """Region borders (dotted grey) and rivers (pale blue), under everything else."""
    borders = [r for rings in region_rings().values() for r in rings]
    ax.add_collection(
        LineCollection(borders, colors=REGION_COLOUR, linewidths=region_width, **REGION_STYLE),
        autolim=False,
    )
    ax.add_collection(
        LineCollection(
            [line for _name, line in river_lines()],
            colors=RIVER_COLOUR,
            linewidths=river_width,
            zorder=RIVER_ZORDER,
            capstyle="round",
        ),
        autolim=False,
    )


def unmarked_towns(node_places: Sequence[tuple[float, float]]) -> list[Town]:
    """The towns that no network node lies within TOWN_NODE_KM of."""
    return [
        t for t in towns() if all(km_between((t.lon, t.lat), p) > TOWN_NODE_KM for p in node_places)
    ]


def draw_towns(ax: Any, shown: Sequence[Town]) -> None:
    """Small dark dots for ``shown`` towns."""
    if shown:
        ax.plot(
            [t.lon for t in shown],
            [t.lat for t in shown],
            ls="none",
            zorder=TOWN_ZORDER,
            **TOWN_MARKER,
        )


def view(ax: Any) -> tuple[float, float, float, float]:
    """The lon/lat box the axes show: lon from, lon to, lat from, lat to."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return x0, x1, y0, y1


def scale_bar(ax: Any, *, top: bool = False) -> Any:
    """A bar of a round number of km at the lower (``top``: upper) right, true at the shown
    middle latitude; returns its label (a Text), so that other labels can keep off it. Call
    after layout."""
    x0, x1, y0, y1 = view(ax)
    km_per_lon = KM_PER_DEGREE * math.cos(math.radians((y0 + y1) / 2.0))
    km = nice(SCALE_SHARE * (x1 - x0) * km_per_lon)
    length = km / km_per_lon
    right = x1 - SCALE_PAD * (x1 - x0)
    y = y1 - SCALE_TOP_PAD * (y1 - y0) if top else y0 + SCALE_PAD * (y1 - y0)
    line = Line2D(
        [right - length, right],
        [y, y],
        color=INK,
        lw=SCALE_LINE_PT,
        solid_capstyle="butt",
        zorder=LABEL_ZORDER,
        path_effects=[withStroke(linewidth=SCALE_LINE_PT + 2, foreground="white")],
    )
    line.set_in_layout(False)
    ax.add_artist(line)  # not ax.plot: the bar must not move the map's limits
    bar = ax.text(
        right - length / 2,
        y,
        f"{km:,.0f} km",
        ha="center",
        va="bottom",
        fontsize=SCALE_FONT,
        color=INK,
        zorder=LABEL_ZORDER,
        path_effects=TEXT_HALO,
    )
    bar.set_in_layout(False)  # added after the layout: must not change it
    return bar


@dataclass(frozen=True)
class TextRequest:
    """A name to write near a point (``spots``: offsets in points with alignment)."""

    text: str
    x: float
    y: float
    style: Mapping[str, Any]
    spots: Sequence[tuple[float, float, str, str]] = POINT_SPOTS


def place_texts(
    ax: Any, requests: Sequence[TextRequest], placed: list[Bbox], obstacles: Sequence[Bbox] = ()
) -> list[Any]:
    """Write each request at its first spot that stays inside the axes and overlaps neither an
    earlier label (``placed``, which collects the new ones) nor ``obstacles``; a request with no
    such spot is left out. Returns the texts written. Call once the layout is final."""
    renderer = ax.get_figure().canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    out = []
    for req in requests:
        if not (x0 <= req.x <= x1 and y0 <= req.y <= y1):
            continue
        for dx, dy, ha, va in req.spots:
            t = ax.annotate(
                req.text,
                (req.x, req.y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                path_effects=TEXT_HALO,
                zorder=LABEL_ZORDER,
                annotation_clip=False,
                **req.style,
            )
            t.set_in_layout(False)
            bb = t.get_window_extent(renderer)
            inside = (
                bb.x0 >= frame.x0 and bb.x1 <= frame.x1 and bb.y0 >= frame.y0 and bb.y1 <= frame.y1
            )
            if inside and not any(bb.overlaps(p) for p in (*placed, *obstacles)):
                placed.append(bb)
                out.append(t)
                break
            t.remove()
    return out


def area_spots() -> tuple[tuple[float, float, str, str], ...]:
    """Centred spots around an area's name anchor, nearest first."""
    return tuple((dx, dy, "center", "center") for dx, dy in AREA_SPOTS)


def region_anchor(rings: Sequence[np.ndarray]) -> tuple[float, float]:
    """Where to write a region's name: the area centroid of its largest ring."""
    ring = max(rings, key=lambda r: abs(_area(r)))
    x, y = ring[:, 0], ring[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    a = cross.sum() / 2.0
    if a == 0:
        return float(x.mean()), float(y.mean())
    cx = ((x + np.roll(x, -1)) * cross).sum() / (6.0 * a)
    cy = ((y + np.roll(y, -1)) * cross).sum() / (6.0 * a)
    return float(cx), float(cy)


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return float((x * np.roll(y, -1) - np.roll(x, -1) * y).sum() / 2.0)


def region_requests(style: Mapping[str, Any], names: Sequence[str] | None = None) -> list:
    """Region names (upper case) at their centroids; ``names`` limits which."""
    out = []
    for name, rings in region_rings().items():
        if names is not None and name not in names:
            continue
        x, y = region_anchor(rings)
        out.append(TextRequest(name.upper(), x, y, style, area_spots()))
    return out


def river_requests(ax: Any, style: Mapping[str, Any], names: Sequence[str]) -> list:
    """The ``names`` rivers, each written beside the middle of its stretch inside the view."""
    x0, x1, y0, y1 = view(ax)
    out = []
    for name, line in river_lines():
        if name not in names:
            continue
        inside = line[
            (line[:, 0] >= x0) & (line[:, 0] <= x1) & (line[:, 1] >= y0) & (line[:, 1] <= y1)
        ]
        if len(inside):
            x, y = inside[len(inside) // 2]
            out.append(TextRequest(name, float(x), float(y), style))
    return out


def town_requests(shown: Sequence[Town], style: Mapping[str, Any], max_n: int) -> list:
    """Names of the ``max_n`` largest of ``shown`` towns."""
    ranked = sorted(shown, key=lambda t: -t.population)[:max_n]
    return [TextRequest(t.name, t.lon, t.lat, style) for t in ranked]


def geography_handles() -> list[Line2D]:
    """Legend entries of the base map: river, region border, town."""
    return [
        Line2D([], [], color=RIVER_COLOUR, lw=2.0, label="river (Natural Earth)"),
        Line2D([], [], color=REGION_COLOUR, lw=1.5, ls=(0, (1.5, 1.5)), label="region border"),
        Line2D([], [], ls="none", label="town", **{**TOWN_MARKER, "ms": 5}),
    ]
