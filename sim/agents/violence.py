"""Violence as a choice: why a group attacks, where, with how many fighters, and what follows.

A group weighs four motives, each from its own state (sim.agents.faction.Faction):
- threat: the clashes and operations it suffered recently, relative to usual (attack to deter);
- revenge: of kin for cadres the state killed;
- visibility: what violence gains in the political calendar (protests, a vote to boycott); only
  a group with a political agenda values it;
- outbidding: a contested leadership or rival groups on its turf (show strength to recruits
  and rivals; Kydd & Walter 2006).
Their weighted sum sets how often it chooses each kind of attack (a log-linear propensity).
Offensive attacks (ambushes, massacres) are planned by its military command, so a group whose
military chief was taken plans none until the post is refilled, and fewer while the new chief
learns (sim.agents.cadres.Cadres.military_command).
Selective killings of suspected informers go where control is dominant but incomplete and
informing is likely (Kalyvas 2006); massacres (exemplary attacks on a community) go where
informing is high. Violence against civilians also answers betrayal: after the state located
and took one of its cadres, the group suspects the people of the cadre's base and punishes
them, killing the informers it can identify and, where it identifies none, the community
(Kalyvas 2006: indiscriminate violence where the information for selective violence is
lacking). The size of an event follows from the fighters committed and the target: a patrol
of a drawn size, a hamlet's informers, a community (`engagement`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from sim.agents.world import World
from sim.config.armed_group import ArmedGroupConfig, ViolenceConfig
from sim.units import WEEKS_PER_YEAR

# Kalyvas's dominant-but-incomplete control: c^2 (1 - c), scaled to peak at 1 (at c = 2/3)
KALYVAS_PEAK_SCALE = 27.0 / 4.0


class Group(Protocol):
    """What choosing violence needs to know of the group that chooses (a Faction)."""

    cfg: ArmedGroupConfig
    name: str
    control: np.ndarray
    suspicion: np.ndarray  # evidence that the people of each district betrayed it
    political: bool

    def fighters_by_district(self) -> np.ndarray:
        """Its fighters in each district."""
        ...

    def commanded_districts(self) -> np.ndarray:
        """Where one of its cadres is in command to plan attacks (bool per district)."""
        ...

    def military_command(self) -> float:
        """Share of a seasoned command's offensive attacks it can plan (0-1)."""
        ...

    def motives(self, theatre: World) -> Motives:
        """Why it would use violence this week."""
        ...

    def lose_fighters(self, n: float) -> int:
        """Remove up to `n` fighters; returns how many were removed."""
        ...


def engagement(
    rng: np.random.Generator, attackers: float, targets: int, lethality: float, surprise: float
) -> int:
    """Deaths among `targets` people attacked by `attackers`: each target is killed with
    probability 1 - exp(-lethality * surprise * attackers / targets)."""
    if targets <= 0 or attackers <= 0:
        return 0
    p = 1.0 - math.exp(-lethality * surprise * attackers / targets)
    return int(rng.binomial(targets, p))


def dominant_incomplete(control: np.ndarray) -> np.ndarray:
    """Kalyvas's zones of dominant but incomplete control: 1 at two thirds, 0 at 0 and 1."""
    return KALYVAS_PEAK_SCALE * control**2 * (1.0 - control)


@dataclass(frozen=True)
class Motives:
    """Why a group would use violence this week (dimensionless)."""

    threat: float  # recent threat relative to usual (1 = usual)
    revenge: float
    visibility: float
    outbidding: float

    def propensity(self, cfg: ViolenceConfig, political: bool, revenge: bool = True) -> float:
        """Factor on the base rate of an attack (1 with usual threat and no other motive)."""
        score = cfg.threat_weight * (self.threat - 1.0) + cfg.outbidding_weight * self.outbidding
        if political:
            score += cfg.visibility_weight * self.visibility
        if revenge:
            score += cfg.revenge_weight * self.revenge
        return math.exp(score)


