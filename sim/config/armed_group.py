"""Typed configuration of the armed groups: the MPCP's cadres, its rivals, and the decisions of
every group (succession, defection, violence, taxes, territory) and of the civilians who may
inform on them.

Every number is a default a scenario may change; each says its unit and its source, or
"estimate". docs/MODEL.md explains the mechanisms these parameters enter.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.config.section import Fraction, NonNegative, Positive, Section

RANKS = ("leader", "second", "commander", "sub_commander", "heir")
Rank = Literal["leader", "second", "commander", "sub_commander", "heir"]


class CadreConfig(Section):
    """One cadre of an armed group's leadership network."""

    id: str = Field(description="Identifier (snake_case), used by interventions.")
    name: str = Field(description="Name or alias as reported, or a generic description.")
    rank: Rank = Field(description="Post: leader, second, commander, sub_commander or heir.")
    age: NonNegative = Field(description="Age at week 0 (years).")
    family: str = Field("", description="Kin group ('' for none): kin back each other.")
    parent: str = Field("", description="Id of a parent in the network, if any.")
    patron: str = Field(
        "", description="Commander whose column a sub-commander belongs to ('' for the leader's)."
    )
    base: str = Field(description="District where the cadre and its column are based.")
    heir_order: int = Field(
        0, ge=0, le=50, description="Place in the designated line of succession (0: not an heir)."
    )
    seniority: NonNegative = Field(0.0, description="Years in the group's leadership at week 0.")
    military_chief: bool = Field(
        False,
        description="Leads the group's military force, which plans its offensive attacks "
        "(ambushes, massacres). 'Antonio' since 2013 (El Comercio 2021); the 2021 massacre was "
        "ordered by 'Jose' through 'Antonio' (Ojo Publico, violence.md row 50).",
    )
    command_years: NonNegative | None = Field(
        None,
        description="Years it has led the military force at week 0 (years); default: its "
        "seniority.",
    )


