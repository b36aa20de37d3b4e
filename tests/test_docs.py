"""The documentation matches the code."""

from __future__ import annotations

import datetime as dt

from conftest import REPO

from sim.config.reference import render


def test_parameter_reference_is_up_to_date():
    text = (REPO / "docs" / "CONFIG.md").read_text(encoding="utf-8")
    assert text == render(), "regenerate: python -m sim.config.reference > docs/CONFIG.md"


def test_every_parameter_is_described():
    for line in render().splitlines():
        if line.startswith("| `"):
            meaning = line.rsplit("|", 2)[-2].strip()
            assert len(meaning) > 10, line


def test_network_reference_is_up_to_date():
    from sim.network.reference import render as render_network

    text = (REPO / "docs" / "NETWORK.md").read_text(encoding="utf-8")
    assert text == render_network(), "regenerate: python -m sim.network.reference > docs/NETWORK.md"


def test_the_network_reference_lists_every_node_exit_and_edge_of_the_data():
    from sim.network import load_network
    from sim.network.reference import render as render_network

    net = load_network()
    text = render_network()
    for node, data in net.graph.nodes(data=True):
        row = next(line for line in text.splitlines() if line.startswith(f"| `{node}` |"))
        assert data["name"] in row
        if data["kind"] == "exit":
            assert f"`{data['group']}`" in row
    for u, v in zip(net.edge_u, net.edge_v, strict=True):
        assert f"`[{u}, {v}]`" in text


def test_the_network_reference_follows_the_data(tmp_path):
    import shutil

    from sim.network.reference import render as render_network
    from sim.network.routes import packaged_data_dir

    for name in ("nodes.csv", "edges.csv"):
        shutil.copy(packaged_data_dir() / name, tmp_path / name)
    nodes = tmp_path / "nodes.csv"
    nodes.write_text(
        nodes.read_text(encoding="utf-8").replace("Port of Callao", "Puerto del Callao"),
        encoding="utf-8",
    )
    text = render_network(tmp_path)
    assert "| `callao` | Puerto del Callao |" in text and text != render_network()


def _doc_items(name: str) -> list[str]:
    """The list items of a doc (bullets and numbered items with their continuation lines), and
    its table rows, each as one line of text."""
    items: list[str] = []
    for line in (REPO / "docs" / name).read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        starts = stripped.startswith(("- ", "| ")) or stripped[:3].rstrip(".").isdigit()
        if starts or not items or not stripped:
            items.append(stripped)
        else:
            items[-1] += " " + stripped
    return [i for i in items if i]


def test_the_briefing_doc_says_which_window_the_route_map_shows_as_the_code_draws_it():
    from types import SimpleNamespace

    import pandas as pd

    from sim.report.briefing_figures import map_period

    def pair(event_week: int, weeks: int) -> SimpleNamespace:
        run = SimpleNamespace(edge_flows=pd.DataFrame(columns=["year", "u", "v", "kg"]))
        sc = SimpleNamespace(weeks=weeks, start_date=dt.date(2023, 1, 2))
        scenario = SimpleNamespace(edge_flows=run.edge_flows, scenario=sc)
        return SimpleNamespace(event_week=event_week, baseline=run, scenario=scenario)

    # the code: the first year after an intervention at a year boundary, else the whole run
    assert map_period(pair(52, 312))[0] == 2
    assert map_period(pair(60, 312))[0] is None
    assert map_period(pair(260, 300))[0] is None  # that year does not fit in the run
    # the doc: every statement about the map's window says the same
    about_the_map = [
        item
        for item in _doc_items("BRIEFING.md")
        if "route map" in item.lower() and "whole" in item.lower()
    ]
    assert len(about_the_map) >= 2  # the figure's description and the caveat
    for item in about_the_map:
        assert "first year after the first intervention" in item, item
        assert "year boundary" in item, item


def test_the_interventions_doc_says_unrest_leaves_a_scheduled_arrest_as_the_code_does():
    from conftest import baseline

    from sim.config.interventions import ArrestLeader, Unrest
    from sim.runner.batch import run_scenario

    # the code: a certain arrest in a state at 1% of its effectiveness still succeeds
    weak_state = Unrest(type="unrest", week=0, weeks=8, factor=0.01, visibility=0.0)
    arrest = ArrestLeader(type="arrest_leader", week=2, who="leader", success_probability=1.0)
    sc = baseline(weeks=6, replicates=1, interventions=[weak_state, arrest])
    events = run_scenario(sc, workers=1).events
    arrests = events[events["type"] == "arrest_leader"]
    assert len(arrests) == 1 and "captured" in arrests["outcome"].iloc[0]
    # the doc: the unrest row says so
    row = next(i for i in _doc_items("INTERVENTIONS.md") if i.startswith("| `unrest` |"))
    assert "A scheduled `arrest_leader` is not weakened" in row
    assert "`success_probability`" in row
