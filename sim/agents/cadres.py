"""The leadership network of an armed group: cadres with rank, kin, a base, age and loyalty.

Cadres age and can die; vacant posts are refilled by promotion (by rank, kinship and
seniority); the line of succession is refilled slowly as new heirs come of age. When the leader
goes, candidates' claims (rank, kin of the outgoing leader, designation as heir, seniority, the
endorsement of a captured leader) decide who takes over, and how clear that outcome is: the
winner's share of the claims is the new leader's legitimacy. Loyalty of each cadre moves
toward what that legitimacy warrants (kin of the leader stay loyal).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.config.armed_group import RANKS, CadreConfig, SuccessionConfig
from sim.units import WEEKS_PER_YEAR

REFERENCE_AGE = 60.0  # age at which `mortality_at_60_per_year` applies (years)
IN_LAW = 0.5  # kinship through a child of the other's family (e.g. 'Vilma' and the Quispe Palomino)
FREE = "free"  # the status of a cadre still in the group
RAISED_PREFIX = "raised_"  # the id of a cadre raised from the ranks in the run
COLUMN_RANKS = ("second", "commander")  # cadres who lead a column and may take it away
POSTS_BELOW = {"leader": "second", "second": "commander", "commander": "sub_commander"}


@dataclass
class Cadre:
    """A member of the leadership network."""

    id: str
    name: str
    rank: str
    age: float
    base: int  # district index
    family: str = ""
    parent: str = ""
    patron: str = ""
    heir_order: int = 0
    seniority: float = 0.0
    military: bool = False  # leads the group's military force (plans its offensive attacks)
    command_years: float = 0.0  # years leading the military force
    loyalty: float = 1.0  # to the current leader (0-1)
    status: str = FREE  # free | captured | killed | died

    @property
    def free(self) -> bool:
        return self.status == FREE

    @property
    def generic(self) -> bool:
        """Raised from the ranks in the run (no source names such a cadre)."""
        return self.id.startswith(RAISED_PREFIX)


@dataclass
class Vacancy:
    """A post waiting to be filled by promotion."""

    rank: str
    base: int
    patron: str = ""
    military: bool = False  # the post leads the military force

    @classmethod
    def of(cls, person: Cadre, *, role: bool = True) -> Vacancy:
        """The post `person` held; with `role`, its command of the military force too (not
        when it is promoted: the chief keeps the force in its new post)."""
        return cls(person.rank, person.base, person.patron, role and person.military)


@dataclass
class Succession:
    """What happened when the leader's post was filled."""

    new_leader: Cadre | None
    clarity: float  # winner's share of the claims (0-1); 0 when nobody could take over
    rival: Cadre | None = None  # the strongest losing claimant