def _mpcp_cadres() -> list[CadreConfig]:
    """The MPCP's leadership around late 2022 (week 0 of the baseline), from the press reports
    of the leadership events 2013-2023 (El Comercio 2021, El Observador and Infobae 2023, RPP
    2023, compiled in the project's reference table of violent events) and InSight Crime (seeds
    000/004); generic where no source names anyone. Ages at week 0: reported ages in Nov 2023
    less one year; otherwise estimates."""
    c = CadreConfig
    qp = "quispe_palomino"
    return [
        c(id="jose", name="Victor Quispe Palomino ('Jose')", rank="leader", age=62, family=qp,
          base="vizcatan_del_ene", seniority=30),  # b. 1960-08-01 (Trome)
        c(id="olga", name="Loyla Vilchez ('Olga')", rank="second", age=55, base="vizcatan_del_ene",
          seniority=20),  # named with Jose and Raul in 2012, a remaining head in 2023; age estimate
        c(id="vilma", name="Flora Vargas Figueroa ('Vilma')", rank="commander", age=50,
          base="vizcatan_del_ene", seniority=15),  # partner of 'Gabriel', mother of two heirs
        c(id="antonio", name="'Antonio' (military chief)", rank="commander", age=50,
          base="llochegua", seniority=15, military_chief=True,
          command_years=9),  # replaced Alipio in 2013 (El Comercio 2021)
        c(id="fernando", name="'Fernando' (Alto Mantaro)", rank="commander", age=60,
          base="pichari", seniority=15),  # "old Fernando" (2018; 2023)
        c(id="ene_commander", name="commander of the Ene-Tambo column", rank="commander", age=45,
          base="rio_tambo", seniority=10),  # generic
        c(id="rodrigo", name="'Rodrigo' (Fernando's lieutenant)", rank="sub_commander", age=40,
          patron="fernando", base="pichari", seniority=8),
        c(id="leonardo", name="'Leonardo'", rank="sub_commander", age=38, patron="fernando",
          base="kimbiri", seniority=6),
        c(id="carlos", name="Carlos Solier Zuniga ('Carlos'/'Dario')", rank="sub_commander",
          age=40, patron="antonio", base="llochegua", seniority=8),  # platoon of ~12; capt. 2023
        c(id="chato_mendoza", name="Grimaldo Quispe Huamani ('Chato Mendoza')",
          rank="sub_commander", age=40, patron="antonio", base="sivia", seniority=6),
        c(id="anselmo", name="'Anselmo'", rank="sub_commander", age=40, patron="vilma",
          base="vizcatan_del_ene", seniority=6),  # named for the 2021 massacre
        c(id="tambo_sub", name="sub-commander in Rio Tambo", rank="sub_commander", age=35,
          patron="ene_commander", base="rio_tambo", seniority=4),
        c(id="pangoa_sub", name="sub-commander in Pangoa", rank="sub_commander", age=35,
          patron="ene_commander", base="pangoa", seniority=4),
        c(id="santa_rosa_sub", name="sub-commander in Santa Rosa", rank="sub_commander", age=35,
          patron="antonio", base="santa_rosa", seniority=4),
        c(id="kimbiri_sub", name="sub-commander in Kimbiri", rank="sub_commander", age=33,
          patron="fernando", base="kimbiri", seniority=3),
        c(id="vizcatan_sub", name="sub-commander in Vizcatan", rank="sub_commander", age=33,
          patron="vilma", base="vizcatan_del_ene", seniority=3),
        c(id="jose_hijo", name="Victor Quispe Zuniga ('Jose hijo', Jose's son)", rank="heir",
          age=23, family=qp, parent="jose", base="vizcatan_del_ene", heir_order=1, seniority=5),
        c(id="hugo", name="Ivan/Hugo Quispe Vargas ('Hugo', son of Gabriel and Vilma)", rank="heir",
          age=22, family=qp, parent="vilma", base="vizcatan_del_ene", heir_order=2, seniority=5),
        c(id="gabrielito", name="Marco Quispe Vargas ('Gabrielito')", rank="heir", age=21,
          family=qp, parent="vilma", base="llochegua", heir_order=3, seniority=3),
        c(id="nephew", name="nephew of Comrade Jose", rank="heir", age=25, family=qp,
          base="vizcatan_del_ene", heir_order=4, seniority=4),  # arrested Sept 2023 (seed 004)
        c(id="romeo", name="Romeo Campos Mansilla ('Romeo', son of 'Julio Chapo')", rank="heir",
          age=18, family="campos", base="vizcatan_del_ene", heir_order=5, seniority=2),
        c(id="andres", name="Jheyson Ramos Andrade ('Andres', son of 'Yuri')", rank="heir",
          age=23, family="ramos", base="vizcatan_del_ene", heir_order=6, seniority=4),
    ]  # fmt: skip


class RivalConfig(Section):
    """Another Shining Path faction: a small political group competing for recruits and turf."""

    name: str = Field(description="Name of the faction.")
    members: Positive = Field(description="Members at week 0 (people).")
    territory: dict[str, Fraction] = Field(description="Control of each district at week 0 (0-1).")


def _rivals() -> list[RivalConfig]:
    return [
        RivalConfig(name="New Red Fraction", members=30.0, territory={"santa_rosa": 0.08}),
        RivalConfig(name="third faction", members=20.0, territory={"rio_tambo": 0.06}),
    ]


