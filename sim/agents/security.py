"""Security forces: police units that interdict on the route network, army units in the valley.

Police units each cover a set of edges (the valley, the corridors, the ports and borders). Their
presence on an edge multiplies its detection hazard; with finite capacity they move presence
toward the legs where they seized most. Army units patrol the districts where the armed group is
strong (patrols meet fighters in clashes), mount operations against the leadership, and
eradicate coca when they have eradication capacity (zero in the baseline).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.config.models import SecurityConfig

if TYPE_CHECKING:
    from sim.model import VraemModel

WEEKS_PER_YEAR = 52.0
PRESENCE_BOUNDS = (0.3, 3.0)  # a unit can thin out or triple its presence on one edge
REFERENCE_FIGHTERS_IN_DISTRICT = 25.0  # clash probabilities are given at this many fighters


class PoliceUnit(mesa.Agent):
    """Police interdiction (checkpoints, river and air control, port control) on some edges."""

    def __init__(self, model: VraemModel, cfg: SecurityConfig, label: str, edges: np.ndarray):
        super().__init__(model)
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
        total = self.seizures_kg.sum()
        if total > 0 and self.edges.size > 1:
            target = self.edges.size * self.seizures_kg / total
            target = np.clip(target, *PRESENCE_BOUNDS)
            target *= self.edges.size / target.sum()
            a = self.cfg.police_adaptation_rate
            self.presence = np.clip((1 - a) * self.presence + a * target, *PRESENCE_BOUNDS)
            self.presence *= self.edges.size / self.presence.sum()
        self.seizures_kg *= 1.0 - 1.0 / 13.0  # forget over about a quarter

    def hazard(self) -> np.ndarray:
        """Detection hazard multiplier on its edges (dimensionless)."""
        m = self.model
        return self.presence * self.cfg.interdiction_capacity * m.security_effectiveness()


class ArmyUnit(mesa.Agent):
    """An army unit of the VRAEM special command."""

    def __init__(self, model: VraemModel, cfg: SecurityConfig, label: str) -> None:
        super().__init__(model)
        self.cfg = cfg
        self.label = label

    def patrol_allocation(self) -> np.ndarray:
        """Share of patrols sent to each district: where armed groups are strongest."""
        control = self.model.armed_control()
        if control.sum() <= 0:
            return np.full(control.size, 1.0 / control.size)
        return control / control.sum()

    def step(self) -> None:
        """Patrol (and clash), target the leadership, eradicate."""
        m, cfg = self.model, self.cfg
        rng = m.rng
        eff = m.security_effectiveness()
        patrols = rng.poisson(cfg.patrols_per_unit_week * eff * self.patrol_allocation())
        for d in np.flatnonzero(patrols):
            for faction in m.active_factions():
                p = (
                    cfg.clash_probability_per_patrol
                    * faction.fighters_in(d)
                    / REFERENCE_FIGHTERS_IN_DISTRICT
                )
                for _ in range(rng.binomial(patrols[d], min(p, 1.0))):
                    m.clash(faction)
        self._leadership_operations(eff)
        if cfg.eradication_ha_per_week > 0 or m.eradication_plan.any():
            self._eradicate(eff)

    def _leadership_operations(self, eff: float) -> None:
        m, cfg = self.model, self.cfg
        n_units = max(1, len(m.agents_by_type[ArmyUnit]))
        rate = cfg.leadership_operations_per_year / WEEKS_PER_YEAR / n_units
        for _ in range(m.rng.poisson(rate)):
            targets = [f for f in m.active_factions() if f.leader is not None]
            if not targets:
                return
            faction = targets[0]
            m.clash(faction)  # an operation is a fight, whether it gets its man or not
            if m.rng.random() < cfg.leadership_operation_success * eff:
                outcome = "killed" if m.rng.random() < 0.5 else "captured"
                m.log_event(
                    "leadership_operation",
                    faction.name,
                    faction.remove_person(faction.leader.id, outcome),
                )
            else:
                m.log_event("leadership_operation", faction.name, "target escaped")

    def _eradicate(self, eff: float) -> None:
        """Standing capacity spread over the coca area, plus campaigns ordered by district."""
        m = self.model
        n_units = max(1, len(m.agents_by_type[ArmyUnit]))
        area = m.growers.coca_ha_by_district()
        standing = np.zeros_like(area)
        if area.sum() > 0:
            standing = self.cfg.eradication_ha_per_week * area / area.sum()
        capacity = (standing + m.eradication_plan) * eff / n_units
        for d in np.flatnonzero(capacity > 0):
            m.eradicated_by_district[d] += m.growers.eradicate(int(d), capacity[d], m.rng)
