"""Weekly records of a model run, in preallocated arrays (picklable, no lambdas)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.units import WEEKS_PER_YEAR

TIMESERIES_COLUMNS = [
    "coca_ha",
    "leaf_t",
    "cocaine_produced_kg",
    "cocaine_stock_kg",
    "cocaine_in_transit_kg",
    "seized_kg",
    "exported_kg",
    "lost_kg",
    "price_leaf_usd_per_kg",
    "price_paste_usd_per_kg",
    "price_hcl_vraem_usd_per_kg",
    "armed_groups",
    "armed_members",
    "armed_fighters",
    "armed_income_usd",
    "violent_events",
    "deaths",
    "deaths_security",
    "deaths_civilians",
    "deaths_armed",
    "deaths_ambush",
    "deaths_selective_killing",
    "deaths_massacre",
    "deaths_clash",
    "deaths_gang_clash",
    "deaths_operation",
    "eradicated_ha",
    "leader_in_place",
]
# kinds of violent incident, each with its deaths column `deaths_<kind>`
VIOLENCE_KINDS = ("ambush", "selective_killing", "massacre", "clash", "gang_clash", "operation")
VICTIMS = ("deaths_security", "deaths_civilians", "deaths_armed")
DEATHS_BY_KIND = tuple(f"deaths_{kind}" for kind in VIOLENCE_KINDS)
INTEGER_COLUMNS = ("armed_groups", "violent_events", "deaths", *VICTIMS, *DEATHS_BY_KIND)


class WeeklyRecorder:
    """Holds one row per week of the time series, per-exit flows and prices, and edge flows."""

    def __init__(self, weeks: int, exits: list[str], n_edges: int) -> None:
        self.weeks = weeks
        self.exits = exits
        self.values = {c: np.zeros(weeks) for c in TIMESERIES_COLUMNS}
        self.exit_exported = np.zeros((weeks, len(exits)))
        self.exit_seized = np.zeros((weeks, len(exits)))
        self.exit_dispatched = np.zeros((weeks, len(exits)))
        self.exit_price = np.zeros((weeks, len(exits)))
        self.edge_kg = np.zeros((-(-weeks // WEEKS_PER_YEAR), n_edges))  # (year, edge)
        self.events: list[tuple[int, str, str, str]] = []
        self.violence: list = []
        self.new_week()

    def new_week(self) -> None:
        """Start counting a new week's violence."""
        self._violent_events = 0
        self._deaths = dict.fromkeys(VIOLENCE_KINDS, 0)
        self._victims = dict.fromkeys(VICTIMS, 0)

    def add_violence(self, kind, group, district, deaths_security, deaths_civilians, deaths_armed):
        """TEMPORARY shim until the records branch lands."""
        if kind not in self._deaths:
            raise ValueError(f"unknown kind of violence {kind!r}; expected one of {VIOLENCE_KINDS}")
        self._violent_events += 1
        self._deaths[kind] += deaths_security + deaths_civilians + deaths_armed
        for k, v in zip(VICTIMS, (deaths_security, deaths_civilians, deaths_armed)):
            self._victims[k] += v
        self.violence.append((kind, group, district, deaths_security, deaths_civilians, deaths_armed))

    def log_event(self, week: int, kind: str, who: str, outcome: str) -> None:
        """An entry in the event log."""
        self.events.append((week, kind, who, outcome))

    def record_week(self, week: int, **values: float) -> None:
        """The week's row: the given values and the violence counted since `new_week`."""
        by_kind = {f"deaths_{kind}": n for kind, n in self._deaths.items()}
        values = {
            **values,
            "violent_events": self._violent_events,
            "deaths": sum(self._deaths.values()),
            **by_kind,
            **self._victims,
        }
        for key, value in values.items():
            self.values[key][week] = value

    def record_exits(
        self,
        week: int,
        exported: np.ndarray,
        seized: np.ndarray,
        dispatched: np.ndarray,
        price: np.ndarray,
    ) -> None:
        """The week's flows and price at each exit."""
        self.exit_exported[week] = exported
        self.exit_seized[week] = seized
        self.exit_dispatched[week] = dispatched
        self.exit_price[week] = price

    def timeseries(self, scenario: str, replicate: int, seed: int) -> pd.DataFrame:
        df = pd.DataFrame(
            {
                "scenario": scenario,
                "replicate": np.full(self.weeks, replicate, dtype=np.int64),
                "seed": np.full(self.weeks, seed, dtype=np.uint64),
                "week": np.arange(self.weeks, dtype=np.int64),
            }
        )
        for col in TIMESERIES_COLUMNS:
            values = self.values[col]
            if col == "leader_in_place":
                df[col] = values.astype(bool)
            elif col in INTEGER_COLUMNS:
                df[col] = np.rint(values).astype(np.int64)
            else:
                df[col] = values
        return df

    def exits_frame(self, replicate: int, groups: dict[str, str]) -> pd.DataFrame:
        n_exits = len(self.exits)
        return pd.DataFrame(
            {
                "replicate": np.full(self.weeks * n_exits, replicate, dtype=np.int64),
                "week": np.repeat(np.arange(self.weeks, dtype=np.int64), n_exits),
                "exit": np.tile(np.array(self.exits, dtype=object), self.weeks),
                "group": np.tile(
                    np.array([groups[e] for e in self.exits], dtype=object), self.weeks
                ),
                "exported_kg": self.exit_exported.ravel(),
                "seized_kg": self.exit_seized.ravel(),
                "dispatched_kg": self.exit_dispatched.ravel(),
                "price_hcl_usd_per_kg": self.exit_price.ravel(),
            }
        )

    def edge_frame(self, replicate: int, u: list[str], v: list[str], mode) -> pd.DataFrame:
        """kg carried over each edge in each reporting year (year 1 = weeks 0-51)."""
        n_years, n_edges = self.edge_kg.shape
        return pd.DataFrame(
            {
                "replicate": np.full(n_years * n_edges, replicate, dtype=np.int64),
                "year": np.repeat(np.arange(1, n_years + 1, dtype=np.int64), n_edges),
                "u": np.tile(np.asarray(u, dtype=object), n_years),
                "v": np.tile(np.asarray(v, dtype=object), n_years),
                "mode": np.tile(np.asarray(list(mode), dtype=object), n_years),
                "kg": self.edge_kg.ravel(),
            }
        )

    def events_frame(self, replicate: int) -> pd.DataFrame:
        df = pd.DataFrame(self.events, columns=["week", "type", "who", "outcome"])
        df.insert(0, "replicate", replicate)
        return df.astype({"replicate": "int64", "week": "int64"})
