"""All-or-nothing outcomes of a comparison: chance events and the effects split by them.

Some results are not a little more or less but happen or not in each run: an operation against
the leadership succeeds or fails, a group splits or holds, the leader is still in place at the
end or is not. A mean over runs hides them ("+1.3 armed groups"), so they are counted ("the
capture succeeds in 6 of 10 runs") and the headline effects are given separately for the runs
where the event happened and where it did not. The runs of the two parts are the scenario's
own replicates with their paired baselines, so the parts' means, weighted by their runs, add up
to the whole effect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sim.report.calendar import day_label
from sim.report.windows import first_event_week
from sim.runner.batch import RunResult

ARREST = "arrest_leader"
FAILED = "arrest failed"  # how the event log starts a failed operation
SPLIT = "split"
# `arrest_leader.who` in a sentence ("the operation against the leader"); a cadre id reads as is
WHO_WORDS = {
    "leader": "the leader",
    "successors": "the successors",
    "second": "the second in command",
    "commanders": "the commanders",
    "sub_commanders": "the sub-commanders",
    "heirs": "the heirs",
}


@dataclass(frozen=True)
class ChanceEvent:
    """An event that happens or not in each run: its name, how it reads when it happened and
    when it did not, and which runs it happened in (a bool per replicate)."""

    name: str
    happened: str  # "the operation against jose succeeds"
    not_happened: str  # "it fails"
    runs: Callable[[RunResult], np.ndarray]
    in_baseline: bool  # whether the baseline's count means something (a split, the leader)


def _replicates(result: RunResult) -> int:
    return len(result.seeds)


def _in_runs(result: RunResult, replicates: pd.Series) -> np.ndarray:
    return np.isin(np.arange(_replicates(result)), replicates.unique())


def _operation(week: int, who: str, start_date: dt.date) -> ChanceEvent:
    def runs(result: RunResult) -> np.ndarray:
        ev = result.events
        mine = ev[(ev["type"] == ARREST) & (ev["week"] == week)]
        done = mine[~mine["outcome"].str.startswith(FAILED)]
        return _in_runs(result, done["replicate"])

    return ChanceEvent(
        f"operation against {who} in week {week} succeeds",
        f"the operation against {WHO_WORDS.get(who, who)} ({day_label(start_date, week)}) succeeds",
        "it fails",
        runs,
        in_baseline=False,
    )


def _killed(week: int, who: str, start_date: dt.date) -> ChanceEvent:
    def runs(result: RunResult) -> np.ndarray:
        ev = result.events
        mine = ev[(ev["type"] == ARREST) & (ev["week"] == week)]
        # "<name> killed; <who> takes over ...": what happened to the target comes first
        killed = mine[mine["outcome"].str.split(";").str[0].str.endswith(" killed")]
        return _in_runs(result, killed["replicate"])

    return ChanceEvent(
        f"{who} killed in week {week}",
        f"{WHO_WORDS.get(who, who)} is killed ({day_label(start_date, week)}), not captured",
        "captured",
        runs,
        in_baseline=False,
    )


def _split_after(week: int, start_date: dt.date) -> ChanceEvent:
    def runs(result: RunResult) -> np.ndarray:
        ev = result.events
        return _in_runs(result, ev[(ev["type"] == SPLIT) & (ev["week"] >= week)]["replicate"])

    return ChanceEvent(
        "an armed group splits",
        f"an armed group splits (from {day_label(start_date, week)})",
        "none splits",
        runs,
        in_baseline=True,
    )


def _leader_at_end() -> ChanceEvent:
    def runs(result: RunResult) -> np.ndarray:
        ts = result.timeseries
        last = ts[ts["week"] == ts["week"].max()].set_index("replicate")["leader_in_place"]
        return last.reindex(range(_replicates(result)), fill_value=0).to_numpy() > 0

    return ChanceEvent(
        "the leader is in place at the end",
        "the MPCP's leader is still in place at the end",
        "he is not",
        runs,
        in_baseline=True,
    )


def chance_events(scenario: RunResult) -> list[ChanceEvent]:
    """The chance events worth counting for a scenario: each operation against the leadership
    (and, when its outcome is drawn, whether the target is killed), a split from the first
    intervention on, and the leader in place at the end."""
    events = []
    start = scenario.scenario.start_date
    for iv in scenario.scenario.interventions:
        if iv.type == ARREST:
            events.append(_operation(iv.week, iv.who, start))
            if iv.outcome == "drawn":
                events.append(_killed(iv.week, iv.who, start))
    events += [_split_after(first_event_week(scenario.scenario), start), _leader_at_end()]
    return events


def chance_table(base: RunResult, scen: RunResult) -> pd.DataFrame:
    """One row per chance event: in how many of the scenario's runs it happened, and in how many
    of the baseline's (NaN where the baseline has no such event)."""
    rows = []
    for event in chance_events(scen):
        hit = event.runs(scen)
        rows.append(
            {
                "scenario": scen.scenario.name,
                "counterfactual": base.scenario.name,
                "event": event.name,
                "words": event.happened,
                "runs_with": int(hit.sum()),
                "runs": int(hit.size),
                "baseline_runs_with": int(event.runs(base).sum()) if event.in_baseline else np.nan,
            }
        )
    return pd.DataFrame(rows)


def subset(result: RunResult, replicates: np.ndarray) -> RunResult:
    """The runs of `result` whose replicate index is in `replicates`, renumbered 0..k-1 in order
    (so a baseline and a scenario subset the same way stay paired)."""
    keep = [int(k) for k in replicates]
    renumber = {old: new for new, old in enumerate(keep)}

    def pick(frame: pd.DataFrame) -> pd.DataFrame:
        if "replicate" not in frame.columns:
            return frame
        out = frame[frame["replicate"].isin(keep)].copy()
        out["replicate"] = out["replicate"].map(renumber)
        return out.reset_index(drop=True)

    return replace(
        result,
        seeds=[result.seeds[k] for k in keep],
        timeseries=pick(result.timeseries),
        exits=pick(result.exits),
        edge_flows=pick(result.edge_flows),
        events=pick(result.events),
    )


def conditional_table(
    base: RunResult,
    scen: RunResult,
    effects: Callable[[RunResult, RunResult], pd.DataFrame],
) -> pd.DataFrame:
    """The effect table (`effects(base, scen)`, e.g. `effect_table`) on the runs where each
    chance event happened and on those where it did not, for events that happened in some runs
    but not all. Columns: those of the effect table plus `event`, `condition` (the words of
    the part), `happened` and `runs_in_part`."""
    parts = []
    for event in chance_events(scen):
        hit = event.runs(scen)
        if hit.all() or not hit.any():
            continue
        for happened, words in ((True, event.happened), (False, event.not_happened)):
            chosen = np.flatnonzero(hit == happened)
            table = effects(subset(base, chosen), subset(scen, chosen))
            parts.append(
                table.assign(
                    event=event.name,
                    condition=words,
                    happened=happened,
                    runs_in_part=int(chosen.size),
                )
            )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
