"""Shipments in transit (sim.transit): what a load meets on its legs within one week, and what
its owner learns from it. The shipped network, with the risks and losses of its edges set by
hand so that each fate is certain."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pytest
from conftest import baseline

from sim.agents.trafficker import RiskBeliefs
from sim.scenarios import compile_scenario
from sim.transit import Transit
from sim.units import HOURS_PER_WEEK

PRIOR_RISK = 0.5  # the owner's perceived seizure risk of every edge before the week
KG = 100.0


@dataclass
class Owner:
    index: int
    sold: list[tuple[float, float]] = field(default_factory=list)

    def sell(self, kg: float, usd: float) -> None:
        self.sold.append((kg, usd))


@dataclass
class Police:
    seized: list[tuple[int, float]] = field(default_factory=list)

    def record_seizure(self, edge: int, kg: float) -> None:
        self.seized.append((edge, kg))


def three_legs_in_a_week():
    """The network, its route table (no losses) and a route whose first three legs, with the
    staging before them, fit in one week."""
    net, table = compile_scenario(baseline())
    table = replace(table, edge_loss=np.zeros_like(table.edge_loss))
    for route in range(len(table.routes)):
        legs = table.leg_edge[route, :3]
        hours = table.leg_dwell_h[route, :3].sum() + net.edge_hours[legs[:2]].sum()
        if table.n_legs[route] > 3 and hours < HOURS_PER_WEEK:
            return net, table, route, legs
    pytest.fail("no route of the shipped network crosses two legs within a week")


def one_week(risk_on: int) -> tuple[Transit, RiskBeliefs, Owner, Police, np.ndarray]:
    """Dispatch one load on the route and move it one week, with certain seizure on the edge
    `risk_on` of its three first legs (-1: none) and no risk anywhere else."""
    net, table, route, legs = three_legs_in_a_week()
    transit = Transit(net, table, np.random.default_rng(1), 0.0, 24.0, np.zeros((1, net.n_edges)))
    transit.risk_now = np.zeros(net.n_edges)
    police = Police()
    transit.seizer = [police] * net.n_edges
    if risk_on >= 0:
        transit.risk_now[legs[risk_on]] = 1.0
    beliefs = RiskBeliefs(net.n_edges)
    owner = Owner(beliefs.add(np.full(net.n_edges, PRIOR_RISK)))
    transit.dispatch([owner], np.array([0]), np.array([route]), np.array([KG]), np.array([False]))
    transit.move(0, np.ones(transit.n_exits), beliefs)
    return transit, beliefs, owner, police, legs


def test_a_load_seized_after_crossing_two_legs_in_a_week_tells_its_owner_of_all_three():
    transit, beliefs, owner, police, legs = one_week(risk_on=2)
    assert transit.seized_kg == KG and transit.exported_kg == 0 and transit.lost_kg == 0
    assert transit.in_transit_kg() == 0 and not owner.sold
    assert police.seized == [(int(legs[2]), KG)]
    # the two legs crossed carried it; the one it was taken on did not
    assert transit.edge_kg[0, legs[:2]].tolist() == [KG, KG] and transit.edge_kg[0, legs[2]] == 0
    before = beliefs.perceived[owner.index].copy()
    beliefs.learn(baseline().traffickers)
    after = beliefs.perceived[owner.index]
    assert (after[legs[:2]] < PRIOR_RISK).all()  # safe passages lower the perceived risk
    assert after[legs[2]] > PRIOR_RISK  # the seizure raises it
    others = np.setdiff1d(np.arange(after.size), legs)
    assert np.array_equal(after[others], before[others])  # what it did not see is unchanged


def test_a_load_with_no_risk_on_its_way_moves_on_and_stays_in_transit():
    transit, _, _, police, legs = one_week(risk_on=-1)
    assert transit.seized_kg == 0 and not police.seized
    assert transit.in_transit_kg() == KG
    assert (transit.edge_kg[0, legs[:2]] == KG).all()
    assert int(transit.shipments.leg[0]) >= 2  # at least the two first legs behind it
