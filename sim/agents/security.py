"""Security forces: police units that interdict on the route network, army units in the valley.

Police units each cover a set of edges (the valley, the corridors, the ports and borders). Their
presence on an edge multiplies its detection hazard; with finite capacity they move presence
toward the legs where they seized most. Army units patrol the districts where the armed group is
strong (patrols meet fighters in clashes), mount operations against the leadership, and
eradicate coca when they have eradication capacity (zero in the baseline) or are ordered to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import mesa
import numpy as np

from sim.agents.cadres import rank_importance
from sim.agents.faction import Faction
from sim.agents.growers import Growers
from sim.agents.violence import engagement
from sim.agents.world import World
from sim.config.models import SecurityConfig
from sim.network.routes import RouteNetwork
from sim.units import WEEKS_PER_YEAR


class Battlefield(World, Protocol):
    """What the army asks of the world: the agents' view and the factions in the field."""

    def active_factions(self) -> list[Faction]:
        """Armed factions still in the field."""
        ...

    def information_factor(self, district: int) -> float:
        """Factor on finding fighters or cadres in a district from what its people tell."""
        ...

    def information_factor_by_district(self) -> np.ndarray:
        """`information_factor` of every district."""
        ...


def clash(world: Battlefield, faction: Faction, district: int, kind: str = "clash") -> int:
    """A fight between an army patrol and a group's fighters in a district; returns the deaths.
    Each side's deaths follow from the other side's numbers (sim.agents.violence.engagement)."""
    vcfg = faction.cfg.violence
    rng = world.rng
    fighters = vcfg.clash_engaged_share * faction.fighters_in(district)
    patrol = vcfg.clash_patrol_size
    dead_armed = faction.lose_fighters(
        engagement(rng, patrol, max(round(fighters), 1), vcfg.clash_lethality, 1.0)
    )
    dead_security = engagement(rng, fighters, int(patrol), vcfg.clash_lethality, 1.0)
    faction.note_threat()
    world.record_violence(
        kind, faction.name, district, deaths_security=dead_security, deaths_armed=dead_armed
    )
    return dead_security + dead_armed


def police_beats(net: RouteNetwork) -> dict[str, np.ndarray]:
    """The edges each police unit covers: the valley, the corridors, the ports and borders."""
    kinds = net.graph.nodes
    groups: dict[str, list[int]] = {"valley": [], "corridors": [], "ports_borders": []}
    for i, (u, v) in enumerate(zip(net.edge_u, net.edge_v, strict=True)):
        ends = {kinds[u]["kind"], kinds[v]["kind"]}
        if "exit" in ends:
            groups["ports_borders"].append(i)
        elif ends & {"district", "airstrip"}:
            groups["valley"].append(i)
        else:
            groups["corridors"].append(i)
    return {k: np.array(sorted(e), dtype=np.int64) for k, e in groups.items() if e}


class PoliceUnit(mesa.Agent):
    """Police interdiction (checkpoints, river and air control, port control) on some edges."""

    def __init__(self, world: World, cfg: SecurityConfig, label: str, edges: np.ndarray):
        super().__init__(world)
        self.world = world
        self.cfg = cfg
        self.label = label
        self.edges = edges
        self.presence = np.ones(edges.size)  # capacity share per edge, mean 1
        self.seizures_kg = np.zeros(edges.size)  # smoothed kg seized per edge

    def record_seizure(self, edge: int, kg: float) -> None:
        pos = np.searchsorted(self.edges, edge)
        self.seizures_kg[pos] += kg

    def step(self) -> None:
        """Move a little capacity toward the edges where seizures were made."""
        cfg = self.cfg
        bounds = (cfg.police_presence_min, cfg.police_presence_max)
        total = self.seizures_kg.sum()
        if total > 0 and self.edges.size > 1:
            target = self.edges.size * self.seizures_kg / total
            target = target.clip(*bounds)
            target *= self.edges.size / target.sum()
            a = cfg.police_adaptation_rate
            self.presence = ((1 - a) * self.presence + a * target).clip(*bounds)
            self.presence *= self.edges.size / self.presence.sum()
        self.seizures_kg *= 1.0 - 1.0 / cfg.police_seizure_memory_weeks

    def hazard(self) -> np.ndarray:
        """Detection hazard multiplier on its edges (dimensionless)."""
        return self.presence * self.cfg.interdiction_capacity * self.world.security_effectiveness()


