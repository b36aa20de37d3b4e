"""Shipments in transit: legs, staging, closures, detection, seizures, losses and exports.

Each shipment follows its route one leg at a time. Every week it spends up to a week's hours
moving; before each leg it may be held up by a closure, seized (the leg's detection risk now,
lower when escorted inside the valley) or lost (by the leg's mode); at the exit it is sold.
What happened is told to its owner's risk beliefs, to the police unit that seized it and to
the week's tallies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from sim.network.route_table import RouteTable
from sim.network.routes import RouteNetwork
from sim.units import HOURS_PER_WEEK

UNIFORM_BLOCK = 4096  # uniform draws fetched from the generator at a time (speed only)


class Owner(Protocol):
    """The organisation a shipment belongs to."""

    index: int

    def sell(self, kg: float, price: float) -> None: ...


class Seizer(Protocol):
    """The police unit that covers an edge."""

    def record_seizure(self, edge: int, kg: float) -> None: ...


class Observer(Protocol):
    """Where shipments' fates are learnt from (the organisations' risk beliefs)."""

    def observe(self, org: int, edges: list[int], seized_on: int | None) -> None: ...


@dataclass
class Shipment:
    """A load of cocaine HCl on its way from a district to an exit."""

    owner: Owner
    kg: float
    route: int  # index into the route table
    exit: int  # index into the network's exits
    leg: int  # index of the next edge to traverse; == number of edges when at the exit
    ready_in_h: float  # hours until the shipment can make its next move
    escorted: bool
    at_exit: bool = False


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
        self.shipments: list[Shipment] = []
        self.edge_kg = edge_kg  # kg carried over each edge, by reporting year (year x edge)
        self.seizer: list[Seizer | None] = [None] * net.n_edges
        self._hours = net.edge_hours.tolist()
        self._escortable = (net.edge_district != "").tolist()
        self._loss = table.edge_loss.tolist()
        self._u_block: list[float] = []
        self._u_pos = 0
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

    def dispatch(self, owner: Owner, route: int, kg: float, escorted: bool) -> None:
        """Start a shipment on its route."""
        x = int(self.table.exit[route])
        dwell = self.table.dwell_list[route][0]
        self.shipments.append(Shipment(owner, kg, route, x, 0, dwell, escorted))
        self.exit_dispatched[x] += kg

    def in_transit_kg(self) -> float:
        return float(sum(s.kg for s in self.shipments))

    def _uniform(self) -> float:
        """Next uniform draw from the generator, drawn in blocks for speed."""
        if self._u_pos >= len(self._u_block):
            self._u_block = self.rng.random(UNIFORM_BLOCK).tolist()
            self._u_pos = 0
        self._u_pos += 1
        return self._u_block[self._u_pos - 1]

    def move(self, year: int, exit_prices: np.ndarray, beliefs: Observer) -> None:
        """Advance every shipment by one week: legs, staging, seizures, losses and exports.
        `year` (0-based) is the reporting year whose edge flows the legs add to."""
        self._prices = exit_prices.tolist()
        self._risk = self.risk_now.tolist()
        self._closed = self.closed.tolist()
        remaining: list[Shipment] = []
        for s in self.shipments:
            s.ready_in_h -= HOURS_PER_WEEK
            if not self._advance(s, beliefs, year):
                remaining.append(s)
        self.shipments = remaining

    def _advance(self, s: Shipment, beliefs: Observer, year: int) -> bool:
        """Move one shipment while it has time; True when it has left the network."""
        uniform = self._uniform
        prices, risk_now, closed = self._prices, self._risk, self._closed
        edges = self.table.edge_list[s.route]
        while s.ready_in_h <= 0:
            if s.at_exit:
                self.exit_exported[s.exit] += s.kg
                self.exported_kg += s.kg
                s.owner.sell(s.kg, prices[s.exit])
                beliefs.observe(s.owner.index, edges, None)
                return True
            e = edges[s.leg]
            if closed[e]:
                s.ready_in_h += self.closure_wait_h
                continue
            risk = risk_now[e]
            if s.escorted and self._escortable[e]:
                risk = risk * self.keep_escorted
            if uniform() < risk:
                self.exit_seized[s.exit] += s.kg
                self.seized_kg += s.kg
                self.seizer[e].record_seizure(e, s.kg)
                beliefs.observe(s.owner.index, edges[: s.leg + 1], e)
                return True
            if uniform() < self._loss[e]:
                self.lost_kg += s.kg
                return True
            self.edge_kg[year, e] += s.kg
            s.leg += 1
            s.ready_in_h += self._hours[e] + self.table.dwell_list[s.route][s.leg]
            s.at_exit = s.leg == len(edges)
        return False
