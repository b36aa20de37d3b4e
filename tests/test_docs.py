"""The documentation matches the code."""

from __future__ import annotations

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
