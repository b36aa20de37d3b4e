"""A corpus of bad inputs: every one exits 2 with one message that names the file (or `--set`)
and the key, prints no traceback, and leaves nothing behind.

Each case is a scenario or sweep file (written into a fresh folder) and a command; the command
runs in an empty working folder, so any output it wrote would show there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import SCENARIOS
from typer.testing import CliRunner

from sim.cli.main import app

BASELINE = SCENARIOS / "baseline.yaml"
HEAD = f"extends: {BASELINE}\nname: bad\n"
runner = CliRunner()


@dataclass
class Case:
    """A bad input: the file's text, the key the message must name, and the command."""

    text: str
    key: str
    command: str = "check"  # check | run | sweep
    names: str = "bad.yaml"  # what the message must name as the source (a file or --set)
    extra: list[str] = field(default_factory=list)  # more arguments
    files: dict[str, str | bytes] = field(default_factory=dict)  # other files beside it
    says: str = ""  # what else the message must say (for checks across fields)


def scen(body: str, key: str, **kw) -> Case:
    """A scenario that extends the baseline with `body`."""
    return Case(HEAD + body, key, **kw)


def iv(spec: str, key: str, **kw) -> Case:
    """A scenario with one intervention."""
    return scen(f"interventions:\n  - {spec}\n", key, **kw)


# a valid leader and commander of armed_group.cadres, for cases that break one thing
LEADER = "id: a, name: A, rank: leader, age: 60, base: pichari"
COMMANDER = "id: c, name: C, rank: commander, age: 40, base: kimbiri"
SURGE = "{type: interdiction_surge, week: 5, weeks: 4, factor: 2, nodes: [callao]"
CLOSE = "{type: route_closure, week: 5, weeks: 4, nodes: [callao]"
ERAD = "{type: eradication, week: 5, weeks: 4, hectares: 100, districts: [pichari]"
ARREST = "{type: arrest_leader, week: 5, who: leader"
SPLIT = "{type: fragmentation, week: 5, gangs: 3"
UNREST = "{type: unrest, week: 5, weeks: 4, factor: 0.5"
DEMAND = "{type: demand_shock, week: 5, weeks: 4, factor: 0.5"
SUBST = "{type: crop_substitution, week: 5, weeks: 4, subsidy_usd_per_ha_year: 100, districts: all"
INTERVENTIONS = {
    "surge": SURGE,
    "closure": CLOSE,
    "eradication": ERAD,
    "arrest": ARREST,
    "split": SPLIT,
    "unrest": UNREST,
    "demand": DEMAND,
    "substitution": SUBST,
}

SWEEP = (
    f"base: {BASELINE}\nmethod: grid\nreplicates: 1\nmetrics: [exported_t]\nyears: [1, 1]\n"
    "scenario: {weeks: 8}\n"
)


def sweep(body: str, key: str, name: str = "bad_sweep", **kw) -> Case:
    """A sweep file over the baseline."""
    params = "parameters:\n  security.interdiction_capacity: {values: [1.0, 2.0]}\n"
    text = f"name: {name}\n" + SWEEP + (body if "parameters:" in body else params + body)
    return Case(text, key, **kw)


