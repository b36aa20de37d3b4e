"""How armed groups come apart: commanders leaving with their columns, a group breaking into
several, and the leaderless remains of a dismantled one.

A breakaway takes its zone (the districts its column answers for), a share of members, fighters
and this week's income in proportion to the control it takes, and its own people: the defecting
commander leads, its sub-commanders and children follow. What is left stays the parent group.
"""

from __future__ import annotations

import numpy as np

from sim.agents.cadres import Cadre, Cadres, Vacancy
from sim.agents.faction import Faction
from sim.agents.world import World


def gang_name(world: World, boss: Cadre) -> str:
    """A name no group of the run has had: after its boss where the sources name him, after
    its base district where the boss was raised from the ranks (a generic cadre)."""
    if boss.generic:
        name = f"the {world.districts[boss.base]} gang"
    else:
        name = f"{boss.name.split('(')[0].strip()}'s gang"
    taken = world.group_names()
    if name not in taken:
        return name
    return next(f"{name} ({k})" for k in range(2, len(taken) + 3) if f"{name} ({k})" not in taken)


def split_off(world: World, parent: Faction, bloc: list[Cadre], zone: np.ndarray) -> Faction | None:
    """`bloc` (defecting commanders, the first leads) leaves `parent` with the districts of
    `zone`; returns the new gang, or None when the zone holds nothing."""
    taken = np.where(zone, parent.control_ref, 0.0)
    mass = parent.control_ref.sum()
    if taken.sum() <= 0 or mass <= 0:
        return None
    share = float(taken.sum() / mass)
    boss, *others = bloc
    people = [boss, *others]
    for person in bloc:
        people += [p for p in parent.cadres.followers(person) if p not in people]
    for person in people:
        parent.cadres.people.remove(person)
        if person.rank in ("second", "commander", "leader") and person is not boss:
            parent.cadres.vacancies.append(Vacancy.of(person))
    parent.cadres.vacancies.append(Vacancy.of(boss))
    boss.rank, boss.patron, boss.loyalty = "leader", "", 1.0
    for person in people[1:]:
        if person.rank in ("second", "commander"):
            person.rank = "commander"
        person.patron = "" if person.rank == "commander" else boss.id
        person.loyalty = 1.0 if person.family and person.family == boss.family else 0.8
    roster = Cadres(
        parent.cadres.cfg, people, raised=parent.cadres.raised, origin=parent.cadres.origin
    )
    roster.legitimacy = 1.0
    gang = Faction(
        world,
        parent.cfg,
        gang_name(world, boss),
        roster,
        kind="gang",
        control=taken,
        members=parent.members * share,
        fighters=parent.fighters * share,
    )
    gang.control = np.where(zone, parent.control, 0.0)
    gang.fighters_ref = max(parent.fighters_ref * share, 1.0)
    gang.upkeep = parent.upkeep  # members cost a gang what they cost the group
    gang.income_week = parent.income_week * share  # this week's money so far goes with them
    gang.income_avg = parent.income_avg * share
    gang.income_avg_by_district = np.where(zone, parent.income_avg_by_district, 0.0)
    gang.income_seeded = parent.income_seeded
    gang.threat = parent.threat
    gang.suspicion = np.where(zone, parent.suspicion, 0.0)  # its people remember who told
    parent.income_week -= gang.income_week
    parent.income_avg -= gang.income_avg
    parent.income_avg_by_district = np.where(zone, 0.0, parent.income_avg_by_district)
    parent.members -= gang.members
    parent.fighters -= gang.fighters
    parent.fighters_ref = max(parent.fighters_ref - gang.fighters_ref, 1.0)
    parent.control_ref = np.where(zone, 0.0, parent.control_ref)
    parent.control = np.where(zone, 0.0, parent.control)
    if parent.members < 1.0 or parent.control_ref.sum() <= 0:
        parent.dissolve("all its columns left")
    return gang


def act_on_defections(world: World, parent: Faction, hops: np.ndarray, why: str) -> list[Faction]:
    """Carry out the blocs that chose to leave `parent` this week."""
    gangs = []
    zones = parent.zones(hops)
    for bloc in parent.defectors:
        zone = np.zeros(parent.control.size, dtype=bool)
        for person in bloc:
            zone |= zones.get(person.id, zone)
        gang = split_off(world, parent, bloc, zone)
        if gang is not None:
            names = ", ".join(p.name for p in bloc)
            world.log_event("split", parent.name, f"{names} left ({why}): {gang.name}")
            gangs.append(gang)
        if not parent.active:
            break
    parent.defectors = []
    return gangs


def break_up(
    world: World, parent: Faction, groups: int, hops: np.ndarray, why: str
) -> list[Faction]:
    """`parent` breaks into `groups` groups: the columns of its `groups - 1` largest zones
    leave, each under its commander (promoted from the ranks where a post is empty), and the
    rest stays with the parent. Returns the new gangs."""
    zones = parent.zones(hops)
    by_size = sorted(
        ((parent.control_ref[m].sum(), pid) for pid, m in zones.items() if m.any()), reverse=True
    )
    bosses = [parent.cadres.find(pid) for _, pid in by_size[: groups - 1]]
    parent.defectors = [[b] for b in bosses if b is not None]
    gangs = act_on_defections(world, parent, hops, why)
    # with fewer commanders than groups asked for, the largest remaining districts go under
    # local bosses raised from the ranks
    while parent.active and len(gangs) < groups - 1:
        held = np.flatnonzero(parent.control_ref > 0)
        keep = parent.leader.base if parent.leader is not None else -1
        held = held[held != keep]
        if held.size == 0:
            break
        d = int(held[np.argmax(parent.control_ref[held])])
        boss = parent.cadres.raise_cadre("commander", d, None)
        zone = np.zeros(parent.control.size, dtype=bool)
        zone[d] = True
        gang = split_off(world, parent, [boss], zone)
        if gang is None:
            break
        world.log_event("split", parent.name, f"{boss.name} took {world.districts[d]} ({why})")
        gangs.append(gang)
    return gangs


def leaderless_breakup(world: World, parent: Faction, hops: np.ndarray) -> list[Faction]:
    """With nobody left who can lead, each column goes its own way under its commander, or
    under a local boss raised from the ranks. The parent ends."""
    n_held = int((parent.control_ref > 0).sum())
    gangs = break_up(world, parent, n_held + 1, hops, "nobody left to lead")
    if parent.active:
        parent.kind = "gang"
    return gangs
