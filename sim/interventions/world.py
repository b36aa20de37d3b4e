"""What an intervention may ask of the model: an agent's view plus the acts of the state."""

from __future__ import annotations

from typing import Literal, Protocol

import numpy as np

from sim.agents.faction import Faction
from sim.agents.security import Battlefield


class InterventionWorld(Battlefield, Protocol):
    """The model as interventions see it."""

    @property
    def exits(self) -> list[str]:
        """Exit ids, in index order."""
        ...

    def edges_of(self, nodes: list[str], edges: list[tuple[str, str]]) -> np.ndarray:
        """Indices of the named edges and of every edge touching the named nodes."""
        ...

    def district_index(self, districts: list[str] | Literal["all"]) -> np.ndarray:
        """Indices of the named districts (or all)."""
        ...

    def clash(self, faction: Faction) -> None:
        """A firefight between security forces and a faction."""
        ...

    def split(self, faction: Faction, gangs: int, reason: str) -> None:
        """Split a faction into gangs now."""
        ...
