"""Windows that follow each scenario's timing, stated in dates; `--window`; the start-up weeks
never drawn or counted; every time axis of a briefing in dates; scenario titles."""

from __future__ import annotations

import datetime as dt
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS, baseline
from typer.testing import CliRunner

from sim.cli.main import app
from sim.config.interventions import ArrestLeader, InterdictionSurge
from sim.config.loader import ConfigError
from sim.report.briefing_series import armed_groups_figure, fan_chart_figure
from sim.report.calendar import week_date
from sim.report.compare import Pair
from sim.report.effects import effect_table, exit_share_table
from sim.report.windows import (
    START_UP_WEEKS,
    before_window,
    parse_window,
    parse_windows,
    scenario_windows,
)
from sim.runner.batch import run_scenario

runner = CliRunner()
MONTH = re.compile(r"^(?:[A-Z][a-z]{2} )?\d{4}$")  # "Jan 2024", or "2024" on long runs


def _surge(week: int, weeks: int) -> InterdictionSurge:
    return InterdictionSurge(
        type="interdiction_surge", week=week, weeks=weeks, nodes=["callao"], factor=3.0
    )


def _spans(scenario) -> dict[str, tuple[int, int]]:
    return {w.name: (w.start, w.last) for w in scenario_windows(scenario)}


def test_a_timed_intervention_is_measured_while_it_runs_after_it_and_in_its_first_year():
    sc = baseline(weeks=312, interventions=[_surge(52, 104)])
    assert _spans(sc) == {"during": (52, 155), "after": (156, 311), "first year": (52, 103)}


def test_one_week_events_are_measured_after_the_last_one_and_in_the_first_year_not_during():
    arrest = ArrestLeader(type="arrest_leader", week=52, who="leader")
    sc = baseline(weeks=260, interventions=[arrest])
    assert _spans(sc) == {"after": (52, 259), "first year": (52, 103)}
    # the heirs, then the leader 12 weeks later: after the leader, first year from the heirs
    heirs = ArrestLeader(type="arrest_leader", week=40, who="successors")
    sc = baseline(weeks=260, interventions=[heirs, arrest])
    assert _spans(sc) == {"after": (52, 259), "first year": (40, 91)}


def test_an_arrest_during_a_surge_is_measured_after_the_surge_ends():
    arrest = ArrestLeader(type="arrest_leader", week=200, who="leader")
    sc = baseline(weeks=312, interventions=[_surge(52, 104), arrest])
    assert _spans(sc) == {"during": (52, 155), "after": (156, 311), "first year": (52, 103)}


def test_windows_are_cut_at_the_horizon_and_empty_ones_left_out():
    sc = baseline(weeks=80, interventions=[_surge(52, 104)])
    assert _spans(sc) == {"during": (52, 79), "first year": (52, 79)}


def test_a_window_in_dates_is_the_same_weeks_as_in_weeks():
    sc = baseline(weeks=312)
    start = sc.start_date
    by_date = parse_window(
        f"surge={week_date(start, 52).isoformat()}:{(week_date(start, 156) - dt.timedelta(1))}"
    ).resolve(sc)
    by_week = parse_window("surge=52:155").resolve(sc)
    assert (by_date.start, by_date.stop) == (by_week.start, by_week.stop) == (52, 156)
    assert by_week.dates(start) == (week_date(start, 52).isoformat(), "2025-12-28")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("surge", "expected NAME=START:END"),
        ("surge=52:x", "a week number or an ISO date"),
        ("surge=100:52", "END on or after START"),
        ("surge=400:500", "to overlap the run"),
        ("surge=2024-02-30:2024-03-01", "a week number or an ISO date"),
    ],
)
def test_a_bad_window_is_refused_saying_what_was_expected(text, expected):
    with pytest.raises(ConfigError) as err:
        parse_window(text).resolve(baseline(weeks=260))
    assert expected in str(err.value) and "--window" in str(err.value)


def test_a_window_name_given_twice_is_refused():
    with pytest.raises(ConfigError, match="each window name once"):
        parse_windows(["a=1:2", "a=3:4"])