class SuccessionConfig(Section):
    """How a vacant post is filled and how clear (legitimate) the outcome is."""

    rank_weight: dict[Rank, NonNegative] = Field(
        default_factory=lambda: {
            "leader": 1.5,
            "second": 1.0,
            "commander": 0.7,
            "sub_commander": 0.3,
            "heir": 0.2,
        },
        description="Claim a candidate's current rank gives it to a higher post (score points). "
        "Estimate.",
    )
    kin_weight: NonNegative = Field(
        2.0,
        description="Claim from belonging to the outgoing leader's family (score points). "
        "Estimate: a family-led group (the Quispe Palomino brothers, then their children).",
    )
    designation_weight: NonNegative = Field(
        2.0,
        description="Claim of the designated first heir; the k-th heir gets this over k (score "
        "points). Estimate: the heirs 'were to succeed Jose' (Interior Minister, Nov 2023).",
    )
    seniority_weight: NonNegative = Field(
        0.05, description="Claim per year of seniority (score points per year). Estimate."
    )
    endorsement_weight: NonNegative = Field(
        1.0,
        description="Extra claim of the designated heir when the outgoing leader was captured "
        "and can still endorse him from prison (score points). Estimate after Phillips 2015 / "
        "Dickenson 2014: a captured leader may still be heard, a killed one cannot.",
    )
    temperature: Positive = Field(
        0.75,
        description="Spread of the candidates' claims (score points): the clarity of a "
        "succession is the winner's share of exp(score/temperature). Estimate.",
    )
    loyalty_adjust_weeks: Positive = Field(
        26.0,
        description="Weeks over which cadres' loyalty moves toward what the leader's legitimacy "
        "warrants (weeks). Estimate.",
    )
    review_weeks: int = Field(
        13,
        ge=1,
        le=520,
        description="Commanders reconsider staying or leaving every this many weeks, and "
        "whenever the leadership changes (weeks). Estimate: a quarter.",
    )
    refill_weeks: Positive = Field(
        26.0,
        description="Mean weeks to promote someone into a vacant commander or sub-commander "
        "post (weeks). Estimate.",
    )
    novice_command_share: Fraction = Field(
        0.3,
        description="Share of a seasoned military chief's offensive attacks that one newly in "
        "the post can plan (fraction); it rises linearly to all of them over "
        "`command_learning_years`. Estimate: after 'Alipio' and 'Gabriel', 'the No. 1 and No. 2 "
        "of the military structure', were killed in Aug 2013, lethal violence fell for two "
        "years (violence.md); no source measures how fast a successor learns.",
    )
    command_learning_years: Positive = Field(
        4.0,
        description="Years in the post after which a new military chief plans as many attacks "
        "as a seasoned one (years). Estimate.",
    )
    heir_refill_years: Positive = Field(
        8.0,
        description="Mean years before a new heir comes of age in the camps to fill a vacant "
        "place in the line of succession (years). Estimate: the 2023 heirs were raised in the "
        "camps ('pioneritos', El Comercio 2020).",
    )
    mortality_at_60_per_year: Fraction = Field(
        0.015,
        description="Yearly death risk of a cadre aged 60 from illness or accident (1/yr); "
        "doubles every `mortality_doubling_years`. Estimate after Peruvian adult mortality "
        "(Gompertz), higher in the jungle.",
    )
    mortality_doubling_years: Positive = Field(
        8.0, description="Years over which the death risk doubles (years). Gompertz estimate."
    )
    income_share: dict[Rank, Fraction] = Field(
        default_factory=lambda: {
            "leader": 0.15,
            "second": 0.08,
            "commander": 0.06,
            "sub_commander": 0.02,
            "heir": 0.01,
        },
        description="Share of the group's income a cadre of each rank controls (fraction). "
        "Estimate: no source gives the split.",
    )


class DefectionConfig(Section):
    """A commander's choice between staying in the group and leaving with its column."""

    loyalty_weight: NonNegative = Field(
        5.0,
        description="Weight of loyalty to the leader against the log ratio of income outside "
        "to income inside (dimensionless). Estimate.",
    )
    kin_weight: NonNegative = Field(
        2.0,
        description="Weight of kinship with the leader (dimensionless). Estimate: no Quispe "
        "Palomino has been reported to split off.",
    )
    noise: Positive = Field(
        0.5,
        description="Spread of the unobserved reasons to stay or go (logit scale, "
        "dimensionless). Estimate.",
    )
    fight_cost_share: Fraction = Field(
        0.5,
        description="Share of its zone's income a breakaway expects to lose to fighting the "
        "group it left, scaled by that group's share of the fighters (fraction). Estimate.",
    )
    min_column_fighters: NonNegative = Field(
        3.0,
        description="Fewest fighters a commander needs to go independent (fighters). Estimate.",
    )