def choose_violence(faction: Group, theatre: World, reference_share: float) -> None:
    """The week's attacks by one group: ambushes, selective killings and massacres."""
    cfg: ViolenceConfig = faction.cfg.violence
    rng = theatre.rng
    fighters = faction.fighters_by_district()
    if fighters.sum() < 1.0:
        return
    informing = theatre.informing()
    motives = faction.motives(theatre)
    political = faction.political
    week = 1.0 / WEEKS_PER_YEAR
    # attacks are planned by the cadres in command of a column: none where the post is vacant
    commanded = faction.commanded_districts()
    under_command = float(fighters[commanded].sum() / fighters.sum())
    # offensive attacks (ambushes, massacres) are planned by its military command
    offensive = faction.military_command()

    # ambushes on patrols: where its fighters under command meet the state's patrols
    rate = cfg.ambushes_per_year * week * under_command * offensive
    rate *= motives.propensity(cfg, political)
    ambushes = _attempts(rng, rate, fighters)
    if ambushes:  # (most weeks have none: the weights are not needed then)
        where = fighters * commanded * (theatre.patrol_presence() + 1e-9)
    for _ in range(ambushes):
        d = _pick(rng, where)
        patrol = _drawn_size(rng, cfg.patrol_size_median, cfg.patrol_size_sigma)
        committed = min(cfg.superiority * patrol, fighters[d])
        if committed < 1.0:
            continue
        killed = engagement(rng, committed, patrol, cfg.lethality, _surprise(rng, cfg))
        lost = faction.lose_fighters(rng.binomial(int(committed), cfg.return_fire))
        theatre.record_violence("ambush", faction.name, d, killed, 0, lost)
        fighters = faction.fighters_by_district()  # fighters may have fallen

    # the wish to punish each district: suspected betrayal there (Kalyvas 2006)
    punish = np.exp(cfg.punishment_weight * faction.suspicion)

    # selective killings of suspected informers
    weight = dominant_incomplete(faction.control) * informing * commanded * punish
    weight /= reference_share
    rate = cfg.selective_killings_per_year * week * weight.sum()
    rate *= motives.propensity(cfg, political, revenge=False)
    for _ in range(_attempts(rng, rate, fighters)):
        d = _pick(rng, weight)
        if fighters[d] < 1.0:
            continue  # nobody there to do it
        informers = rng.binomial(cfg.hamlet_households, informing[d])
        victims = int(rng.binomial(informers, cfg.identify_probability))
        if victims > 0:
            theatre.record_violence("selective_killing", faction.name, d, 0, victims, 0)
            theatre.civilians_killed(d, victims, indiscriminate=False)
        elif rng.random() < offensive * (1.0 - 1.0 / punish[d]):
            # nobody identified: a group that suspects the community punishes it whole, if its
            # military command can mount it (Kalyvas: indiscriminate where information fails)
            _massacre(faction, theatre, d, fighters[d])

    # massacres: exemplary attacks on a community that informs
    weight = faction.control * informing * commanded * punish / reference_share
    rate = cfg.massacres_per_year * week * weight.sum() / max(faction.control.sum(), 1e-9)
    rate *= offensive * motives.propensity(cfg, political)
    for _ in range(_attempts(rng, rate, fighters)):
        d = _pick(rng, weight)
        _massacre(faction, theatre, d, fighters[d])


def _massacre(faction: Group, theatre: World, d: int, fighters: float) -> None:
    """An attack by the group's fighters in district `d` on a community there."""
    cfg = faction.cfg.violence
    rng = theatre.rng
    people = _drawn_size(rng, cfg.community_size_median, cfg.patrol_size_sigma)
    committed = min(cfg.superiority * people, fighters)
    if committed < 1.0:
        return
    killed = engagement(rng, committed, people, cfg.lethality, _surprise(rng, cfg))
    if killed == 0:
        return
    theatre.record_violence("massacre", faction.name, d, 0, killed, 0)
    theatre.civilians_killed(d, killed, indiscriminate=True)


def _attempts(rng: np.random.Generator, rate: float, fighters: np.ndarray) -> int:
    """How many attacks of a kind the group attempts this week: drawn from its propensity, and
    never more than it has fighters (each attack needs at least one), so an extreme motive
    cannot ask for more attacks than the group could mount."""
    return int(min(rng.poisson(rate), math.floor(fighters.sum())))


def _drawn_size(rng: np.random.Generator, median: float, sigma: float) -> int:
    """People in a target (a patrol, a community): lognormal around `median`, at least one."""
    return max(1, round(rng.lognormal(math.log(median), sigma)))


def _surprise(rng: np.random.Generator, cfg: ViolenceConfig) -> float:
    return float(rng.exponential(cfg.surprise_scale))


def _pick(rng: np.random.Generator, weight: np.ndarray) -> int:
    """A district drawn with probability proportional to `weight`."""
    total = weight.sum()
    if total <= 0:
        return int(rng.integers(weight.size))
    return int(min(np.searchsorted(np.cumsum(weight), rng.random() * total), weight.size - 1))
