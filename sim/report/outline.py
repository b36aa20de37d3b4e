"""Country outlines for the briefing maps: Peru and its neighbours from packaged Natural Earth data.

The outlines are read from `sim/report/data/south_america_50m.geojson` (Natural Earth 1:50m,
public domain; see `data/SOURCE.md`) with the standard library, so drawing a map needs no
download and no GIS dependency.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from matplotlib.collections import PolyCollection

OUTLINE_FILE = "south_america_50m.geojson"
PERU = "Peru"

# fills that stay apart in greyscale: Peru white, the sea a pale tint, neighbours darker grey
SEA_COLOUR = "#EDF3F8"
PERU_COLOUR = "#FFFFFF"
NEIGHBOUR_COLOUR = "#D6D6D6"
BORDER_COLOUR = "#8A8A8A"


@cache
def country_rings() -> dict[str, tuple[np.ndarray, ...]]:
    """Country name -> its outline rings (arrays of lon, lat; outer rings and holes alike)."""
    text = (resources.files("sim.report") / "data" / OUTLINE_FILE).read_text(encoding="utf-8")
    doc = json.loads(text)
    out: dict[str, tuple[np.ndarray, ...]] = {}
    for feature in doc["features"]:
        geom = feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rings = [np.asarray(ring, dtype=float) for poly in polygons for ring in poly]
        out[feature["properties"]["name"]] = tuple(rings)
    return out


def draw_countries(
    ax: Any,
    *,
    highlight: str = PERU,
    border_width: float = 0.9,
    zorder: float = 0.5,
) -> None:
    """Sea background, land of every packaged country, ``highlight`` in white with a darker edge.

    Draws without changing the axes limits (set them before or after).
    """
    ax.set_facecolor(SEA_COLOUR)
    rings = country_rings()
    others = [r for name, rs in rings.items() if name != highlight for r in rs]
    ax.add_collection(
        PolyCollection(
            others,
            facecolors=NEIGHBOUR_COLOUR,
            edgecolors=BORDER_COLOUR,
            linewidths=border_width,
            zorder=zorder,
        ),
        autolim=False,
    )
    if highlight in rings:
        ax.add_collection(
            PolyCollection(
                list(rings[highlight]),
                facecolors=PERU_COLOUR,
                edgecolors="#555555",
                linewidths=border_width * 1.4,
                zorder=zorder + 0.01,
            ),
            autolim=False,
        )