class ViolenceConfig(Section):
    """Why and how groups choose violence, and how large an event is given who is committed."""

    ambushes_per_year: NonNegative = Field(
        2.5,
        description="Attacks on patrols a year by a group under usual threat and no other "
        "motive (1/yr). Estimate after violence.md Table A1 (2014-2023: 1-5 lethal events a "
        "year, most ambushes).",
    )
    selective_killings_per_year: NonNegative = Field(
        0.7,
        description="Killings of suspected informers a year in a district of dominant but "
        "incomplete control where informing is at the reference level (1/yr). Estimate after "
        "violence.md (targeted killings from 2018; >=14 in Vizcatan del Ene in 10 years).",
    )
    massacres_per_year: NonNegative = Field(
        0.15,
        description="Exemplary attacks on a community a year per district at the reference "
        "level of informing and no other motive (1/yr). Estimate: one massacre (May 2021) in 16 "
        "years of violence.md.",
    )
    threat_weight: NonNegative = Field(
        0.8,
        description="Weight of the threat from operations (recent clashes and operations "
        "against it, relative to usual) on attacking to deter (dimensionless). Estimate.",
    )
    revenge_weight: NonNegative = Field(
        1.0,
        description="Weight of kin's revenge for cadres killed by the state (dimensionless). "
        "Estimate; the 2023 ambushes were described as revenge (violence.md).",
    )
    visibility_weight: NonNegative = Field(
        1.5,
        description="Weight of the political visibility of violence (protests, an election "
        "boycott) for a group with a political agenda (dimensionless). Estimate after "
        "violence.md: large attacks on the eves of the 2011, 2014, 2016 and 2021 votes.",
    )
    outbidding_weight: NonNegative = Field(
        1.0,
        description="Weight of competition for standing (a contested leadership, rival groups "
        "on its turf) on showing strength through violence (dimensionless). Estimate after "
        "outbidding (Kydd & Walter 2006).",
    )
    threat_reference_per_year: Positive = Field(
        10.0,
        description="Clashes and operations a year against a group that count as the usual "
        "threat (1/yr). Estimate near the baseline's rate.",
    )
    threat_memory_weeks: Positive = Field(
        26.0, description="Weeks over which a group remembers the threat (weeks). Estimate."
    )
    punishment_weight: NonNegative = Field(
        1.0,
        description="Weight of suspected betrayal on punishing civilians (selective killings, "
        "massacres) to deter informing (dimensionless per unit of suspicion). Estimate after "
        "Kalyvas 2006: violence against civilians answers revealed defection; the first "
        "massacres (Mar and May 2021) followed the operation that fatally wounded 'Raul' "
        "(violence.md).",
    )
    betrayal_half_life_weeks: Positive = Field(
        26.0,
        description="Half-life of a group's suspicion that it was betrayed after the state "
        "located and took one of its cadres (weeks). Estimate: the 2021 massacres came 5 and 7 "
        "months after 'Raul' was wounded (violence.md).",
    )
    revenge_half_life_weeks: Positive = Field(
        26.0,
        description="Half-life of kin's desire for revenge (weeks). Estimate: the 2023 "
        "'revenge' ambush came about three months after the June captures.",
    )
    patrol_size_median: Positive = Field(
        12.0,
        description="Median size of a patrol or convoy that is ambushed (people). Estimate "
        "after violence.md: patrols of ~30 (2009, 2011), convoy of 28 police (2014).",
    )
    patrol_size_sigma: Positive = Field(
        0.6, description="Log-spread of patrol sizes (dimensionless). Estimate."
    )
    community_size_median: Positive = Field(
        40.0,
        description="Median number of people in a hamlet or gathering attacked in a massacre "
        "(people). Estimate (San Miguel del Ene 2021: 16 killed at a bar).",
    )
    hamlet_households: int = Field(
        30,
        ge=1,
        le=1000,
        description="Households in a hamlet, among whom suspected informers are sought "
        "(households). Estimate.",
    )
    identify_probability: Fraction = Field(
        0.3,
        description="Chance the group identifies a given informer in the hamlet it targets "
        "(fraction). Estimate.",
    )
    superiority: Positive = Field(
        1.0,
        description="Fighters a group commits per person in the target it attacks, if it has "
        "them (dimensionless). Estimate: ambushes of ~30 men on patrols of ~30 (2009).",
    )
    lethality: Positive = Field(
        0.2,
        description="Kill rate of an attack per committed attacker per person targeted, before "
        "surprise (dimensionless). Estimate, set with the event sizes of violence.md.",
    )
    surprise_scale: Positive = Field(
        1.0,
        description="Mean of the exponential surprise factor of an attack (dimensionless): "
        "most attacks meet a prepared target, a few catch a convoy in an IED trap. Estimate.",
    )
    return_fire: Fraction = Field(
        0.03,
        description="Share of an attack's committed fighters killed by return fire "
        "(fraction). Estimate: MPCP losses are rarely confirmed in violence.md.",
    )
    clash_lethality: Positive = Field(
        0.05,
        description="Kill rate per opposing fighter per side in a clash between patrols and "
        "fighters, or between groups (dimensionless). Estimate.",
    )
    clash_patrol_size: Positive = Field(
        15.0, description="People in an army patrol that meets fighters (people). Estimate."
    )
    clash_engaged_share: Fraction = Field(
        0.3,
        description="Share of a group's fighters in a district that take part in a clash "
        "(fraction). Estimate.",
    )


