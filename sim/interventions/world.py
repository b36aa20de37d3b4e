"""What an intervention may ask of the model: the army's view plus the acts of the state."""

from __future__ import annotations

from typing import Protocol

from sim.agents.faction import Faction
from sim.agents.security import Battlefield
from sim.network.routes import RouteNetwork


class InterventionWorld(Battlefield, Protocol):
    """The model as interventions see it."""

    network: RouteNetwork  # the scenario's compiled network (names -> indices)

    def clash(self, faction: Faction) -> None:
        """A firefight between security forces and a faction."""
        ...

    def split(self, faction: Faction, gangs: int, reason: str) -> None:
        """Split a faction into gangs now."""
        ...
