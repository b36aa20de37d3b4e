"""One class per intervention type: `start` changes what agents know, own or decide; `stop`
undoes exactly that (Covasim-style). Effects on outputs emerge from the agents.

- arrest_leader: operations against cadres (success drawn); what follows (succession, who
  defects, revenge) is up to the cadres (sim.agents.cadres, sim.agents.faction).
- fragmentation: the MPCP's largest columns leave it, each taking its districts.
- interdiction_surge: police presence (detection hazard) on nodes/edges; traffickers learn it
  from their seizures.
- route_closure: nodes/edges impassable; traffickers see it and avoid them; loads en route wait.
- eradication: army eradication orders in districts; growers lose plants, fear more
  eradication, grievance rises.
- unrest: a political period: security forces' effectiveness, the visibility of violence, a
  vote to boycott.
- demand_shock: what buyers at the exits take at a given price.
- crop_substitution: growers' income from a hectare of legal crop.
"""

from __future__ import annotations

import numpy as np

from sim.agents.cadres import Cadre
from sim.agents.faction import Faction
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
            vote = f", vote wk {iv.election_week}" if iv.election_week is not None else ""
            return f"unrest x{iv.factor:g} ({iv.weeks} wk{vote})"
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


#: The rank an arrest of a whole rank (`who: commanders`, ...) goes for.
RANK_OF = {
    "second": "second",
    "commanders": "commander",
    "sub_commanders": "sub_commander",
    "heirs": "heir",
}


class Arrest(Action):
    """Operations against cadres: the leader, the heirs, a rank or a named cadre; each
    succeeds with a probability, and a failed one ends in a firefight."""

    spec: ArrestLeader

    def targets(self, world: InterventionWorld) -> list[tuple[Faction, Cadre]]:
        who = self.spec.who
        found = []
        for f in world.active_factions():
            if who == "leader":
                if f.kind == "mpcp" and f.leader is not None:
                    found.append((f, f.leader))
            elif who == "successors":
                if f.kind == "mpcp":
                    found += [(f, p) for p in f.cadres.heirs()]
            elif who in RANK_OF:
                found += [(f, p) for p in f.cadres.free(RANK_OF[who])]
            elif f.cadres.find(who) is not None:
                found.append((f, f.cadres.find(who)))
        return found

    def start(self, world: InterventionWorld, levers: Levers) -> None:
        iv = self.spec
        targets = self.targets(world)
        if not targets:
            world.log_event(iv.type, iv.who, "arrest failed: target not found (already removed?)")
            return
        for faction, person in targets:
            if not person.free:
                continue  # removed earlier in this operation (e.g. a leader who was also heir)
            if world.rng.random() < iv.success_probability:
                outcome = iv.outcome
                if outcome == "drawn":
                    kill = world.rng.random() < world.config.security.leadership_kill_share
                    outcome = "killed" if kill else "captured"
                world.log_event(iv.type, person.id, faction.remove_cadre(person, outcome))
            else:
                world.clash(faction, person.base)
                world.log_event(iv.type, person.id, "arrest failed: target escaped")


class Split(Action):
    """The MPCP breaks into a number of groups (its largest columns leave)."""

    spec: Fragmentation

    def start(self, world: InterventionWorld, levers: Levers) -> None:
        iv = self.spec
        factions = [f for f in world.active_factions() if f.kind == "mpcp"]
        if not factions:
            world.log_event(iv.type, "-", "no faction left to split")
            return
        world.split(factions[0], iv.gangs, "intervention")


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
    """A political period: the state works at a fraction of its effectiveness, violence gains
    visibility, and before a vote it can enforce a boycott."""

    spec: Unrest
    ALL = np.array([0])

    def start(self, world: InterventionWorld, levers: Levers) -> None:
        iv = self.spec
        levers.scale("security_effectiveness", self.ALL, iv.factor)
        levers.add("visibility", self.ALL, iv.visibility)
        self.eve = np.zeros(0, dtype=np.int64)
        if iv.election_week is not None:
            first = max(iv.week, iv.election_week - iv.boycott_lead_weeks + 1)
            eve = np.arange(first, iv.election_week + 1)
            ramp = iv.boycott_visibility * (eve - first + 1) / eve.size
            inside = eve < levers["boycott"].size  # a vote after the run's end: only its eve
            self.eve, self.ramp = eve[inside], ramp[inside]
            if self.eve.size:
                levers.add("boycott", self.eve, self.ramp)
        world.log_event(
            iv.type,
            describe(iv),
            f"security effectiveness x{iv.factor:g}, visibility +{iv.visibility:g}",
        )

    def stop(self, world: InterventionWorld, levers: Levers) -> None:
        iv = self.spec
        levers.unscale("security_effectiveness", self.ALL, iv.factor)
        levers.subtract("visibility", self.ALL, iv.visibility)
        if self.eve.size:
            levers.subtract("boycott", self.eve, self.ramp)


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
