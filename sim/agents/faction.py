"""Armed groups: the MPCP, its rival factions, and the gangs that split from any of them.

A group has territory (control of each district), members and fighters, a leadership network
(sim.agents.cadres), income from taxing growers and escorting shipments, the threat it faces
and its kin's desire for revenge. Each week it chooses its violence (sim.agents.violence),
recruits or loses members as its income allows, arms as many of them as the threat calls for,
and its commanders reconsider, every review and whenever the leadership changes, whether to
stay or leave with their columns (a split happens when enough of them defect). Losing a leader
hands over to the strongest claimant (sim.agents.cadres.Cadres.succeed).
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from sim.agents.cadres import Cadre, Cadres, Succession, rank_importance
from sim.agents.violence import Motives, choose_violence
from sim.agents.world import World
from sim.config.armed_group import ArmedGroupConfig
from sim.units import WEEKS_PER_YEAR

KINDS = ("mpcp", "rival", "gang")


def logistic(x: float) -> float:
    """1 / (1 + exp(-x)), without overflow for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def succession_text(result: Succession) -> str:
    """How a succession reads in the event log."""
    if result.new_leader is None:
        return "nobody left to lead"
    contest = f"; contested by {result.rival.name}" if result.rival is not None else ""
    return f"{result.new_leader.name} takes over (clarity {result.clarity:.2f}{contest})"


