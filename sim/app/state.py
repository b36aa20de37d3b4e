"""The explorer's session, with no UI import: the scenario and its settings, the run stepped
week by week, the baseline stepped beside it, the actions taken and the event log.

Rules an analyst relies on:

- **Settings apply at reset.** An `Explorer` is built from a scenario file and the sidebar's
  settings; Mesa's Reset builds a new one, so the run restarts from week 0 with them.
- **Actions apply now.** A button records the timed intervention of the current week (the
  week about to be simulated) and queues it on the run's InterventionSchedule, which starts it
  at the beginning of that week as it starts a scenario's own interventions.
- **The run is a replicate of `vraem run`.** Its seed is replicate 0's seed of the master seed
  (`sim.runner.seeds.replicate_seeds`), so the exported scenario run with `--replicates 1`
  gives the same weeks bit for bit.
- **Side by side** steps the shipped baseline (current policy) on the same seed, start date
  and horizon in lockstep: the counterfactual of `vraem compare`.
"""

from __future__ import annotations

import copy
import threading
from collections import deque
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from sim.app.settings import SIDE_BY_SIDE, SOURCE, apply_settings, run_settings
from sim.calibration import packaged_baseline
from sim.config.errors import ConfigError
from sim.config.loader import read_scenario_dict
from sim.config.models import Scenario
from sim.interventions import describe
from sim.model import VraemModel
from sim.recorder import violence_outcome
from sim.report.calendar import day_label
from sim.runner.seeds import replicate_seeds
from sim.scenarios import compile_scenario, load_scenario, validate_scenario
from sim.units import KG_PER_T, WEEKS_PER_YEAR

FLOW_WEEKS = 4  # the map shows the mean flow of the last this many weeks
LOG_ROWS = 60  # rows of the event log shown
VIOLENCE = "violence"
NAME_SUFFIX = "_explored"
MAX_NAME = 100  # a scenario name names a folder (sim.config.section.FolderName)


@cache
def shipped_baseline() -> Scenario:
    """The shipped baseline (current policy), loaded once."""
    return load_scenario(packaged_baseline())


def counterfactual(config: Scenario) -> Scenario:
    """The shipped baseline on the seed, start date and horizon of `config`."""
    update = {
        "seed": config.seed,
        "start_date": config.start_date,
        "weeks": config.weeks,
        "replicates": 1,
    }
    return shipped_baseline().model_copy(update=update)


def explored_name(name: str) -> str:
    """The name of a scenario explored (and exported): the opened one's with `_explored`."""
    return name[: MAX_NAME - len(NAME_SUFFIX)] + NAME_SUFFIX


def run_seed(master_seed: int) -> int:
    """The seed of replicate 0 of a master seed, as `vraem run` derives it."""
    return replicate_seeds(master_seed, 1)[0]


class LiveRun:
    """One replicate of a scenario stepped week by week, as `vraem run --replicates 1` runs it,
    keeping the flows of the last weeks on each edge for the map."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.seed = run_seed(scenario.seed)
        network, routes = compile_scenario(scenario)
        self.model = VraemModel(scenario, self.seed, network, routes)
        self.recent: deque[np.ndarray] = deque(maxlen=FLOW_WEEKS)
        exits = network.exits
        self.callao = exits.index("callao") if "callao" in exits else None

    @property
    def week(self) -> int:
        """The week about to be simulated (weeks 0..week-1 are done)."""
        return self.model.week

    @property
    def finished(self) -> bool:
        return self.model.week >= self.model.weeks

    def step(self) -> None:
        recorder = self.model.recorder
        year = self.model.week // WEEKS_PER_YEAR
        before = recorder.edge_kg[year].copy()
        self.model.step()
        self.recent.append(recorder.edge_kg[year] - before)

    def flows_t_per_year(self) -> np.ndarray:
        """Per edge: the mean flow of the last FLOW_WEEKS weeks, as a yearly rate (t/yr)."""
        if not self.recent:
            return np.zeros(self.model.network.n_edges)
        return np.mean(np.array(self.recent), axis=0) * WEEKS_PER_YEAR / KG_PER_T

    def values(self, column: str) -> np.ndarray:
        """A weekly column of the records, for the weeks simulated."""
        return self.model.recorder.values[column][: self.week]

    def at_callao(self, what: str) -> np.ndarray:
        """Exported kg (`exported`) or the HCl price (`price`) at Callao, by week."""
        recorder = self.model.recorder
        table = recorder.exit_exported if what == "exported" else recorder.exit_price
        if self.callao is None:
            return np.zeros(self.week)
        return table[: self.week, self.callao]

    def timeseries(self) -> pd.DataFrame:
        """timeseries.parquet's rows of the weeks simulated (replicate 0)."""
        frame = self.model.recorder.timeseries(self.scenario.name, 0, self.seed)
        return frame.iloc[: self.week].reset_index(drop=True)

    def events(self) -> pd.DataFrame:
        """events.parquet's rows so far (replicate 0)."""
        return self.model.recorder.events_frame(0)


@dataclass(frozen=True)
class LogRow:
    """One line of the event log."""

    week: int
    date: str
    kind: str
    who: str
    outcome: str
    queued: bool = False


