"""Shipments in transit: legs, staging, closures, detection, seizures, losses and exports.

Each shipment follows its route one leg at a time. Every week it spends up to a week's hours
moving; before each leg it may be held up by a closure, seized (the leg's detection risk now,
lower when escorted inside the valley) or lost (by the leg's mode); at the exit it is sold.
What happened is told to its owner's risk beliefs, to the police unit that seized it and to
the week's tallies.

Shipments are held as arrays (`Shipments`, one entry per shipment) and moved together: each
round of `Transit.move` takes every shipment that still has time this week one step (a leg, a
wait at a closure or the sale at its exit), with one draw per shipment for detection and one
for loss. There is no Python loop over shipments.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Protocol

import numpy as np

from sim.network.route_table import RouteTable
from sim.network.routes import RouteNetwork
from sim.units import HOURS_PER_WEEK


class Owner(Protocol):
    """The organisation a shipment belongs to."""

    index: int

    def sell(self, kg: float, usd: float) -> None: ...


class Seizer(Protocol):
    """The police unit that covers an edge."""

    def record_seizure(self, edge: int, kg: float) -> None: ...


class Observer(Protocol):
    """Where shipments' fates are learnt from (the organisations' risk beliefs)."""

    def observe(self, orgs: np.ndarray, edges: np.ndarray) -> None: ...

    def observe_seizures(self, orgs: np.ndarray, edges: np.ndarray) -> None: ...


@dataclass
class Shipments:
    """Loads of cocaine HCl on their way from a district to an exit, one entry per load."""

    owner: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # Owner.index
    kg: np.ndarray = field(default_factory=lambda: np.zeros(0))
    route: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # route table
    leg: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # next leg
    ready_in_h: np.ndarray = field(default_factory=lambda: np.zeros(0))  # until its next move
    escorted: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __len__(self) -> int:
        return self.kg.size

    def extend(self, other: Shipments) -> None:
        """Add `other`'s loads after these."""
        for f in fields(self):
            setattr(self, f.name, np.concatenate((getattr(self, f.name), getattr(other, f.name))))

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the loads where `mask` is true."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name)[mask])