class InformersConfig(Section):
    """Civilians (the grower households) who might inform the state (Kalyvas 2006)."""

    base: float = Field(
        -2.5,
        ge=-20,
        le=20,
        description="Log-odds of a household informing with no state, no armed control and no "
        "fear (dimensionless). Estimate.",
    )
    state_presence_weight: NonNegative = Field(
        1.5,
        description="Log-odds gained per unit of state presence (patrols there, relative to "
        "usual) (dimensionless). Estimate after Kalyvas 2006: people collaborate with who "
        "controls.",
    )
    armed_control_weight: NonNegative = Field(
        2.0,
        description="Log-odds lost per unit of armed control of the district (dimensionless). "
        "Estimate.",
    )
    fear_weight: NonNegative = Field(
        3.0,
        description="Log-odds lost per unit of fear from recent selective violence "
        "(dimensionless). Estimate.",
    )
    resentment_weight: NonNegative = Field(
        1.5,
        description="Log-odds gained per unit of resentment of the armed group (massacres, "
        "heavy taxes) (dimensionless). Estimate: indiscriminate violence backfires (Kalyvas).",
    )
    dependence_weight: NonNegative = Field(
        1.0,
        description="Log-odds lost for a household whose land is all in coca (dimensionless): "
        "it has most to lose from the state. Estimate.",
    )
    grievance_weight: NonNegative = Field(
        1.5,
        description="Log-odds lost per unit of grievance against the state (eradication) "
        "(dimensionless). Estimate.",
    )
    victims_for_full_fear: Positive = Field(
        5.0,
        description="Civilians killed in a district that bring fear there to 1 (people). Estimate.",
    )
    fear_half_life_weeks: Positive = Field(52.0, description="Half-life of fear (weeks). Estimate.")
    reference_share: Positive = Field(
        0.1,
        description="Share of informing households at which the violence rates apply "
        "(fraction). Estimate.",
    )
    information_gain: NonNegative = Field(
        4.0,
        description="Factor by which the share of informing households raises the chance that "
        "patrols find fighters and operations locate cadres (dimensionless per unit share). "
        "Estimate: the 2013 and 2023 operations followed tip-offs (violence.md).",
    )


class GangsConfig(Section):
    """Groups without a political agenda (gangs) and the contest for territory between groups."""

    roving_tax_rate: Fraction = Field(
        0.012,
        description="Share of leaf value a group takes where it has no secure tenure (Olson "
        "1993's roving bandit); a secure group takes leaf_tax_rate (fraction). Estimate.",
    )
    secure_fighters: Positive = Field(
        40.0,
        description="Fighters at which a group's hold on its turf counts as secure "
        "(fighters). Estimate.",
    )
    attack_rival_per_year: NonNegative = Field(
        6.0,
        description="Attacks a year by a group on another in a district they fully share, "
        "when it is as strong as the other (1/yr). Estimate.",
    )
    control_shift: Fraction = Field(
        0.3,
        description="Share of the loser's control in a district that passes to the winner of "
        "a fight, per unit of the loser's share of the deaths (fraction). Estimate.",
    )
    expansion_step: Fraction = Field(
        0.05,
        description="Control a group gains in a neighbouring district when it moves in "
        "(fraction). Estimate.",
    )
    expansion_cost_per_fighter_usd: NonNegative = Field(
        2000.0,
        description="Expected cost of moving in, per rival fighter in the district (USD). "
        "Estimate.",
    )
    merge_income_ratio: Positive = Field(
        0.5,
        description="A group whose income covers less than this share of its upkeep considers "
        "joining the strongest neighbour (fraction). Estimate.",
    )


