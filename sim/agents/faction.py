"""Armed factions: the MPCP and, after it breaks up, the gangs that succeed it.

A faction has territory (control of each district), members and fighters, a leadership chain (a
leader and ordered successors), cohesion, income from taxing growers and escorting shipments,
recruitment and losses, and violence. Removing the leader hands over to the first free successor
and starts a spell of retaliation; with no successor left, cohesion collapses and the faction
splits into gangs. Gangs tax more predatorily, drop the insurgent agenda (fewer attacks on the
state) and fight each other for territory and protection rents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.config.models import ArmedGroupConfig

if TYPE_CHECKING:
    from sim.model import VraemModel

WEEKS_PER_YEAR = 52.0
REFERENCE_FIGHTERS = 100.0  # violence rates in the config are per 100 fighters
GANG_COHESION = 0.6  # a new gang is held together by its boss and by money (estimate)
COHESION_LOSS = {"leader": 0.8, "member": 0.95, "succession": 0.9, "vacuum": 0.7}


@dataclass
class Person:
    """A member of the leadership chain."""

    id: str
    name: str
    role: str  # leader | successor
    status: str = "free"  # free | captured | killed


class Faction(mesa.Agent):
    """An armed faction (the MPCP at the start, or a gang after a split)."""

    def __init__(
        self,
        model: VraemModel,
        cfg: ArmedGroupConfig,
        name: str,
        *,
        control: np.ndarray | None = None,
        members: float | None = None,
        fighters: float | None = None,
        chain: list[Person] | None = None,
        gang: bool = False,
    ) -> None:
        super().__init__(model)
        self.cfg = cfg
        self.name = name
        self.gang = gang
        if control is None:
            control = np.array([cfg.territory.get(d, 0.0) for d in model.network.districts])
        self.control_ref = np.asarray(control, dtype=float).copy()
        self.control = self.control_ref.copy()
        self.members = float(cfg.members if members is None else members)
        self.fighters = float(self.members * cfg.armed_share if fighters is None else fighters)
        self.fighters_ref = max(self.fighters, 1.0)
        self.cohesion = GANG_COHESION if gang else float(cfg.cohesion)
        if chain is None:
            chain = [Person(p.id, p.name, p.role) for p in cfg.leaders]
        self.chain = chain
        self.income_week = 0.0  # USD earned this week (taxes + escort fees)
        self.income_last = 0.0  # USD earned last week
        self.income_avg = 0.0  # USD/week, smoothed over about a year
        self.retaliation_weeks_left = 0
        self.upkeep = cfg.upkeep_usd_per_member_year  # USD/member/yr; None until the first week
        self.active = True
        self._income_seeded = False

    # --- leadership ------------------------------------------------------------------------
    @property
    def leader(self) -> Person | None:
        return next((p for p in self.chain if p.role == "leader" and p.status == "free"), None)

    def free_successors(self) -> list[Person]:
        return [p for p in self.chain if p.role == "successor" and p.status == "free"]

    def find(self, person_id: str) -> Person | None:
        return next((p for p in self.chain if p.id == person_id and p.status == "free"), None)

    def remove_person(self, person_id: str, outcome: str) -> str:
        """Capture or kill a member of the chain. If it was the leader, the first free successor
        takes over and the faction retaliates; with none, there is a leadership vacuum.
        Returns what happened, for the event log."""
        person = self.find(person_id)
        if person is None:
            return f"{person_id} not found among free members of {self.name}"
        was_leader = person.role == "leader"
        person.status = outcome
        if not was_leader:
            self.cohesion *= COHESION_LOSS["member"]
            return f"{person.name} {outcome}"
        self.cohesion *= COHESION_LOSS["leader"]
        self.retaliation_weeks_left = self.cfg.retaliation_weeks
        heirs = self.free_successors()
        if heirs:
            heirs[0].role = "leader"
            self.cohesion *= COHESION_LOSS["succession"]
            return f"{person.name} {outcome}; succession to {heirs[0].name}"
        self.cohesion *= COHESION_LOSS["vacuum"]
        return f"{person.name} {outcome}; no successor: leadership vacuum"

    # --- economics -------------------------------------------------------------------------
    def tax_share(self) -> np.ndarray:
        """Expected share of leaf value it takes in each district (fraction)."""
        rate = self.cfg.leaf_tax_rate * (self.cfg.gang_tax_multiplier if self.gang else 1.0)
        return self.control * rate

    def collect_leaf_tax(self, leaf_value_by_district: np.ndarray) -> float:
        tax = float((leaf_value_by_district * self.tax_share()).sum())
        self.income_week += tax
        return tax

    def collect_escort_fee(self, kg: float) -> float:
        fee = kg * self.cfg.escort_fee_usd_per_kg
        self.income_week += fee
        return fee

    def close_week(self) -> None:
        """Book last week's income; the new week starts with none."""
        self.income_last = self.income_week
        self.income_week = 0.0

    # --- losses ----------------------------------------------------------------------------
    def lose_fighters(self, n: float) -> float:
        """Remove up to `n` fighters (killed or captured); returns how many were removed."""
        n = min(n, self.fighters)
        self.fighters -= n
        self.members -= n
        self.cohesion = max(0.0, self.cohesion - 0.01 * n)
        return n

    # --- weekly behaviour ------------------------------------------------------------------
    def step(self) -> None:
        """Violence, then recruitment and attrition, territory; split if leaderless and weak."""
        if not self.active:
            return
        self._violence()
        self._membership()
        self._territory()
        if self.retaliation_weeks_left > 0:
            self.retaliation_weeks_left -= 1
        if (
            self.active
            and not self.gang
            and self.leader is None
            and self.cohesion < self.cfg.fragmentation_cohesion
        ):
            gangs = int(np.clip(round(self.members / self.cfg.members_per_gang), 2, 4))
            self.model.fragment(self, gangs, "cohesion collapsed after a leadership vacuum")

    def fighters_in(self, district: int) -> float:
        """Fighters present in a district: its fighters spread over its territory by control."""
        total = self.control.sum()
        return self.fighters * self.control[district] / total if total > 0 else 0.0

    def violence_factor(self) -> float:
        return self.cfg.retaliation_violence_factor if self.retaliation_weeks_left > 0 else 1.0

    def _violence(self) -> None:
        cfg, model = self.cfg, self.model
        rng = model.rng
        scale = self.fighters / REFERENCE_FIGHTERS / WEEKS_PER_YEAR * self.violence_factor()
        # Attacks on security forces: more likely when the security forces are disorganised;
        # gangs without an insurgent agenda mostly avoid the state.
        agenda = cfg.gang_ambush_factor if self.gang else 1.0
        ambush_rate = (
            cfg.ambushes_per_year_per_100_fighters
            * scale
            * agenda
            * (2.0 - model.security_effectiveness())
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
        # Growers' grievance (e.g. after eradication) brings recruits who ask for less.
        support = 1.0 + cfg.grievance_recruitment_gain * self.model.grievance_in(self.control)
        sustainable = support * self.income_avg * WEEKS_PER_YEAR / self.upkeep
        growth = cfg.growth_rate_per_year / WEEKS_PER_YEAR
        desertion = cfg.desertion_rate_per_year * (1.0 - self.cohesion) / WEEKS_PER_YEAR
        if self.members > 0:
            change = growth * self.members * (1.0 - self.members / max(sustainable, 1.0))
            self.members = max(0.0, self.members + change - desertion * self.members)
        target_fighters = self.members * cfg.armed_share
        self.fighters += (target_fighters - self.fighters) / 13.0
        self.fighters = min(self.fighters, self.members)
        # cohesion recovers toward its usual level while someone leads
        usual = GANG_COHESION if self.gang else cfg.cohesion
        goal = usual if self.leader else 0.5 * usual
        self.cohesion += (goal - self.cohesion) / WEEKS_PER_YEAR
        if self.members < 1.0:
            self.active = False
            self.members = self.fighters = 0.0
            self.model.log_event("dissolution", self.name, "no members left")

    def set_equilibrium_upkeep(self, income_per_week: float) -> None:
        """Unless configured, set the upkeep per member at which `income_per_week` sustains the
        current membership: recruitment (logistic toward what income pays for) then balances
        desertion, so the group starts in equilibrium."""
        if self.upkeep is not None:
            return
        cfg = self.cfg
        desertion = cfg.desertion_rate_per_year * (1.0 - self.cohesion)
        room = max(1.0 - desertion / cfg.growth_rate_per_year, 0.1)
        sustainable = self.members / room
        if income_per_week <= 0:  # nothing to live on: no size is sustainable
            self.upkeep = math.inf
            return
        self.upkeep = income_per_week * WEEKS_PER_YEAR / max(sustainable, 1.0)

    def _territory(self) -> None:
        """Control follows fighting strength: it shrinks when fighters are lost."""
        strength = min(1.0, (self.fighters / self.fighters_ref) ** 0.5)
        self.control = self.control_ref * strength