class Transit:
    """All shipments on the network, and the edges' state (closures, detection) they meet."""

    def __init__(
        self,
        net: RouteNetwork,
        table: RouteTable,
        rng: np.random.Generator,
        escort_risk_reduction: float,
        closure_wait_h: float,
        edge_kg: np.ndarray,
    ) -> None:
        self.table = table
        self.rng = rng
        self.keep_escorted = 1.0 - escort_risk_reduction
        self.closure_wait_h = closure_wait_h
        self.base_risk = net.edge_risk
        self.closed = np.zeros(net.n_edges, dtype=np.int64)  # closures in force (lever)
        self.detection_factor = np.ones(net.n_edges)  # e.g. an interdiction surge (lever)
        self.risk_now = net.edge_risk.copy()
        self.shipments = Shipments()
        self.owners: dict[int, Owner] = {}  # by Owner.index
        self.edge_kg = edge_kg  # kg carried over each edge, by reporting year (year x edge)
        self.seizer: list[Seizer | None] = [None] * net.n_edges
        self._hours = net.edge_hours
        self._escortable = net.edge_district != ""
        self.n_exits = len(net.exit_group)
        self.new_week()

    def new_week(self) -> None:
        """Zero the week's tallies."""
        self.seized_kg = 0.0
        self.exported_kg = 0.0
        self.lost_kg = 0.0
        self.exit_exported = np.zeros(self.n_exits)
        self.exit_seized = np.zeros(self.n_exits)
        self.exit_dispatched = np.zeros(self.n_exits)

    def assign_police(self, units: list) -> None:
        """Who seizes on each edge: the police unit covering it."""
        for unit in units:
            for e in unit.edges:
                self.seizer[e] = unit

    def update_risk(self, units: list) -> None:
        """Detection risk on every edge this week: base risk under the detection factor and
        each police unit's hazard on its edges."""
        mult = self.detection_factor.copy()
        for unit in units:
            mult[unit.edges] *= unit.hazard()
        self.risk_now = -np.expm1(mult * np.log1p(-np.minimum(self.base_risk, 0.999)))

    def dispatch(
        self,
        owners: list[Owner],
        owner: np.ndarray,
        routes: np.ndarray,
        kg: np.ndarray,
        escorted: np.ndarray,
    ) -> None:
        """Start one shipment per entry of `routes`, owned by `owners[owner[i]]`, of `kg[i]`
        and `escorted[i]` or not."""
        if routes.size == 0:
            return
        for o in owners:
            self.owners[o.index] = o
        index = np.array([o.index for o in owners], dtype=np.int64)
        self.shipments.extend(
            Shipments(
                owner=index[owner],
                kg=kg.astype(float),
                route=routes.astype(np.int64),
                leg=np.zeros(routes.size, dtype=np.int64),
                ready_in_h=self.table.leg_dwell_h[routes, 0],
                escorted=escorted.astype(bool),
            )
        )
        self.exit_dispatched += np.bincount(
            self.table.exit[routes], weights=kg, minlength=self.n_exits
        )

    def in_transit_kg(self) -> float:
        return float(self.shipments.kg.sum())

    def move(self, year: int, exit_prices: np.ndarray, beliefs: Observer) -> None:
        """Advance every shipment by one week: legs, staging, seizures, losses and exports.
        `year` (0-based) is the reporting year whose edge flows the legs add to.

        All shipments move at once, over a (shipment x leg ahead) table: the hours before each
        leg ahead is tried (travel and staging of the legs before it), whether it is reached
        this week, and one detection and one loss draw for each; a shipment stops at the first
        leg where it is seized, lost or held by a closure, or at its exit, where it is sold.
        """
        s, t = self.shipments, self.table
        s.ready_in_h -= HOURS_PER_WEEK
        a = np.flatnonzero(s.ready_in_h <= 0)  # shipments with time to move this week
        if a.size == 0:
            return
        route, leg, ready = s.route[a], s.leg[a], s.ready_in_h[a]
        ahead = np.arange(t.leg_edge.shape[1] + 1)  # legs ahead, and the exit after the last
        at = leg[:, None] + ahead  # (shipment x ahead) leg index
        n_legs = t.n_legs[route][:, None]
        exit_here = at == n_legs
        on_route = at < n_legs
        last = t.leg_edge.shape[1] - 1
        edge = t.leg_edge[route[:, None], np.minimum(at, last)]
        hours = np.where(
            on_route,
            self._hours[edge] + t.leg_dwell_h[route[:, None], np.minimum(at + 1, last + 1)],
            0.0,
        )
        after = ready[:, None] + np.cumsum(hours, axis=1)  # hours left after each leg ahead
        before = np.concatenate((ready[:, None], after[:, :-1]), axis=1)
        reached = (before <= 0) & (on_route | exit_here)
        risk = self.risk_now[edge]
        escorted = s.escorted[a][:, None] & self._escortable[edge]
        risk = np.where(escorted, risk * self.keep_escorted, risk)
        draw = self.rng.random((2, *edge.shape))
        shut = on_route & (self.closed[edge] > 0)
        seized = on_route & ~shut & (draw[0] < risk)
        lost = on_route & ~shut & ~seized & (draw[1] < t.edge_loss[edge])
        stops = reached & (exit_here | shut | seized | lost)
        stopped = stops.any(axis=1)
        first = np.where(stopped, stops.argmax(axis=1), reached.sum(axis=1))
        rows = np.arange(a.size)
        passed = ahead < first[:, None]  # legs crossed this week
        np.add.at(self.edge_kg[year], edge[passed], np.repeat(s.kg[a], first))

        def ending(kind: np.ndarray) -> np.ndarray:
            return stopped & kind[rows, np.minimum(first, ahead.size - 1)]

        sold, taken, gone, held = ending(exit_here), ending(seized), ending(lost), ending(shut)
        s.leg[a] = leg + first  # the leg each is at: the seized ones' is where they were taken
        self._export(a[sold], exit_prices, beliefs)
        self._seize(a[taken], edge[rows[taken], first[taken]], beliefs)
        self.lost_kg += float(s.kg[a[gone]].sum())
        moving = ~stopped  # out of time between legs: the hours left after the last leg crossed
        s.ready_in_h[a[moving]] = after[rows[moving], first[moving] - 1]
        late = before[rows[held], first[held]]  # held at a closure: waits until the week is out
        s.ready_in_h[a[held]] = late + self.closure_wait_h * (
            np.floor(-late / self.closure_wait_h) + 1.0
        )
        ended = np.zeros(len(s), dtype=bool)
        ended[a[sold | taken | gone]] = True
        s.keep(~ended)

    def _export(self, sold: np.ndarray, exit_prices: np.ndarray, beliefs: Observer) -> None:
        """Shipments `sold` at their exits: tallies, owners' revenue, safe passages learnt."""
        if sold.size == 0:
            return
        s, t = self.shipments, self.table
        kg, where = s.kg[sold], t.exit[s.route[sold]]
        self.exit_exported += np.bincount(where, weights=kg, minlength=self.n_exits)
        self.exported_kg += float(kg.sum())
        owner = s.owner[sold]
        kg_by = np.bincount(owner, weights=kg)
        usd_by = np.bincount(owner, weights=kg * exit_prices[where])
        for index in np.flatnonzero(kg_by).tolist():
            self.owners[index].sell(float(kg_by[index]), float(usd_by[index]))
        self._observe(sold, t.n_legs[s.route[sold]], beliefs)

    def _seize(self, taken: np.ndarray, edge: np.ndarray, beliefs: Observer) -> None:
        """Shipments `taken` on `edge` (their current leg): tallies, the police units' records;
        owners learn of the legs crossed up to it and of the seizure."""
        if taken.size == 0:
            return
        s, t = self.shipments, self.table
        kg = s.kg[taken]
        self.exit_seized += np.bincount(t.exit[s.route[taken]], weights=kg, minlength=self.n_exits)
        self.seized_kg += float(kg.sum())
        by_edge = np.bincount(edge, weights=kg, minlength=len(self.seizer))
        for e in np.flatnonzero(by_edge).tolist():
            self.seizer[e].record_seizure(e, float(by_edge[e]))
        self._observe(taken, s.leg[taken] + 1, beliefs)
        beliefs.observe_seizures(s.owner[taken], edge)

    def _observe(self, which: np.ndarray, legs: np.ndarray, beliefs: Observer) -> None:
        """Tell the owners of shipments `which` that each crossed (or met) its first `legs`
        edges."""
        route_edges = self.table.leg_edge[self.shipments.route[which]]
        crossed = np.arange(route_edges.shape[1]) < legs[:, None]
        beliefs.observe(np.repeat(self.shipments.owner[which], legs), route_edges[crossed])