def test_compare_exits_2_on_a_bad_window_before_running_anything(tmp_path):
    out = tmp_path / "out"
    args = ["compare", str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "unrest.yaml")]
    res = runner.invoke(app, [*args, "--window", "later=900:950", "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert "--window" in res.output and "Traceback" not in res.output
    assert not out.exists()


@pytest.fixture(scope="module")
def pair() -> Pair:
    """A surge from week 20 to 39 in a 60-week run, against the baseline (3 replicates)."""
    base = run_scenario(baseline(replicates=3, weeks=60, seed=5), workers=1)
    sc = baseline(replicates=3, weeks=60, seed=5, name="surge", interventions=[_surge(20, 20)])
    return Pair(base, run_scenario(sc, workers=1), "baseline", "surge")


def test_every_table_row_states_its_window_in_dates(pair):
    start = pair.scenario.scenario.start_date
    for table in (
        effect_table(pair.baseline, pair.scenario),
        exit_share_table(pair.baseline, pair.scenario),
    ):
        assert set(table["window"]) == {"during", "after", "first year"}
        for r in table.itertuples():
            assert r.date_from == week_date(start, r.week_from).isoformat()
            assert r.date_to == (week_date(start, r.week_to + 1) - dt.timedelta(1)).isoformat()


def test_custom_windows_replace_the_default_ones_in_the_tables(pair):
    pair.custom_windows = parse_windows(["early=20:29", "late=30:39"])
    try:
        table = effect_table(pair.baseline, pair.scenario, pair.windows)
    finally:
        pair.custom_windows = ()
    spans = table.groupby("window")[["week_from", "week_to"]].first()
    assert list(dict.fromkeys(table["window"])) == ["early", "late"]
    assert spans.loc["early"].tolist() == [20, 29] and spans.loc["late"].tolist() == [30, 39]


def test_the_start_up_weeks_are_not_counted_before_the_first_intervention():
    sc = baseline(weeks=260, interventions=[_surge(52, 10)])
    before = before_window(sc)
    assert (before.start, before.stop) == (START_UP_WEEKS, 52)
    # an intervention inside the start-up has no "before"
    assert before_window(baseline(interventions=[_surge(5, 10)])) is None


def test_every_time_axis_of_the_briefing_is_in_dates_and_starts_after_the_start_up(pair):
    table = effect_table(pair.baseline, pair.scenario)
    for draw in (fan_chart_figure, armed_groups_figure):
        fig = draw(pair, table)
        fig.canvas.draw()
        axes = [ax for ax in fig.axes if ax.get_visible() and ax.has_data()]
        assert axes
        shown = [t.get_text() for ax in axes for t in ax.get_xticklabels() if t.get_text()]
        assert shown and all(MONTH.match(t) for t in shown), shown  # the bottom row's labels
        for ax in axes:  # every axis, labelled or sharing the labels of the one below
            fmt = ax.xaxis.get_major_formatter()
            labels = [fmt(x, i) for i, x in enumerate(ax.get_xticks())]
            assert labels and all(MONTH.match(t) for t in labels), labels
            assert ax.get_xlim()[0] == START_UP_WEEKS
            for line in ax.get_lines():
                x = pd.Series(line.get_xdata(), dtype=float)
                if len(x) > 2:  # a series, not a marker line
                    assert x.min() >= START_UP_WEEKS
        plt.close(fig)


def test_a_scenario_title_names_it_in_the_tables_the_findings_and_the_figures(tmp_path):
    scenario = tmp_path / "surge.yaml"
    scenario.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\nname: my_surge\n"
        'title: "Port control at Callao x3 (trial)"\ninterventions:\n'
        "  - {type: interdiction_surge, week: 14, weeks: 10, factor: 3, nodes: [callao]}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["compare", str(SCENARIOS / "baseline.yaml"), str(scenario), "--replicates", "3"]
    res = runner.invoke(app, [*args, "--weeks", "40", "--workers", "1", "--out", str(out)])
    assert res.exit_code == 0, res.output
    title = "Port control at Callao x3 (trial)"
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["scenario_title"]) == {title} and set(table["scenario"]) == {"my_surge"}
    md = (out / "briefing.md").read_text(encoding="utf-8")
    assert f"# Briefing: {title} against Baseline (current policy)" in md
    assert f"- **{title}**: " in md  # its key finding
    assert f"| {title} (" in md  # its scorecard row
    assert "![Figure 2: " + title in md  # its figures' titles
    assert "My surge" not in md  # never the name made readable
    assert title in res.output


def test_a_title_is_not_inherited_through_extends(tmp_path):
    from sim.scenarios import load_scenario

    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {SCENARIOS / 'baseline.yaml'}\nname: my_child\n", encoding="utf-8")
    assert load_scenario(SCENARIOS / "baseline.yaml").title == "Baseline (current policy)"
    sc = load_scenario(child)
    assert sc.title is None and sc.display_title == "My child"


def test_the_run_dashboard_axes_are_in_dates_from_the_start_date(pair):
    from sim.report.run_figures import dashboard_figure, exit_shares_figure

    run = pair.scenario
    start = run.scenario.start_date
    for fig in (
        dashboard_figure(run.timeseries, scenario="surge", source_line="src", start_date=start),
        exit_shares_figure(run.exits, scenario="surge", source_line="src", start_date=start),
    ):
        timed = [ax for ax in fig.axes if ax.get_xlim()[0] == START_UP_WEEKS]
        assert timed  # the time panels start after the start-up
        for ax in timed:
            fmt = ax.xaxis.get_major_formatter()
            labels = [fmt(x, i) for i, x in enumerate(ax.get_xticks())]
            assert labels and all(MONTH.match(t) for t in labels), labels
        plt.close(fig)


def test_price_axes_are_wide_enough_that_a_few_percent_of_noise_does_not_fill_them(pair):
    from sim.report.briefing_series import MIN_PRICE_SPAN

    fig = fan_chart_figure(pair, effect_table(pair.baseline, pair.scenario))
    prices = [ax for ax in fig.axes if ax.get_ylabel().startswith("USD per kg")]
    assert len(prices) == 3
    for ax in prices:
        dashed = [
            ln for ln in ax.get_lines() if ln.get_linestyle() == "--" and len(ln.get_ydata()) > 2
        ]
        level = float(np.nanmedian(dashed[0].get_ydata()))  # the baseline's median line
        lo, hi = ax.get_ylim()
        assert hi - lo >= MIN_PRICE_SPAN * level * (1 - 1e-9), (ax.get_title(), lo, hi, level)
    plt.close(fig)
