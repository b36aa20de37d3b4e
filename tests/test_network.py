"""The packaged route network: the places and exits the spec names, connected and valid."""

from __future__ import annotations

import shutil
from pathlib import Path

import networkx as nx
import pytest
from conftest import SCENARIOS
from typer.testing import CliRunner

from sim.cli.main import app
from sim.config.errors import ConfigError
from sim.config.models import TraffickersConfig
from sim.network.routes import (
    apply_network_overrides,
    enumerate_routes,
    load_network,
    packaged_data_dir,
)
from sim.scenarios import compile_network, load_scenario

SPEC_EXITS = {
    "callao": "pacific_ports",
    "chimbote": "pacific_ports",
    "paita": "pacific_ports",
    "desaguadero": "bolivia",
    "bolivia_air": "bolivia",
    "inapari": "brazil",
    "brazil_river": "brazil",
}
DISTRICTS = {
    "pichari",
    "kimbiri",
    "santa_rosa",
    "llochegua",
    "sivia",
    "vizcatan_del_ene",
    "rio_tambo",
    "pangoa",
}
DEFAULTS = TraffickersConfig()  # transport costs and lot sizes of the baseline
HUBS = {
    "san_francisco",
    "huanta",
    "ayacucho",
    "satipo",
    "la_merced",
    "huancayo",
    "quillabamba",
    "cusco",
    "puerto_maldonado",
    "atalaya",
    "pucallpa",
    "juliaca",
    "lima",
}


def test_packaged_network_has_the_spec_exits_districts_and_hubs():
    net = load_network()
    assert net.exit_group == {**net.exit_group, **SPEC_EXITS}
    assert DISTRICTS <= set(net.districts)
    assert HUBS <= set(net.graph)
    kinds = nx.get_node_attributes(net.graph, "kind")
    assert sum(k == "airstrip" for k in kinds.values()) >= 3
    assert set(net.edge_mode) == {"road", "river", "trail", "air"}
    for n, d in net.graph.nodes(data=True):  # lon/lat inside Peru and its borders
        assert -82 < d["lon"] < -66 and -19 < d["lat"] < -3, n
    assert nx.is_connected(net.graph)


def test_every_district_has_routes_to_every_exit_that_end_there():
    net = load_network()
    routes = enumerate_routes(net, DEFAULTS.transport_usd_per_kg_km, DEFAULTS.lot_kg, 3)
    pairs = {(r.district, r.exit) for r in routes}
    assert pairs == {(d, x) for d in net.districts for x in net.exit_group}
    for r in routes:  # an exit is only ever the end of a route
        assert not set(r.nodes[:-1]) & set(net.exit_group)
        assert r.transport_usd_per_kg > 0 and r.hours > 0


def test_transport_costs_match_the_reported_fees():
    """About 50 USD/kg to the coast and about 300 USD/kg to Bolivia (InSight Crime c. 2013)."""
    net = load_network()
    routes = enumerate_routes(net, DEFAULTS.transport_usd_per_kg_km, DEFAULTS.lot_kg, 1)
    coast = [r.transport_usd_per_kg for r in routes if r.exit == "callao"]
    bolivia = [r.transport_usd_per_kg for r in routes if r.exit == "bolivia_air"]
    assert 25 < min(coast) < 100
    assert 150 < min(bolivia) < 450


@pytest.mark.parametrize(
    "edit, key",
    [
        (lambda t: t + "pichari,atlantis,road,10,1,0.01,test\n", "row"),
        (lambda t: t.replace(",road,", ",teleport,", 1), "mode"),
        (lambda t: t.replace("\n", "\n", 1) + "pichari,lima,road,-5,1,0.01,test\n", "km"),
    ],
)
def test_broken_network_files_are_rejected_with_the_row(tmp_path, edit, key):
    for name in ("nodes.csv", "edges.csv"):
        shutil.copy(packaged_data_dir() / name, tmp_path / name)
    edges = tmp_path / "edges.csv"
    edges.write_text(edit(edges.read_text()))
    with pytest.raises(ConfigError) as info:
        load_network(tmp_path)
    assert "edges.csv" in str(info.value) and key in str(info.value)


def test_a_district_cut_off_from_an_exit_is_rejected(tmp_path):
    for name in ("nodes.csv", "edges.csv"):
        shutil.copy(packaged_data_dir() / name, tmp_path / name)
    nodes = tmp_path / "nodes.csv"
    nodes.write_text(nodes.read_text() + "lonely,Lonely,district,lonely,,-74,-12,24,test\n")
    with pytest.raises(ConfigError, match=r"connected|reach"):
        load_network(tmp_path)


def copy_network(folder: Path) -> Path:
    """A copy of the packaged network files in `folder` (created)."""
    folder.mkdir(parents=True)
    for name in ("nodes.csv", "edges.csv"):
        shutil.copy(packaged_data_dir() / name, folder / name)
    return folder


