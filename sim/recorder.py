"""Weekly records of a model run, in preallocated arrays (picklable, no lambdas)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.units import WEEKS_PER_YEAR

# kinds of violent event, each with its deaths column `deaths_<kind>`
VIOLENCE_KINDS = ("ambush", "selective_killing", "massacre", "clash", "gang_clash", "operation")
DEATHS_BY_KIND = tuple(f"deaths_{kind}" for kind in VIOLENCE_KINDS)
# who was killed; the three columns sum to `deaths`, as do the columns by kind
DEATHS_BY_VICTIM = ("deaths_security", "deaths_civilians", "deaths_armed")

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
    *DEATHS_BY_VICTIM,
    *DEATHS_BY_KIND,
    "eradicated_ha",
    "leader_in_place",
]
INTEGER_COLUMNS = ("armed_groups", "violent_events", "deaths", *DEATHS_BY_VICTIM, *DEATHS_BY_KIND)

#: events.parquet: log entries (arrests, successions, splits...) and violent events, one row each
EVENT_COLUMNS = (
    "replicate",
    "week",
    "type",
    "who",
    "outcome",
    "kind",
    "group",
    "district",
    *DEATHS_BY_VICTIM,
)
VIOLENCE_TYPE = "violence"  # the `type` of a violent event in events.parquet
_EVENT_INTS = ("replicate", "week", *DEATHS_BY_VICTIM)


def violence_outcome(kind: str, security: int, civilians: int, armed: int) -> str:
    """The `outcome` text of a violent event: "ambush: 3 security, 0 civilians, 1 armed killed"."""
    return f"{kind}: {security} security, {civilians} civilians, {armed} armed killed"


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
        self.events: list[tuple[int, str, str, str]] = []  # log: (week, type, who, outcome)
        # violent events of recorded weeks: (week, kind, group, district, security, civilians,
        # armed killed)
        self.violence: list[tuple[int, str, str, str, int, int, int]] = []
        self.new_week(0)

    def new_week(self, week: int) -> None:
        """Start counting the violence of `week`; what was counted since the last `new_week` and
        not recorded by `record_week` is dropped."""
        self.week = week
        self._week_violence: list[tuple[int, str, str, str, int, int, int]] = []

    def add_violence(
        self,
        kind: str,
        group: str,
        district: str,
        deaths_security: int,
        deaths_civilians: int,
        deaths_armed: int,
    ) -> None:
        """One violent event of the current week: its `kind` (one of VIOLENCE_KINDS), the armed
        group involved, the district id ("" if none) and the people killed by victim type."""
        if kind not in VIOLENCE_KINDS:
            raise ValueError(f"unknown kind of violence {kind!r}; expected one of {VIOLENCE_KINDS}")
        deaths = (int(deaths_security), int(deaths_civilians), int(deaths_armed))
        if min(deaths) < 0:
            raise ValueError(f"negative deaths in a {kind} event: {deaths}")
        self._week_violence.append((self.week, kind, group, district, *deaths))

    def log_event(self, week: int, kind: str, who: str, outcome: str) -> None:
        """An entry in the event log."""
        self.events.append((week, kind, who, outcome))

    def record_week(self, week: int, **values: float) -> None:
        """The week's row: the given values and the violence counted since `new_week(week)`,
        whose events join the event log with this week."""
        if week != self.week:
            raise ValueError(f"recording week {week} but counting the violence of week {self.week}")
        events = self._week_violence
        by_victim = [sum(e[4 + i] for e in events) for i in range(len(DEATHS_BY_VICTIM))]
        by_kind = dict.fromkeys(DEATHS_BY_KIND, 0)
        for e in events:
            by_kind[f"deaths_{e[1]}"] += sum(e[4:])
        values = {
            **values,
            "violent_events": len(events),
            "deaths": sum(by_victim),
            **dict(zip(DEATHS_BY_VICTIM, by_victim, strict=True)),
            **by_kind,
        }
        for key, value in values.items():
            self.values[key][week] = value
        self.violence.extend(events)
        self._week_violence = []

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
        """events.parquet's rows of this replicate, by week: the log entries of a week (kind "",
        group = who, district "", no deaths), then its violent events (type "violence").
        Integers are int64 and text pandas' `str` (what Parquet reads back, empty or not)."""
        rows = [
            (week, typ, who, outcome, "", who, "", 0, 0, 0)
            for week, typ, who, outcome in self.events
        ]
        rows += [
            (
                week,
                VIOLENCE_TYPE,
                group,
                violence_outcome(kind, *deaths),
                kind,
                group,
                district,
                *deaths,
            )
            for week, kind, group, district, *deaths in self.violence
        ]
        columns = list(zip(*rows, strict=True)) if rows else [()] * (len(EVENT_COLUMNS) - 1)
        df = pd.DataFrame(
            {
                "replicate": pd.Series(np.full(len(rows), replicate), dtype=np.int64),
                **{
                    name: pd.Series(values, dtype=np.int64 if name in _EVENT_INTS else "str")
                    for name, values in zip(EVENT_COLUMNS[1:], columns, strict=True)
                },
            }
        )
        return df.sort_values("week", kind="stable", ignore_index=True)