CASES: dict[str, Case] = {
    # --- unknown keys at every level ------------------------------------------------------
    "unknown top-level key": Case("name: bad\nhorizon: 5\n", "horizon"),
    "unknown growers key": scen("growers: {hectares: 5}\n", "growers.hectares"),
    "unknown armed_group key": scen("armed_group: {boss: x}\n", "armed_group.boss"),
    "unknown cadre key": scen(
        "armed_group:\n  cadres:\n    - {" + LEADER + ", colour: red}\n",
        "armed_group.cadres.0.colour",
    ),
    "unknown traffickers key": scen("traffickers: {cartels: 3}\n", "traffickers.cartels"),
    "unknown lot mode": scen("traffickers: {lot_kg: {submarine: 5}}\n", "traffickers.lot_kg"),
    "unknown security key": scen("security: {drones: 3}\n", "security.drones"),
    "unknown market key": scen("market: {tariff: 3}\n", "market.tariff"),
    "unknown network key": scen("network: {roads: 3}\n", "network.roads"),
    "unknown edge override key": scen(
        "network: {edge_overrides: [{u: lima, v: callao, tolls: 3}]}\n",
        "network.edge_overrides.0.tolls",
    ),
    **{
        f"unknown key in {name}": iv(spec + ", colour: red}", "colour")
        for name, spec in INTERVENTIONS.items()
    },
    "unknown intervention type": iv("{type: invasion, week: 5}", "interventions.0"),
    # --- wrong types ------------------------------------------------------------------------
    "weeks is text": scen("weeks: many\n", "weeks"),
    "seed is a list": scen("seed: [1, 2]\n", "seed"),
    "households is fractional": scen("growers: {households: 2000.5}\n", "growers.households"),
    "section is a scalar": scen("growers: 5\n", "growers"),
    "mapping is a list": scen("armed_group: {territory: [pichari]}\n", "armed_group.territory"),
    "cadres is a mapping": scen("armed_group: {cadres: {id: a}}\n", "armed_group.cadres"),
    "unknown cadre rank": scen(
        "armed_group:\n  cadres:\n    - {"
        + LEADER.replace("rank: leader", "rank: general")
        + "}\n",
        "armed_group.cadres.0.rank",
    ),
    "price is text": scen("market: {exit_price_usd_per_kg: {callao: cheap}}\n", "callao"),
    "interventions is a mapping": scen("interventions: {week: 5}\n", "interventions"),
    "surge factor is text": iv(SURGE.replace("factor: 2", "factor: big") + "}", "factor"),
    "name is a list": Case(f"extends: {BASELINE}\nname: [a, b]\n", "name"),
    # --- out of range -----------------------------------------------------------------------
    "effectiveness above 1": scen("security: {effectiveness: 1.5}\n", "security.effectiveness"),
    "negative households": scen("growers: {households: -3}\n", "growers.households"),
    "zero weeks": scen("weeks: 0\n", "weeks"),
    "zero replicates": scen("replicates: 0\n", "replicates"),
    "negative seed": scen("seed: -1\n", "seed"),
    "tax rate above 1": scen("armed_group: {leaf_tax_rate: 2}\n", "armed_group.leaf_tax_rate"),
    "zero coca area": scen("growers: {initial_coca_ha: 0}\n", "growers.initial_coca_ha"),
    "too many army units": scen("security: {army_units: 500}\n", "security.army_units"),
    "negative intervention week": iv(SURGE.replace("week: 5", "week: -1") + "}", "week"),
    "zero surge weeks": iv(SURGE.replace("weeks: 4", "weeks: 0") + "}", "weeks"),
    "arrest success above 1": iv(ARREST + ", success_probability: 1.5}", "success_probability"),
    "one gang": iv(SPLIT.replace("gangs: 3", "gangs: 1") + "}", "gangs"),
    # --- NaN and infinity -------------------------------------------------------------------
    "infinite coca area": scen("growers: {initial_coca_ha: .inf}\n", "growers.initial_coca_ha"),
    "NaN interdiction": scen(
        "security: {interdiction_capacity: .nan}\n", "security.interdiction_capacity"
    ),
    "infinite exit price": scen("market: {exit_price_usd_per_kg: {callao: .inf}}\n", "callao"),
    "NaN fraction": scen("traffickers: {markup: .nan}\n", "traffickers.markup"),
    "infinite lethality": scen(
        "armed_group: {violence: {lethality: .inf}}\n", "armed_group.violence.lethality"
    ),
    "NaN kin weight of succession": scen(
        "armed_group: {succession: {kin_weight: .nan}}\n", "armed_group.succession.kin_weight"
    ),
    "infinite surge factor": iv(SURGE.replace("factor: 2", "factor: .inf") + "}", "factor"),
    "NaN subsidy": iv(SUBST.replace(": 100", ": .nan") + "}", "subsidy_usd_per_ha_year"),
    "minus infinity hectares": iv(
        ERAD.replace("hectares: 100", "hectares: -.inf") + "}", "hectares"
    ),
    # --- names the network does not have ----------------------------------------------------
    "unknown district share": scen(
        "growers: {district_coca_share: {narnia: 0.5}}\n", "growers.district_coca_share.narnia"
    ),
    "unknown territory district": scen(
        "armed_group: {territory: {narnia: 0.5}}\n", "armed_group.territory.narnia"
    ),
    "unknown exit price": scen(
        "market: {exit_price_usd_per_kg: {atlantis: 3000}}\n", "market.exit_price_usd_per_kg"
    ),
    "unknown exit risk factor": scen(
        "network: {exit_risk_factor: {atlantis: 2}}\n", "network.exit_risk_factor.atlantis"
    ),
    "unknown override node": scen(
        "network: {edge_overrides: [{u: atlantis, v: lima, km: 10}]}\n",
        "network.edge_overrides.0.u",
    ),
    "override of a missing edge": scen(
        "network: {edge_overrides: [{u: pichari, v: callao, km: 10}]}\n",
        "network.edge_overrides.0",
    ),
    "surge on an unknown node": iv(SURGE.replace("[callao]", "[atlantis]") + "}", "nodes.0"),
    "closure of an unknown edge": iv(
        "{type: route_closure, week: 5, weeks: 4, edges: [[lima, cusco]]}", "edges.0"
    ),
    "eradication in an unknown district": iv(
        ERAD.replace("[pichari]", "[pichari, narnia]") + "}", "districts.1"
    ),
    "demand shock at an unknown exit": iv(DEMAND + ", exits: [atlantis]}", "exits.0"),
    "arrest of an unknown cadre": iv(ARREST.replace("who: leader", "who: comrade_x") + "}", "who"),
    "no leader among the cadres": scen(
        "armed_group:\n  cadres:\n    - {" + LEADER.replace("rank: leader", "rank: heir") + "}\n",
        "armed_group.cadres",
        says="expected exactly one with rank leader",
    ),
    "two leaders": scen(
        "armed_group:\n  cadres:\n    - {"
        + LEADER
        + "}\n    - {"
        + LEADER.replace("id: a", "id: b")
        + "}\n",
        "armed_group.cadres",
        says="expected exactly one with rank leader",
    ),
    "two cadres with one id": scen(
        "armed_group:\n  cadres:\n    - {"
        + LEADER
        + "}\n    - {"
        + COMMANDER.replace("id: c", "id: a")
        + "}\n",
        "armed_group.cadres.1.id",
        says="'a' repeats",
    ),
    "a cadre based in an unknown district": scen(
        "armed_group:\n  cadres:\n    - {"
        + LEADER.replace("base: pichari", "base: narnia")
        + "}\n",
        "armed_group.cadres.0.base",
        says="expected a district of the route network",
    ),
    "a cadre with an unknown patron": scen(
        "armed_group:\n  cadres:\n    - {"
        + LEADER
        + "}\n    - {"
        + COMMANDER
        + ", patron: zorro}\n",
        "armed_group.cadres.1.patron",
        says="'zorro'",
    ),
    "a cadre with an unknown parent": scen(
        "armed_group:\n  cadres:\n    - {"
        + LEADER
        + "}\n    - {"
        + COMMANDER
        + ", parent: zorro}\n",
        "armed_group.cadres.1.parent",
        says="'zorro'",
    ),
    "a rival in an unknown district": scen(
        "armed_group:\n  rivals:\n    - {name: X, members: 10, territory: {narnia: 0.1}}\n",
        "armed_group.rivals.0.territory.narnia",
    ),
    "a rival without members": scen(
        "armed_group:\n  rivals:\n    - {name: X, members: 0, territory: {pichari: 0.1}}\n",
        "armed_group.rivals.0.members",
    ),
    # --- interventions outside the horizon, and contradictory ones ---------------------------
    "intervention after the horizon": scen(
        "weeks: 10\ninterventions:\n  - " + SURGE.replace("week: 5", "week: 10") + "}\n",
        "interventions.0.week",
    ),
    "arrest after the horizon": scen(
        "weeks: 10\ninterventions:\n  - " + ARREST.replace("week: 5", "week: 99") + "}\n",
        "interventions.0.week",
    ),
    "the same intervention twice": scen(
        f"interventions:\n  - {SURGE}}}\n  - {SURGE}}}\n", "interventions.1"
    ),
    "two splits in one week": scen(
        f"interventions:\n  - {SPLIT}}}\n  - {SPLIT.replace('gangs: 3', 'gangs: 2')}}}\n",
        "interventions.1.week",
    ),
    "armed shares reversed": scen(
        "armed_group: {armed_share_calm: 0.5, armed_share_besieged: 0.3}\n",
        "armed_group",
        says="armed_share_calm must not exceed armed_share_besieged",
    ),
    "a vote outside its period of unrest": iv(
        UNREST + ", election_week: 20}", "interventions.0", says="election_week must fall inside"
    ),
    "police presence bounds reversed": scen("security: {police_presence_min: 2.0}\n", "security"),
    "price bounds reversed": scen("market: {stock_pressure_min: 9.0}\n", "market"),
    # --- names that cannot name a folder -----------------------------------------------------
    "empty name": Case(f"extends: {BASELINE}\nname: ''\n", "name"),
    "name is a dot": Case(f"extends: {BASELINE}\nname: .\n", "name"),
    "name climbs out": Case(f"extends: {BASELINE}\nname: ../victim\n", "name"),
    "name of 300 characters": Case(f"extends: {BASELINE}\nname: {'x' * 300}\n", "name"),
    "name with a NUL byte": Case(f'extends: {BASELINE}\nname: "a\\0b"\n', "name"),
    # --- files that cannot be read as scenarios ----------------------------------------------
    "not YAML": Case("name: [unclosed\n", ""),
    "a list at the top level": Case("- name: x\n", ""),
    "a scalar at the top level": Case("just words\n", ""),
    "a duplicate key": Case(HEAD + "weeks: 5\nweeks: 6\n", ""),
    "a Python object tag": Case("name: !!python/object/apply:os.system ['true']\n", ""),
    "a Python name tag": Case("name: !!python/name:os.system\n", ""),
    "Latin-1 bytes": Case("", "", files={"bad.yaml": b"name: caf\xe9\n"}),
    "nesting 20,000 deep": Case("name: x\nweeks: " + "[" * 20_000 + "]" * 20_000 + "\n", ""),
    "nesting 40 deep": Case("name: x\ngrowers: " + "[" * 40 + "]" * 40 + "\n", "growers"),
    "a file of 2 MB": Case("name: x\n" + "#" * 2_000_000 + "\n", ""),
    "extends a missing file": Case("extends: nowhere.yaml\nname: x\n", "extends"),
    "extends is a number": Case("extends: 5\nname: x\n", "extends"),
    "extends itself in a cycle": Case(
        "extends: other.yaml\nname: x\n",
        "extends",
        files={"other.yaml": "extends: bad.yaml\nname: y\n"},
    ),
    # --- --set ------------------------------------------------------------------------------
    "--set without =": Case(HEAD, "weeks", command="run", names="--set", extra=["--set", "weeks"]),
    "--set of an unknown key": Case(
        HEAD, "security.nope", command="run", names="--set", extra=["--set", "security.nope=1"]
    ),
    "--set of infinity": Case(
        HEAD,
        "growers.initial_coca_ha",
        command="run",
        names="--set",
        extra=["--set", "growers.initial_coca_ha=inf"],
    ),
    "--set of an unknown district": Case(
        HEAD,
        "armed_group.territory.narnia",
        command="run",
        names="--set",
        extra=["--set", "armed_group.territory.narnia=0.5"],
    ),
    "--set past the end of a list": Case(
        HEAD,
        "interventions.3.week",
        command="run",
        names="--set",
        extra=["--set", "interventions.3.week=5"],
    ),
    "--set inside a number": Case(
        HEAD, "weeks.x", command="run", names="--set", extra=["--set", "weeks.x=5"]
    ),
    "--set of a bad name": Case(
        HEAD, "name", command="run", names="--set", extra=["--set", "name=../up"]
    ),
    # --- sweep files ------------------------------------------------------------------------
    "sweep with an empty name": sweep("", "name", name="''"),
    "sweep named dot": sweep("", "name", name="."),
    "sweep name climbs out": sweep("", "name", name="../victim"),
    "sweep with an unknown method": Case(
        "name: s\n"
        + SWEEP.replace("method: grid", "method: guess")
        + "parameters:\n  weeks: {values: [5]}\n",
        "method",
    ),
    "sweep of an unknown key": sweep(
        "parameters:\n  security.drones: {values: [1, 2]}\n", "parameters.security.drones"
    ),
    "sweep value out of range": sweep(
        "parameters:\n  security.effectiveness: {values: [0.5, 2.0]}\n",
        "parameters.security.effectiveness",
    ),
    "sweep of an unknown metric": Case(
        "name: s\n"
        + SWEEP.replace("[exported_t]", "[happiness]")
        + "parameters:\n  security.interdiction_capacity: {values: [1.0]}\n",
        "metrics",
    ),
    "sweep scenario block with an unknown key": Case(
        "name: s\n"
        + SWEEP.replace("scenario: {weeks: 8}", "scenario: {weeks: 8, colour: red}")
        + "parameters:\n  security.interdiction_capacity: {values: [1.0]}\n",
        "scenario.colour",
    ),
    "sweep over a bad base": Case(
        "name: s\n"
        + SWEEP.replace(str(BASELINE), "base.yaml")
        + "parameters:\n  security.interdiction_capacity: {values: [1.0]}\n",
        "growers.hectares",
        names="base.yaml",
        files={"base.yaml": HEAD + "growers: {hectares: 5}\n"},
    ),
    "sweep with a missing base": Case(
        "name: s\n"
        + SWEEP.replace(str(BASELINE), "missing.yaml")
        + "parameters:\n  security.interdiction_capacity: {values: [1.0]}\n",
        "base",
    ),
    "sweep file with a duplicate key": Case("name: s\nname: t\n" + SWEEP, ""),
    "sweep of effects of no intervention": sweep("effects: true\n", "effects"),
    "sweep of a ratio without effects": sweep("effect_ratio: true\n", "effect_ratio"),
    "sweep with both weeks and years": sweep("weeks: [0, 5]\n", "weeks"),
    "sweep window past the horizon": Case(
        "name: s\n"
        + SWEEP.replace("years: [1, 1]", "weeks: [0, 8]")
        + "parameters:\n  security.interdiction_capacity: {values: [1.0]}\n",
        "weeks",
    ),
    "sweep run of a bad file": sweep("", "name", name=".", command="sweep"),
}
RUN_TOO = [
    "unknown growers key",
    "infinite coca area",
    "intervention after the horizon",
    "name of 300 characters",
    "Latin-1 bytes",
    "nesting 20,000 deep",
]


