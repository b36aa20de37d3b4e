"""The weekly recorder: violence by kind and by victim type, in the time series and as one row per
event in events.parquet."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import baseline_records

from sim.recorder import (
    DEATHS_BY_KIND,
    DEATHS_BY_VICTIM,
    EVENT_COLUMNS,
    TIMESERIES_COLUMNS,
    VIOLENCE_KINDS,
    VIOLENCE_TYPE,
    WeeklyRecorder,
)


def _recorder(weeks: int = 3) -> WeeklyRecorder:
    return WeeklyRecorder(weeks, ["callao"], n_edges=1)


def test_columns_follow_the_kinds_and_victim_types():
    assert "civilian_killing" not in VIOLENCE_KINDS
    assert DEATHS_BY_KIND == tuple(f"deaths_{k}" for k in VIOLENCE_KINDS)
    assert set(DEATHS_BY_KIND) | set(DEATHS_BY_VICTIM) <= set(TIMESERIES_COLUMNS)
    assert "deaths_civilian_killing" not in TIMESERIES_COLUMNS


def test_an_unknown_kind_of_violence_is_refused_naming_the_allowed_kinds():
    rec = _recorder()
    with pytest.raises(ValueError, match="selective_killing") as err:
        rec.add_violence("civilian_killing", "mpcp", "", 0, 1, 0)
    assert all(kind in str(err.value) for kind in VIOLENCE_KINDS)
    with pytest.raises(ValueError, match="negative"):
        rec.add_violence("ambush", "mpcp", "", -1, 0, 0)


def test_a_week_is_recorded_only_as_the_week_its_violence_was_counted_in():
    rec = _recorder()
    rec.new_week(1)
    with pytest.raises(ValueError, match="week 1"):
        rec.record_week(0)


def test_violence_is_counted_by_kind_and_victim_and_logged_one_row_per_event():
    rec = _recorder()
    rec.new_week(0)
    rec.log_event(0, "arrest_leader", "mpcp", "succession to raul")
    rec.add_violence("ambush", "mpcp", "", 3, 0, 1)
    rec.add_violence("massacre", "mpcp", "vizcatan", 0, 16, 0)
    rec.record_week(0)
    rec.new_week(1)
    rec.add_violence("gang_clash", "gang_1", "pichari", 0, 0, 2)
    rec.record_week(1)
    rec.new_week(2)
    rec.add_violence("clash", "mpcp", "", 1, 0, 0)  # counted, never recorded: dropped
    rec.new_week(2)
    rec.record_week(2)
    ts = rec.timeseries("baseline", 0, 1).set_index("week")
    assert ts.loc[0, "violent_events"] == 2 and ts.loc[0, "deaths"] == 20
    assert ts.loc[0, ["deaths_security", "deaths_civilians", "deaths_armed"]].tolist() == [3, 16, 1]
    assert ts.loc[0, "deaths_ambush"] == 4 and ts.loc[0, "deaths_massacre"] == 16
    assert ts.loc[1, "deaths_gang_clash"] == 2 and ts.loc[1, "deaths_armed"] == 2
    assert ts.loc[2, ["violent_events", "deaths"]].tolist() == [0, 0]

    ev = rec.events_frame(4)
    assert tuple(ev.columns) == EVENT_COLUMNS
    assert ev["week"].tolist() == [0, 0, 0, 1]
    assert ev["type"].tolist() == ["arrest_leader", VIOLENCE_TYPE, VIOLENCE_TYPE, VIOLENCE_TYPE]
    log = ev.iloc[0]
    assert (log["kind"], log["group"], log["district"]) == ("", "mpcp", "")
    assert log[list(DEATHS_BY_VICTIM)].tolist() == [0, 0, 0]
    ambush = ev.iloc[1]
    assert ambush["who"] == ambush["group"] == "mpcp" and ambush["kind"] == "ambush"
    assert ambush["outcome"] == "ambush: 3 security, 0 civilians, 1 armed killed"
    assert ev.iloc[2]["district"] == "vizcatan"
    assert (ev["replicate"] == 4).all()
    for col in ("replicate", "week", *DEATHS_BY_VICTIM):
        assert ev[col].dtype == np.int64, col
    for col in ("type", "who", "outcome", "kind", "group", "district"):
        assert ev[col].dtype == "str", col


def test_an_empty_event_log_has_the_columns_and_types():
    ev = _recorder().events_frame(0)
    assert ev.empty and tuple(ev.columns) == EVENT_COLUMNS
    assert ev["week"].dtype == np.int64 and ev["kind"].dtype == "str"


def test_a_run_records_violence_consistently_in_the_time_series_and_the_event_log():
    rec = baseline_records(104, 5)  # the run test_agents adds up by kind
    ts = rec.timeseries("baseline", 0, 5).set_index("week")
    assert ts["deaths"].sum() > 0
    by_victim = ts[list(DEATHS_BY_VICTIM)].sum(axis=1)
    assert (by_victim == ts["deaths"]).all()
    assert (ts[list(DEATHS_BY_KIND)].sum(axis=1) == ts["deaths"]).all()

    ev = rec.events_frame(0)
    assert ev["week"].is_monotonic_increasing
    violent = ev[ev["type"] == VIOLENCE_TYPE]
    assert set(violent["kind"]) <= set(VIOLENCE_KINDS)
    weekly = violent.groupby("week")
    count = weekly.size().reindex(ts.index, fill_value=0)
    assert (count == ts["violent_events"]).all()
    for col in DEATHS_BY_VICTIM:
        assert (weekly[col].sum().reindex(ts.index, fill_value=0) == ts[col]).all(), col
    deaths = violent[list(DEATHS_BY_VICTIM)].sum(axis=1)
    by_kind = deaths.groupby([violent["week"], violent["kind"]]).sum().unstack(fill_value=0)
    for kind in VIOLENCE_KINDS:
        got = by_kind[kind] if kind in by_kind else 0
        expected = ts[f"deaths_{kind}"]
        assert (expected.sub(got, fill_value=0) == 0).all(), kind
    logged = ev[ev["type"] != VIOLENCE_TYPE]
    assert (logged["kind"] == "").all() and (logged[list(DEATHS_BY_VICTIM)] == 0).all().all()


@pytest.mark.parametrize("violent", [False, True])
def test_the_event_log_reads_back_from_parquet_as_written(tmp_path, violent):
    rec = _recorder()
    if violent:
        rec.add_violence("operation", "mpcp", "", 1, 0, 2)
        rec.record_week(0)
    ev = rec.events_frame(0)
    ev.to_parquet(tmp_path / "events.parquet", index=False)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "events.parquet"), ev)