@dataclass
class ArmyOrders:
    """What the army is ordered to do beyond its standing tasks, and what it did this week."""

    n_districts: int
    eradication_plan: np.ndarray = field(init=False)  # ha/week by district (campaigns)
    eradicated: np.ndarray = field(init=False)  # ha eradicated this week, by district
    patrols: np.ndarray = field(init=False)  # patrols sent this week, by district

    def __post_init__(self) -> None:
        self.eradication_plan = np.zeros(self.n_districts)
        self.eradicated = np.zeros(self.n_districts)
        self.patrols = np.zeros(self.n_districts)

    def new_week(self) -> None:
        self.eradicated = np.zeros(self.n_districts)
        self.patrols = np.zeros(self.n_districts)


class ArmyUnit(mesa.Agent):
    """An army unit of the VRAEM special command."""

    def __init__(
        self,
        world: Battlefield,
        cfg: SecurityConfig,
        label: str,
        orders: ArmyOrders,
        growers: Growers,
    ) -> None:
        super().__init__(world)
        self.world = world
        self.cfg = cfg
        self.label = label
        self.orders = orders
        self.growers = growers

    def patrol_allocation(self) -> np.ndarray:
        """Share of patrols sent to each district: where armed groups are strongest."""
        control = self.world.armed_control()
        if control.sum() <= 0:
            return np.full(control.size, 1.0 / control.size)
        return control / control.sum()

    def step(self) -> None:
        """Patrol (and clash where fighters are found), mount operations against the
        leadership, eradicate."""
        w, cfg = self.world, self.cfg
        rng = w.rng
        eff = w.security_effectiveness()
        patrols = rng.poisson(cfg.patrols_per_unit_week * eff * self.patrol_allocation())
        self.orders.patrols += patrols
        factions = w.active_factions()
        if factions and patrols.any():
            # each patrol may meet each group's fighters where it goes (factions x districts)
            meet = np.array([f.fighters_by_district() for f in factions])
            meet *= w.information_factor_by_district() * (
                cfg.clash_probability_per_patrol / cfg.clash_reference_fighters
            )
            clashes = rng.binomial(patrols, np.minimum(meet, 1.0))
            for i, d in zip(*np.nonzero(clashes), strict=True):
                for _ in range(clashes[i, d]):
                    clash(w, factions[i], int(d))
        self._leadership_operations(eff)
        if cfg.eradication_ha_per_week > 0 or self.orders.eradication_plan.any():
            self._eradicate(eff)

    def _leadership_operations(self, eff: float) -> None:
        """Operations against cadres: each free cadre is located with a chance that rises
        with what the people of its district tell; the operation goes for the most senior one
        located, and is a fight whether it gets its target or not."""
        w, cfg = self.world, self.cfg
        rate = cfg.leadership_operations_per_year / WEEKS_PER_YEAR / cfg.army_units
        for _ in range(w.rng.poisson(rate)):
            located = [
                (rank_importance(p.rank), i, f, p)
                for i, f in enumerate(w.active_factions())
                for p in f.cadres.free()
                if w.rng.random()
                < cfg.cadre_locate_probability * eff * w.information_factor(p.base)
            ]
            if not located:
                w.log_event("leadership_operation", "-", "nobody located")
                continue
            _, _, faction, target = max(located, key=lambda t: (t[0], -t[1]))
            clash(w, faction, target.base, kind="operation")
            outcome = "killed" if w.rng.random() < cfg.leadership_kill_share else "captured"
            w.log_event("leadership_operation", faction.name, faction.remove_cadre(target, outcome))

    def _eradicate(self, eff: float) -> None:
        """Standing capacity spread over the coca area, plus campaigns ordered by district."""
        g, orders = self.growers, self.orders
        area = g.coca_ha_by_district()
        standing = np.zeros_like(area)
        if area.sum() > 0:
            standing = self.cfg.eradication_ha_per_week * area / area.sum()
        capacity = (standing + orders.eradication_plan) * eff / self.cfg.army_units
        for d in np.flatnonzero(capacity > 0):
            orders.eradicated[d] += g.eradicate(int(d), capacity[d], self.world.rng)
