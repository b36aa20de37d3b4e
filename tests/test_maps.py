"""The route maps on the real network: geography drawn, names that never overprint, one
meaning per colour."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from sim.network import load_network
from sim.report.basemap import region_rings, river_lines, towns
from sim.report.map_figures import change_map, route_map
from sim.report.maps import mean_edge_flows, node_positions
from sim.report.style import exit_label

WEEKS = 52


@pytest.fixture(scope="module")
def maps() -> dict:
    """The run map and the briefing map of synthetic flows on every link of the network."""
    graph = load_network().graph
    rng = np.random.default_rng(7)
    rows = [
        {"replicate": r, "u": u, "v": v, "mode": d.get("mode", "road"), "kg": rng.gamma(1, 3e4)}
        for r in range(2)
        for u, v, d in graph.edges(data=True)
    ]
    pos = node_positions(graph)
    flows = mean_edge_flows(pd.DataFrame(rows), graph, WEEKS)
    run = route_map(graph, pos, flows, title="Run", source_line="source", note="note")
    change = flows.rename(columns={"t_per_year": "t_per_year_base"})
    change["delta"] = rng.normal(0, 0.5, len(change)) * change["t_per_year_base"]
    exits = [n for n in pos if graph.nodes[n]["kind"] == "exit"]
    labels = {n: f"{exit_label(n)}\n{i * 37} t/yr" for i, n in enumerate(exits)}
    brief = change_map(
        graph,
        pos,
        change,
        title="Brief",
        source_line="source",
        note="note",
        base_labels=labels,
        change_labels=labels,
    )
    return {"run": run, "brief": brief}


def _map_texts(fig) -> list[tuple[str, object]]:
    """(text, display box) of every written text of the map panels and their insets."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    out = []

    def walk(ax) -> None:
        for t in ax.texts:
            if t.get_visible() and t.get_text().strip():
                out.append((t.get_text(), t.get_window_extent(renderer)))
        for child in ax.child_axes:
            walk(child)

    for ax in fig.axes:
        walk(ax)
    return out


def test_the_packaged_geography_has_the_vraem_regions_rivers_and_towns() -> None:
    regions = set(region_rings())
    assert {"Ayacucho", "Cusco", "Junín", "Huancavelica", "Apurímac"} <= regions
    assert {"Apurímac", "Ene", "Tambo"} <= {name for name, _line in river_lines()}
    assert {"Lima", "Ayacucho", "Huancayo", "Cusco", "Huanta", "Satipo"} <= {
        t.name for t in towns()
    }


@pytest.mark.parametrize("which", ["run", "brief"])
def test_no_two_labels_on_a_map_overlap(maps: dict, which: str) -> None:
    texts = _map_texts(maps[which])
    clashes = [(a, b) for (a, ba), (b, bb) in itertools.combinations(texts, 2) if ba.overlaps(bb)]
    assert clashes == []


@pytest.mark.parametrize("which", ["run", "brief"])
def test_a_map_names_towns_regions_rivers_and_has_a_scale_bar(maps: dict, which: str) -> None:
    written = {text for text, _box in _map_texts(maps[which])}
    assert len(written & {"Lima", "Ayacucho", "Huancayo", "Cusco", "Huanta", "Satipo"}) >= 3
    assert any(name in written for name in ("AYACUCHO", "CUSCO", "JUNÍN", "APURÍMAC"))
    assert any(name in written for name in ("Apurímac", "Ene", "Tambo"))
    assert any(text.endswith(" km") for text in written)
    assert "BOLIVIA" in written


def test_the_briefing_map_has_a_vraem_close_up_naming_the_districts(maps: dict) -> None:
    insets = [c for ax in maps["brief"].axes for c in ax.child_axes]
    close_ups = [c for c in insets if any(t.get_text() == "VRAEM close-up" for t in c.texts)]
    assert len(close_ups) == 2  # baseline and change
    for c in close_ups:
        names = {t.get_text() for t in c.texts}
        assert len(names & {"Pichari", "Kimbiri", "Llochegua", "Sivia", "Santa Rosa"}) >= 3


def test_change_lines_use_no_colour_of_a_transport_mode_or_route_group() -> None:
    from sim.report.maps import LESS_TRAFFIC, MORE_TRAFFIC
    from sim.report.style import GROUP_COLOURS, MODE_STYLE

    used = {c for c, _s, _l in MODE_STYLE.values()} | set(GROUP_COLOURS.values())
    assert MORE_TRAFFIC[0] not in used
    assert LESS_TRAFFIC[0] not in used