class Explorer(mesa.Model):
    """The explorer's session, as a Mesa model that SolaraViz steps and resets.

    `source` is a scenario file; `values` are the sidebar's settings (`sim.app.settings`).
    Bad input never raises: `problem` holds the message (naming the file and key) and the
    explorer does not run."""

    def __init__(self, source: str = "", scenario: Any = None, **values: Any) -> None:
        super().__init__(scenario=scenario)  # Mesa's own scenario object, unused here
        self.source = str(source or packaged_baseline())
        self.values = values
        self.problem = ""
        self.notice = ""  # what the last action did, or why it was refused
        self.acts: list[dict[str, Any]] = []  # the actions taken, as interventions
        self.changed: dict[str, float] = {}
        self.run: LiveRun | None = None
        self.twin: LiveRun | None = None
        # Mesa's player steps in a thread while buttons act from another: a step and an action
        # never overlap, so an action always lands on a week not yet begun
        self.lock = threading.Lock()
        try:
            self.base_data = read_scenario_dict(self.source)
            self.own = validate_scenario(self.base_data, self.source)
            data, self.changed = apply_settings(self.base_data, self.own, values)
            data.update(run_settings(values, self.own))
            data["replicates"] = 1
            data["name"] = explored_name(self.own.name)
            self.config = validate_scenario(data, SOURCE)
        except ConfigError as exc:
            self.problem = str(exc)
            self.running = False
            return
        self.data = data
        self.run = LiveRun(self.config)
        if values.get(SIDE_BY_SIDE, True):
            self.twin = LiveRun(counterfactual(self.config))

    # --- time ------------------------------------------------------------------------------
    @property
    def week(self) -> int:
        """The current week: the one about to be simulated."""
        return self.run.week if self.run else 0

    @property
    def horizon(self) -> int:
        return self.config.weeks if self.run else 0

    def date_of(self, week: int) -> str:
        """The first day of a week in words ('2 Jan 2023')."""
        return day_label(self.config.start_date, week) if self.run else ""

    def step(self) -> None:
        """One week of the run, and of the baseline beside it."""
        with self.lock:
            if self.run is None or self.run.finished:
                self.running = False
                return
            self.run.step()
            if self.twin is not None and not self.twin.finished:
                self.twin.step()
            if self.run.finished:
                self.running = False

    # --- actions ---------------------------------------------------------------------------
    def act(self, spec: dict[str, Any]) -> bool:
        """Take an action now: `spec` is an intervention (as `sim.app.actions` builds it) at the
        current week. It is checked with the scenario (names, duplicates) like a file's, then
        queued to start at the beginning of the current week. Returns whether it was taken;
        `notice` says what happened."""
        with self.lock:
            return self._act(spec)

    def _act(self, spec: dict[str, Any]) -> bool:
        if self.run is None:
            self.notice = "no run: fix the settings first"
            return False
        if self.run.finished:
            self.notice = (
                f"the run has reached its horizon ({self.horizon} weeks): reset with a longer "
                "horizon to act later"
            )
            return False
        spec = {**spec, "week": self.week}
        data = copy.deepcopy(self.data)
        data["interventions"] = [*data.get("interventions", []), spec]
        try:
            checked = validate_scenario(data, SOURCE)
        except ConfigError as exc:
            self.notice = f"not taken: {exc}"
            return False
        intervention = checked.interventions[-1]
        self.run.model.schedule.add(intervention)
        self.data, self.config = data, checked
        self.acts.append(spec)
        self.notice = (
            f"{describe(intervention)}: starts at the beginning of week {self.week} "
            f"({self.date_of(self.week)}); step to see what follows"
        )
        return True

    # --- the log ---------------------------------------------------------------------------
    def log(self, limit: int = LOG_ROWS, violence: bool = True) -> list[LogRow]:
        """The newest entries of the run's event log first: what was queued for the current
        week, then the model's events (interventions, arrests, successions, splits and, with
        `violence`, the violent events that killed someone, with their deaths by victim)."""
        if self.run is None:
            return []
        recorder = self.run.model.recorder
        rows = [
            LogRow(w, self.date_of(w), kind, who, outcome)
            for w, kind, who, outcome in recorder.events
        ]
        if violence:
            rows += [
                LogRow(w, self.date_of(w), VIOLENCE, group, violence_outcome(kind, *deaths))
                for w, kind, group, _district, *deaths in recorder.violence
                if sum(deaths) > 0
            ]
        rows.sort(key=lambda r: r.week)
        queued = [
            LogRow(
                iv.week,
                self.date_of(iv.week),
                iv.type,
                describe(iv),
                "queued: starts when this week is stepped"
                if iv.week == self.week
                else "scheduled by the scenario",
                queued=True,
            )
            for iv in self.config.interventions
            if iv.week >= self.week
        ]
        return (queued + rows[::-1])[:limit]

    # --- what was set ------------------------------------------------------------------------
    @property
    def source_name(self) -> str:
        return Path(self.source).name

    def title(self) -> str:
        return self.own.display_title if hasattr(self, "own") else self.source_name
