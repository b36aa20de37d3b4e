"""Territory between armed groups: who controls and taxes each district, who escorts what
leaves it, fights between groups over districts, and weak groups joining strong ones.

A group attacks another where the other holds a district it also holds or borders, more often
the stronger it is there; the side that loses more people loses control to the other. A group
whose income no longer covers a given share of its upkeep joins the strongest group that
borders it (its people, fighters and districts pass over).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from sim.agents.faction import Faction
from sim.agents.violence import engagement
from sim.agents.world import World
from sim.units import WEEKS_PER_YEAR

EVEN_ODDS = 0.5  # a group's share of the local fighters when both sides are equal


class Escorts:
    """Who escorts a shipment out of a district this week: groups by their control there."""

    def __init__(self, factions: list[Faction], n_districts: int) -> None:
        control = np.zeros((len(factions), n_districts))
        for i, f in enumerate(factions):
            control[i] = f.control
        total = control.sum(axis=0)
        self.factions = factions
        self.probability = np.minimum(total, 1.0)  # a shipment from d is escorted (0-1)
        # which group escorts, given an escort: cumulative shares of control (0 where none)
        self.cdf = (np.cumsum(control, axis=0) / np.where(total > 0, total, 1.0)).T

    def hire(self, rng: np.random.Generator, district: np.ndarray, kg: np.ndarray) -> np.ndarray:
        """Draw which loads (of `kg`, leaving `district`) are escorted, and by which group;
        each escort is paid. Returns whether each load is escorted."""
        draw = rng.random((2, district.size))
        escorted = draw[0] < self.probability[district]
        if not escorted.any():
            return escorted
        where, kg = district[escorted], kg[escorted]
        pick = (self.cdf[where] < draw[1, escorted, None]).sum(axis=1)
        pick = np.minimum(pick, len(self.factions) - 1)
        n = self.cdf.shape[0]
        paid = np.bincount(pick * n + where, weights=kg, minlength=len(self.factions) * n)
        for cell in np.flatnonzero(paid).tolist():
            self.factions[cell // n].collect_escort_fee(float(paid[cell]), cell % n)
        return escorted


def start_in_equilibrium(
    factions: list[Faction], leaf_kg: np.ndarray, leaf_price: float, cocaine_kg: np.ndarray
) -> None:
    """Give each group the upkeep at which its expected weekly income (leaf tax and escort
    fees on each district's output of leaf and cocaine, by its control) sustains its size, and
    let it expect that income until it has earned for a while (its yearly average starts
    there, not at the first week's takings, while shipments are still starting)."""
    for f in factions:
        by_district = f.tax_share() * leaf_kg * leaf_price
        by_district += f.control * cocaine_kg * f.cfg.escort_fee_usd_per_kg
        f.set_equilibrium_upkeep(float(by_district.sum()))
        f.expect_income(by_district)


def combined_control(factions: list[Faction], n_districts: int) -> np.ndarray:
    """Control of each district by all the groups together (0-1)."""
    control = np.zeros(n_districts)
    for f in factions:
        control += f.control
    return np.minimum(control, 1.0)


def combined_tax_share(factions: list[Faction], n_districts: int) -> np.ndarray:
    """Share of leaf value taken by all the groups together in each district (0-1)."""
    share = np.zeros(n_districts)
    for f in factions:
        share += f.tax_share()
    return np.minimum(share, 1.0)


def reach(control: np.ndarray, adjacent: np.ndarray) -> np.ndarray:
    """Districts a group holds or borders (bool)."""
    held = control > 0
    return held | (adjacent[held].any(axis=0) if held.any() else held)


def contest(world: World, factions: list[Faction], adjacent: np.ndarray) -> None:
    """Each group may attack each other group in districts the other holds and it can reach;
    the rate rises with its share of the local fighters (it attacks when it expects to win) and
    with doubt over the other's leadership (rivals strike when a succession is unsettled;
    Calderon et al. 2015)."""
    rng = world.rng
    sides: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def side(f: Faction) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where a group can strike, its fighters by district and its fighters at hand."""
        if id(f) not in sides:
            fighters = f.fighters_by_district()
            near = np.maximum(fighters, (adjacent * fighters[:, None]).max(axis=0))
            sides[id(f)] = (reach(f.control, adjacent), fighters, near)
        return sides[id(f)]

    for a, b in itertools.permutations(factions, 2):
        if not (a.active and b.active) or a.fighters < 1.0 or b.fighters < 1.0:
            continue
        cfg = a.cfg
        can_reach, _, near = side(a)
        target = b.control * can_reach
        if target.sum() <= 0:
            continue
        fb = side(b)[1]
        both = near + fb
        odds = near / np.where(both > 0, both, 1.0)  # 0 where neither side has fighters
        weight = target * odds / EVEN_ODDS  # 1 per unit control at even odds
        doubt = b.leadership_doubt()
        rate = cfg.gangs.attack_rival_per_year / WEEKS_PER_YEAR * weight.sum()
        rate *= math.exp(cfg.violence.outbidding_weight * doubt)
        for _ in range(rng.poisson(rate)):
            d = int(
                min(
                    np.searchsorted(np.cumsum(weight), rng.random() * weight.sum()), weight.size - 1
                )
            )
            _fight(world, a, b, d, near[d])
            for fought in (a, b):  # both lost fighters: look again
                sides.pop(id(fought), None)


def _fight(world: World, a: Faction, b: Faction, d: int, a_at_hand: float) -> None:
    vcfg = a.cfg.violence
    rng = world.rng
    n_a = vcfg.clash_engaged_share * a_at_hand
    n_b = vcfg.clash_engaged_share * b.fighters_in(d)
    if n_a < 1.0:
        return
    dead_b = b.lose_fighters(engagement(rng, n_a, max(round(n_b), 1), vcfg.clash_lethality, 1.0))
    dead_a = a.lose_fighters(engagement(rng, n_b, max(round(n_a), 1), vcfg.clash_lethality, 1.0))
    world.record_violence("gang_clash", a.name, d, deaths_armed=dead_a + dead_b)
    total = dead_a + dead_b
    loser_share = dead_b / total if total else 0.5
    shift = a.cfg.gangs.control_shift * b.control_ref[d] * loser_share
    b.control_ref[d] -= shift
    a.control_ref[d] += shift
    if dead_a > dead_b:  # the attack failed: the attacker loses ground instead
        back = a.cfg.gangs.control_shift * a.control_ref[d] * (1.0 - loser_share)
        a.control_ref[d] -= back
        b.control_ref[d] += back


def merge_weak(world: World, factions: list[Faction], adjacent: np.ndarray) -> None:
    """A gang that cannot pay its people joins the strongest group that borders it; with no
    group to join it turns to trafficking the cocaine of its districts itself (seed 004: the
    few that are left "would simply become organized crime gangs")."""
    for weak in [f for f in factions if f.active and f.gang and f.upkeep]:
        need = weak.members * weak.upkeep / WEEKS_PER_YEAR
        if weak.income_avg >= weak.cfg.gangs.merge_income_ratio * need or not weak.income_seeded:
            continue
        near = reach(weak.control, adjacent)
        hosts = [
            f for f in factions if f.active and f is not weak and (f.control_ref[near] > 0).any()
        ]
        if not hosts:
            become_trafficking_crew(world, weak)
            continue
        host = max(hosts, key=lambda f: f.fighters)
        host.members += weak.members
        host.fighters += weak.fighters
        host.fighters_ref += weak.fighters_ref
        host.control_ref += weak.control_ref
        host.income_week += weak.income_week
        for person in weak.cadres.free():
            person.rank = "sub_commander" if person.rank == "leader" else person.rank
            person.military = False  # it answers to the host's military command
            person.loyalty = host.cadres.legitimacy
            host.cadres.people.append(person)
        weak.income_week = 0.0
        weak.active = False
        weak.members = weak.fighters = 0.0
        weak.control = np.zeros_like(weak.control)
        weak.control_ref = np.zeros_like(weak.control_ref)
        world.log_event("merger", weak.name, f"joined {host.name}: it could not pay its people")


def become_trafficking_crew(world: World, gang: Faction) -> None:
    """The gang ends as an armed group and its people become a trafficking organisation that
    buys and ships from the districts it held."""
    presence = (gang.control_ref > 0).astype(float)
    if presence.sum() <= 0:
        return
    crew = world.start_trafficking_crew(f"{gang.name} (crew)", presence)
    gang.dissolve(f"it could not pay its people and had nobody to join: became {crew}")
