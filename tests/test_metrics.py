"""The outcome registry (`sim.metrics`): every headline outcome defined once, measured the same way
by the summary, the sweeps, the comparison and the calibration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import baseline_run

from sim import metrics
from sim.calibration.targets import load_targets, target_measure
from sim.recorder import DEATHS_BY_VICTIM, TIMESERIES_COLUMNS, VIOLENCE_TYPE
from sim.report import effects, wording
from sim.runner.summary import summary_table
from sim.sweep.spec import MODEL_METRICS
from sim.units import KG_PER_T, WEEKS_PER_YEAR


def weekly_tables(weeks: int, replicates: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic time series and exits tables: 1 t exported a week, half of it via the port, a
    price of 1,000 USD/kg in the VRAEM and 3,000 at the exits, 1 death a week (a civilian in even
    weeks, a member of the armed group in odd ones)."""
    exits = metrics.network_exits()
    ts_rows, ex_rows = [], []
    for rep in range(replicates):
        for week in range(weeks):
            row = dict.fromkeys(TIMESERIES_COLUMNS, 0.0)
            row.update(
                replicate=rep,
                week=week,
                exported_kg=1000.0,
                seized_kg=250.0,
                price_hcl_vraem_usd_per_kg=1000.0,
                coca_ha=30000.0 + week,
                deaths=1,
                deaths_civilians=1 - week % 2,
                deaths_armed=week % 2,
                armed_groups=2,
                violent_events=1,
            )
            ts_rows.append(row)
            others = len(exits) - 1
            for exit_id, group in exits.items():
                kg = 500.0 if exit_id == metrics.HEADLINE_PORT else 500.0 / others
                ex_rows.append(
                    {
                        "replicate": rep,
                        "week": week,
                        "exit": exit_id,
                        "group": group,
                        "exported_kg": kg,
                        "price_hcl_usd_per_kg": 3000.0,
                    }
                )
    return pd.DataFrame(ts_rows), pd.DataFrame(ex_rows)


def test_every_outcome_is_defined_once_and_used_by_summary_effects_and_sweeps():
    names = [o.name for o in metrics.OUTCOMES.values()]
    assert len(names) == len(set(names))
    ts, ex = weekly_tables(WEEKS_PER_YEAR * 2)
    summary = summary_table(ts, ex, seeds=[1, 2])
    assert list(summary.columns) == ["replicate", "seed"] + [
        f"{name}_y{year}" for name in _summary_order() for year in (1, 2)
    ]
    assert MODEL_METRICS == {o.name: o.label for o in metrics.OUTCOMES.values()}
    compared = metrics.compared()
    assert len(set(metrics.COMPARED)) == len(metrics.COMPARED)
    assert list(effects.OUTCOMES) == [o.wording.name for o in compared]
    assert [(rel, unit) for _m, rel, unit in effects.OUTCOMES.values()] == [
        (o.relative, o.unit) for o in compared
    ]
    assert list(wording.HEADINGS) == list(wording.SUBJECTS) == list(effects.OUTCOMES)
    absolute = [o.wording.name for o in compared if not o.relative]
    assert list(wording.ABSOLUTE_UNITS) == absolute
    # outcomes worded for a comparison are exactly the compared ones
    assert {o.name for o in metrics.OUTCOMES.values() if o.wording} == set(metrics.COMPARED)


def _summary_order() -> list[str]:
    """summary.csv: outcomes of the whole VRAEM, then those of one exit, then shares."""
    outcomes = list(metrics.OUTCOMES.values())
    return (
        [o.name for o in outcomes if o.kind != "share" and o.exit is None]
        + [o.name for o in outcomes if o.exit is not None]
        + [o.name for o in outcomes if o.kind == "share"]
    )


def test_yearly_sums_of_a_partial_year_are_scaled_to_a_full_year():
    ts, ex = weekly_tables(WEEKS_PER_YEAR + 8)
    yearly = metrics.yearly(ts, ex).set_index(["replicate", "year"])
    assert list(yearly.index.get_level_values("year").unique()) == [1, 2]
    for year in (1, 2):
        row = yearly.loc[(0, year)]
        assert row["exported_t"] == pytest.approx(WEEKS_PER_YEAR)  # 1 t a week, whole year
        assert row[metrics.EXPORTED_AT_PORT] == pytest.approx(WEEKS_PER_YEAR / 2)
        assert row["deaths"] == pytest.approx(WEEKS_PER_YEAR)
        assert row["seizure_share"] == pytest.approx(0.2)
        assert row[metrics.PRICE_AT_PORT] == 3000.0
    # levels are means over the weeks of the year, not scaled
    assert yearly.loc[(0, 1), "coca_ha"] == pytest.approx(30000 + 25.5)
    assert yearly.loc[(0, 2), "coca_ha"] == pytest.approx(30000 + 52 + 3.5)


