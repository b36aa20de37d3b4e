"""Typed configuration of the armed group: the MPCP, its leadership chain and its gangs."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.config.section import Fraction, NonNegative, Positive, Section


class LeaderConfig(Section):
    """A person in the armed group's leadership chain."""

    id: str = Field(description="Identifier (snake_case), used by interventions.")
    name: str = Field(description="Name or alias as reported.")
    role: Literal["leader", "successor"] = Field(description="Current role.")


class ArmedGroupConfig(Section):
    """The MPCP (Shining Path remnant) as one faction agent at the start."""

    name: str = Field("MPCP", description="Name of the faction at the start.")
    members: Positive = Field(
        400.0,
        description="Members at the start (people). 350 incl. 80 armed (AFP, 2021); 417 incl. "
        "123 with heavy weapons (Interior Ministry via La Republica, 2022).",
    )
    armed_share: Fraction = Field(
        0.27,
        description="Share of members who are armed fighters when weapons are affordable "
        "(fraction). 80/350 = 0.23 (2021); 123/417 = 0.29 (2022).",
    )
    leaders: list[LeaderConfig] = Field(
        default_factory=lambda: [
            LeaderConfig(id="jose", name="Victor Quispe Palomino (Comrade Jose)", role="leader"),
            LeaderConfig(id="quispe_zuniga", name="Victor Quispe Zuniga (son)", role="successor"),
            LeaderConfig(id="nephew", name="nephew of Comrade Jose", role="successor"),
            LeaderConfig(id="heir_a", name="heir A (next generation)", role="successor"),
            LeaderConfig(id="heir_b", name="heir B (next generation)", role="successor"),
        ],
        description="Leadership chain: one leader and ordered successors. Seeds 000 and 004: "
        "Jose leads; his son and three heirs aged 19-24 were to take over (captured Nov 2023); "
        "a nephew was arrested Sept 2023. Heirs' names are not public.",
    )
    territory: dict[str, Fraction] = Field(
        default_factory=lambda: {
            "vizcatan_del_ene": 0.9,
            "rio_tambo": 0.5,
            "pangoa": 0.35,
            "llochegua": 0.35,
            "pichari": 0.25,
            "santa_rosa": 0.25,
            "kimbiri": 0.2,
            "sivia": 0.2,
        },
        description="Control strength in each district at the start (0-1): share of growers it "
        "taxes and of shipments it escorts there. Estimate: stronghold in Vizcatan del Ene and "
        "the Ene (seed 000).",
    )
    leaf_tax_rate: Fraction = Field(
        0.04,
        description="Share of leaf sales value taken as 'protection' tax where it controls "
        "(fraction). Estimate; seed 004 names the tax, no rate is public.",
    )
    escort_fee_usd_per_kg: NonNegative = Field(
        40.0,
        description="Fee traffickers pay per kg of HCl escorted out of controlled districts "
        "(USD/kg). Estimate; seed 004 names the protection of shipments.",
    )
    escort_risk_reduction: Fraction = Field(
        0.6,
        description="Reduction of detection risk on escorted legs inside controlled districts "
        "(fraction). Estimate.",
    )
    upkeep_usd_per_member_year: Positive | None = Field(
        None,
        description="Cost of keeping one member (food, arms, ammunition, informants) in USD/yr. "
        "None (default): set in the first week so that the group's income sustains its starting "
        "size, i.e. the group starts in equilibrium (no source gives the cost).",
    )
    growth_rate_per_year: Positive = Field(
        0.3,
        description="Maximum relative growth of membership in a year when funds allow (1/yr). "
        "Estimate.",
    )
    desertion_rate_per_year: Fraction = Field(
        0.15,
        description="Yearly desertion rate at zero cohesion (1/yr); scaled by (1 - cohesion). "
        "Estimate.",
    )
    cohesion: Fraction = Field(
        0.8, description="Cohesion at the start (0-1). Estimate: a family-led, disciplined group."
    )
    retaliation_weeks: int = Field(
        26,
        ge=0,
        le=260,
        description="Weeks of retaliatory violence after the leader is removed (weeks). "
        "Calderon et al. 2015: homicides up about 36.5% in the six months after a leader's "
        "removal; seed 000: more violent after Raul was killed (2021).",
    )
    retaliation_violence_factor: Positive = Field(
        3.0,
        description="Factor on ambushes and killings during retaliation (dimensionless). Estimate.",
    )
    fragmentation_cohesion: Fraction = Field(
        0.45,
        description="Cohesion below which a faction with no leader splits into gangs "
        "(fraction). Estimate; history of splits after captures (Ideele 2013, Jamestown 2012).",
    )
    members_per_gang: Positive = Field(
        120.0,
        description="Typical members per gang when a faction splits by itself; sets the number "
        "of gangs (2-4). Estimate.",
    )
    gang_tax_multiplier: Positive = Field(
        1.5,
        description="Gangs tax growers this many times the faction's rate: predatory, with no "
        "political base to keep (dimensionless). Estimate after seed 004 (Yaranga).",
    )
    gang_ambush_factor: NonNegative = Field(
        0.3,
        description="Gangs attack security forces this many times as often as the political "
        "faction: they drop the insurgent agenda (dimensionless). Estimate.",
    )
    gang_clashes_per_year: NonNegative = Field(
        20.0,
        description="Clashes a year between two gangs of 50 fighters each that fully share a "
        "district (1/yr); scales with both sides' fighters and shared control. Estimate.",
    )
    gang_clash_control_shift: Fraction = Field(
        0.1,
        description="Share of the loser's control in a district that passes to the winner of "
        "a clash between gangs (fraction). Estimate.",
    )
    grievance_recruitment_gain: NonNegative = Field(
        1.0,
        description="Extra recruits willing to join per unit of growers' grievance in its "
        "territory (factor on sustainable membership; Epstein 2002 grievance). Estimate.",
    )
    ambushes_per_year_per_100_fighters: NonNegative = Field(
        3.0,
        description="Attacks on security forces a year per 100 fighters (1/yr). Estimate after "
        "2021-2023 events (Feb 2023 ambush, helicopter shot down; seed 000).",
    )
    deaths_per_ambush: Positive = Field(
        2.0,
        description="Mean deaths per ambush (people). Estimate; 7 police killed in Feb 2023.",
    )
    civilian_killings_per_year_per_100_fighters: NonNegative = Field(
        1.5,
        description="Killings of suspected collaborators a year per 100 fighters at reference "
        "security pressure (1/yr). Estimate (seed 000, Yaranga).",
    )
    deaths_per_civilian_killing: Positive = Field(
        2.0,
        description="Mean deaths per killing event (people). Estimate; May 2021: 16 killed.",
    )
    gang_cohesion: Fraction = Field(
        0.6,
        description="Cohesion of a new gang, held together by its boss and by money (0-1). "
        "Estimate.",
    )
    cohesion_loss_leader: Fraction = Field(
        0.8,
        description="Factor on cohesion when the leader is removed (dimensionless). Estimate; "
        "an assumption listed in docs/MODEL.md.",
    )
    cohesion_loss_member: Fraction = Field(
        0.95,
        description="Factor on cohesion when a successor is removed (dimensionless). Estimate.",
    )
    cohesion_loss_succession: Fraction = Field(
        0.9,
        description="Further factor on cohesion when a successor takes over (dimensionless). "
        "Estimate.",
    )
    cohesion_loss_vacuum: Fraction = Field(
        0.7,
        description="Further factor on cohesion when no successor is left (dimensionless). "
        "Estimate.",
    )
    cohesion_loss_per_fighter_lost: Fraction = Field(
        0.01,
        description="Cohesion lost per fighter killed or captured (1/fighter). Estimate.",
    )
    leaderless_cohesion_share: Fraction = Field(
        0.5,
        description="Without a leader, cohesion drifts toward this share of its usual level "
        "(fraction). Estimate.",
    )
    fighter_adjustment_weeks: Positive = Field(
        13.0,
        description="Time scale over which fighters move toward the armed share of members "
        "(weeks). Estimate: about a quarter to arm and train recruits.",
    )
    min_gangs: int = Field(
        2,
        ge=2,
        le=10,
        description="Fewest gangs a faction splits into by itself (count). Estimate.",
    )
    max_gangs: int = Field(
        4, ge=2, le=10, description="Most gangs a faction splits into by itself (count). Estimate."
    )
    gang_share_concentration: Positive = Field(
        4.0,
        description="Concentration of the Dirichlet draw that divides members and fighters "
        "between gangs at a split (dimensionless; higher is more even). Estimate.",
    )
    gang_home_control: Fraction = Field(
        0.7,
        description="Share of the faction's control a gang keeps in its home districts at a "
        "split (fraction). Estimate.",
    )
    gang_foothold_control: Fraction = Field(
        0.3,
        description="Share of the faction's control in a district that the gangs not at home "
        "there divide between them at a split (fraction; with gang_home_control it sums to "
        "1). Estimate.",
    )
    gang_clash_reference_fighters: Positive = Field(
        50.0,
        description="Fighters on each side at which two gangs clash gang_clashes_per_year "
        "times (fighters). Estimate.",
    )
    territory_strength_exponent: NonNegative = Field(
        0.5,
        description="Control of its territory follows (fighters / fighters at the start) to "
        "this power, capped at 1 (dimensionless): losing a quarter of its fighters costs it "
        "about an eighth of its control. Estimate.",
    )
    gang_clash_loser_death_share: Fraction = Field(
        0.7,
        description="Share of a gang clash's deaths on the losing side (fraction). Estimate.",
    )

    @model_validator(mode="after")
    def _gang_split_is_consistent(self) -> ArmedGroupConfig:
        if self.min_gangs > self.max_gangs:
            raise ValueError("min_gangs must not exceed max_gangs")
        if abs(self.gang_home_control + self.gang_foothold_control - 1.0) > 1e-9:
            raise ValueError("gang_home_control and gang_foothold_control must sum to 1")
        return self
