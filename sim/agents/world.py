"""What an agent may ask of the world it lives in.

Agents never import the model. They are given a `World` (the model satisfies it) and use only
what is listed here: the random generator, the week, the network's districts, who controls
them, the security situation, and the two ways of telling the world what happened (an event in
the log, a violent incident).
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

    def patrol_pressure(self, control: np.ndarray) -> float:
        """Army patrol pressure on a territory relative to the reference level (factor)."""
        ...

    def log_event(self, kind: str, who: str, outcome: str) -> None:
        """Add an event to the run's log."""
        ...

    def record_violence(
        self,
        kind: str,
        group: str,
        district: str,
        deaths_security: int = 0,
        deaths_civilians: int = 0,
        deaths_armed: int = 0,
    ) -> None:
        """Record one violent event of `kind` (sim.recorder.VIOLENCE_KINDS) this week: the armed
        group involved, the district id ("" if not known) and the people killed by victim
        type."""
        ...
