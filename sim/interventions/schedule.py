"""Timed interventions: each starts at its week by changing what agents know, own or decide, and
is undone when its `weeks` run out. Effects on outputs emerge from the agents.

- arrest_leader: an operation against people of the leadership chain (success drawn);
  succession, or a vacuum when no successor is free.
- fragmentation: the faction splits into gangs that divide members, fighters and districts.
- interdiction_surge: police presence (detection hazard) on nodes/edges; traffickers learn it
  from their seizures.
- route_closure: nodes/edges impassable; traffickers see it and avoid them; loads en route wait.
- eradication: army eradication capacity in districts; growers lose plants, fear more
  eradication, grievance rises.
- unrest: security forces' effectiveness and coordination.
- demand_shock: what buyers at the exits take at a given price.
- crop_substitution: growers' income from a hectare of legal crop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sim.config.interventions import (
    ArrestLeader,
    CropSubstitution,
    DemandShock,
    Eradication,
    Fragmentation,
    InterdictionSurge,
    Intervention,
    NetworkTarget,
    RouteClosure,
    Unrest,
)

if TYPE_CHECKING:
    from sim.model import VraemModel

Undo = Callable[[], None]


def describe(iv: Intervention) -> str:
    """Short label for figures and logs."""
    if iv.label:
        return iv.label
    match iv:
        case ArrestLeader():
            return f"arrest {iv.who}"
        case Fragmentation():
            return f"split into {iv.gangs} gangs"
        case InterdictionSurge():
            return f"surge x{iv.factor:g} {', '.join(iv.nodes) or 'edges'} ({iv.weeks} wk)"
        case RouteClosure():
            return f"closure {', '.join(iv.nodes) or 'edges'} ({iv.weeks} wk)"
        case Eradication():
            return f"eradication {iv.hectares:,.0f} ha ({iv.weeks} wk)"
        case Unrest():
            return f"unrest x{iv.factor:g} ({iv.weeks} wk)"
        case DemandShock():
            return f"demand x{iv.factor:g} ({iv.weeks} wk)"
        case CropSubstitution():
            return f"substitution {iv.subsidy_usd_per_ha_year:,.0f} USD/ha ({iv.weeks} wk)"
    return iv.type


def target_edges(model: VraemModel, iv: NetworkTarget) -> np.ndarray:
    """Edge indices named by an intervention: its edges and every edge touching its nodes."""
    net = model.network
    edges = {net.edge_index[(u, v)] for u, v in iv.edges}
    for node in iv.nodes:
        edges.update(net.edge_index[(node, nb)] for nb in net.graph[node])
    return np.array(sorted(edges), dtype=np.int64)


def district_index(model: VraemModel, districts: list[str] | str) -> np.ndarray:
    names = model.network.districts
    chosen = names if districts == "all" else districts
    return np.array([names.index(d) for d in chosen], dtype=np.int64)


class InterventionSchedule:
    """Starts and ends a scenario's interventions at their weeks."""

    def __init__(self, model: VraemModel, interventions: list[Intervention]) -> None:
        self.model = model
        self.pending = sorted(interventions, key=lambda iv: iv.week)
        self.running: list[tuple[int, Undo]] = []

    def step(self, week: int) -> None:
        """End what runs out this week, then start what begins this week."""
        still = []
        for end, undo in self.running:
            if end <= week:
                undo()
            else:
                still.append((end, undo))
        self.running = still
        while self.pending and self.pending[0].week == week:
            iv = self.pending.pop(0)
            undo = self._start(iv)
            if undo is not None:
                self.running.append((week + iv.weeks, undo))

    def _start(self, iv: Intervention) -> Undo | None:
        m = self.model
        match iv:
            case ArrestLeader():
                return self._arrest(iv)
            case Fragmentation():
                factions = [f for f in m.active_factions() if not f.gang]
                if not factions:
                    m.log_event(iv.type, "-", "no faction left to split")
                    return None
                m.fragment(max(factions, key=lambda f: f.members), iv.gangs, "intervention")
                return None
            case InterdictionSurge():
                edges = target_edges(m, iv)
                m.detection_factor[edges] *= iv.factor
                m.log_event(iv.type, describe(iv), f"{edges.size} edges, x{iv.factor:g}")
                return lambda: m.detection_factor.__setitem__(
                    edges, m.detection_factor[edges] / iv.factor
                )
            case RouteClosure():
                edges = target_edges(m, iv)
                m.closed[edges] += 1
                m.log_event(iv.type, describe(iv), f"{edges.size} edges closed")
                return lambda: m.closed.__setitem__(edges, m.closed[edges] - 1)
            case Eradication():
                idx = district_index(m, iv.districts)
                per_week = np.zeros(len(m.network.districts))
                per_week[idx] = iv.hectares / iv.weeks / idx.size
                m.eradication_plan += per_week
                m.log_event(iv.type, describe(iv), f"{per_week.sum():,.0f} ha/week planned")
                return lambda: m.eradication_plan.__isub__(per_week)
            case Unrest():
                m.effectiveness *= iv.factor
                m.log_event(iv.type, describe(iv), f"security effectiveness x{iv.factor:g}")

                def end_unrest() -> None:
                    m.effectiveness /= iv.factor

                return end_unrest
            case DemandShock():
                exits = m.exits if iv.exits == "all" else iv.exits
                idx = np.array([m.exits.index(x) for x in exits])
                m.exit_market.demand_factor[idx] *= iv.factor
                m.log_event(iv.type, describe(iv), f"demand x{iv.factor:g} at {len(idx)} exits")
                return lambda: m.exit_market.demand_factor.__setitem__(
                    idx, m.exit_market.demand_factor[idx] / iv.factor
                )
            case CropSubstitution():
                idx = district_index(m, iv.districts)
                m.growers.alt_subsidy[idx] += iv.subsidy_usd_per_ha_year
                m.log_event(iv.type, describe(iv), f"{idx.size} districts")
                return lambda: m.growers.alt_subsidy.__setitem__(
                    idx, m.growers.alt_subsidy[idx] - iv.subsidy_usd_per_ha_year
                )
        raise ValueError(f"unknown intervention {iv!r}")

    def _arrest(self, iv: ArrestLeader) -> None:
        """One operation per target person; each succeeds with the given probability."""
        m = self.model
        targets = []
        for f in m.active_factions():
            if iv.who == "leader" and f.leader is not None and not f.gang:
                targets.append((f, f.leader.id))
            elif iv.who == "successors":
                targets += [(f, p.id) for p in f.free_successors()]
            elif f.find(iv.who) is not None:
                targets.append((f, iv.who))
        if not targets:
            m.log_event(iv.type, iv.who, "arrest failed: target not found (already removed?)")
            return
        for faction, person_id in targets:
            if m.rng.random() < iv.success_probability:
                m.log_event(iv.type, person_id, faction.remove_person(person_id, iv.outcome))
            else:
                m.clash(faction)  # a failed operation ends in a firefight
                m.log_event(iv.type, person_id, "arrest failed: target escaped")