@dataclass
class Cadres:
    """The cadres of one group and the rules by which their posts are filled."""

    cfg: SuccessionConfig
    people: list[Cadre]
    vacancies: list[Vacancy] = field(default_factory=list)
    legitimacy: float = 1.0  # the current leader's (0-1)
    # generic cadres raised so far by this roster and the rosters split from it (shared), and
    # the id of the roster they all came from: together they keep raised ids unique in a run
    raised: list[int] = field(default_factory=lambda: [0])
    origin: str = ""

    @classmethod
    def from_config(
        cls, cfg: SuccessionConfig, cadres: list[CadreConfig], districts: list[str]
    ) -> Cadres:
        people = [
            Cadre(
                c.id, c.name, c.rank, float(c.age), districts.index(c.base), c.family,
                c.parent, c.patron, c.heir_order, float(c.seniority), c.military_chief,
                float(c.seniority if c.command_years is None else c.command_years),
            )
            for c in cadres
        ]  # fmt: skip
        roster = cls(cfg, people, origin=people[0].id if people else "")
        roster.legitimacy = roster.clarity_of_line()
        return roster

    # --- who is who ------------------------------------------------------------------------
    @property
    def leader(self) -> Cadre | None:
        for p in self.people:  # (asked many times a week: a plain loop)
            if p.rank == "leader" and p.status == FREE:
                return p
        return None

    def free(self, rank: str | None = None) -> list[Cadre]:
        if rank is None:
            return [p for p in self.people if p.status == FREE]
        return [p for p in self.people if p.status == FREE and p.rank == rank]

    def find(self, cadre_id: str) -> Cadre | None:
        return next((p for p in self.people if p.id == cadre_id and p.free), None)

    def heirs(self) -> list[Cadre]:
        return sorted(self.free("heir"), key=lambda p: p.heir_order)

    def commanders(self) -> list[Cadre]:
        """Cadres who lead a column of their own: the second and the commanders."""
        return [p for p in self.people if p.free and p.rank in COLUMN_RANKS]

    def kin(self, a: Cadre, b: Cadre | None, children: dict[str, set[str]] | None = None) -> float:
        """Kinship of `a` with `b`: 1 in the same family, IN_LAW when one is the parent of a
        child of the other's family, else 0. `children` (from `child_families`) saves
        recomputing it when asking many times."""
        if b is None or a is b:
            return 0.0
        if a.family and a.family == b.family:
            return 1.0
        children = self.child_families() if children is None else children
        if (b.family and b.family in children.get(a.id, ())) or (
            a.family and a.family in children.get(b.id, ())
        ):
            return IN_LAW
        return 0.0

    def child_families(self) -> dict[str, set[str]]:
        """For each parent id, the families of its children in the network."""
        out: dict[str, set[str]] = {}
        for p in self.people:
            if p.parent and p.family:
                out.setdefault(p.parent, set()).add(p.family)
        return out

    def followers(self, boss: Cadre) -> list[Cadre]:
        """Sub-commanders of a commander's column, and the boss's own children."""
        return [
            p for p in self.people
            if p.free and p is not boss and (p.patron == boss.id or p.parent == boss.id)
        ]  # fmt: skip

    # --- claims and succession -------------------------------------------------------------
    def claims(
        self, outgoing: Cadre | None, endorsed: bool, exclude: tuple[Cadre, ...] = ()
    ) -> tuple[list[Cadre], np.ndarray]:
        """Free candidates to lead and their claims (score points)."""
        cfg = self.cfg
        children = self.child_families()
        candidates = [p for p in self.people if p.free and p.rank != "leader" and p not in exclude]
        first_heir = min((p.heir_order for p in candidates if p.heir_order > 0), default=0)
        scores = []
        for p in candidates:
            s = cfg.rank_weight[p.rank] + cfg.seniority_weight * p.seniority
            s += cfg.kin_weight * self.kin(p, outgoing, children)
            if p.heir_order > 0:
                rank_in_line = 1 + sum(1 for q in candidates if 0 < q.heir_order < p.heir_order)
                s += cfg.designation_weight / rank_in_line
                if endorsed and p.heir_order == first_heir:
                    s += cfg.endorsement_weight
            scores.append(s)
        return candidates, np.array(scores, dtype=float)

    def _shares(self, scores: np.ndarray) -> np.ndarray:
        z = (scores - scores.max()) / self.cfg.temperature
        w = np.exp(z)
        return w / w.sum()

    def clarity(self, candidates: list[Cadre], scores: np.ndarray) -> tuple[Cadre, float]:
        """The winner and how clear the outcome is: the share of the claims held by the
        winner's family (claimants of one family do not split the group), or by the winner
        alone if it has none."""
        shares = self._shares(scores)
        winner = candidates[int(np.argmax(scores))]
        if not winner.family:
            return winner, float(shares.max())
        same = np.array([p.family == winner.family for p in candidates])
        return winner, float(shares[same].sum())

    def clarity_of_line(self) -> float:
        """How clear the succession would be if the leader went now (0-1)."""
        candidates, scores = self.claims(self.leader, endorsed=False)
        if not candidates:
            return 0.0
        return self.clarity(candidates, scores)[1]

    def succeed(self, outgoing: Cadre | None, endorsed: bool) -> Succession:
        """Fill the leader's post after `outgoing` was removed (None: the post was already
        empty): the strongest claim wins; the rival is the strongest claimant outside the
        winner's family."""
        candidates, scores = self.claims(outgoing, endorsed)
        if not candidates:
            self.legitimacy = 0.0
            return Succession(None, 0.0)
        winner, clarity = self.clarity(candidates, scores)
        rivals = [
            (s, i) for i, (p, s) in enumerate(zip(candidates, scores, strict=True))
            if p is not winner and (not winner.family or p.family != winner.family)
        ]  # fmt: skip
        rival = candidates[max(rivals)[1]] if rivals else None
        self._promote(winner, "leader")
        self.legitimacy = clarity
        children = self.child_families()
        for p in self.free():
            if p is not winner:
                k = self.kin(p, winner, children)
                p.loyalty = min(p.loyalty, k + (1.0 - k) * self.legitimacy)
        return Succession(winner, self.legitimacy, rival)

    def _promote(self, person: Cadre, rank: str) -> None:
        if person.rank not in ("leader", "heir"):
            self.vacancies.append(Vacancy.of(person, role=False))
        if person.rank == "heir":
            self.vacancies.append(Vacancy("heir", person.base))
        person.rank = rank
        person.heir_order = 0
        person.patron = ""

    def remove(self, person: Cadre, outcome: str) -> None:
        """Take a cadre out (captured, killed or died); its post falls vacant unless it was
        the leader's (filled at once by `succeed`)."""
        person.status = outcome
        if person.rank != "leader":
            self.vacancies.append(Vacancy.of(person))
        if person.rank == "heir":
            self.line_changed()
        for p in self.people:  # its column now answers to the leader
            if p.patron == person.id:
                p.patron = ""

    def line_changed(self) -> None:
        """An heir was removed or designated: the sitting leader's legitimacy becomes the
        clarity of the succession his cadres now foresee (as at the start of the run), so a
        leader whose heirs are gone is followed less surely."""
        if self.leader is not None:
            self.legitimacy = self.clarity_of_line()

    def column_posts(self) -> tuple[list[int], list[int]]:
        """Bases of the posts that lead a column (the leader's, the second's, commanders'):
        those filled by a free cadre, and those waiting to be refilled."""
        filled = [p.base for p in self.people if p.free and p.rank in ("leader", *COLUMN_RANKS)]
        vacant = [v.base for v in self.vacancies if v.rank in COLUMN_RANKS]
        return filled, vacant

    def military_command(self) -> float:
        """Share of a seasoned military command's offensive attacks the group can plan (0-1):
        its military chief's experience (`planning_capacity`), none while the chief's post is
        vacant; a group that never had a separate military force is led in the field by its
        leader (a seasoned commander)."""
        chief = next((p for p in self.people if p.free and p.military), None)
        if chief is not None:
            return self.planning_capacity(chief)
        if any(v.military for v in self.vacancies):
            return 0.0
        return 1.0 if self.leader is not None else 0.0

    def planning_capacity(self, person: Cadre) -> float:
        """Share of a seasoned chief's attacks `person` can plan (0-1): from
        `novice_command_share` on its first day in the post to all of them after
        `command_learning_years`."""
        cfg = self.cfg
        learnt = min(1.0, person.command_years / cfg.command_learning_years)
        return cfg.novice_command_share + (1.0 - cfg.novice_command_share) * learnt

    # --- the passing of time ---------------------------------------------------------------
    def weekly_death_probability(self, age: float) -> float:
        cfg = self.cfg
        yearly = cfg.mortality_at_60_per_year * 2.0 ** (
            (age - REFERENCE_AGE) / cfg.mortality_doubling_years
        )
        return 1.0 - (1.0 - min(yearly, 1.0)) ** (1.0 / WEEKS_PER_YEAR)

    def age_one_week(self, rng: np.random.Generator) -> list[Cadre]:
        """Everyone ages a week; returns those who died of natural causes."""
        alive = self.free()
        draws = rng.random(len(alive))
        died = []
        for p, u in zip(alive, draws, strict=True):
            p.age += 1.0 / WEEKS_PER_YEAR
            p.seniority += 1.0 / WEEKS_PER_YEAR
            if p.military:
                p.command_years += 1.0 / WEEKS_PER_YEAR
            if u < self.weekly_death_probability(p.age):
                died.append(p)
        return died

    def drift_loyalty(self) -> None:
        """Loyalty moves toward what the leader's legitimacy warrants; kin stay loyal."""
        leader = self.leader
        rate = 1.0 / self.cfg.loyalty_adjust_weeks
        children = self.child_families()
        for p in self.free():
            k = self.kin(p, leader, children)
            target = k + (1.0 - k) * self.legitimacy
            p.loyalty += (target - p.loyalty) * rate

    def refill(self, rng: np.random.Generator) -> list[Cadre]:
        """Promote into vacant posts (each filled with a weekly chance); returns the promoted."""
        cfg = self.cfg
        filled, waiting = [], []
        p_post = 1.0 - math.exp(-1.0 / cfg.refill_weeks)
        p_heir = 1.0 - math.exp(-1.0 / (cfg.heir_refill_years * WEEKS_PER_YEAR))
        for v in self.vacancies:
            if rng.random() >= (p_heir if v.rank == "heir" else p_post):
                waiting.append(v)
                continue
            person = self._fill(v)
            if person is None:
                waiting.append(v)
            else:
                filled.append(person)
        self.vacancies = waiting
        return filled

    def _fill(self, v: Vacancy) -> Cadre | None:
        """The best-placed cadre of the rank below moves up; at the bottom, a new cadre is
        raised from the ranks (a generic one, as no source names them)."""
        leader = self.leader
        if v.rank == "heir":
            return self.raise_cadre("heir", v.base, leader, heir=True)
        below = POSTS_BELOW.get(v.rank)
        pool = self.free(below) if below else []
        if pool:
            cfg = self.cfg
            best = max(
                pool,
                key=lambda p: (
                    cfg.seniority_weight * p.seniority
                    + cfg.kin_weight * self.kin(p, leader)
                    + (1.0 if p.patron == v.patron and v.patron else 0.0)
                ),
            )
            self._promote(best, v.rank)
            best.patron = v.patron if v.rank == "sub_commander" else ""
            best.base = v.base
            self._take_command(best, v)
            return best
        person = self.raise_cadre(v.rank, v.base, leader, patron=v.patron)
        self._take_command(person, v)
        return person

    @staticmethod
    def _take_command(person: Cadre, post: Vacancy) -> None:
        """A cadre promoted into the military chief's post starts to learn the command."""
        if post.military:
            person.military, person.command_years = True, 0.0

    def raise_cadre(
        self, rank: str, base: int, leader: Cadre | None, *, heir: bool = False, patron: str = ""
    ) -> Cadre:
        self.raised[0] += 1
        made = self.raised[0]
        order = 0
        if heir:
            order = 1 + max((p.heir_order for p in self.free("heir")), default=0)
        person = Cadre(
            id=f"{RAISED_PREFIX}{self.origin}_{made}",
            name=f"new {rank.replace('_', '-')} ({made})",
            rank=rank,
            age=20.0 if heir else 30.0,
            base=base,
            family=leader.family if (heir and leader is not None) else "",
            patron=patron,
            heir_order=order,
            loyalty=self.legitimacy,
        )
        self.people.append(person)
        if heir:
            self.line_changed()
        return person


def rank_importance(rank: str) -> float:
    """1 for the leader down to 1/len(RANKS) for heirs, in the order of RANKS (targeting)."""
    return 1.0 - RANKS.index(rank) / len(RANKS)
