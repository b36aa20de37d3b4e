"""The explorer's state and scenario builder, without a browser: what is set and triggered is
exported as a scenario that `vraem check` accepts and `vraem run --replicates 1` reproduces bit
for bit; slider changes appear in the YAML; bad files and settings give a message, never a
traceback."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time

import pandas as pd
import pytest
import yaml
from conftest import SCENARIOS
from typer.testing import CliRunner

from sim.app import actions
from sim.app.builder import scenario_yaml
from sim.app.settings import defaults
from sim.app.state import Explorer, run_seed
from sim.cli.main import app
from sim.interventions import InterventionSchedule
from sim.runner.seeds import replicate_seeds
from sim.scenarios import load_scenario

runner = CliRunner()


def explorer(path, **changes) -> Explorer:
    """An explorer on a scenario file with its own settings, some changed, and no baseline."""
    values = {**defaults(load_scenario(path)), "side_by_side": False, **changes}
    return Explorer(str(path), **values)


def test_the_explorer_seeds_its_run_as_vraem_run_seeds_replicate_0():
    assert run_seed(20231113) == replicate_seeds(20231113, 10)[0]
    ex = explorer(SCENARIOS / "baseline.yaml", seed="7", weeks=13)
    assert ex.run.seed == replicate_seeds(7, 1)[0]


def test_the_exported_scenario_reproduces_the_explorers_run_exactly(tmp_path):
    """Settings changed, arrests and a Callao surge at chosen weeks (one in the week of the
    scenario's own arrest), then `vraem check` and `vraem run --replicates 1` of the export."""
    ex = explorer(
        SCENARIOS / "arrest_leader.yaml",
        weeks=60,
        seed="7",
        start_date="2024-03-04",
        interdiction_capacity=0.8,
        markup=0.5,
        export_demand=1.2,
    )
    taken = {
        8: [actions.arrest(0, "successors", "killed")],
        52: [actions.callao_surge(0, 2.5, 6), actions.unrest(0, 0.6, 4)],
        55: [actions.arrest(0, "leader", "drawn"), actions.closure(0, "bolivia_air", 3)],
    }
    while not ex.run.finished:
        for spec in taken.get(ex.week, []):
            assert ex.act(spec), ex.notice
        ex.step()
    assert ex.week == 60 and not ex.running
    path = tmp_path / "explored.yaml"
    path.write_text(scenario_yaml(ex), encoding="utf-8")

    checked = runner.invoke(app, ["check", str(path)])
    assert checked.exit_code == 0, checked.output
    scenario = load_scenario(path)
    weeks = [(iv.week, iv.type) for iv in scenario.interventions]
    assert weeks == [
        (52, "arrest_leader"),  # the scenario's own, first
        (8, "arrest_leader"),
        (52, "interdiction_surge"),
        (52, "unrest"),
        (55, "arrest_leader"),
        (55, "route_closure"),
    ]

    out = tmp_path / "run"
    args = ["run", str(path), "--replicates", "1", "--workers", "1", "--no-figures"]
    ran = runner.invoke(app, [*args, "--out", str(out)])
    assert ran.exit_code == 0, ran.output
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "timeseries.parquet"), ex.run.timeseries(), check_exact=True
    )
    events = pd.read_parquet(out / "events.parquet")
    pd.testing.assert_frame_equal(events, ex.run.events(), check_exact=True)
    kinds = set(events["type"])
    assert {"arrest_leader", "interdiction_surge", "unrest", "route_closure"} <= kinds


def test_settings_changed_with_the_sliders_are_in_the_exported_yaml():
    ex = explorer(
        SCENARIOS / "baseline.yaml",
        interdiction_capacity=1.25,
        callao_port_control=2.0,
        export_demand=1.5,
        ambushes_per_year=4.0,
        markup=0.45,
        seed="99",
        start_date="2024-01-01",
        weeks=104,
    )
    assert ex.problem == ""
    data = yaml.safe_load(scenario_yaml(ex))
    assert data["security"]["interdiction_capacity"] == 1.25
    assert data["network"]["exit_risk_factor"] == {"callao": 2.0}
    absorption = load_scenario(SCENARIOS / "baseline.yaml").market.exit_absorption_kg_per_week
    assert data["market"]["exit_absorption_kg_per_week"] == {
        k: round(v * 1.5, 1) for k, v in absorption.items()
    }
    assert data["armed_group"]["violence"]["ambushes_per_year"] == 4.0
    assert data["traffickers"]["markup"] == 0.45
    assert (data["seed"], data["start_date"], data["weeks"]) == (99, dt.date(2024, 1, 1), 104)
    assert data["replicates"] == 1
    assert "eradication_ha_per_week" not in data.get("security", {})  # unchanged: not written
    assert ex.run.model.config.security.interdiction_capacity == 1.25  # the run used it


