"""What an agent may ask of the world it lives in.

Agents never import the model. They are given a `World` (the model satisfies it) and use only
what is listed here: the random generator, the week, the network's districts, who controls
them, the security situation, what civilians tell, the political calendar, and the two ways
of telling the world what happened (an event in the log, a violent event).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class World(Protocol):
    """The model as its agents see it."""

    rng: np.random.Generator
    week: int

    @property
    def districts(self) -> list[str]:
        """The network's production districts, in index order."""
        ...

    def register_agent(self, agent: object) -> None:
        """Mesa's hook: a new agent joins the model."""
        ...

    def armed_control(self) -> np.ndarray:
        """Control of each district by all armed factions together (0-1)."""
        ...

    def grievance_in(self, control: np.ndarray) -> float:
        """Growers' grievance over a territory weighted by `control` (0-1)."""
        ...

    def security_effectiveness(self) -> float:
        """Security forces' effectiveness now (1 = normal)."""
        ...

    def district_hops(self) -> np.ndarray:
        """Network hops between districts (n x n integers)."""
        ...

    def patrol_presence(self) -> np.ndarray:
        """Patrols in each district this week relative to usual (factor)."""
        ...

    def informing(self) -> np.ndarray:
        """Share of households informing the state in each district (0-1)."""
        ...

    def information_factor(self, district: int) -> float:
        """Factor on finding fighters or cadres in a district from what its people tell."""
        ...

    def political_visibility(self) -> float:
        """What violence gains in the political calendar now (0 = nothing special)."""
        ...

    def control_of_others(self, faction: object) -> np.ndarray:
        """Control of each district by the armed groups other than `faction` (0-1)."""
        ...

    def civilians_killed(self, district: int, killed: int, indiscriminate: bool) -> None:
        """Tell the civilians of a district that some of them were killed."""
        ...

    def group_names(self) -> set[str]:
        """The names of every armed group of the run so far, active or not."""
        ...

    def start_trafficking_crew(self, label: str, presence: np.ndarray) -> str:
        """A new trafficking organisation buying in the districts of `presence` (weights 0-1,
        per district), e.g. a gang that turns to trafficking; returns its name."""
        ...

    def log_event(self, kind: str, who: str, outcome: str) -> None:
        """Add an event to the run's log."""
        ...

    def record_violence(
        self,
        kind: str,
        group: str,
        district: int,
        deaths_security: int = 0,
        deaths_civilians: int = 0,
        deaths_armed: int = 0,
    ) -> None:
        """Record one violent event in a district (index) with its deaths by victim type."""
        ...
