"""Page 1's bottom line and options x outcomes scorecard, and --focus."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import SCENARIOS
from typer.testing import CliRunner

from sim.cli.main import app
from sim.report.scorecard import BETTER, SCORECARD, UNCLEAR, WORSE, bottom_line, verdict

runner = CliRunner()


def _row(change, lo, hi, clear, relative=True, outcome="exports"):
    return type(
        "Row",
        (),
        dict(change=change, change_lo=lo, change_hi=hi, clear=clear, relative=relative,
             outcome=outcome),
    )()  # fmt: skip


@pytest.mark.parametrize(
    ("outcome", "change", "clear", "expected"),
    [
        ("exports", -4.3, True, BETTER),
        ("exports", 2.0, True, WORSE),
        ("seizures", 60.0, True, BETTER),  # more cocaine seized
        ("violent deaths", 5.0, True, WORSE),
        ("violent deaths", 5.0, False, UNCLEAR),  # its interval includes zero
    ],
)
def test_an_option_is_better_worse_or_unclear_by_the_direction_a_government_wants(
    outcome, change, clear, expected
):
    sign = dict(SCORECARD)[outcome]
    assert verdict(_row(change, change - 1, change + 1, clear, outcome=outcome), sign) == expected


def test_the_bottom_line_names_what_each_option_improves_and_worsens():
    rows = []
    for outcome, _sign in SCORECARD:
        change, clear = {"exports": (-4.3, True), "seizures": (60.0, True)}.get(
            outcome, (0.5, False)
        )
        rows.append(
            dict(scenario="surge", outcome=outcome, window="during", change=change,
                 change_lo=change - 1, change_hi=change + 1, clear=clear,
                 relative=outcome not in ("violent deaths", "armed groups"),
                 date_from="2024-01-01", date_to="2025-12-28")
        )  # fmt: skip
    text = bottom_line(pd.DataFrame(rows), ["surge"], "baseline")
    assert text.startswith("Against Baseline: ")
    assert (
        "Surge, while the interventions run (Jan 2024\u2013Dec 2025), is better on exports "
        "(-4.3%) and seizures (+60%)"
    ) in text
    assert f"no clear change on the other {len(SCORECARD) - 2}" in text


def test_page_one_opens_with_the_bottom_line_and_the_scorecard_and_focus_picks_the_details(
    tmp_path,
):
    files = []
    for name, iv in (
        ("surge", "{type: interdiction_surge, week: 1, weeks: 3, factor: 3, nodes: [callao]}"),
        ("airstrips", "{type: route_closure, week: 1, weeks: 3, nodes: [airstrip_pichari]}"),
    ):
        path = tmp_path / f"{name}.yaml"
        path.write_text(
            f"extends: {SCENARIOS / 'baseline.yaml'}\nname: {name}\ninterventions:\n  - {iv}\n",
            encoding="utf-8",
        )
        files.append(str(path))
    out = tmp_path / "out"
    args = ["compare", str(SCENARIOS / "baseline.yaml"), *files, "--replicates", "3"]
    args += ["--weeks", "6", "--workers", "1", "--focus", "airstrips", "--out", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    md = (out / "briefing.md").read_text(encoding="utf-8")
    page_one = md.split("## Key findings")[0]
    assert (
        "## Bottom line" in page_one
        and "Against Baseline (current policy): Surge, while the " in page_one
    )
    header = next(line for line in page_one.splitlines() if line.startswith("| Option | "))
    assert header.count("|") == len(SCORECARD) + 2
    for label in ("Surge", "Airstrips"):
        assert any(line.startswith(f"| {label} (") for line in page_one.splitlines()), label
    assert "## Airstrips in detail" in md  # --focus


def test_an_unknown_focus_is_bad_input_naming_the_scenarios(tmp_path):
    args = ["compare", str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "unrest.yaml")]
    res = runner.invoke(app, [*args, "--focus", "unrset", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert "--focus" in res.output and "unrest" in res.output and "unrset" in res.output
    assert not (tmp_path / "o").exists()