def test_a_parents_data_dir_resolves_against_the_parent_file(tmp_path):
    a, b = tmp_path / "A", tmp_path / "B"
    net = copy_network(a / "net")
    (a / "parent.yaml").write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\nname: parent\nnetwork:\n  data_dir: net/\n",
        encoding="utf-8",
    )
    b.mkdir()
    (b / "child.yaml").write_text("extends: ../A/parent.yaml\nname: child\n", encoding="utf-8")
    assert load_scenario(b / "child.yaml").network.data_dir == str(net.resolve())
    # a child that names its own folder still wins, resolved against the child
    own = copy_network(b / "own")
    (b / "own.yaml").write_text(
        "extends: ../A/parent.yaml\nname: own\nnetwork:\n  data_dir: own\n", encoding="utf-8"
    )
    assert load_scenario(b / "own.yaml").network.data_dir == str(own.resolve())


def test_set_network_data_dir_resolves_against_the_working_directory(tmp_path, monkeypatch):
    net = copy_network(tmp_path / "work" / "mynet")
    monkeypatch.chdir(tmp_path / "work")
    sc = load_scenario(SCENARIOS / "baseline.yaml", ["network.data_dir=mynet"])
    assert sc.network.data_dir == str(net.resolve())
    sc = load_scenario(SCENARIOS / "baseline.yaml", ["network={data_dir: mynet}"])
    assert sc.network.data_dir == str(net.resolve())


def edge_table(net) -> tuple:
    """Everything the overrides may change, as plain values."""
    graph = sorted((u, v, tuple(sorted(d.items()))) for u, v, d in net.graph.edges(data=True))
    return (net.edge_risk.tolist(), net.edge_km.tolist(), net.edge_hours.tolist(), graph)


def test_overrides_return_a_new_network_and_leave_the_loaded_one_untouched():
    sc = load_scenario(
        SCENARIOS / "baseline.yaml",
        [
            "network.exit_risk_factor.callao=3",
            "network.edge_overrides=[{u: lima, v: callao, km: 20, hours: 0.7}]",
        ],
    )
    loaded = load_network()
    pristine = edge_table(loaded)
    once = apply_network_overrides(load_network(), sc)
    first = apply_network_overrides(loaded, sc)
    second = apply_network_overrides(loaded, sc)  # the exit factor must not compound
    assert edge_table(first) == edge_table(second) == edge_table(once) != pristine
    assert edge_table(loaded) == pristine
    assert first is not loaded and first.graph is not loaded.graph
    i = loaded.edge_index[("lima", "callao")]
    assert first.edge_km[i] == 20 and first.graph.edges["lima", "callao"]["hours"] == 0.7
    assert first.edge_risk[i] == pytest.approx(3 * loaded.edge_risk[i])
    for n in loaded.graph:  # same neighbour order: routes are enumerated in the same order
        assert list(first.graph.adj[n]) == list(loaded.graph.adj[n])


def test_compile_network_gives_the_loaded_network_with_overrides_a_new_copy_each_time():
    sc = load_scenario(SCENARIOS / "baseline.yaml", ["network.exit_risk_factor.callao=2"])
    first = compile_network(sc)
    assert edge_table(first) == edge_table(apply_network_overrides(load_network(), sc))
    first.edge_risk[:] = 1.0  # whatever a run does to its network stays there
    first.graph.remove_node("callao")
    second = compile_network(sc)
    assert edge_table(second) == edge_table(apply_network_overrides(load_network(), sc))


@pytest.mark.parametrize(
    ("name", "edit", "expected"),
    [
        (
            "nodes.csv",
            lambda b: b.replace(b"Pichari", "Pichaé".encode("latin-1"), 1),
            "is not valid UTF-8 (byte 0xe9 at position",
        ),
        (
            "edges.csv",
            lambda b: b + b"pichari,lima,road,10,1,0.01,test,one too many\n",
            "is not a valid CSV table",
        ),
    ],
)
def test_unreadable_network_files_exit_2_naming_the_file(tmp_path, name, edit, expected):
    net = copy_network(tmp_path / "net")
    (net / name).write_bytes(edit((net / name).read_bytes()))
    path = tmp_path / "s.yaml"
    path.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\nname: s\nnetwork: {{data_dir: net}}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert str(net / name) in message and expected in message
    assert "Traceback" not in result.output + result.stderr


def test_an_edge_to_an_unknown_node_lists_the_nearest_node_ids(tmp_path):
    for name in ("nodes.csv", "edges.csv"):
        shutil.copy(packaged_data_dir() / name, tmp_path / name)
    edges = tmp_path / "edges.csv"
    edges.write_text(edges.read_text() + "pichari,kimbri,road,10,1,0.01,test\n")
    with pytest.raises(ConfigError) as info:
        load_network(tmp_path)
    assert "got 'kimbri'; nearest: 'kimbiri'" in str(info.value)
    assert "nodes.csv" in str(info.value)
