"""Armed factions: the MPCP and, after it breaks up, the gangs that succeed it.

A faction has territory (control of each district), members and fighters, a leadership chain (a
leader and ordered successors), cohesion, income from taxing growers and escorting shipments,
recruitment and losses, and violence. Removing the leader hands over to the first free successor
and starts a spell of retaliation; with no successor left, cohesion collapses and the faction
asks to split into gangs (`split`). Gangs tax more predatorily, drop the insurgent agenda (fewer
attacks on the state) and fight each other for territory and protection rents (`gang_fights`).
Shipments leaving a district it controls may be escorted for a fee (`Escorts`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import mesa
import numpy as np

from sim.agents.world import World
from sim.config.models import ArmedGroupConfig
from sim.units import WEEKS_PER_YEAR

REFERENCE_FIGHTERS = 100.0  # unit of the violence rates in the config: per 100 fighters


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
        world: World,
        cfg: ArmedGroupConfig,
        name: str,
        *,
        control: np.ndarray | None = None,
        members: float | None = None,
        fighters: float | None = None,
        chain: list[Person] | None = None,
        gang: bool = False,
    ) -> None:
        super().__init__(world)
        self.world = world
        self.cfg = cfg
        self.name = name
        self.gang = gang
        if control is None:
            control = np.array([cfg.territory.get(d, 0.0) for d in world.districts])
        self.control_ref = np.asarray(control, dtype=float).copy()
        self.control = self.control_ref.copy()
        self.members = float(cfg.members if members is None else members)
        self.fighters = float(self.members * cfg.armed_share if fighters is None else fighters)
        self.fighters_ref = max(self.fighters, 1.0)
        self.cohesion = self.usual_cohesion
        if chain is None:
            chain = [Person(p.id, p.name, p.role) for p in cfg.leaders]
        self.chain = chain
        self.income_week = 0.0  # USD earned this week (taxes + escort fees)
        self.income_last = 0.0  # USD earned last week
        self.income_avg = 0.0  # USD/week, smoothed over about a year
        self.retaliation_weeks_left = 0
        self.upkeep = cfg.upkeep_usd_per_member_year  # USD/member/yr; None until the first week
        self.active = True
        self.split_request: tuple[int, str] | None = None  # (gangs, reason), acted on by `split`
        self._income_seeded = False

    @property
    def usual_cohesion(self) -> float:
        """The cohesion it returns to while someone leads it (0-1)."""
        return float(self.cfg.gang_cohesion if self.gang else self.cfg.cohesion)

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
        cfg = self.cfg
        person = self.find(person_id)
        if person is None:
            return f"{person_id} not found among free members of {self.name}"
        was_leader = person.role == "leader"
        person.status = outcome
        if not was_leader:
            self.cohesion *= cfg.cohesion_loss_member
            return f"{person.name} {outcome}"
        self.cohesion *= cfg.cohesion_loss_leader
        self.retaliation_weeks_left = cfg.retaliation_weeks
        heirs = self.free_successors()
        if heirs:
            heirs[0].role = "leader"
            self.cohesion *= cfg.cohesion_loss_succession
            return f"{person.name} {outcome}; succession to {heirs[0].name}"
        self.cohesion *= cfg.cohesion_loss_vacuum
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

    # --- losses ----------------------------------------------------------------------------
    def lose_fighters(self, n: float) -> float:
        """Remove up to `n` fighters (killed or captured); returns how many were removed."""
        n = min(n, self.fighters)
        self.fighters -= n
        self.members -= n
        self.cohesion = max(0.0, self.cohesion - self.cfg.cohesion_loss_per_fighter_lost * n)
        return n

    # --- weekly behaviour ------------------------------------------------------------------
    def step(self) -> None:
        """Violence, then recruitment and attrition, territory; ask to split if leaderless and
        weak."""
        if not self.active:
            return
        self._violence()
        self._membership()
        self._territory()
        if self.retaliation_weeks_left > 0:
            self.retaliation_weeks_left -= 1
        cfg = self.cfg
        if (
            self.active
            and not self.gang
            and self.leader is None
            and self.cohesion < cfg.fragmentation_cohesion
        ):
            gangs = int(
                np.clip(round(self.members / cfg.members_per_gang), cfg.min_gangs, cfg.max_gangs)
            )
            self.split_request = (gangs, "cohesion collapsed after a leadership vacuum")

    def fighters_in(self, district: int) -> float:
        """Fighters present in a district: its fighters spread over its territory by control."""
        total = self.control.sum()
        return self.fighters * self.control[district] / total if total > 0 else 0.0

    def violence_factor(self) -> float:
        return self.cfg.retaliation_violence_factor if self.retaliation_weeks_left > 0 else 1.0

    def _violence(self) -> None:
        cfg, world = self.cfg, self.world
        rng = world.rng
        scale = self.fighters / REFERENCE_FIGHTERS / WEEKS_PER_YEAR * self.violence_factor()
        # Attacks on security forces: more likely when the security forces are disorganised;
        # gangs without an insurgent agenda mostly avoid the state.
        agenda = cfg.gang_ambush_factor if self.gang else 1.0
        ambush_rate = (
            cfg.ambushes_per_year_per_100_fighters
            * scale
            * agenda
            * (2.0 - world.security_effectiveness())
        )
        for _ in range(rng.poisson(ambush_rate)):
            world.record_violence(
                "ambush", self.name, "", deaths_security=1 + rng.poisson(cfg.deaths_per_ambush - 1)
            )
        # Killings of suspected collaborators: driven by security presence in its territory.
        pressure = world.patrol_pressure(self.control)
        civ_rate = cfg.civilian_killings_per_year_per_100_fighters * scale * pressure
        for _ in range(rng.poisson(civ_rate)):
            world.record_violence(
                "selective_killing",
                self.name,
                "",
                deaths_civilians=1 + rng.poisson(cfg.deaths_per_civilian_killing - 1),
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
        support = 1.0 + cfg.grievance_recruitment_gain * self.world.grievance_in(self.control)
        sustainable = support * self.income_avg * WEEKS_PER_YEAR / self.upkeep
        growth = cfg.growth_rate_per_year / WEEKS_PER_YEAR
        desertion = cfg.desertion_rate_per_year * (1.0 - self.cohesion) / WEEKS_PER_YEAR
        if self.members > 0:
            change = growth * self.members * (1.0 - self.members / max(sustainable, 1.0))
            self.members = max(0.0, self.members + change - desertion * self.members)
        target_fighters = self.members * cfg.armed_share
        self.fighters += (target_fighters - self.fighters) / cfg.fighter_adjustment_weeks
        self.fighters = min(self.fighters, self.members)
        # cohesion recovers toward its usual level while someone leads
        usual = self.usual_cohesion
        goal = usual if self.leader else cfg.leaderless_cohesion_share * usual
        self.cohesion += (goal - self.cohesion) / WEEKS_PER_YEAR
        if self.members < 1.0:
            self.active = False
            self.members = self.fighters = 0.0
            self.world.log_event("dissolution", self.name, "no members left")

    def _territory(self) -> None:
        """Control follows fighting strength: it shrinks when fighters are lost."""
        strength = min(
            1.0, (self.fighters / self.fighters_ref) ** self.cfg.territory_strength_exponent
        )
        self.control = self.control_ref * strength


def split(world: World, faction: Faction, n: int, reason: str) -> list[Faction]:
    """Split a faction into `n` gangs that divide its members, fighters, districts and this
    week's income so far; each keeps a home turf and a foothold in the others' districts.
    Returns the gangs (none if the faction is no longer active)."""
    if not faction.active:
        return []
    cfg = faction.cfg
    shares = world.rng.dirichlet(np.full(n, cfg.gang_share_concentration))
    order = np.argsort(-faction.control, kind="stable")
    home = np.empty(order.size, dtype=np.int64)
    home[order] = np.arange(order.size) % n
    slug = faction.name.lower().replace(" ", "_")
    gangs = []
    for k in range(n):
        turf = np.where(home == k, cfg.gang_home_control, cfg.gang_foothold_control / (n - 1))
        boss = Person(f"{slug}_gang{k + 1}_boss", f"boss of gang {k + 1}", "leader")
        gang = Faction(
            world,
            cfg,
            f"{faction.name} gang {k + 1}",
            control=faction.control * turf,
            members=faction.members * shares[k],
            fighters=faction.fighters * shares[k],
            chain=[boss],
            gang=True,
        )
        gang.upkeep = faction.upkeep  # members cost a gang what they cost the group
        gang.income_week = faction.income_week * shares[k]  # this week's money so far
        gangs.append(gang)
    faction.income_week = 0.0  # conserved: it went to the gangs
    faction.active = False
    faction.split_request = None
    faction.remove()
    world.log_event("fragmentation", faction.name, f"split into {n} gangs ({reason})")
    return gangs


def gang_fights(world: World, gangs: list[Faction], deaths_per_clash: float) -> None:
    """Gangs that share districts fight over them; winners take control from losers."""
    rng = world.rng
    for a, b in itertools.combinations(gangs, 2):
        cfg = a.cfg
        shared = np.minimum(a.control, b.control)
        if shared.sum() <= 0 or a.fighters <= 0 or b.fighters <= 0:
            continue
        rate = (
            cfg.gang_clashes_per_year
            / WEEKS_PER_YEAR
            * (a.fighters / cfg.gang_clash_reference_fighters)
            * (b.fighters / cfg.gang_clash_reference_fighters)
            * shared.sum()
        )
        for _ in range(rng.poisson(rate)):
            d = int(np.searchsorted(np.cumsum(shared) / shared.sum(), rng.random()))
            d = min(d, shared.size - 1)
            a_wins = rng.random() < a.fighters / (a.fighters + b.fighters)
            winner, loser = (a, b) if a_wins else (b, a)
            deaths = int(rng.poisson(deaths_per_clash))
            lost_by_loser = int(rng.binomial(deaths, cfg.gang_clash_loser_death_share))
            loser.lose_fighters(lost_by_loser)
            winner.lose_fighters(deaths - lost_by_loser)
            moved = cfg.gang_clash_control_shift * loser.control_ref[d]
            loser.control_ref[d] -= moved
            winner.control_ref[d] += moved
            world.record_violence("gang_clash", a.name, world.districts[d], deaths_armed=deaths)


class Escorts:
    """Who escorts a shipment out of a district this week: factions by their control there."""

    def __init__(self, factions: list[Faction], n_districts: int) -> None:
        control = np.zeros((len(factions), n_districts))
        for i, f in enumerate(factions):
            control[i] = f.control
        total = control.sum(axis=0)
        self.factions = factions
        self.probability = np.minimum(total, 1.0)  # a shipment from d is escorted (0-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.cdf = np.nan_to_num(np.cumsum(control, axis=0) / total).T

    def hire(self, rng: np.random.Generator, district: int, kg: float) -> bool:
        """Draw whether a load of `kg` leaving `district` is escorted; the escort is paid."""
        if rng.random() >= self.probability[district]:
            return False
        pick = np.searchsorted(self.cdf[district], rng.random())
        self.factions[min(int(pick), len(self.factions) - 1)].collect_escort_fee(kg)
        return True


def start_in_equilibrium(
    factions: list[Faction], leaf_kg: np.ndarray, leaf_price: float, cocaine_kg: np.ndarray
) -> None:
    """Give each faction the upkeep at which its expected weekly income (leaf tax and escort
    fees on each district's output of leaf and cocaine, by its control) sustains its size."""
    for f in factions:
        tax = (f.tax_share() * leaf_kg * leaf_price).sum()
        fees = (f.control * cocaine_kg).sum() * f.cfg.escort_fee_usd_per_kg
        f.set_equilibrium_upkeep(float(tax + fees))


def combined_control(factions: list[Faction], n_districts: int) -> np.ndarray:
    """Control of each district by all the factions together (0-1)."""
    control = np.zeros(n_districts)
    for f in factions:
        control += f.control
    return np.minimum(control, 1.0)


def combined_tax_share(factions: list[Faction], n_districts: int) -> np.ndarray:
    """Share of leaf value taken by all the factions together in each district (0-1)."""
    share = np.zeros(n_districts)
    for f in factions:
        share += f.tax_share()
    return np.minimum(share, 1.0)
