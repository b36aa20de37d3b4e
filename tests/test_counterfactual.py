"""The counterfactual of a comparison is named on page 1 and in every table, whichever scenario
it is."""

from __future__ import annotations

import pandas as pd
from conftest import SCENARIOS
from typer.testing import CliRunner

from sim.cli.main import app
from sim.scenarios import load_scenario

runner = CliRunner()
SMALL = ["--replicates", "3", "--weeks", "60", "--workers", "1"]  # unrest starts in week 52


def test_any_scenario_can_be_the_counterfactual_and_it_is_named_everywhere(tmp_path):
    reference = SCENARIOS / "unrest.yaml"  # not the baseline: a world with unrest
    scenario = tmp_path / "surge.yaml"
    scenario.write_text(
        f"extends: {reference}\nname: unrest_and_surge\ninterventions:\n"
        "  - {type: interdiction_surge, week: 1, weeks: 2, factor: 3, nodes: [callao]}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    res = runner.invoke(app, ["compare", str(reference), str(scenario), *SMALL, "--out", str(out)])
    assert res.exit_code == 0, res.output
    described = " ".join(load_scenario(reference).description.split())
    md = (out / "briefing.md").read_text(encoding="utf-8")
    page_one = md.split("## Key findings")[0]
    title = load_scenario(reference).title  # named by its title, as everywhere
    assert page_one.startswith(f"# Briefing: Unrest and surge against {title}\n")
    flat = " ".join(page_one.split())
    assert f'Counterfactual ("baseline" in this briefing): {title} (unrest): {described}' in flat
    for table in ("comparison.csv", "exit_shares.csv", "chance_events.csv"):
        assert set(pd.read_csv(out / table)["counterfactual"]) == {"unrest"}, table
    assert f"Change against {title} (the counterfactual" in md
