"""Bad input: exit 2 and a message naming the file, the key and what was expected."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SCENARIOS
from typer.testing import CliRunner

from sim.cli.main import app

runner = CliRunner()


def write(tmp_path: Path, text: str, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BASE = f"extends: {SCENARIOS / 'baseline.yaml'}\nname: bad\n"

CASES = {
    "unknown key": (BASE + "growers:\n  hectares: 5\n", "growers.hectares", "unknown key"),
    "wrong type": (BASE + "weeks: many\n", "weeks", "integer"),
    "out of range": (BASE + "security:\n  effectiveness: 1.5\n", "security.effectiveness", "1"),
    "negative": (BASE + "growers:\n  households: -3\n", "growers.households", "greater"),
    "unknown node": (
        BASE + "network:\n  edge_overrides:\n    - {u: atlantis, v: lima, km: 10}\n",
        "network.edge_overrides.0.u",
        "atlantis",
    ),
    "unknown district": (
        BASE + "armed_group:\n  territory:\n    narnia: 0.5\n",
        "armed_group.territory.narnia",
        "district",
    ),
    "unknown exit": (
        BASE + "network:\n  exit_risk_factor:\n    atlantis_port: 2\n",
        "network.exit_risk_factor.atlantis_port",
        "exit",
    ),
    "intervention unknown node": (
        BASE + "interventions:\n  - {type: interdiction_surge, week: 5, weeks: 4, factor: 2,"
        " nodes: [atlantis]}\n",
        "interventions.0.nodes.0",
        "atlantis",
    ),
    "intervention unknown edge": (
        BASE + "interventions:\n  - {type: route_closure, week: 5, weeks: 4,"
        " edges: [[lima, cusco]]}\n",
        "interventions.0.edges.0",
        "lima-cusco",
    ),
    "intervention unknown district": (
        BASE + "interventions:\n  - {type: eradication, week: 5, weeks: 4, hectares: 100,"
        " districts: [pichari, narnia]}\n",
        "interventions.0.districts.1",
        "narnia",
    ),
    "intervention unknown member": (
        BASE + "interventions:\n  - {type: arrest_leader, week: 5, who: comrade_x}\n",
        "interventions.0.who",
        "comrade_x",
    ),
    "intervention unknown exit": (
        BASE + "interventions:\n  - {type: demand_shock, week: 5, weeks: 4, factor: 0.5,"
        " exits: [rotterdam]}\n",
        "interventions.0.exits.0",
        "rotterdam",
    ),
    "intervention after the horizon": (
        BASE + "weeks: 100\ninterventions:\n  - {type: fragmentation, week: 100}\n",
        "interventions.0.week",
        "0-99",
    ),
    "intervention factor out of range": (
        BASE + "interventions:\n  - {type: unrest, week: 5, weeks: 4, factor: 1.5}\n",
        "interventions.0.unrest.factor",
        "1",
    ),
    "intervention unknown type": (
        BASE + "interventions:\n  - {type: bombing, week: 5}\n",
        "interventions.0",
        "bombing",
    ),
    "intervention without target": (
        BASE + "interventions:\n  - {type: route_closure, week: 5, weeks: 4}\n",
        "interventions.0.route_closure",
        "at least one node",
    ),
    "bad yaml": (BASE + "weeks: [1, 2\n", "", "not valid YAML"),
    "not a mapping": ("- just\n- a list\n", "", "mapping"),
    "missing parent": ("extends: nowhere.yaml\nname: x\n", "extends", "not found"),
}


@pytest.mark.parametrize("case", CASES)
def test_invalid_scenario_exits_2_with_a_clear_message(tmp_path, case):
    text, key, expected = CASES[case]
    path = write(tmp_path, text)
    for args in (["check", str(path)], ["run", str(path), "--out", str(tmp_path / "out")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        message = " ".join(result.stderr.split())
        assert str(path.name) in message
        assert key in message
        assert expected in message
        assert "Traceback" not in result.output + result.stderr
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_bad_override_on_the_command_line_names_the_key(tmp_path):
    result = runner.invoke(
        app,
        [
            "run",
            str(SCENARIOS / "baseline.yaml"),
            "--set",
            "security.nope=1",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 2
    assert "security.nope" in result.stderr and "unknown key" in result.stderr
    result = runner.invoke(app, ["run", str(SCENARIOS / "baseline.yaml"), "--set", "weeks"])
    assert result.exit_code == 2 and "KEY=VALUE" in result.stderr


def test_extends_cycle_is_reported(tmp_path):
    write(tmp_path, "extends: b.yaml\nname: a\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\nname: b\n", "b.yaml")
    result = runner.invoke(app, ["check", str(tmp_path / "a.yaml")])
    assert result.exit_code == 2 and "cycle" in result.stderr


def test_usage_errors_exit_2():
    result = runner.invoke(app, ["run", str(SCENARIOS / "baseline.yaml"), "--replicates", "0"])
    assert result.exit_code == 2


def test_every_shipped_scenario_is_valid():
    files = sorted(SCENARIOS.glob("*.yaml"))
    assert files
    result = runner.invoke(app, ["check", *map(str, files)])
    assert result.exit_code == 0, result.stderr


def test_python_dash_m_sim_is_the_same_cli(tmp_path):
    path = write(tmp_path, BASE + "weeks: 0\n")
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "check", str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "weeks" in proc.stderr and "Traceback" not in proc.stderr


def test_setting_one_entry_of_a_mapping_keeps_the_others():
    from sim.scenarios import load_scenario

    sc = load_scenario(SCENARIOS / "baseline.yaml", ["market.exit_price_usd_per_kg.paita=3000"])
    default = load_scenario(SCENARIOS / "baseline.yaml")
    assert sc.market.exit_price_usd_per_kg["paita"] == 3000
    others = {k: v for k, v in sc.market.exit_price_usd_per_kg.items() if k != "paita"}
    assert others == {k: v for k, v in default.market.exit_price_usd_per_kg.items() if k != "paita"}


LATIN1 = "# Perené valley, written by an editor that saves Latin-1\n"


@pytest.mark.parametrize("where", ["scenario", "parent"])
def test_a_file_that_is_not_utf8_exits_2_naming_it_and_the_byte(tmp_path, where):
    if where == "scenario":
        bad = tmp_path / "latin1.yaml"
        bad.write_bytes((BASE + LATIN1).encode("latin-1"))
        path = bad
    else:
        bad = tmp_path / "parent.yaml"
        bad.write_bytes((BASE + LATIN1).encode("latin-1"))
        path = write(tmp_path, "extends: parent.yaml\nname: child\n", "child.yaml")
    position = bad.read_bytes().index(b"\xe9")
    for args in (["check", str(path)], ["run", str(path), "--out", str(tmp_path / "out")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        message = " ".join(result.stderr.split())
        assert bad.name in message
        assert f"is not valid UTF-8 (byte 0xe9 at position {position})" in message
        assert "save it as UTF-8" in message
        assert "Traceback" not in result.output + result.stderr
    assert not (tmp_path / "out").exists()


# --- every problem at once ---------------------------------------------------------------------
def problem_lines(stderr: str) -> list[str]:
    """The lines of an error message that each name one problem."""
    return [line.strip() for line in stderr.splitlines() if "key '" in line]


def test_every_problem_of_a_file_is_reported_at_once_one_per_line(tmp_path):
    path = write(
        tmp_path,
        BASE + "weeks: many\nseed: -1\ngrowers:\n  hectares: 5\nsecurity:\n  effectiveness: 1.5\n",
    )
    for args in (["check", str(path)], ["run", str(path), "--out", str(tmp_path / "out")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output + result.stderr
        assert f"4 problems in {path}" in result.stderr
        lines = problem_lines(result.stderr)
        assert [line.split("'")[1] for line in lines] == [
            "weeks",
            "seed",
            "growers.hectares",
            "security.effectiveness",
        ]
        for line, given in zip(lines, ["'many'", "-1", "unknown key", "1.5"], strict=True):
            assert line.startswith(f"{path}: key '"), line  # the file, on every line
            assert "expected" in line and given in line, line
    assert not (tmp_path / "out").exists()


def test_a_single_problem_keeps_its_one_line_message(tmp_path):
    path = write(tmp_path, BASE + "weeks: many\n")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert message.startswith(f"error: {path}: key 'weeks': expected a valid value: Input should")
    assert "problems" not in message and "(got 'many')" in message


def test_every_unknown_name_of_a_file_is_reported_at_once(tmp_path):
    path = write(
        tmp_path,
        BASE
        + "armed_group:\n  territory: {narnia: 0.5}\n"
        + "interventions:\n"
        + "  - {type: interdiction_surge, week: 5, weeks: 4, factor: 2, nodes: [atlantis]}\n"
        + "  - {type: arrest_leader, week: 5, who: comrade_x}\n"
        + "  - {type: fragmentation, week: 999}\n",
    )
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    keys = [line.split("'")[1] for line in problem_lines(result.stderr)]
    assert keys == [
        "armed_group.territory.narnia",
        "interventions.0.nodes.0",
        "interventions.1.who",
        "interventions.2.week",
    ]


def test_problems_given_by_set_name_set_and_the_others_the_file(tmp_path):
    path = write(tmp_path, BASE + "weeks: many\n")
    result = runner.invoke(
        app, ["run", str(path), "--set", "security.nope=1", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    lines = problem_lines(result.stderr)
    assert any(line.startswith(f"{path}: key 'weeks'") for line in lines), lines
    assert any(line.startswith("--set: key 'security.nope'") for line in lines), lines


def test_every_problem_of_a_sweep_file_is_reported_at_once(tmp_path):
    path = write(
        tmp_path,
        f"name: s\nbase: {SCENARIOS / 'baseline.yaml'}\nmethod: grid\nsamples: 4\n"
        "years: [3, 1]\nmetrics: [exported_t]\n"
        "parameters:\n  security.interdiction_capacity: {values: [1.0]}\n",
        "sweep.yaml",
    )
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    keys = [line.split("'")[1] for line in problem_lines(result.stderr)]
    assert keys == ["samples", "years"]


def test_a_value_refused_by_every_member_of_a_union_is_one_problem(tmp_path):
    path = write(
        tmp_path,
        BASE + "interventions:\n  - {type: eradication, week: 5, weeks: 4, hectares: 100,"
        " districts: 7}\n",
    )
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "key 'interventions.0.eradication.districts': " in message
    assert "a valid list or 'all' (got 7)" in message


def test_a_key_with_brackets_is_printed_as_written(tmp_path):
    path = write(tmp_path, BASE + "growers:\n  '[bold]x': 5\n")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert "growers.[bold]x" in result.stderr


# --- an unknown id lists the nearest valid ones -----------------------------------------------
NEAR = {
    "node": (
        "interventions:\n  - {type: interdiction_surge, week: 5, weeks: 4, factor: 2,"
        " nodes: [calao]}\n",
        "interventions.0.nodes.0",
        "got 'calao'; nearest: 'callao'",
    ),
    "node of an edge override": (
        "network:\n  edge_overrides:\n    - {u: pucalpa, v: lima, km: 10}\n",
        "network.edge_overrides.0.u",
        "got 'pucalpa'; nearest: 'pucallpa'",
    ),
    "exit": (
        "interventions:\n  - {type: demand_shock, week: 5, weeks: 4, factor: 0.5,"
        " exits: [chimbot]}\n",
        "interventions.0.exits.0",
        "got 'chimbot'; nearest: 'chimbote'",
    ),
    "edge": (
        "interventions:\n  - {type: route_closure, week: 5, weeks: 4, edges: [[lima, calao]]}\n",
        "interventions.0.edges.0",
        "got lima-calao: 'calao' is not a node, nearest: 'callao'",
    ),
    "edge between known nodes": (
        "interventions:\n  - {type: route_closure, week: 5, weeks: 4, edges: [[lima, cusco]]}\n",
        "interventions.0.edges.0",
        "got lima-cusco; nearest: lima-",
    ),
    "cadre": (
        "interventions:\n  - {type: arrest_leader, week: 5, who: jose_hjo}\n",
        "interventions.0.who",
        "got 'jose_hjo'; nearest: 'jose_hijo', 'jose'",
    ),
    "district": (
        "interventions:\n  - {type: eradication, week: 5, weeks: 4, hectares: 100,"
        " districts: [pichary]}\n",
        "interventions.0.districts.0",
        "got 'pichary'; nearest: 'pichari'",
    ),
    "district of the territory": (
        "armed_group:\n  territory: {kimbri: 0.5}\n",
        "armed_group.territory.kimbri",
        "got 'kimbri'; nearest: 'kimbiri'",
    ),
}


@pytest.mark.parametrize("case", NEAR)
def test_an_unknown_id_lists_the_nearest_valid_ones_and_where_all_are(tmp_path, case):
    body, key, says = NEAR[case]
    result = runner.invoke(app, ["check", str(write(tmp_path, BASE + body))])
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert f"key '{key}'" in message
    assert says in message
    assert "docs/NETWORK.md" in message


def test_an_unknown_node_lists_the_nearest_ids_also_by_name(tmp_path):
    body = (
        "interventions:\n  - {type: interdiction_surge, week: 5, weeks: 4, factor: 2,"
        " nodes: [Port of Callao]}\n"
    )
    result = runner.invoke(app, ["check", str(write(tmp_path, BASE + body))])
    assert "got 'Port of Callao'; nearest: 'callao'" in " ".join(result.stderr.split())


def test_an_unknown_edge_suggests_only_edges_that_exist(tmp_path):
    from sim.network import load_network

    body = "interventions:\n  - {type: route_closure, week: 5, weeks: 4, edges: [[lima, cusco]]}\n"
    result = runner.invoke(app, ["check", str(write(tmp_path, BASE + body))])
    message = " ".join(result.stderr.split())
    listed = message.split("nearest: ", 1)[1].split(" (", 1)[0].split(", ")
    graph = load_network().graph
    assert 1 <= len(listed) <= 5
    assert all(graph.has_edge(*edge.split("-")) for edge in listed), listed


def test_a_name_far_from_every_id_says_so_and_where_all_are(tmp_path):
    body = (
        "interventions:\n  - {type: interdiction_surge, week: 5, weeks: 4, factor: 2,"
        " nodes: [atlantis]}\n"
    )
    result = runner.invoke(app, ["check", str(write(tmp_path, BASE + body))])
    message = " ".join(result.stderr.split())
    assert "got 'atlantis'; none is close (every node id is listed in docs/NETWORK.md)" in message


def test_an_error_of_several_problems_survives_pickling_whole():
    import pickle

    from sim.config.errors import ConfigError, Problem

    error = ConfigError.of([Problem("a.yaml", "weeks", "expected x"), Problem("--set", "b", "y")])
    again = pickle.loads(pickle.dumps(error))
    assert again.problems == error.problems and str(again) == str(error)
    assert (again.file, again.key, again.expected) == ("a.yaml", "weeks", "expected x")