def _invoke(case: Case, tmp_path: Path, monkeypatch, command: str) -> tuple[int, str, Path]:
    inputs, work = tmp_path / "in", tmp_path / "work"
    inputs.mkdir()
    work.mkdir()
    files = {"bad.yaml": case.text, **case.files}
    for name, content in files.items():
        target = inputs / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    monkeypatch.chdir(work)
    args = [command, str(inputs / "bad.yaml"), *case.extra]
    if command == "run":
        args += ["--replicates", "1", "--weeks", "4", "--workers", "1"]
    result = runner.invoke(app, args)
    before = sorted(files)
    assert sorted(p.name for p in inputs.iterdir()) == before, "an input folder changed"
    return result.exit_code, result.output + (result.stderr or ""), work


@pytest.mark.parametrize("name", CASES)
def test_a_bad_input_exits_2_naming_the_file_and_the_key(name, tmp_path, monkeypatch):
    case = CASES[name]
    code, message, work = _invoke(case, tmp_path, monkeypatch, case.command)
    assert code == 2, message
    assert "Traceback" not in message
    assert case.names in message, message
    assert case.key in message, message
    assert case.says in " ".join(message.split()), message
    assert list(work.iterdir()) == [], "something was left behind"


@pytest.mark.parametrize("name", RUN_TOO)
def test_vraem_run_of_a_bad_file_stops_before_running(name, tmp_path, monkeypatch):
    code, message, work = _invoke(CASES[name], tmp_path, monkeypatch, "run")
    assert code == 2, message
    assert "Traceback" not in message and "bad.yaml" in message
    assert list(work.iterdir()) == []


