"""All-or-nothing outcomes: chance events counted "in X of N runs", and the headline effects
split by them, with parts that add up to the whole."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from conftest import baseline

from sim.config.interventions import ArrestLeader
from sim.report.calendar import week_date
from sim.report.chance import chance_table, conditional_table, subset
from sim.report.effects import effect_table
from sim.report.findings import ALL_OR_NOTHING, chance_bullet
from sim.runner.batch import run_scenario

REPLICATES = 8
WEEKS = 120
SEED = 31


@cache
def pair():
    """A baseline and an operation against the leader at week 52 that succeeds half the time,
    with the outcome drawn (killed or captured)."""
    arrest = ArrestLeader(
        type="arrest_leader", week=52, who="leader", outcome="drawn", success_probability=0.5
    )
    base = baseline(replicates=REPLICATES, weeks=WEEKS, seed=SEED)
    scen = baseline(replicates=REPLICATES, weeks=WEEKS, seed=SEED, interventions=[arrest])
    scen = scen.model_copy(update={"name": "coin_flip_arrest"})
    return run_scenario(base, workers=1), run_scenario(scen, workers=1)


def test_each_chance_event_is_counted_from_the_event_log():
    base, scen = pair()
    counts = chance_table(base, scen).set_index("event")
    ev = scen.events
    arrests = ev[(ev["type"] == "arrest_leader") & (ev["week"] == 52)]
    succeeded = arrests[~arrests["outcome"].str.startswith("arrest failed")]["replicate"]
    row = counts.loc["operation against leader in week 52 succeeds"]
    assert row["runs_with"] == succeeded.nunique() and row["runs"] == REPLICATES
    assert 0 < row["runs_with"] < REPLICATES  # a coin flip on these seeds: some of each
    assert np.isnan(row["baseline_runs_with"])  # the baseline has no operation
    leader = counts.loc["the leader is in place at the end"]
    last = scen.timeseries[scen.timeseries["week"] == WEEKS - 1]
    assert leader["runs_with"] == int((last["leader_in_place"] > 0).sum())
    assert leader["baseline_runs_with"] == int(
        (base.timeseries[base.timeseries["week"] == WEEKS - 1]["leader_in_place"] > 0).sum()
    )


def test_a_subset_of_runs_keeps_the_pairs_and_renumbers_them():
    base, scen = pair()
    picked = np.array([1, 4, 6])
    b, s = subset(base, picked), subset(scen, picked)
    assert b.seeds == s.seeds == [scen.seeds[k] for k in picked]
    assert sorted(s.timeseries["replicate"].unique()) == [0, 1, 2]
    original = scen.timeseries[scen.timeseries["replicate"] == 4]["deaths"].to_numpy()
    assert np.array_equal(s.timeseries[s.timeseries["replicate"] == 1]["deaths"], original)


def test_the_conditional_split_sums_to_the_whole():
    base, scen = pair()
    whole = effect_table(base, scen).set_index(["outcome", "window"])
    parts = conditional_table(base, scen, effect_table)
    assert not parts.empty
    for event, rows in parts.groupby("event"):
        sizes = rows.drop_duplicates("happened").set_index("happened")["runs_in_part"]
        assert sizes.sum() == REPLICATES, event
        for (outcome, window), cell in rows.groupby(["outcome", "window"]):
            if not np.isfinite(cell["change"]).all():
                continue  # a part whose baseline level is zero has no relative change
            weighted = (cell["change"] * cell["runs_in_part"]).sum() / REPLICATES
            assert weighted == pytest.approx(whole.loc[(outcome, window), "change"]), (
                event,
                outcome,
                window,
            )


def test_the_briefing_says_in_how_many_runs_the_operation_succeeded_and_splits_by_it():
    base, scen = pair()
    counts = chance_table(base, scen)
    parts = conditional_table(base, scen, effect_table)
    table = effect_table(base, scen)
    text = chance_bullet(counts, parts, table, "coin_flip_arrest")
    ok = counts.set_index("event").loc["operation against leader in week 52 succeeds"]
    assert text.startswith(f"Coin flip arrest, {ALL_OR_NOTHING}: ")
    assert f"succeeds in {ok['runs_with']} of {REPLICATES} runs" in text
    on = f"{week_date(scen.scenario.start_date, 52):%-d %b %Y}"  # week 52, as a date
    succeeded = f"when the operation against the leader ({on}) succeeds ({ok['runs_with']} runs)"
    assert succeeded in text
    assert f"when it fails ({REPLICATES - ok['runs_with']} runs)" in text


def test_events_as_frequent_as_in_the_baseline_are_not_told():
    base, _ = pair()
    counts = chance_table(base, base).assign(scenario="same")
    text = chance_bullet(counts, pd.DataFrame(), effect_table(base, base), "same")
    assert text == ""
