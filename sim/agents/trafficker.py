"""Trafficking organisations: buy HCl in the districts, choose routes, ship, learn route risk.

An organisation values each candidate route by its expected profit per kg: the exit price times
the probability of getting through (its own, learnt estimate), less transport, bribes and the
armed group's escort fee. It picks routes by a logit on that profit, so traffic shifts away from
routes where it has lost loads. Learning is NarcoLogic-style (`RiskBeliefs`): an exponentially
weighted estimate of each edge's seizure probability from its own shipments and, with less
weight, from what it hears of others'.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.agents.world import World
from sim.config.models import TraffickersConfig
from sim.network.route_table import RouteTable

# USD/kg: closures are public, so routes through them are not planned. Any value far above an
# exit price does this; it is a planning device, not a behavioural parameter.
CLOSED_ROUTE_PENALTY = 1e6


class RiskBeliefs:
    """Every organisation's perceived seizure probability of every edge (orgs x edges)."""

    def __init__(self, n_edges: int) -> None:
        self.perceived = np.empty((0, n_edges))
        self._observed = np.zeros_like(self.perceived)
        self._seized = np.zeros_like(self.perceived)

    def add(self, prior: np.ndarray) -> int:
        """A new organisation's row, starting at `prior`; returns its index."""
        self.perceived = np.vstack([self.perceived, prior])
        self._observed = np.zeros_like(self.perceived)
        self._seized = np.zeros_like(self.perceived)
        return self.perceived.shape[0] - 1

    def observe(self, orgs: np.ndarray, edges: np.ndarray) -> None:
        """Note shipments' passages: organisation `orgs[i]` saw a load of its own cross (or
        meet) edge `edges[i]`; digested in `learn`."""
        np.add.at(self._observed, (orgs, edges), 1.0)

    def observe_seizures(self, orgs: np.ndarray, edges: np.ndarray) -> None:
        """Note seizures: organisation `orgs[i]` lost a load on edge `edges[i]`."""
        np.add.at(self._seized, (orgs, edges), 1.0)

    def learn(self, cfg: TraffickersConfig) -> None:
        """Each organisation updates its risk estimates from the week's shipments: its own with
        full weight, the others' (what it hears) with `risk_sharing` weight. Exponential
        smoothing with one step of `risk_learning_rate` per observation."""
        seen, seized = self._observed, self._seized
        n = seen + cfg.risk_sharing * (seen.sum(axis=0) - seen)
        k = seized + cfg.risk_sharing * (seized.sum(axis=0) - seized)
        has = n > 0
        step = 1.0 - (1.0 - cfg.risk_learning_rate) ** n
        rate = np.divide(k, n, out=np.zeros_like(n), where=has)
        self.perceived += np.where(has, step * (rate - self.perceived), 0.0)
        seen[:] = 0.0
        seized[:] = 0.0


def value_routes(
    perceived_risk: np.ndarray,
    table: RouteTable,
    origin_control: np.ndarray,
    exit_price: np.ndarray,
    hcl_price: float,
    closed: np.ndarray,
    cfg: TraffickersConfig,
    escort_fee: float,
    escort_risk_reduction: float,
) -> np.ndarray:
    """Expected profit per kg of every route for every organisation (orgs x routes, USD/kg).

    Each organisation uses its own perceived edge risks; escorts by the armed group lower the
    risk of legs inside the valley with the probability `origin_control` (per route) that the
    origin district is controlled.
    """
    r = np.minimum(perceived_risk, 0.999)
    log_free = np.log1p(-r)
    log_escorted = np.log1p(-r * (1.0 - escort_risk_reduction))
    log_pass = log_free @ table.edges.T + origin_control * (
        (log_escorted - log_free) @ table.edges_in_valley.T
    )
    bribes = cfg.bribe_share_of_risk * (r @ table.edges.T) * hcl_price
    fees = origin_control * escort_fee
    value = np.exp(log_pass) * exit_price[table.exit] - table.transport_usd_per_kg - bribes - fees
    if closed.any():
        value = value - CLOSED_ROUTE_PENALTY * (table.edges @ (closed > 0))
    return value


def buy_stock(
    orgs: list[TraffickingOrg], producer_stock: np.ndarray, price: float, cfg: TraffickersConfig
) -> np.ndarray:
    """Traffickers buy from producers' stock where they operate, more when their bid beats the
    price; returns the producers' stock left (kg by district)."""
    presence = np.array([o.presence for o in orgs])
    share = np.array([o.buy_share(price) for o in orgs])
    weight = presence / presence.sum(axis=0, keepdims=True)
    bought = share[:, None] * weight * producer_stock[None, :]
    for org, kg in zip(orgs, bought, strict=True):
        org.receive(kg, price)
    return np.maximum(producer_stock - bought.sum(axis=0), 0.0)