class ArmedGroupConfig(Section):
    """The MPCP (Shining Path remnant) and the other armed groups."""

    name: str = Field("MPCP", description="Name of the main faction.")
    members: Positive = Field(
        400.0,
        description="Members at the start (people). 350 incl. 80 armed (AFP, 2021); 417 incl. "
        "123 with heavy weapons (Interior Ministry via La Republica, 2022).",
    )
    cadres: list[CadreConfig] = Field(
        default_factory=_mpcp_cadres,
        description="The leadership network (see sim/config/armed_group.py for each source).",
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
    rivals: list[RivalConfig] = Field(
        default_factory=_rivals,
        description="Other Shining Path factions (seed 000: the New Red Fraction and an unnamed "
        "third). Sizes and turf are estimates: no source gives them.",
    )
    leaf_tax_rate: Fraction = Field(
        0.004,
        description="Share of leaf sales value a group with secure tenure takes as "
        "'protection' tax (fraction). Estimate, set with the armed income target: seed 004 "
        "names the tax, no rate is public.",
    )
    escort_fee_usd_per_kg: NonNegative = Field(
        5.0,
        description="Fee traffickers pay per kg of HCl escorted out of controlled districts "
        "(USD/kg). InSight Crime 2013: about US$5 per kg moved through its territory; "
        "IDL-Reporteros 2012: US$4 per kg from carriers.",
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
        0.05,
        description="Yearly share of members who leave whatever the pay (1/yr). Estimate: 7-10 "
        "fighters deserted at once in Jan 2020 (violence.md).",
    )
    grievance_recruitment_gain: NonNegative = Field(
        1.0,
        description="Extra recruits willing to join per unit of growers' grievance in its "
        "territory (factor on sustainable membership; Epstein 2002 grievance). Estimate.",
    )
    armed_share_calm: Fraction = Field(
        0.2,
        description="Share of members a group keeps armed when it faces no threat (fraction). "
        "Estimate below the 0.23 of 2021 (80/350).",
    )
    armed_share_besieged: Fraction = Field(
        0.35,
        description="Share of members it arms under a threat far above usual (fraction); at "
        "the usual threat it arms the mean of the two. Estimate above 0.29 of 2022 (123/417).",
    )
    fighter_adjustment_weeks: Positive = Field(
        13.0,
        description="Time scale over which fighters move toward the armed share it chooses "
        "(weeks). Estimate: about a quarter to arm and train recruits.",
    )
    territory_strength_exponent: NonNegative = Field(
        0.5,
        description="Control of its territory follows (fighters / fighters at the start) to "
        "this power, capped at 1 (dimensionless). Estimate.",
    )
    succession: SuccessionConfig = Field(default_factory=SuccessionConfig)
    defection: DefectionConfig = Field(default_factory=DefectionConfig)
    violence: ViolenceConfig = Field(default_factory=ViolenceConfig)
    informers: InformersConfig = Field(default_factory=InformersConfig)
    gangs: GangsConfig = Field(default_factory=GangsConfig)

    @model_validator(mode="after")
    def _armed_shares_are_ordered(self) -> ArmedGroupConfig:
        if self.armed_share_calm > self.armed_share_besieged:
            raise ValueError("armed_share_calm must not exceed armed_share_besieged")
        chiefs = [c.id for c in self.cadres if c.military_chief]
        if len(chiefs) > 1:
            raise ValueError(f"cadres: one military_chief at most, got {', '.join(chiefs)}")
        return self
