"""The route table: every candidate route from a district to an exit, as arrays.

Built once per scenario from its compiled network and shared (read-only) by the replicates.
Routes are grouped by origin district: district d's routes are rows
`segment[d]:segment[d + 1]`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config.models import TraffickersConfig
from sim.network.routes import Route, RouteNetwork, enumerate_routes


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class RouteTable:
    """Candidate routes and the per-route and per-edge arrays the traffickers and transit use."""

    routes: list[Route]
    edges: np.ndarray  # (routes x edges) 1 where the route uses the edge
    edges_in_valley: np.ndarray  # (routes x edges) 1 where it uses an edge inside a district
    exit: np.ndarray  # exit index of each route (into the network's exits)
    origin: np.ndarray  # origin district index of each route
    transport_usd_per_kg: np.ndarray
    lot_kg: np.ndarray  # lot size of each route (kg), set by its most limiting mode
    segment: np.ndarray  # district d's routes are segment[d]:segment[d + 1]
    edge_loss: np.ndarray  # probability that a load is lost on each edge, by its mode
    n_legs: np.ndarray  # number of edges of each route
    leg_edge: np.ndarray  # (routes x most legs) edge of each leg, 0 past a route's last leg
    leg_dwell_h: np.ndarray  # (routes x most legs + 1) staging time before each leg and at the exit

    @property
    def min_lot_kg(self) -> float:
        """The smallest lot any route carries (kg)."""
        return float(self.lot_kg.min())

    @classmethod
    def build(cls, net: RouteNetwork, cfg: TraffickersConfig) -> RouteTable:
        """Enumerate the routes of `net` and lay them out as arrays."""
        district_pos = {d: i for i, d in enumerate(net.districts)}
        found = enumerate_routes(
            net,
            cfg.transport_usd_per_kg_km,
            cfg.lot_kg,
            cfg.routes_per_exit,
            cfg.route_ranking_value_usd_per_kg,
        )
        routes = sorted(found, key=lambda r: district_pos[r.district])
        n_r, n_e = len(routes), net.n_edges
        uses = np.zeros((n_r, n_e))
        in_valley_use = np.zeros((n_r, n_e))
        in_valley = net.edge_district != ""
        exit_pos = {x: i for i, x in enumerate(net.exit_group)}
        for i, route in enumerate(routes):
            uses[i, route.edges] = 1.0
            in_valley_use[i, route.edges] = in_valley[route.edges]
        origin = np.array([district_pos[r.district] for r in routes])
        n_legs = np.array([len(r.edges) for r in routes], dtype=np.int64)
        leg_edge = np.zeros((n_r, int(n_legs.max(initial=0))), dtype=np.int64)
        leg_dwell_h = np.zeros((n_r, leg_edge.shape[1] + 1))
        for i, route in enumerate(routes):
            leg_edge[i, : n_legs[i]] = route.edges
            leg_dwell_h[i, : n_legs[i] + 1] = route.dwell_h
        return cls(
            routes=routes,
            edges=_frozen(uses),
            edges_in_valley=_frozen(in_valley_use),
            exit=_frozen(np.array([exit_pos[r.exit] for r in routes])),
            origin=_frozen(origin),
            transport_usd_per_kg=_frozen(np.array([r.transport_usd_per_kg for r in routes])),
            lot_kg=_frozen(np.array([cfg.lot_kg[r.lot_mode] for r in routes])),
            segment=_frozen(np.searchsorted(origin, np.arange(len(net.districts) + 1))),
            edge_loss=_frozen(
                np.array([cfg.loss_probability[m] for m in net.edge_mode], dtype=float)
            ),
            n_legs=_frozen(n_legs),
            leg_edge=_frozen(leg_edge),
            leg_dwell_h=_frozen(leg_dwell_h),
        )