def test_rates_over_any_weeks_are_weekly_means_times_a_year():
    ts, ex = weekly_tables(30)
    exported = metrics.over_weeks("exported_t", ts, ex)
    assert list(exported.index) == [0, 1]
    assert exported.to_numpy() == pytest.approx([WEEKS_PER_YEAR * 1000.0 / KG_PER_T] * 2)
    port = metrics.over_weeks(metrics.EXPORTED_AT_PORT, ts, ex)
    assert port.to_numpy() == pytest.approx([WEEKS_PER_YEAR / 2] * 2)
    assert metrics.over_weeks("armed_groups", ts, ex).to_numpy() == pytest.approx([2, 2])
    assert metrics.over_weeks("seizure_share", ts, ex).to_numpy() == pytest.approx([0.2, 0.2])


def test_deaths_by_victim_type_and_non_armed_deaths_are_yearly_flows():
    ts, ex = weekly_tables(WEEKS_PER_YEAR)
    ts.loc[ts["week"] == 0, ["deaths", "deaths_security"]] = [3, 2]  # 2 police and a civilian
    yearly = metrics.yearly(ts, ex).set_index(["replicate", "year"]).loc[(0, 1)]
    assert yearly["deaths_civilians"] == 26 and yearly["deaths_armed"] == 26
    assert yearly["deaths_security"] == 2 and yearly["non_armed_deaths"] == 28
    assert yearly["deaths"] == yearly["non_armed_deaths"] + yearly["deaths_armed"]
    window = metrics.over_weeks("non_armed_deaths", ts[ts["week"] < 26], ex)
    assert window.to_numpy() == pytest.approx([(13 + 2) * 2] * 2)  # a rate per year
    assert "non_armed_deaths" not in ts  # computed, not added to the caller's table


def test_a_share_without_any_flow_is_zero():
    ts, ex = weekly_tables(10)
    ts[["seized_kg", "exported_kg"]] = 0.0
    ex["exported_kg"] = 0.0
    assert metrics.over_weeks("seizure_share", ts, ex).to_numpy().tolist() == [0.0, 0.0]
    assert metrics.yearly(ts, ex)["seizure_share"].tolist() == [0.0, 0.0]


def test_a_full_year_measured_over_its_weeks_is_its_yearly_value():
    run = baseline_run(2, 60)
    yearly = metrics.yearly(run.timeseries, run.exits)
    first = yearly[yearly["year"] == 1].set_index("replicate")
    ts = run.timeseries[run.timeseries["week"] < WEEKS_PER_YEAR]
    ex = run.exits[run.exits["week"] < WEEKS_PER_YEAR]
    for name in metrics.OUTCOMES:
        window = metrics.over_weeks(name, ts, ex)
        np.testing.assert_allclose(window.to_numpy(), first[name].to_numpy(), rtol=1e-12)


def test_exit_outcomes_name_exits_of_the_network():
    exits = metrics.network_exits()
    assert metrics.HEADLINE_PORT in exits
    assert {o.exit for o in metrics.OUTCOMES.values()} - {None} <= set(exits)
    assert metrics.PORT in metrics.OUTCOMES[metrics.EXPORTED_AT_PORT].label
    assert metrics.PORT == metrics.exit_word(metrics.HEADLINE_PORT)
    with pytest.raises(ValueError, match="not an exit"):
        metrics.exit_word("lima")  # a hub, not an exit
    # the briefing has words for every exit and route group of the network, and no others
    assert set(wording.EXIT_WORDS) == set(exits)
    assert set(wording.GROUP_WORDS) == set(exits.values())


def weekly_events(ts: pd.DataFrame) -> pd.DataFrame:
    """An events table with one violent event a week, of that week's deaths."""
    return pd.DataFrame(
        {
            "replicate": ts["replicate"],
            "week": ts["week"],
            "type": VIOLENCE_TYPE,
            **{col: ts[col].astype("int64") for col in DEATHS_BY_VICTIM},
        }
    )


def test_every_calibration_target_is_measured_by_an_outcome_an_exit_share_or_the_events():
    ts, ex = weekly_tables(10)
    ev = weekly_events(ts)
    for name in load_targets():
        values = target_measure(name)(ts, ex, ev)
        assert len(values) == 2 and np.isfinite(values).all(), name
    port_share = target_measure(f"{metrics.HEADLINE_PORT}_export_share")(ts, ex, ev)
    assert port_share.to_numpy() == pytest.approx([0.5, 0.5])
    with pytest.raises(ValueError, match="no outcome"):
        target_measure("atlantis_export_share")
