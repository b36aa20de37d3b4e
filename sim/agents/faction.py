"""The armed group: a faction with territory, members, fighters, a leadership chain and violence.

One `Faction` is the MPCP at the start. The leadership chain (a leader and ordered successors)
and `remove_person` let later interventions arrest the leader or the next generation; cohesion
and the chain are what succession and fragmentation will act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.config.models import ArmedGroupConfig

if TYPE_CHECKING:
    from sim.model import VraemModel

WEEKS_PER_YEAR = 52.0
REFERENCE_FIGHTERS = 100.0  # violence rates in the config are per 100 fighters


@dataclass
class Person:
    """A member of the leadership chain."""

    id: str
    name: str
    role: str  # leader | successor
    status: str = "free"  # free | captured | killed


class Faction(mesa.Agent):
    """An armed faction (the MPCP, or later a splinter gang)."""

    def __init__(self, model: VraemModel, cfg: ArmedGroupConfig, name: str) -> None:
        super().__init__(model)
        self.cfg = cfg
        self.name = name
        n = len(model.network.districts)
        self.control = np.array(
            [cfg.territory.get(d, 0.0) for d in model.network.districts], dtype=float
        )
        self.control_ref = self.control.copy()
        self.members = float(cfg.members)
        self.fighters = float(cfg.members * cfg.armed_share)
        self.fighters_ref = max(self.fighters, 1.0)
        self.cohesion = float(cfg.cohesion)
        self.chain = [Person(p.id, p.name, p.role) for p in cfg.leaders]
        self.income_week = 0.0  # USD earned this week (taxes + escort fees)
        self.income_last = 0.0  # USD earned last week
        self.income_avg = 0.0  # USD/week, smoothed over about a year
        self.deaths_suffered = 0.0
        self.active = True
        self._income_seeded = False
        self.tax_by_district = np.zeros(n)

    # --- leadership ------------------------------------------------------------------------
    @property
    def leader(self) -> Person | None:
        return next((p for p in self.chain if p.role == "leader" and p.status == "free"), None)

    def free_successors(self) -> list[Person]:
        return [p for p in self.chain if p.role == "successor" and p.status == "free"]

    def remove_person(self, person_id: str, outcome: str) -> str:
        """Capture or kill a member of the chain; if it was the leader, the next free successor
        takes over. Returns a short description of what happened."""
        person = next((p for p in self.chain if p.id == person_id and p.status == "free"), None)
        if person is None:
            return f"{person_id} not found among free members of {self.name}"
        was_leader = person.role == "leader"
        person.status = outcome
        self.cohesion *= 0.8 if was_leader else 0.95
        if not was_leader:
            return f"{person.name} {outcome}"
        heirs = self.free_successors()
        if heirs:
            heirs[0].role = "leader"
            self.cohesion *= 0.9
            return f"{person.name} {outcome}; succession to {heirs[0].name}"
        self.cohesion *= 0.7
        return f"{person.name} {outcome}; no successor: leadership vacuum"

    # --- economics -------------------------------------------------------------------------
    def tax_share(self) -> np.ndarray:
        """Expected share of leaf value taxed in each district (fraction)."""
        return self.control * self.cfg.leaf_tax_rate

    def collect_leaf_tax(self, leaf_value_by_district: np.ndarray) -> float:
        tax = leaf_value_by_district * self.tax_share()
        self.tax_by_district = tax
        self.income_week += float(tax.sum())
        return float(tax.sum())

    def collect_escort_fee(self, kg: float) -> float:
        fee = kg * self.cfg.escort_fee_usd_per_kg
        self.income_week += fee
        return fee

    # --- losses ----------------------------------------------------------------------------
    def lose_fighters(self, n: float) -> float:
        """Remove up to `n` fighters (killed or captured); returns how many were removed."""
        n = min(n, self.fighters)
        self.fighters -= n
        self.members -= n
        self.deaths_suffered += n
        self.cohesion = max(0.0, self.cohesion - 0.01 * n)
        return n

    # --- weekly behaviour ------------------------------------------------------------------
    def step(self) -> None:
        """Violence against security forces and civilians, then recruitment and attrition."""
        if not self.active:
            return
        self._violence()
        self._membership()
        self._territory()

    def close_week(self) -> None:
        """Book last week's income; the new week starts with none."""
        self.income_last = self.income_week
        self.income_week = 0.0

    def _violence(self) -> None:
        cfg, model = self.cfg, self.model
        rng = model.rng
        scale = self.fighters / REFERENCE_FIGHTERS / WEEKS_PER_YEAR
        # Attacks on security forces: more likely when the security forces are disorganised.
        ambush_rate = (
            cfg.ambushes_per_year_per_100_fighters * scale * (2.0 - model.security_effectiveness())
        )
        for _ in range(rng.poisson(ambush_rate)):
            model.record_violence("ambush", deaths=1 + rng.poisson(cfg.deaths_per_ambush - 1))
        # Killings of suspected collaborators: driven by security presence in its territory.
        pressure = model.patrol_pressure(self.control)
        civ_rate = cfg.civilian_killings_per_year_per_100_fighters * scale * pressure
        for _ in range(rng.poisson(civ_rate)):
            model.record_violence(
                "civilian_killing", deaths=1 + rng.poisson(cfg.deaths_per_civilian_killing - 1)
            )

    def _membership(self) -> None:
        cfg = self.cfg
        if not self._income_seeded:
            if self.income_last <= 0:  # first week of a run: no income booked yet
                return
            self.income_avg = self.income_last
            self._income_seeded = True
        self.income_avg += (self.income_last - self.income_avg) / WEEKS_PER_YEAR
        sustainable = self.income_avg * WEEKS_PER_YEAR / cfg.upkeep_usd_per_member_year
        growth = cfg.growth_rate_per_year / WEEKS_PER_YEAR
        desertion = cfg.desertion_rate_per_year * (1.0 - self.cohesion) / WEEKS_PER_YEAR
        if self.members > 0:
            change = growth * self.members * (1.0 - self.members / max(sustainable, 1.0))
            self.members = max(0.0, self.members + change - desertion * self.members)
        target_fighters = self.members * cfg.armed_share
        self.fighters += (target_fighters - self.fighters) / 13.0
        self.fighters = min(self.fighters, self.members)
        # cohesion recovers toward its configured level while a leader is in place
        goal = cfg.cohesion if self.leader else 0.5 * cfg.cohesion
        self.cohesion += (goal - self.cohesion) / WEEKS_PER_YEAR
        if self.members < 1.0:
            self.active = False
            self.members = self.fighters = 0.0

    def _territory(self) -> None:
        """Control follows fighting strength: it shrinks when fighters are lost."""
        strength = min(1.0, (self.fighters / self.fighters_ref) ** 0.5)
        self.control = self.control_ref * strength
