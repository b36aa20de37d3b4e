"""The violence and income targets measured on small hand-made tables: each gives the statistic
its metric states (sim/calibration/targets.yaml)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim import metrics
from sim.calibration import evaluate_targets, load_targets
from sim.calibration.targets import (
    civilian_share,
    largest_event_deaths,
    lethal_event_median,
    pooled_lethal_event_median,
    target_measure,
)
from sim.calibration.validate import markdown_table
from sim.recorder import DEATHS_BY_VICTIM, EVENT_COLUMNS, TIMESERIES_COLUMNS, VIOLENCE_TYPE
from sim.units import WEEKS_PER_YEAR

WEEKS = 5 * WEEKS_PER_YEAR
NEW_TARGETS = (
    "non_armed_deaths_per_year",
    "civilian_share_of_non_armed_deaths",
    "largest_event_deaths_in_5_years",
    "median_deaths_per_lethal_event",
    "armed_income_usd_per_year",
)


def tables(events: list[tuple[int, int, str, int, int, int]], replicates: int = 3, weeks=WEEKS):
    """A time series, an exits table and an events table of `replicates` x `weeks` from
    violent events (replicate, week, kind, security, civilians, armed killed), plus a log entry
    (no deaths) in week 60 of replicate 0. Armed income: 10,000 USD a week."""
    ts = pd.DataFrame(
        {
            "replicate": np.repeat(np.arange(replicates), weeks),
            "week": np.tile(np.arange(weeks), replicates),
        }
    )
    for col in TIMESERIES_COLUMNS:
        ts[col] = 0
    ts["armed_income_usd"] = 10_000.0
    rows = [
        (rep, week, VIOLENCE_TYPE, "mpcp", kind, kind, "mpcp", "", s, c, a)
        for rep, week, kind, s, c, a in events
    ]
    rows.append((0, 60, "arrest_leader", "mpcp", "arrested", "", "mpcp", "", 0, 0, 0))
    ev = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    for rep, week, _kind, s, c, a in events:
        i = rep * weeks + week
        for col, n in zip(DEATHS_BY_VICTIM, (s, c, a), strict=True):
            ts.loc[i, col] += n
        ts.loc[i, "deaths"] += s + c + a
        ts.loc[i, "violent_events"] += 1
    exits = metrics.network_exits()
    ex = pd.DataFrame(
        {
            "replicate": np.repeat(ts["replicate"].to_numpy(), len(exits)),
            "week": np.repeat(ts["week"].to_numpy(), len(exits)),
            "exit": np.tile(list(exits), len(ts)),
            "group": np.tile(list(exits.values()), len(ts)),
            "exported_kg": 1.0,
            "price_hcl_usd_per_kg": 3000.0,
        }
    )
    return ts, ex, ev


def test_the_five_violence_and_income_targets_are_copied_and_measured():
    targets = load_targets()
    for name in NEW_TARGETS:
        assert {"metric", "band", "unit", "value", "year", "source"} <= set(targets[name]), name
        target_measure(name)  # a measure exists


def test_largest_event_is_the_median_over_replicates_of_each_replicates_deadliest_event():
    events = [
        (0, 10, "ambush", 12, 0, 1),  # 13 in year 1: counts (weeks 0-259)
        (0, 100, "clash", 1, 0, 1),
        (1, 200, "massacre", 0, 5, 0),
        (1, 201, "ambush", 2, 0, 0),
        # replicate 2: no violent event at all -> 0
    ]
    ts, ex, ev = tables(events)
    assert largest_event_deaths(ts, ex, ev).tolist() == [13, 5, 0]
    row = evaluate_targets(ts, ex, ev).set_index("target").loc["largest_event_deaths_in_5_years"]
    assert row["statistic"] == "median" and row["model_mean"] == 5.0  # median, not mean 6
    assert row["status"] == "PASS"  # band 5-25


def test_largest_event_ignores_events_after_week_259():
    events = [(0, 30, "ambush", 1, 0, 0), (0, 300, "massacre", 0, 40, 0)]
    ts, ex, ev = tables(events, replicates=1, weeks=2 * WEEKS)
    table = evaluate_targets(ts, ex, ev).set_index("target")
    row = table.loc["largest_event_deaths_in_5_years"]
    assert row["model_mean"] == 1.0


def test_median_deaths_per_lethal_event_pools_every_replicates_lethal_events_of_years_2_5():
    events = [
        (0, 60, "ambush", 1, 0, 0),
        (0, 61, "clash", 0, 0, 1),
        (0, 62, "clash", 0, 0, 0),  # not lethal: left out
        (0, 5, "massacre", 0, 30, 0),  # year 1: left out
        (1, 70, "massacre", 0, 16, 0),
        (1, 71, "ambush", 3, 0, 1),
        (1, 72, "selective_killing", 0, 2, 0),
        # replicate 2: none -> no median of its own
    ]
    ts, ex, ev = tables(events)
    table = evaluate_targets(ts, ex, ev).set_index("target")
    row = table.loc["median_deaths_per_lethal_event"]
    # pooled 1, 1, 16, 4, 2 -> 2; the replicates' own medians are 1 and 4 (their mean: 2.5)
    assert row["statistic"] == "pooled median" and row["model_mean"] == 2.0
    assert (row["model_p05"], row["model_p95"]) == pytest.approx((1.15, 3.85))
    assert row["status"] == "PASS"
    assert row["note"] == "1 of 3 replicates had no lethal event; left out"
    yrs = ts[ts["week"] >= WEEKS_PER_YEAR]
    assert pooled_lethal_event_median(yrs, ex, ev[ev["week"] >= WEEKS_PER_YEAR]) == 2.0
    medians = lethal_event_median(yrs, ex, ev[ev["week"] >= WEEKS_PER_YEAR])
    assert medians.tolist()[:2] == [1.0, 4.0] and math.isnan(medians.iloc[2])


def test_civilian_share_sums_years_2_5_and_leaves_out_a_replicate_without_such_deaths():
    events = [
        (0, 60, "ambush", 3, 0, 5),  # armed deaths do not count
        (0, 70, "selective_killing", 0, 1, 0),
        (0, 10, "massacre", 0, 50, 0),  # year 1: left out
        (1, 100, "massacre", 0, 1, 0),
        (2, 120, "clash", 0, 0, 4),  # only armed deaths: no share
    ]
    ts, ex, ev = tables(events)
    yrs = ts[ts["week"] >= WEEKS_PER_YEAR]
    share = civilian_share(yrs, ex, ev)
    assert share.iloc[:2].tolist() == [0.25, 1.0] and math.isnan(share.iloc[2])
    table = evaluate_targets(ts, ex, ev).set_index("target")
    row = table.loc["civilian_share_of_non_armed_deaths"]
    assert row["model_mean"] == pytest.approx(0.625) and row["statistic"] == "mean"
    assert row["note"] == "1 of 3 replicates had no security-force or civilian death; left out"
    assert row["status"] == "MISS"  # band 0.15-0.60
    assert "civilian_share_of_non_armed_deaths: 1 of 3" in markdown_table(table.reset_index())
    # non-armed deaths per year over years 2-5: (3 + 1) / 4 years, 1 / 4, 0
    non_armed = table.loc["non_armed_deaths_per_year"]
    assert non_armed["model_mean"] == pytest.approx((1.0 + 0.25 + 0.0) / 3)


def test_targets_without_a_value_in_any_replicate_miss_and_say_why():
    ts, ex, ev = tables([(0, 60, "clash", 0, 0, 0)])  # not lethal, nobody but armed killed
    table = evaluate_targets(ts, ex, ev).set_index("target")
    for name, why in (
        ("civilian_share_of_non_armed_deaths", "no security-force or civilian death"),
        ("median_deaths_per_lethal_event", "no lethal event"),
    ):
        row = table.loc[name]
        assert math.isnan(row["model_mean"]) and row["status"] == "MISS", name
        assert row["note"] == f"no value: 3 of 3 replicates had {why}", name
    assert "| civilian_share_of_non_armed_deaths | fraction | n/a |" in markdown_table(
        table.reset_index()
    )
    assert table.loc["largest_event_deaths_in_5_years", "model_mean"] == 0.0


def test_armed_income_target_is_the_income_outcome_in_usd_a_year():
    ts, ex, ev = tables([])
    row = evaluate_targets(ts, ex, ev).set_index("target").loc["armed_income_usd_per_year"]
    assert row["model_mean"] == pytest.approx(10_000.0 * WEEKS_PER_YEAR)
    assert row["status"] == "PASS"  # band 300,000-3,000,000
