"""Typed scenario configuration.

Every parameter has a unit and a source in its description; "estimate" marks a value that no source
fixes and that calibration (issue 5) may move. Sources are short references to
`docs/SOURCES.md`-style entries: DEVIDA/UNODC coca monitoring, DIRANDRO, InSight Crime, etc.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator

from sim.config.armed_group import ArmedGroupConfig, CadreConfig
from sim.config.interventions import Intervention
from sim.config.section import FolderName, Fraction, NonNegative, Positive, Section

__all__ = [
    "ArmedGroupConfig",
    "CadreConfig",
    "EdgeOverride",
    "Fraction",
    "GrowersConfig",
    "MarketConfig",
    "NetworkConfig",
    "NonNegative",
    "Positive",
    "Scenario",
    "Section",
    "SecurityConfig",
    "TraffickersConfig",
]


class GrowersConfig(Section):
    """Coca-growing farm households, simulated as numpy arrays (one entry per household)."""

    households: int = Field(
        24_000,
        ge=100,
        le=500_000,
        description="Farm households in the VRAEM coca districts (count). Estimate: about "
        "1.5 ha of coca per household on the 35,709 ha of 2022.",
    )
    initial_coca_ha: Positive = Field(
        35_709.0,
        description="Coca area at the start (ha). DEVIDA coca monitoring 2022 (VRAEM 35,709 ha).",
    )
    district_coca_share: dict[str, NonNegative] = Field(
        default_factory=lambda: {
            "pichari": 0.17,
            "kimbiri": 0.14,
            "santa_rosa": 0.10,
            "llochegua": 0.15,
            "sivia": 0.10,
            "vizcatan_del_ene": 0.10,
            "rio_tambo": 0.12,
            "pangoa": 0.12,
        },
        description="Share of the VRAEM coca area in each production district (fraction, "
        "normalised to sum 1). Estimate after the DEVIDA monitoring maps (Apurimac side larger).",
    )
    reference_leaf_price_usd_per_kg: Positive = Field(
        2.5,
        description="Leaf price at which households' initial coca area is in equilibrium "
        "(USD/kg). 80-130 PEN per 11.5 kg arroba in 2023 (Peru21 quoting R. Vargas).",
    )
    yield_kg_per_ha_year: Positive = Field(
        3_600.0,
        description="Sun-dried leaf per mature hectare and year (kg/ha/yr). UNODC 2015 key data; "
        "DEVIDA 2020: 101,406 t from 27,994 ha = 3.62 t/ha.",
    )
    cost_usd_per_ha_year: NonNegative = Field(
        3_800.0,
        description="Cash and labour cost of tending and harvesting one hectare of coca "
        "(USD/ha/yr). "
        "Estimate (harvest labour is most of it).",
    )
    alt_net_income_usd_per_ha_year: NonNegative = Field(
        1_000.0,
        description="Net income of a hectare of the alternative crop, cacao or coffee "
        "(USD/ha/yr). Estimate: about 700 kg/ha of cacao at about 2.5 USD/kg less costs.",
    )
    hurdle_median_usd_per_ha_year: Positive = Field(
        3_000.0,
        description="Median premium of coca over the alternative crop that a household needs "
        "before it grows coca (USD/ha/yr): labour scarcity, legal and eradication risk, dislike. "
        "Heterogeneous across households (lognormal). Estimate.",
    )
    hurdle_sigma: Positive = Field(
        0.6, description="Log-scale spread of the household hurdle (dimensionless). Estimate."
    )
    maturity_weeks: int = Field(
        52,
        ge=1,
        le=156,
        description="Weeks from planting coca to its first harvest (weeks). Estimate: "
        "12-18 months.",
    )
    expansion_rate_per_year: Fraction = Field(
        0.35,
        description="Share of the gap to its desired coca area that a household plants in a year "
        "(1/yr). Estimate; VRAEM area grew about 12%/yr in 2020-2022 (DEVIDA).",
    )
    abandonment_rate_per_year: Fraction = Field(
        0.5,
        description="Share of unwanted coca area that a household abandons in a year (1/yr). "
        "Estimate.",
    )
    replant_fraction: Fraction = Field(
        0.6,
        description="Share of eradicated hectares that the household replants (fraction). "
        "Estimate (UNODC reports high replanting in Peru).",
    )
    eradication_memory_weeks: Positive = Field(
        26.0,
        description="Time scale over which growers learn the risk of eradication in their "
        "district (weeks). Estimate.",
    )
    grievance_per_share_eradicated: NonNegative = Field(
        10.0,
        description="Rise in grievance (0-1) per unit share of a district's coca eradicated in a "
        "week: losing 10% of the coca gives grievance 1 (dimensionless). Estimate after "
        "Epstein 2002 (grievance = hardship x illegitimacy).",
    )
    grievance_memory_weeks: Positive = Field(
        52.0, description="Time scale over which grievance fades (weeks). Estimate."
    )
    price_memory_weeks: Positive = Field(
        13.0,
        description="Time scale over which growers average the leaf price into an expected "
        "price (weeks, exponential smoothing). Estimate.",
    )
    decision_interval_weeks: int = Field(
        4, ge=1, le=52, description="Households revise planting every this many weeks. Estimate."
    )
    cap_sigma: Positive = Field(
        0.5,
        description="Spread of households' labour-limited coca area (sigma of a lognormal, "
        "dimensionless); caps are then scaled to the district's coca area. Estimate.",
    )


class TraffickersConfig(Section):
    """Trafficking organisations: Mesa agents that buy, store and ship cocaine."""

    organisations: int = Field(
        6, ge=1, le=50, description="Trafficking organisations at the start (count). Estimate."
    )
    markup: Fraction = Field(
        0.55,
        description="Share of the expected net value at the exit that traffickers keep as "
        "compensation for arrest and violence risk; the rest is what they bid in the VRAEM "
        "(fraction). Derived: VRAEM 900-1,200 vs Callao about 3,500 USD/kg (Peru21, El Comercio).",
    )
    buy_share_per_week: Fraction = Field(
        0.5,
        description="Share of the producers' stock traffickers buy in a week at normal margins "
        "(fraction/week). Estimate.",
    )
    lot_kg: dict[Literal["road", "river", "trail", "air"], Positive] = Field(
        default_factory=lambda: {"road": 250.0, "river": 250.0, "trail": 150.0, "air": 300.0},
        description="Shipment size by the most restrictive mode on its route (kg). Air: about "
        "300 kg a flight (InSight Crime 2014); others estimate.",
    )
    transport_usd_per_kg_km: dict[Literal["road", "river", "trail", "air"], NonNegative] = Field(
        default_factory=lambda: {"road": 0.07, "river": 0.06, "trail": 0.25, "air": 0.32},
        description="Transport cost per kg and km by mode (USD/kg/km). Derived from about 50 "
        "USD/kg to the coast and about 300 USD/kg to Bolivia (InSight Crime c. 2013); estimate.",
    )
    loss_probability: dict[Literal["road", "river", "trail", "air"], Fraction] = Field(
        default_factory=lambda: {"road": 0.0, "river": 0.002, "trail": 0.002, "air": 0.003},
        description="Probability that a load is lost on one leg other than by seizure "
        "(aircraft crash or ditching, boat capsizing, theft), by mode (per leg). Estimate.",
    )
    bribe_share_of_risk: NonNegative = Field(
        0.5,
        description="Bribes paid on a leg, as a multiple of the leg's detection risk times the "
        "HCl value in the VRAEM (dimensionless). Estimate.",
    )
    risk_learning_rate: Fraction = Field(
        0.08,
        description="Weight of one shipment's outcome in an organisation's estimate of an edge's "
        "risk (exponential smoothing, NarcoLogic-style). Estimate.",
    )
    risk_sharing: Fraction = Field(
        0.3,
        description="Weight with which an organisation learns from other organisations' "
        "seizures, relative to its own (fraction). Estimate.",
    )
    choice_temperature_usd_per_kg: Positive = Field(
        60.0,
        description="Spread of route choice (logit scale on expected profit, USD/kg): lower is "
        "more deterministic. Estimate.",
    )
    routes_per_exit: int = Field(
        3, ge=1, le=10, description="Candidate paths per district and exit (count). Estimate."
    )
    route_ranking_value_usd_per_kg: Positive = Field(
        1_500.0,
        description="Value of a kg at which candidate paths are ranked (transport cost plus "
        "base detection risk times this value, USD/kg). Estimate: about the VRAEM HCl price.",
    )
    presence_min_draw: Fraction = Field(
        0.05,
        description="Lower end of the uniform draw that sets an organisation's buying presence "
        "in a district (before squaring and scaling to its maximum, fraction). Estimate.",
    )
    presence_exponent: Positive = Field(
        2.0,
        description="Exponent on that draw: higher concentrates an organisation in fewer "
        "districts (dimensionless). Estimate.",
    )
    buy_margin_elasticity: NonNegative = Field(
        3.0,
        description="How strongly the share of stock an organisation buys follows its bid "
        "relative to the VRAEM price (elasticity, dimensionless). Estimate.",
    )
    max_buy_share_per_week: Fraction = Field(
        0.95,
        description="Most of the producers' stock one organisation buys in a week "
        "(fraction/week). Estimate.",
    )
    closure_wait_h: Positive = Field(
        24.0,
        description="A load held up by a closure tries again after this long (h). Estimate.",
    )


class SecurityConfig(Section):
    """Army and police units: patrols, interdiction, leadership operations, eradication."""

    interdiction_capacity: Positive = Field(
        1.0,
        description="Police interdiction capacity relative to the baseline (factor on every "
        "edge's detection hazard). Baseline 1 reproduces the base detection risks.",
    )
    police_adaptation_rate: Fraction = Field(
        0.02,
        description="Weekly share of a police unit's capacity moved toward the legs where it "
        "seized most (fraction/week). Estimate.",
    )
    army_units: int = Field(3, ge=0, le=20, description="Army units in the VRAEM (count).")
    patrols_per_unit_week: NonNegative = Field(
        4.0,
        description="Patrols a unit mounts in a week (count/week). Estimate (CE-VRAEM).",
    )
    clash_probability_per_patrol: Fraction = Field(
        0.012,
        description="Probability that a patrol meets fighters in a district where 25 fighters "
        "are present (per patrol); proportional to the fighters present. Calibrated.",
    )
    leadership_operations_per_year: NonNegative = Field(
        1.0,
        description="Operations that target the leadership in a year (1/yr). Estimate: e.g. "
        "the failed operation of March 2023 (seed 000).",
    )
    cadre_locate_probability: Fraction = Field(
        0.01,
        description="Chance that an operation locates a given cadre where nobody informs, at "
        "normal effectiveness (fraction); informing raises it (armed_group.informers."
        "information_gain). Estimate: Jose has evaded capture for decades.",
    )
    eradication_ha_per_week: NonNegative = Field(
        0.0,
        description="Eradication capacity in the VRAEM (ha/week). 0: no forced eradication in "
        "the grower federations' basins (El Comercio, Sept 2022).",
    )
    effectiveness: Fraction = Field(
        1.0,
        description="Effectiveness and coordination of the security forces (fraction; political "
        "unrest lowers it).",
    )
    reference_patrols_per_week: Positive = Field(
        12.0,
        description="Army patrols a week at which patrol pressure on a faction's territory is 1 "
        "(count/week): the baseline's 3 units x 4 patrols.",
    )
    police_presence_min: Positive = Field(
        0.3,
        description="Least presence a police unit keeps on one of its edges, relative to an "
        "even spread (factor). Estimate.",
    )
    police_presence_max: Positive = Field(
        3.0,
        description="Most presence a police unit puts on one of its edges, relative to an even "
        "spread (factor). Estimate.",
    )
    police_seizure_memory_weeks: Positive = Field(
        13.0,
        description="Time scale over which a police unit forgets where it seized (weeks). "
        "Estimate: about a quarter.",
    )
    clash_reference_fighters: Positive = Field(
        25.0,
        description="Fighters present in a district at which a patrol meets them with "
        "clash_probability_per_patrol (fighters). Estimate.",
    )
    leadership_kill_share: Fraction = Field(
        0.5,
        description="Share of successful leadership operations in which the target is killed "
        "rather than captured (fraction). Estimate.",
    )

    @model_validator(mode="after")
    def _presence_bounds_are_ordered(self) -> SecurityConfig:
        if not self.police_presence_min <= 1.0 <= self.police_presence_max:
            raise ValueError("expected police_presence_min <= 1 <= police_presence_max")
        return self


class MarketConfig(Section):
    """Prices along the chain: leaf -> paste -> HCl in the VRAEM -> HCl at each exit."""

    leaf_per_kg_hcl: Positive = Field(
        300.0,
        description="Dry leaf needed per kg of cocaine HCl (kg/kg). UNODC Peru: 375 (2003), "
        "240-260 (c. 2015); DIRANDRO about 259.",
    )
    paste_per_kg_hcl: Positive = Field(
        2.0,
        description="Coca paste (PBC) per kg of HCl (kg/kg). DEA: leaf:paste:base:HCl = "
        "1000:3:1.5:1.5.",
    )
    licit_leaf_share: Fraction = Field(
        0.01,
        description="Share of VRAEM leaf sold to the licit market (ENACO) (fraction). Estimate: "
        "licit demand is met mostly outside the VRAEM (Foreign Ministry 2019).",
    )
    conversion_cost_usd_per_kg_hcl: NonNegative = Field(
        150.0,
        description="Chemicals and labour to refine paste into one kg of HCl (USD/kg). Estimate.",
    )
    lab_margin: Fraction = Field(
        0.15, description="Share of the HCl value kept by refiners (fraction). Estimate."
    )
    paste_cost_usd_per_kg: NonNegative = Field(
        60.0,
        description="Chemicals (kerosene, lime, acid) and labour per kg of paste (USD/kg). "
        "Estimate.",
    )
    paste_maker_margin: Fraction = Field(
        0.2, description="Share of the paste value kept by paste makers (fraction). Estimate."
    )
    exit_price_usd_per_kg: dict[str, Positive] = Field(
        default_factory=lambda: {
            "callao": 3_500.0,
            "chimbote": 3_300.0,
            "paita": 3_300.0,
            "desaguadero": 2_600.0,
            "bolivia_air": 2_900.0,
            "inapari": 3_000.0,
            "brazil_river": 2_900.0,
        },
        description="HCl price paid at each exit when arrivals equal the exit's absorption "
        "(USD/kg). Callao about 3,500 (El Comercio c. 2017); others estimate, below Callao by "
        "the buyers' onward costs.",
    )
    exit_absorption_kg_per_week: dict[str, Positive] = Field(
        default_factory=lambda: {
            "callao": 3_100.0,
            "chimbote": 350.0,
            "paita": 300.0,
            "desaguadero": 900.0,
            "bolivia_air": 2_200.0,
            "inapari": 500.0,
            "brazil_river": 400.0,
        },
        description="Loads (kg/week) that buyers at each exit take at the reference price. "
        "Estimate scaled to about 7,800 kg/week of exports and the shares reported by DIRANDRO "
        "and R. Vargas (about 40% Callao, about 40% Bolivia).",
    )
    exit_demand_elasticity: Positive = Field(
        1.5,
        description="Price elasticity of export demand for VRAEM cocaine as a whole "
        "(dimensionless). Estimate.",
    )
    exit_substitution_elasticity: Positive = Field(
        4.0,
        description="Elasticity of substitution between exits: how far an exit's price rises "
        "relative to the others when it gets less than its reference share (dimensionless). "
        "Estimate: the exits serve the same overseas markets.",
    )
    exit_arrivals_memory_weeks: Positive = Field(
        8.0,
        description="Time scale over which exit buyers average expected deliveries and the share "
        "of loads that gets through (weeks). Estimate.",
    )
    price_adjustment_weeks: Positive = Field(
        4.0,
        description="Time scale over which VRAEM prices move toward their target (weeks). "
        "DEVIDA: the 2020 leaf price crash took about three months.",
    )
    stock_cover_weeks: Positive = Field(
        1.0,
        description="Producers' stock, in weeks of production, at which the VRAEM HCl price "
        "equals the traffickers' bid (weeks). Estimate.",
    )
    stock_price_elasticity: NonNegative = Field(
        0.5,
        description="How strongly an overhang of unsold stock lowers the VRAEM HCl price "
        "(elasticity, dimensionless). Estimate.",
    )
    stock_pressure_min: Positive = Field(
        0.25,
        description="Least stock pressure on the VRAEM HCl price (reference stock over actual, "
        "factor): bounds the fall when stock piles up. Estimate.",
    )
    stock_pressure_max: Positive = Field(
        4.0,
        description="Most stock pressure on the VRAEM HCl price (factor): bounds the rise when "
        "stock runs out. Estimate.",
    )
    exit_ratio_min: Positive = Field(
        0.2,
        description="Least ratio of demand to expected supply an exit's price responds to "
        "(factor): keeps prices finite when an exit gets no arrivals. Estimate.",
    )
    exit_ratio_max: Positive = Field(
        5.0,
        description="Most ratio of demand to expected supply an exit's price responds to "
        "(factor). Estimate.",
    )
    hcl_price_start_usd_per_kg: Positive = Field(
        1_200.0,
        description="First guess of the VRAEM HCl price, from which the starting price is "
        "found by a few rounds of the traffickers' bid (USD/kg). About the 2022 VRAEM price.",
    )
    start_price_rounds: int = Field(
        5,
        ge=0,
        le=50,
        description="Rounds of bid and price at the start, so the run begins near its steady "
        "state (count).",
    )

    @model_validator(mode="after")
    def _bounds_are_ordered(self) -> MarketConfig:
        if self.stock_pressure_min > self.stock_pressure_max:
            raise ValueError("expected stock_pressure_min <= stock_pressure_max")
        if self.exit_ratio_min > self.exit_ratio_max:
            raise ValueError("expected exit_ratio_min <= exit_ratio_max")
        return self


class EdgeOverride(Section):
    """Change one edge of the route network."""

    u: str = Field(description="Node id at one end.")
    v: str = Field(description="Node id at the other end.")
    base_detection_risk: Fraction | None = Field(None, description="New risk per traversal.")
    km: Positive | None = Field(None, description="New length (km).")
    hours: Positive | None = Field(None, description="New travel time (h).")


class NetworkConfig(Section):
    """The route network: a packaged data file and scenario overrides."""

    data_dir: str | None = Field(
        None,
        description="Folder with nodes.csv and edges.csv (relative to the scenario file); "
        "default: the packaged VRAEM network.",
    )
    edge_overrides: list[EdgeOverride] = Field(
        default_factory=list,
        description="Changes to single edges: each names `u`, `v` and any of "
        "`base_detection_risk` (probability per traversal), `km`, `hours`.",
    )
    exit_risk_factor: dict[str, Positive] = Field(
        default_factory=dict,
        description="Factor on the base detection risk of every edge into the named exit "
        "(dimensionless), e.g. stronger port control.",
    )


def title_from_name(name: str) -> str:
    """A scenario name for reading: "interdiction_surge_callao" -> "Interdiction surge callao"."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


