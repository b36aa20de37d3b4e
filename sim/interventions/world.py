"""What an intervention may ask of the model: the army's view plus the acts of the state."""

from __future__ import annotations

from typing import Protocol

from sim.agents.faction import Faction
from sim.agents.security import Battlefield
from sim.config.models import Scenario
from sim.network.routes import RouteNetwork


class InterventionWorld(Battlefield, Protocol):
    """The model as interventions see it."""

    network: RouteNetwork  # the scenario's compiled network (names -> indices)
    config: Scenario  # the scenario being run

    def clash(self, faction: Faction, district: int) -> None:
        """A firefight between security forces and a group in a district."""
        ...

    def split(self, faction: Faction, groups: int, reason: str) -> None:
        """Break a group into `groups` groups now."""
        ...