def plan_shipments(
    orgs: list[TraffickingOrg],
    route_profit: np.ndarray,
    table: RouteTable,
    cfg: TraffickersConfig,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The lots every organisation sends this week, as arrays with one entry per lot: the
    organisation (its position in `orgs`), the route, the kg and the origin district. The lots
    leave the organisations' stocks.

    Each organisation, in each district where it holds stock, draws a route per lot by a logit
    on its expected profit per kg of the district's routes (`route_profit`, rows by
    `TraffickingOrg.index`; routes grouped by origin, `table.segment`), and ships lots while
    its stock there lasts.
    """
    stock = np.array([o.stock for o in orgs])  # (orgs x districts) kg
    draws = (stock // table.min_lot_kg).astype(np.int64).ravel()
    total = int(draws.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0), empty
    n_orgs, n_districts = stock.shape
    seg, origin = table.segment, table.origin
    profit = route_profit[[o.index for o in orgs]]
    best = np.maximum.reduceat(profit, seg[:-1], axis=1)[:, origin]
    util = np.exp((profit - best) / cfg.choice_temperature_usd_per_kg)
    share = util / np.add.reduceat(util, seg[:-1], axis=1)[:, origin]
    # cumulative choice probabilities, organisations end to end: (org o, district d)'s routes
    # span [o * n_districts + d, o * n_districts + d + 1)
    cum = (np.cumsum(share, axis=1) + n_districts * np.arange(n_orgs)[:, None]).ravel()
    cell = np.repeat(np.arange(draws.size), draws)  # (org, district) of each lot
    org, district = np.divmod(cell, n_districts)
    pick = np.searchsorted(cum, cell + rng.random(total), side="right") - org * len(origin)
    pick = np.clip(pick, seg[district], seg[district + 1] - 1)
    lots = table.lot_kg[pick]
    shipped = np.cumsum(lots)
    before = np.concatenate(([0.0], shipped))[np.cumsum(draws) - draws]
    go = shipped - np.repeat(before, draws) <= np.repeat(stock.ravel(), draws)
    sent = np.bincount(cell[go], weights=lots[go], minlength=draws.size)
    for o, kg in zip(orgs, sent.reshape(n_orgs, n_districts), strict=True):
        o.stock -= kg
    return org[go], pick[go], lots[go], district[go]


def draw_presence(rng: np.random.Generator, n_districts: int, cfg: TraffickersConfig) -> np.ndarray:
    """An organisation's buying presence in each district (0-1, its strongest district 1)."""
    presence = rng.uniform(cfg.presence_min_draw, 1.0, n_districts) ** cfg.presence_exponent
    return presence / presence.max()


class TraffickingOrg(mesa.Agent):
    """A trafficking organisation operating from some of the VRAEM's districts."""

    def __init__(
        self,
        world: World,
        cfg: TraffickersConfig,
        presence: np.ndarray,
        label: str,
        table: RouteTable,
        beliefs: RiskBeliefs,
        prior_risk: np.ndarray,
    ) -> None:
        super().__init__(world)
        self.world = world
        self.cfg = cfg
        self.label = label
        self.table = table
        self.presence = presence  # weight of its buying presence in each district (0..1)
        self.beliefs = beliefs
        self.index = beliefs.add(prior_risk)  # its row of perceived risk
        self.stock = np.zeros(len(world.districts))  # kg held in each district
        self.revenue_usd = 0.0
        self.bid_usd_per_kg = 0.0

    @property
    def risk(self) -> np.ndarray:
        """Perceived seizure probability of every edge."""
        return self.beliefs.perceived[self.index]

    # --- valuation -------------------------------------------------------------------------
    def update_bid(self, route_profit: np.ndarray) -> float:
        """What it will pay per kg in the VRAEM: its best expected net value, less its markup."""
        best = np.maximum.reduceat(route_profit, self.table.segment[:-1])
        w = self.presence / self.presence.sum()
        self.bid_usd_per_kg = max(0.0, float((w * best).sum()) * (1.0 - self.cfg.markup))
        return self.bid_usd_per_kg

    def buy_share(self, price: float) -> float:
        """Share of producers' stock it buys this week: more when its margin is good."""
        cfg = self.cfg
        if price <= 0:
            return cfg.buy_share_per_week
        ratio = (self.bid_usd_per_kg / price) ** cfg.buy_margin_elasticity
        return min(max(float(cfg.buy_share_per_week * ratio), 0.0), cfg.max_buy_share_per_week)

    # --- weekly behaviour ------------------------------------------------------------------
    def receive(self, kg_by_district: np.ndarray, price: float) -> None:
        self.stock += kg_by_district
        self.revenue_usd -= float(kg_by_district.sum()) * price

    def sell(self, kg: float, usd: float) -> None:
        """`kg` sold at the exits for `usd` in all."""
        self.revenue_usd += usd