def test_a_setting_left_alone_is_not_written():
    ex = explorer(SCENARIOS / "baseline.yaml")
    assert ex.changed == {}
    text = scenario_yaml(ex)
    assert "Settings changed: none" in text
    # only the scenario's own overrides (the calibrated block of baseline.yaml), no setting
    shipped = yaml.safe_load((SCENARIOS / "baseline.yaml").read_text(encoding="utf-8"))
    assert yaml.safe_load(text)["security"] == shipped["security"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("name: x\nsecurity: {interdiction_capacity: -1}\n", "security.interdiction_capacity"),
        ("name: x\nweeks: [1\n", "not valid YAML"),
        ("name: x\nsecurity: {interdiction_capasity: 2}\n", "security.interdiction_capasity"),
    ],
)
def test_a_bad_scenario_opened_in_the_explorer_gives_a_clear_message(tmp_path, text, said):
    from sim.app.views import open_scenario

    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    message = open_scenario(str(path))
    assert "bad.yaml" in message and said in message
    assert "Traceback" not in message
    ex = Explorer(str(path))  # never raises
    assert ex.problem == message and not ex.running and ex.run is None
    ex.step()  # does nothing
    assert not ex.act(actions.arrest(0, "leader"))


def test_a_missing_file_gives_a_clear_message(tmp_path):
    from sim.app.views import open_scenario

    message = open_scenario(str(tmp_path / "missing.yaml"))
    assert "missing.yaml" in message and "not found" in message


def test_bad_settings_name_the_setting_and_do_not_run():
    ex = explorer(SCENARIOS / "baseline.yaml", seed="seven", start_date="2023-13-01")
    assert "seed" in ex.problem and "start_date" in ex.problem
    assert ex.run is None and not ex.running
    short = explorer(SCENARIOS / "arrest_leader.yaml", weeks=26)  # its arrest is in week 52
    assert "interventions.0.week" in short.problem


def test_an_action_is_refused_when_repeated_in_a_week_or_after_the_horizon():
    ex = explorer(SCENARIOS / "baseline.yaml", weeks=13)
    assert ex.act(actions.arrest(0, "leader"))
    assert not ex.act(actions.arrest(0, "leader"))
    assert "duplicate" in ex.notice
    assert not ex.act(actions.closure(0, "atlantis", 4))
    assert "atlantis" in ex.notice
    while ex.running:
        ex.step()
    assert not ex.act(actions.unrest(0))
    assert "horizon" in ex.notice
    assert len(ex.acts) == 1


def test_actions_taken_while_mesas_player_steps_in_a_thread_all_start_at_their_week():
    ex = explorer(SCENARIOS / "baseline.yaml", weeks=26)
    player = threading.Thread(target=lambda: [ex.step() for _ in range(26)])
    player.start()
    factor = 1.5
    while player.is_alive():
        ex.act(actions.callao_surge(0, factor, 2))
        factor += 0.5
        time.sleep(0.01)
    player.join()
    started = [w for w, kind, *_ in ex.run.model.recorder.events if kind == "interdiction_surge"]
    assert ex.acts and started == [spec["week"] for spec in ex.acts]


def test_the_log_shows_what_is_queued_then_what_happened():
    ex = explorer(SCENARIOS / "baseline.yaml", weeks=13)
    ex.step()
    ex.act(actions.arrest(0, "leader"))
    queued = ex.log()[0]
    assert queued.queued and queued.week == 1 and queued.kind == "arrest_leader"
    ex.step()
    assert not ex.log()[0].queued
    assert any(r.kind == "arrest_leader" and "captured" in r.outcome for r in ex.log())


def test_side_by_side_steps_the_shipped_baseline_on_the_same_seed():
    ex = explorer(SCENARIOS / "arrest_leader.yaml", side_by_side=True, weeks=60, seed="3")
    for _ in range(20):
        ex.step()
    assert ex.twin.week == 20 and ex.twin.scenario.name == "baseline"
    assert (ex.twin.scenario.weeks, ex.twin.scenario.seed) == (60, 3)
    assert ex.twin.seed == ex.run.seed
    # before the scenario's arrest (week 52) both are the baseline: the same weeks
    mine = ex.run.timeseries().drop(columns="scenario")
    pd.testing.assert_frame_equal(mine, ex.twin.timeseries().drop(columns="scenario"))


def test_a_queued_intervention_starts_after_those_of_its_week():
    schedule = InterventionSchedule([])
    first = load_scenario(SCENARIOS / "arrest_leader.yaml").interventions[0]  # week 52
    schedule.add(first)
    later = first.model_copy(update={"who": "successors"})
    earlier = first.model_copy(update={"week": 10})
    schedule.add(later)
    schedule.add(earlier)
    assert [(a.week, a.spec.who) for a in schedule.pending] == [
        (10, "leader"),
        (52, "leader"),
        (52, "successors"),
    ]


# ----------------------------------------------------------------------------------------------
# the command
# ----------------------------------------------------------------------------------------------
def test_vraem_app_on_a_missing_or_bad_file_exits_2_naming_it(tmp_path):
    missing = runner.invoke(app, ["app", str(tmp_path / "missing.yaml")])
    assert missing.exit_code == 2
    assert "missing.yaml" in missing.output and "not found" in missing.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsecurity: {interdiction_capacity: -1}\n", encoding="utf-8")
    result = runner.invoke(app, ["app", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml" in result.output and "security.interdiction_capacity" in result.output
    assert "Traceback" not in result.output


def test_vraem_app_on_a_port_in_use_exits_2_saying_so():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["app", "--port", str(port)])
    assert result.exit_code == 2
    assert f"port {port}" in result.output and "in use" in result.output
