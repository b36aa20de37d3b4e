"""The model's actors: growers (vectorised), factions, trafficking organisations, security units.

Agents never import the model: they see it through `sim.agents.world.World`.
"""

from sim.agents.faction import Faction
from sim.agents.growers import Growers
from sim.agents.security import ArmyUnit, PoliceUnit
from sim.agents.trafficker import TraffickingOrg

__all__ = ["ArmyUnit", "Faction", "Growers", "PoliceUnit", "TraffickingOrg"]
