"""Trafficking organisations: buy HCl in the districts, choose routes, ship, learn route risk.

An organisation values each candidate route by its expected profit per kg: the exit price times
the probability of getting through (its own, learnt estimate), less transport, bribes and the
armed group's escort fee. It picks routes by a logit on that profit, so traffic shifts away from
routes where it has lost loads. Learning is NarcoLogic-style: an exponentially weighted estimate
of each edge's seizure probability from its own shipments and, with less weight, from what it
hears of others'.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.config.models import TraffickersConfig

if TYPE_CHECKING:
    from sim.model import VraemModel


@dataclass
class Shipment:
    """A load of cocaine HCl on its way from a district to an exit."""

    owner: TraffickingOrg
    kg: float
    route: int  # index into model.routes
    leg: int  # index of the next edge to traverse; == number of edges when at the exit
    ready_in_h: float  # hours until the shipment can make its next move
    escorted: bool
    at_exit: bool = False


class TraffickingOrg(mesa.Agent):
    """A trafficking organisation operating from some of the VRAEM's districts."""

    def __init__(
        self, model: VraemModel, cfg: TraffickersConfig, presence: np.ndarray, label: str
    ) -> None:
        super().__init__(model)
        self.cfg = cfg
        self.label = label
        self.presence = presence  # weight of its buying presence in each district (0..1)
        self.index = model.register_trafficker(self)  # row in model.perceived_risk
        self.stock = np.zeros(len(model.network.districts))  # kg held in each district
        self.revenue_usd = 0.0
        self.bid_usd_per_kg = 0.0

    @property
    def risk(self) -> np.ndarray:
        """Perceived seizure probability of every edge (a row of the model's matrix)."""
        return self.model.perceived_risk[self.index]

    # --- valuation -------------------------------------------------------------------------
    def route_profit(self) -> np.ndarray:
        """Expected profit per kg of every candidate route, before the purchase price (USD/kg)."""
        m = self.model
        r = np.minimum(self.risk, 0.999)
        log_free = np.log1p(-r)
        log_escorted = np.log1p(-r * (1.0 - m.escort_risk_reduction))
        control = m.route_origin_control()
        log_pass = m.route_edges @ log_free + control * (
            m.route_edges_in_valley @ (log_escorted - log_free)
        )
        p_pass = np.exp(log_pass)
        exit_price = m.exit_market.price[m.route_exit]
        bribes = self.cfg.bribe_share_of_risk * (m.route_edges @ r) * m.market.price_hcl
        fees = control * m.escort_fee
        return p_pass * exit_price - m.route_transport - bribes - fees

    def update_bid(self) -> float:
        """What it will pay per kg in the VRAEM: its best expected net value, less its markup."""
        profit = self.route_profit()
        best = np.full(len(self.model.network.districts), -np.inf)
        np.maximum.at(best, self.model.route_origin, profit)
        w = self.presence / self.presence.sum()
        self.bid_usd_per_kg = max(0.0, float((w * best).sum()) * (1.0 - self.cfg.markup))
        return self.bid_usd_per_kg

    # --- weekly behaviour ------------------------------------------------------------------
    def step(self) -> None:
        """Send what it holds in lots along routes chosen by a logit on expected profit."""
        m = self.model
        profit = self.route_profit()
        rng = m.rng
        for d in np.flatnonzero(self.stock > 0):
            routes = m.routes_from[d]
            util = (profit[routes] - profit[routes].max()) / self.cfg.choice_temperature_usd_per_kg
            cdf = np.cumsum(np.exp(util))
            cdf /= cdf[-1]
            while True:
                r = int(routes[min(int(np.searchsorted(cdf, rng.random())), routes.size - 1)])
                lot = m.route_lot_kg[r]
                if self.stock[d] < lot:
                    break
                self.stock[d] -= lot
                m.dispatch(self, r, lot, int(d))

    def receive(self, kg_by_district: np.ndarray, price: float) -> None:
        self.stock += kg_by_district
        self.revenue_usd -= float(kg_by_district.sum()) * price

    def sell(self, kg: float, price: float) -> None:
        self.revenue_usd += kg * price