class Scenario(Section):
    """A scenario: one configuration of the model, plus run settings."""

    name: FolderName = Field(description="Scenario name; names the default output folder.")
    title: str | None = Field(
        None,
        max_length=80,
        description="Display name in every table, figure and briefing (default: from `name`, "
        "e.g. 'interdiction_surge_callao' -> 'Interdiction surge callao'); not inherited "
        "through `extends`.",
    )
    description: str = Field("", description="What the scenario represents.")
    start_date: dt.date = Field(
        dt.date(2023, 1, 2),
        description="First day of reporting week 0 (ISO date); week k starts 7k days later, "
        "and every time axis and window of a briefing is stated in dates from it. Default: the "
        "first Monday of 2023, as the leadership network is the one reported at the end of 2022 "
        "and the calibration targets are for 2021-2023 (docs/VALIDATION.md).",
    )
    weeks: int = Field(260, ge=1, le=2_600, description="Reported horizon (weeks).")
    seed: int = Field(20231113, ge=0, description="Master seed for the replicates.")
    replicates: int = Field(10, ge=1, le=10_000, description="Seeded replicates (count).")
    growers: GrowersConfig = Field(default_factory=GrowersConfig)
    armed_group: ArmedGroupConfig = Field(default_factory=ArmedGroupConfig)
    traffickers: TraffickersConfig = Field(default_factory=TraffickersConfig)
    security: SecurityConfig = Field(default_factory=SecurityConfig)
    market: MarketConfig = Field(default_factory=MarketConfig)
    network: NetworkConfig = Field(default_factory=NetworkConfig)
    interventions: list[Intervention] = Field(
        default_factory=list,
        description="Timed interventions, each with `type` and `week`; see docs/INTERVENTIONS.md.",
    )

    @property
    def display_title(self) -> str:
        """Its `title`, or a readable form of its name."""
        return self.title or title_from_name(self.name)

    @field_validator("name")
    @classmethod
    def _name_is_a_folder_name(cls, v: str) -> str:
        if not v or any(ch in v for ch in "/\\:") or v.startswith("."):
            raise ValueError(
                "must be a plain name usable as a folder name (no / \\ : or leading .)"
            )
        return v