class Faction(mesa.Agent):
    """An armed group."""

    def __init__(
        self,
        world: World,
        cfg: ArmedGroupConfig,
        name: str,
        cadres: Cadres,
        *,
        kind: str = "mpcp",
        control: np.ndarray | None = None,
        members: float | None = None,
        fighters: float | None = None,
    ) -> None:
        super().__init__(world)
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        self.world = world
        self.cfg = cfg
        self.name = name
        self.kind = kind
        self.cadres = cadres
        n = len(world.districts)
        if control is None:
            control = np.array([cfg.territory.get(d, 0.0) for d in world.districts])
        self.control_ref = np.asarray(control, dtype=float).copy()
        self.control = self.control_ref.copy()
        self.members = float(cfg.members if members is None else members)
        self.fighters = float(
            self.members * self.armed_share(1.0) if fighters is None else fighters
        )
        self.fighters_ref = max(self.fighters, 1.0)
        self.income_week = 0.0  # USD earned this week (taxes + escort fees)
        self.income_last = 0.0  # USD earned last week
        self.income_avg = 0.0  # USD/week, smoothed over about a year
        self.income_by_district = np.zeros(n)  # USD this week
        self.income_avg_by_district = np.zeros(n)  # USD/week, smoothed
        self.tax_rate = np.full(n, cfg.leaf_tax_rate)  # chosen each week (fraction)
        self.upkeep = cfg.upkeep_usd_per_member_year  # USD/member/yr; None until week 1
        self.threat = cfg.violence.threat_reference_per_year / WEEKS_PER_YEAR  # per week
        self._threat_this_week = 0
        self.revenge = 0.0
        self.suspicion = np.zeros(n)  # evidence that it was betrayed, by district (decays)
        self.active = True
        self.defectors: list[list[Cadre]] = []  # blocs leaving this week, acted on by the model
        self.review_now = False
        self.income_seeded = False

    # --- who it is -------------------------------------------------------------------------
    @property
    def political(self) -> bool:
        """Whether it has a political agenda (the MPCP and the rival factions, not gangs)."""
        return self.kind != "gang"

    @property
    def gang(self) -> bool:
        return self.kind == "gang"

    @property
    def leader(self) -> Cadre | None:
        return self.cadres.leader

    # --- economics -------------------------------------------------------------------------
    def choose_taxes(self, others: np.ndarray) -> None:
        """Tax rate per district: a stationary bandit with secure tenure taxes lightly, a
        roving one takes what it can (Olson 1993). Tenure is its share of the district's armed
        control, discounted when it has too few fighters to hold it."""
        cfg = self.cfg
        total = self.control + others
        share = np.divide(self.control, total, out=np.ones_like(total), where=total > 0)
        tenure = share * min(1.0, self.fighters / cfg.gangs.secure_fighters)
        self.tax_rate = cfg.leaf_tax_rate + (cfg.gangs.roving_tax_rate - cfg.leaf_tax_rate) * (
            1.0 - tenure
        )

    def tax_share(self) -> np.ndarray:
        """Expected share of leaf value it takes in each district (fraction)."""
        return self.control * self.tax_rate

    def collect_leaf_tax(self, leaf_value_by_district: np.ndarray) -> float:
        tax = leaf_value_by_district * self.tax_share()
        self.income_by_district += tax
        self.income_week += float(tax.sum())
        return float(tax.sum())

    def collect_escort_fee(self, kg: float, district: int) -> float:
        fee = kg * self.cfg.escort_fee_usd_per_kg
        self.income_by_district[district] += fee
        self.income_week += fee
        return fee

    def close_week(self) -> None:
        """Book last week's income; the new week starts with none."""
        self.income_last = self.income_week
        self.income_week = 0.0
        rate = 1.0 / WEEKS_PER_YEAR
        if self.income_seeded:
            self.income_avg_by_district += (
                self.income_by_district - self.income_avg_by_district
            ) * rate
        else:
            self.income_avg_by_district = self.income_by_district.copy()
        self.income_by_district = np.zeros_like(self.income_by_district)

    def expect_income(self, by_district: np.ndarray) -> None:
        """Start its yearly average income (USD/week, by district) at `by_district`."""
        self.income_avg_by_district = np.asarray(by_district, dtype=float).copy()
        self.income_avg = float(self.income_avg_by_district.sum())
        self.income_seeded = True

    def set_equilibrium_upkeep(self, income_per_week: float) -> None:
        """Unless configured, set the upkeep per member at which `income_per_week` sustains the
        current membership: recruitment (logistic toward what income pays for) then balances
        desertion, so the group starts in equilibrium."""
        if self.upkeep is not None:
            return
        cfg = self.cfg
        room = max(1.0 - cfg.desertion_rate_per_year / cfg.growth_rate_per_year, 0.1)
        sustainable = self.members / room
        if income_per_week <= 0:  # nothing to live on: no size is sustainable
            self.upkeep = math.inf
            return
        self.upkeep = income_per_week * WEEKS_PER_YEAR / max(sustainable, 1.0)

    # --- fighters and threat ---------------------------------------------------------------
    def armed_share(self, threat: float) -> float:
        """Share of members it chooses to arm under a threat relative to usual: from calm to
        besieged, halfway at the usual threat."""
        cfg = self.cfg
        pull = threat / (threat + 1.0)
        return cfg.armed_share_calm + (cfg.armed_share_besieged - cfg.armed_share_calm) * pull

    def relative_threat(self) -> float:
        return self.threat * WEEKS_PER_YEAR / self.cfg.violence.threat_reference_per_year

    def note_threat(self) -> None:
        """The state acted against it (a clash or an operation)."""
        self._threat_this_week += 1

    def lose_fighters(self, n: float) -> int:
        """Remove up to `n` fighters (killed or captured); returns how many were removed."""
        n = min(int(n), int(self.fighters))
        self.fighters -= n
        self.members -= n
        return n

    def commanded_districts(self) -> np.ndarray:
        """Where a cadre is in command to plan attacks (bool per district): districts whose
        nearest column post (by network hops) is filled. A column whose commander was removed
        fights back when attacked but plans nothing until the post is refilled by promotion."""
        filled, vacant = self.cadres.column_posts()
        n = self.control.size
        if not filled or not vacant:  # no post to plan from, or every post filled
            return np.full(n, bool(filled))
        hops = self.world.district_hops()
        return hops[filled].min(axis=0) <= hops[vacant].min(axis=0)

    def fighters_by_district(self) -> np.ndarray:
        """Its fighters spread over its territory by control."""
        total = self.control.sum()
        if total <= 0:
            return np.zeros_like(self.control)
        return self.fighters * self.control / total

    def fighters_in(self, district: int) -> float:
        total = self.control.sum()
        return self.fighters * self.control[district] / total if total > 0 else 0.0

    def motives(self, theatre: World) -> Motives:
        """Why it would use violence this week (see sim.agents.violence)."""
        others = theatre.control_of_others(self)
        mass = self.control.sum()
        contested = float((self.control * np.minimum(others, 1.0)).sum() / mass) if mass else 0.0
        return Motives(
            threat=self.relative_threat(),
            revenge=self.revenge,
            visibility=theatre.political_visibility(),
            outbidding=self.leadership_doubt() + contested,
        )

    def military_command(self) -> float:
        """Share of a seasoned command's offensive attacks it can plan (0-1; see
        sim.agents.cadres.Cadres.military_command)."""
        return self.cadres.military_command()

    def leadership_doubt(self) -> float:
        """How unsettled its leadership is: 1 - the leader's legitimacy (1 with no leader)."""
        return 1.0 - self.cadres.legitimacy if self.leader is not None else 1.0

    # --- leadership ------------------------------------------------------------------------
    def remove_cadre(self, cadre: Cadre, outcome: str) -> str:
        """A cadre is captured, killed or dies. A cadre the state took leaves the group
        suspecting that the people of its base betrayed it; a killed cadre's free kin seek
        revenge; a leader's post goes to the strongest claimant (a captured leader can still
        endorse his heir). Returns what happened, for the event log."""
        was_leader = cadre.rank == "leader"
        if outcome in ("captured", "killed"):  # the state found it: someone must have told
            self.suspicion[cadre.base] += rank_importance(cadre.rank)
        self.cadres.remove(cadre, outcome)
        if outcome == "killed":
            self.revenge += max(
                (self.cadres.kin(p, cadre) for p in self.cadres.free()), default=0.0
            )
        if not was_leader:
            self.review_now = True
            return f"{cadre.name} {outcome}"
        result = self.cadres.succeed(cadre, endorsed=outcome == "captured")
        self.review_now = True
        return f"{cadre.name} {outcome}; {succession_text(result)}"

    def claim_the_empty_lead(self) -> str | None:
        """A group without a leader but with free cadres (raised since its last leader went):
        the strongest claimant takes over. Returns what happened, or None if nothing did."""
        if self.leader is not None or not self.cadres.free():
            return None
        result = self.cadres.succeed(None, endorsed=False)
        self.review_now = True
        return succession_text(result)

    def zones(self, hops: np.ndarray) -> dict[str, np.ndarray]:
        """Districts each column leader answers for: the leader holds its base; every other
        district it controls goes to the nearest commander (by network hops)."""
        leaders = [p for p in self.cadres.commanders()]
        boss = self.leader
        mask = {p.id: np.zeros(self.control.size, dtype=bool) for p in leaders}
        held = np.flatnonzero(self.control_ref > 0)
        for d in held:
            if boss is not None and d == boss.base:
                continue
            if not leaders:
                break
            dist = [hops[p.base, d] for p in leaders]
            mask[leaders[int(np.argmin(dist))].id][d] = True
        return mask

    def review_loyalties(self, hops: np.ndarray) -> None:
        """Each commander compares what staying pays (its share of the group's income) with
        what leaving pays (its zone's income as an independent group, less the fight with the
        group it leaves), weighs its loyalty and kinship to the leader, and decides. Those who
        leave together are grouped by kin."""
        cfg = self.cfg.defection
        rng = self.world.rng
        leader = self.leader
        income = max(self.income_avg, 1e-9)
        zones = self.zones(hops)
        leaving = []
        for person in self.cadres.commanders():
            zone = zones.get(person.id)
            if zone is None or not zone.any():
                continue
            column = self.fighters * self.control[zone].sum() / max(self.control.sum(), 1e-9)
            if column < cfg.min_column_fighters:
                continue
            rest = 1.0 - column / max(self.fighters, 1e-9)
            outside = self.income_avg_by_district[zone].sum() * (1.0 - cfg.fight_cost_share * rest)
            inside = self.cfg.succession.income_share[person.rank] * income
            if outside <= 0:
                continue
            kin = self.cadres.kin(person, leader)
            utility = (
                math.log(outside / inside)
                - cfg.loyalty_weight * person.loyalty
                - cfg.kin_weight * kin
            )
            if rng.random() < logistic(utility / cfg.noise):
                leaving.append(person)
        blocs: dict[str, list[Cadre]] = {}
        for person in leaving:
            blocs.setdefault(person.family or person.id, []).append(person)
        self.defectors = list(blocs.values())

    # --- weekly behaviour ------------------------------------------------------------------
    def step(self) -> None:
        """Cadres age, violence, membership and arms, territory, loyalties."""
        if not self.active:
            return
        world = self.world
        for person in self.cadres.age_one_week(world.rng):
            world.log_event("death", self.name, self.remove_cadre(person, "died"))
        for person in self.cadres.refill(world.rng):
            world.log_event("promotion", self.name, f"{person.name} becomes {person.rank}")
        taken = self.claim_the_empty_lead()
        if taken is not None:
            world.log_event("succession", self.name, taken)
        self.cadres.drift_loyalty()
        choose_violence(self, world, self.cfg.informers.reference_share)
        self._membership()
        self._territory()
        self._remember()
        if self.active and (self.review_now or world.week % self.cfg.succession.review_weeks == 0):
            self.review_loyalties(world.district_hops())
            self.review_now = False

    def _remember(self) -> None:
        vcfg = self.cfg.violence
        self.threat += (self._threat_this_week - self.threat) / vcfg.threat_memory_weeks
        self._threat_this_week = 0
        self.revenge *= 0.5 ** (1.0 / vcfg.revenge_half_life_weeks)
        self.suspicion *= 0.5 ** (1.0 / vcfg.betrayal_half_life_weeks)

    def _membership(self) -> None:
        cfg = self.cfg
        if not self.income_seeded:
            if self.income_last <= 0:  # first week of a run: no income booked yet
                return
            self.income_avg = self.income_last
            self.income_seeded = True
        self.income_avg += (self.income_last - self.income_avg) / WEEKS_PER_YEAR
        # Growers' grievance (e.g. after eradication) brings recruits who ask for less.
        support = 1.0 + cfg.grievance_recruitment_gain * self.world.grievance_in(self.control)
        sustainable = support * self.income_avg * WEEKS_PER_YEAR / self.upkeep
        growth = cfg.growth_rate_per_year / WEEKS_PER_YEAR
        desertion = cfg.desertion_rate_per_year / WEEKS_PER_YEAR
        if self.members > 0:
            change = growth * self.members * (1.0 - self.members / max(sustainable, 1.0))
            self.members = max(0.0, self.members + change - desertion * self.members)
        target = self.members * self.armed_share(self.relative_threat())
        self.fighters += (target - self.fighters) / cfg.fighter_adjustment_weeks
        self.fighters = min(self.fighters, self.members)
        if self.members < 1.0:
            self.dissolve("no members left")

    def dissolve(self, why: str) -> None:
        self.active = False
        self.members = self.fighters = 0.0
        self.control = np.zeros_like(self.control)
        self.world.log_event("dissolution", self.name, why)

    def _territory(self) -> None:
        """Control follows fighting strength: it shrinks when fighters are lost."""
        strength = min(
            1.0, (self.fighters / self.fighters_ref) ** self.cfg.territory_strength_exponent
        )
        self.control = self.control_ref * strength
