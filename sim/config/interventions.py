"""Timed interventions in scenario files: one typed model per `type`.

`week` is the reporting week (0-based) at which an intervention starts; `weeks` is how long it
lasts. Names of nodes, districts, exits and members are checked against the route network and
the armed group when the scenario is loaded.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator


class InterventionBase(BaseModel):
    """Fields every intervention has."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    week: int = Field(ge=0, description="Reporting week at which it starts (0-based).")
    label: str = Field("", description="Short label for figures and event logs (optional).")


#: Who an arrest may name besides a cadre id: the leader, the successors, or a whole rank.
ARREST_GROUPS = ("leader", "successors", "second", "commanders", "sub_commanders", "heirs")


class ArrestLeader(InterventionBase):
    """An operation to capture or kill the leader, the successors, a named cadre or a rank."""

    type: Literal["arrest_leader"]
    who: str = Field(
        "leader",
        description="`leader` (of the MPCP), `successors` (its designated heirs, all at once), "
        "a rank (`second`, `commanders`, `sub_commanders`, `heirs`: every free cadre of it in "
        "any group) or a cadre id of armed_group.cadres.",
    )
    success_probability: float = Field(
        1.0,
        ge=0.0,
        le=1.0,
        description="Probability that the operation gets each target (as given: an `unrest` "
        "period does not lower it).",
    )
    outcome: Literal["captured", "killed", "drawn"] = Field(
        "captured",
        description="What happens to them; `drawn`: killed with probability "
        "security.leadership_kill_share, else captured.",
    )


class Fragmentation(InterventionBase):
    """The faction splits into gangs that divide members, fighters and districts."""

    type: Literal["fragmentation"]
    gangs: int = Field(3, ge=2, le=10, description="Number of gangs it splits into.")


class NetworkTarget(InterventionBase):
    """An intervention on nodes (every edge touching them) and/or edges of the route network."""

    nodes: list[str] = Field(
        default_factory=list, description="Node ids: every edge touching them is affected."
    )
    edges: list[tuple[str, str]] = Field(
        default_factory=list, description="Edges as pairs of node ids, e.g. [lima, callao]."
    )
    weeks: int = Field(ge=1, le=2_600, description="Duration (weeks).")

    @model_validator(mode="after")
    def _has_a_target(self) -> NetworkTarget:
        if not self.nodes and not self.edges:
            raise ValueError("name at least one node in `nodes` or one edge in `edges`")
        return self


class InterdictionSurge(NetworkTarget):
    """More police (checkpoints, scanning, patrols) on some nodes or edges for a while."""

    type: Literal["interdiction_surge"]
    factor: float = Field(
        gt=0.0, le=50.0, description="Factor on the detection hazard there (2 = twice the police)."
    )


class RouteClosure(NetworkTarget):
    """Nodes or edges made impassable for a while (roads blocked, airstrips destroyed)."""

    type: Literal["route_closure"]


class Eradication(InterventionBase):
    """Forced eradication of coca in some districts."""

    type: Literal["eradication"]
    districts: list[str] | Literal["all"] = Field(description="District ids, or `all`.")
    hectares: float = Field(gt=0.0, le=1e6, description="Hectares to eradicate in all (ha).")
    weeks: int = Field(ge=1, le=2_600, description="Duration of the campaign (weeks).")


class Unrest(InterventionBase):
    """A political period (protests, a weakened state, a vote): the state can do less, and
    violence is more visible to the country; before a vote, violence can also enforce a
    boycott. What this does to deaths is up to the armed groups' choices."""

    type: Literal["unrest"]
    factor: float = Field(
        1.0,
        gt=0.0,
        le=1.0,
        description="Factor on security effectiveness (0.5 = half as effective; 1 = the state "
        "is not weakened, e.g. an orderly election).",
    )
    weeks: int = Field(ge=1, le=2_600, description="Duration (weeks).")
    visibility: float = Field(
        1.0,
        ge=0.0,
        le=5.0,
        description="What violence gains in attention during the period, for a group with a "
        "political agenda (dimensionless; 0 = no more than usual, 1 = national protests). "
        "Estimate: Humala, 2016: the group 'takes advantage of elections to be visible'.",
    )
    election_week: int | None = Field(
        None,
        ge=0,
        description="Reporting week of a vote in the period, if any: violence gains the "
        "value of enforcing a boycott, rising over `boycott_lead_weeks` before it "
        "(violence.md: large attacks on the eves of the 2011, 2014, 2016 and 2021 votes).",
    )
    boycott_visibility: float = Field(
        1.0,
        ge=0.0,
        le=5.0,
        description="Extra visibility of violence on the eve of the vote (dimensionless). "
        "Estimate.",
    )
    boycott_lead_weeks: int = Field(
        4, ge=1, le=52, description="Weeks before the vote over which the boycott value rises."
    )

    @model_validator(mode="after")
    def _vote_in_period(self) -> Unrest:
        if self.election_week is not None and not (
            self.week <= self.election_week < self.week + self.weeks
        ):
            raise ValueError("election_week must fall inside the period (week .. week+weeks-1)")
        return self


class DemandShock(InterventionBase):
    """Export demand falls (factor < 1) or rises (factor > 1) at some or all exits for a while."""

    type: Literal["demand_shock"]
    exits: list[str] | Literal["all"] = Field("all", description="Exit ids, or `all`.")
    factor: float = Field(gt=0.0, le=10.0, description="Factor on what buyers take.")
    weeks: int = Field(ge=1, le=2_600, description="Duration (weeks).")


class CropSubstitution(InterventionBase):
    """Alternative-development subsidies per hectare of legal crop in some districts."""

    type: Literal["crop_substitution"]
    districts: list[str] | Literal["all"] = Field(description="District ids, or `all`.")
    subsidy_usd_per_ha_year: float = Field(
        gt=0.0, le=1e5, description="Subsidy per hectare of legal crop (USD/ha/yr)."
    )
    weeks: int = Field(ge=1, le=2_600, description="Duration of the programme (weeks).")


INTERVENTION_TYPES = (
    ArrestLeader,
    Fragmentation,
    InterdictionSurge,
    RouteClosure,
    Eradication,
    Unrest,
    DemandShock,
    CropSubstitution,
)

Intervention = Annotated[Union[INTERVENTION_TYPES], Field(discriminator="type")]  # noqa: UP007