def test_the_corpus_covers_at_least_80_bad_inputs():
    assert len(CASES) >= 80


# --- output folders that cannot be written: read-only, full, over the file size limit ----------
@pytest.fixture
def tmpfs(tmp_path):
    """Mount a small tmpfs (read-only or 64 kB) at a path; unmounted afterwards."""
    import subprocess

    mounted = []

    def mount(options: str) -> Path:
        point = tmp_path / f"mnt{len(mounted)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)])
        if done.returncode != 0:
            pytest.skip("cannot mount a tmpfs here (needs root, as in CI)")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", str(point)], check=False)


def _sweep_file(folder: Path) -> Path:
    path = folder / "tiny_sweep.yaml"
    params = "parameters:\n  security.interdiction_capacity: {values: [1.0]}\n"
    path.write_text("name: tiny\n" + SWEEP + params, encoding="utf-8")
    return path


def _writing_commands(inputs: Path, out: Path) -> dict[str, list[str]]:
    small = ["--replicates", "1", "--weeks", "4", "--workers", "1"]
    scenario = inputs / "unrest.yaml"
    scenario.write_text(
        HEAD.replace("name: bad", "name: unrest")
        + "interventions:\n  - {type: unrest, week: 1, weeks: 2, factor: 0.5}\n",
        encoding="utf-8",
    )
    return {
        "run": ["run", str(BASELINE), *small, "--out", str(out)],
        "compare": [
            "compare",
            str(BASELINE),
            str(scenario),
            *small,
            "--replicates",
            "3",
            "--out",
            str(out),
        ],
        "sweep": ["sweep", str(_sweep_file(inputs)), "--workers", "1", "--out", str(out)],
    }


