"""One class per intervention type: `start` changes what agents know, own or decide; `stop`
undoes exactly that (Covasim-style). Effects on outputs emerge from the agents.

- arrest_leader: an operation against people of the leadership chain (success drawn);
  succession, or a vacuum when no successor is free.
- fragmentation: the faction splits into gangs that divide members, fighters and districts.
- interdiction_surge: police presence (detection hazard) on nodes/edges; traffickers learn it
  from their seizures.
- route_closure: nodes/edges impassable; traffickers see it and avoid them; loads en route wait.
- eradication: army eradication orders in districts; growers lose plants, fear more
  eradication, grievance rises.
- unrest: security forces' effectiveness and coordination.
- demand_shock: what buyers at the exits take at a given price.
- crop_substitution: growers' income from a hectare of legal crop.
"""

from __future__ import annotations

import numpy as np

from sim.config.interventions import (
    ArrestLeader,
    CropSubstitution,
    DemandShock,
    Eradication,
    Fragmentation,
    InterdictionSurge,
    Intervention,
    RouteClosure,
    Unrest,
)
from sim.interventions.levers import Levers
from sim.interventions.world import InterventionWorld


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


class Action:
    """An intervention in a run: started at its week, stopped after its `weeks` (if any)."""

    def __init__(self, spec: Intervention) -> None:
        self.spec = spec
        self.week = spec.week
        self.weeks: int | None = getattr(spec, "weeks", None)  # None: a one-off act

    def start(self, world: InterventionWorld, levers: Levers) -> None:
        """Begin: change levers or act on the agents."""
        raise NotImplementedError

    def stop(self, world: InterventionWorld, levers: Levers) -> None:
        """End: undo exactly what `start` changed (nothing for a one-off act)."""


class Arrest(Action):
    """Operations against people of the leadership chain; each succeeds with a probability."""

    spec: ArrestLeader

    def start(self, world: InterventionWorld, levers: Levers) -> None:
        iv = self.spec
        targets = []
        for f in world.active_factions():
            if iv.who == "leader" and f.leader is not None and not f.gang:
                targets.append((f, f.leader.id))
            elif iv.who == "successors":
                targets += [(f, p.id) for p in f.free_successors()]
            elif f.find(iv.who) is not None:
                targets.append((f, iv.who))
        if not targets:
            world.log_event(iv.type, iv.who, "arrest failed: target not found (already removed?)")
            return
        for faction, person_id in targets:
            if world.rng.random() < iv.success_probability:
                world.log_event(iv.type, person_id, faction.remove_person(person_id, iv.outcome))
            else:
                world.clash(faction)  # a failed operation ends in a firefight
                world.log_event(iv.type, person_id, "arrest failed: target escaped")


class Split(Action):
    """The largest political faction splits into gangs."""

    spec: Fragmentation

    def start(self, world: InterventionWorld, levers: Levers) -> None:
        iv = self.spec
        factions = [f for f in world.active_factions() if not f.gang]
        if not factions:
            world.log_event(iv.type, "-", "no faction left to split")
            return
        world.split(max(factions, key=lambda f: f.members), iv.gangs, "intervention")


class Surge(Action):
    """More police presence (detection hazard) on some edges for a while."""

    spec: InterdictionSurge

    def start(self, world: InterventionWorld, levers: Levers) -> None:
        iv = self.spec
        self.edges = world.network.edges_touching(iv.nodes, iv.edges)
        levers.scale("detection_factor", self.edges, iv.factor)
        world.log_event(iv.type, describe(iv), f"{self.edges.size} edges, x{iv.factor:g}")

    def stop(self, world: InterventionWorld, levers: Levers) -> None:
        levers.unscale("detection_factor", self.edges, self.spec.factor)


class Closure(Action):
    """Edges impassable for a while."""

    spec: RouteClosure

    def start(self, world: InterventionWorld, levers: Levers) -> None:
        iv = self.spec
        self.edges = world.network.edges_touching(iv.nodes, iv.edges)
        levers.add("closures", self.edges, 1)
        world.log_event(iv.type, describe(iv), f"{self.edges.size} edges closed")

    def stop(self, world: InterventionWorld, levers: Levers) -> None:
        levers.subtract("closures", self.edges, 1)


class EradicationCampaign(Action):
    """Army orders to eradicate a number of hectares in some districts over some weeks."""

    spec: Eradication

    def start(self, world: InterventionWorld, levers: Levers) -> None:
        iv = self.spec
        self.idx = world.network.district_index(iv.districts)
        self.per_week = iv.hectares / iv.weeks / self.idx.size
        levers.add("eradication_plan", self.idx, self.per_week)
        planned = self.per_week * self.idx.size
        world.log_event(iv.type, describe(iv), f"{planned:,.0f} ha/week planned")

    def stop(self, world: InterventionWorld, levers: Levers) -> None:
        levers.subtract("eradication_plan", self.idx, self.per_week)


class UnrestSpell(Action):
    """A political crisis: security forces lose effectiveness for a while."""

    spec: Unrest
    ALL = np.array([0])

    def start(self, world: InterventionWorld, levers: Levers) -> None:
        iv = self.spec
        levers.scale("security_effectiveness", self.ALL, iv.factor)
        world.log_event(iv.type, describe(iv), f"security effectiveness x{iv.factor:g}")

    def stop(self, world: InterventionWorld, levers: Levers) -> None:
        levers.unscale("security_effectiveness", self.ALL, self.spec.factor)


class DemandChange(Action):
    """Buyers at some exits take more or less at a given price for a while."""

    spec: DemandShock

    def start(self, world: InterventionWorld, levers: Levers) -> None:
        iv = self.spec
        exits = world.network.exits
        chosen = exits if iv.exits == "all" else iv.exits
        self.idx = np.array([exits.index(x) for x in chosen])
        levers.scale("demand_factor", self.idx, iv.factor)
        world.log_event(iv.type, describe(iv), f"demand x{iv.factor:g} at {len(self.idx)} exits")

    def stop(self, world: InterventionWorld, levers: Levers) -> None:
        levers.unscale("demand_factor", self.idx, self.spec.factor)


class SubstitutionProgramme(Action):
    """A subsidy on legal crops in some districts for a while."""

    spec: CropSubstitution

    def start(self, world: InterventionWorld, levers: Levers) -> None:
        iv = self.spec
        self.idx = world.network.district_index(iv.districts)
        levers.add("alt_subsidy", self.idx, iv.subsidy_usd_per_ha_year)
        world.log_event(iv.type, describe(iv), f"{self.idx.size} districts")

    def stop(self, world: InterventionWorld, levers: Levers) -> None:
        levers.subtract("alt_subsidy", self.idx, self.spec.subsidy_usd_per_ha_year)


ACTIONS: dict[type, type[Action]] = {
    ArrestLeader: Arrest,
    Fragmentation: Split,
    InterdictionSurge: Surge,
    RouteClosure: Closure,
    Eradication: EradicationCampaign,
    Unrest: UnrestSpell,
    DemandShock: DemandChange,
    CropSubstitution: SubstitutionProgramme,
}


def action_for(spec: Intervention) -> Action:
    """The behaviour of a configured intervention."""
    return ACTIONS[type(spec)](spec)
