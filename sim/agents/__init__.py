"""The model's actors: growers (vectorised), factions, trafficking organisations, security units."""

from sim.agents.faction import Faction, Person
from sim.agents.growers import Growers
from sim.agents.security import ArmyUnit, PoliceUnit
from sim.agents.trafficker import Shipment, TraffickingOrg

__all__ = ["ArmyUnit", "Faction", "Growers", "Person", "PoliceUnit", "Shipment", "TraffickingOrg"]
