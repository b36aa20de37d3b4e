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

CLOSED_ROUTE_PENALTY = 1e6  # USD/kg: traffickers see a closure and do not plan through it


@dataclass
class Shipment:
    """A load of cocaine HCl on its way from a district to an exit."""

    owner: TraffickingOrg
    kg: float
    route: int  # index into model.routes
    exit: int  # index into model.exits
    leg: int  # index of the next edge to traverse; == number of edges when at the exit
    ready_in_h: float  # hours until the shipment can make its next move
    escorted: bool
    at_exit: bool = False


def value_routes(model: VraemModel, cfg: TraffickersConfig) -> np.ndarray:
    """Expected profit per kg of every route for every organisation (orgs x routes, USD/kg).

    Each organisation uses its own perceived edge risks; escorts by the armed group lower the
    risk of legs inside the valley with the probability that the origin district is controlled.
    """
    m = model
    r = np.minimum(m.perceived_risk, 0.999)
    log_free = np.log1p(-r)
    log_escorted = np.log1p(-r * (1.0 - m.escort_risk_reduction))
    control = m.route_origin_control()
    log_pass = log_free @ m.route_edges.T + control * (
        (log_escorted - log_free) @ m.route_edges_in_valley.T
    )
    exit_price = m.exit_market.price[m.route_exit]
    bribes = cfg.bribe_share_of_risk * (r @ m.route_edges.T) * m.market.price_hcl
    fees = control * m.escort_fee
    value = np.exp(log_pass) * exit_price - m.route_transport - bribes - fees
    if m.closed.any():  # closures are public: routes through them are not planned
        value = value - CLOSED_ROUTE_PENALTY * (m.route_edges @ (m.closed > 0))
    return value


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
        return self.model.route_value[self.index]

    def update_bid(self) -> float:
        """What it will pay per kg in the VRAEM: its best expected net value, less its markup."""
        m = self.model
        best = np.maximum.reduceat(self.route_profit(), m.route_segment[:-1])
        w = self.presence / self.presence.sum()
        self.bid_usd_per_kg = max(0.0, float((w * best).sum()) * (1.0 - self.cfg.markup))
        return self.bid_usd_per_kg

    # --- weekly behaviour ------------------------------------------------------------------
    def step(self) -> None:
        """Send what it holds in lots along routes chosen by a logit on expected profit.

        Routes are grouped by origin district (`model.route_segment`); in each district with
        stock it draws a route per lot and ships lots while the stock lasts.
        """
        m = self.model
        draws = (self.stock // m.min_lot_kg).astype(np.int64)
        total = int(draws.sum())
        if total == 0:
            return
        seg, origin = m.route_segment, m.route_origin
        profit = self.route_profit()
        util = np.exp(
            (profit - np.maximum.reduceat(profit, seg[:-1])[origin])
            / self.cfg.choice_temperature_usd_per_kg
        )
        # cumulative choice probabilities: district d's routes span [d, d + 1)
        cum = np.cumsum(util / np.add.reduceat(util, seg[:-1])[origin])
        district = np.repeat(np.arange(draws.size), draws)
        pick = np.searchsorted(cum, district + m.rng.random(total), side="right")
        pick = np.clip(pick, seg[district], seg[district + 1] - 1)
        lots = m.route_lot_kg[pick]
        shipped = np.cumsum(lots)
        before = np.concatenate(([0.0], shipped))[np.cumsum(draws) - draws]
        go = shipped - np.repeat(before, draws) <= np.repeat(self.stock, draws)
        for r, lot, d in zip(
            pick[go].tolist(), lots[go].tolist(), district[go].tolist(), strict=True
        ):
            m.dispatch(self, r, lot, d)
        self.stock -= np.bincount(district[go], weights=lots[go], minlength=draws.size)

    def receive(self, kg_by_district: np.ndarray, price: float) -> None:
        self.stock += kg_by_district
        self.revenue_usd -= float(kg_by_district.sum()) * price

    def sell(self, kg: float, price: float) -> None:
        self.revenue_usd += kg * price