@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
# 8 kB (two pages) holds the lock files but not a result's tables: the data cannot be written
@pytest.mark.parametrize("options", ["ro,size=1m", "size=8k"], ids=["read-only", "full"])
def test_an_output_folder_that_cannot_be_written_exits_2_leaving_nothing(
    command, options, tmpfs, tmp_path
):
    place = tmpfs(options)
    out = place / "results"
    inputs = tmp_path / "in"
    inputs.mkdir()
    result = runner.invoke(app, _writing_commands(inputs, out)[command])
    message = result.output + (result.stderr or "")
    assert result.exit_code == 2, message
    assert str(out) in " ".join(message.split()) and "--out" in message
    assert "Traceback" not in message
    left = [p.name for p in place.iterdir()]
    # nothing is published; a sweep keeps its hidden work folder of finished runs for --resume
    assert left == [] or (command == "sweep" and left == [".results.partial"]), left


def test_an_output_over_the_file_size_limit_exits_2_leaving_nothing(tmp_path):
    import resource
    import subprocess
    import sys

    def limit_files_to_4_kb() -> None:  # smaller than a result's tables
        resource.setrlimit(resource.RLIMIT_FSIZE, (4 * 1024, 4 * 1024))

    place = tmp_path / "place"
    place.mkdir()
    args = [sys.executable, "-m", "sim", "run", str(BASELINE), "--replicates", "1"]
    args += ["--weeks", "30", "--workers", "1", "--out", str(place / "results")]
    done = subprocess.run(
        args, capture_output=True, text=True, preexec_fn=limit_files_to_4_kb, timeout=300
    )
    assert done.returncode == 2, done.stderr
    assert "--out" in done.stderr and "Traceback" not in done.stderr
    assert list(place.iterdir()) == []


def test_a_rival_faction_that_passes_the_check_also_runs(tmp_path, monkeypatch):
    case = scen("armed_group:\n  rivals:\n    - {name: X, members: 10, territory: {}}\n", "")
    for step in ("check", "run"):
        (tmp_path / step).mkdir()
    checked, _, _ = _invoke(case, tmp_path / "check", monkeypatch, "check")
    if checked == 2:
        return  # refused up front: also fine
    code, message, _ = _invoke(case, tmp_path / "run", monkeypatch, "run")
    assert code == 0, message
