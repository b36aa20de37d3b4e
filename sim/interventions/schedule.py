"""Starts and stops a scenario's interventions at their weeks."""

from __future__ import annotations

from sim.config.interventions import Intervention
from sim.interventions.actions import Action, action_for
from sim.interventions.levers import Levers
from sim.interventions.world import InterventionWorld


class InterventionSchedule:
    """Starts and ends a scenario's interventions at their weeks."""

    def __init__(self, interventions: list[Intervention]) -> None:
        self.pending = [action_for(iv) for iv in sorted(interventions, key=lambda iv: iv.week)]
        self.running: list[tuple[int, Action]] = []

    def step(self, week: int, world: InterventionWorld, levers: Levers) -> None:
        """End what runs out this week, then start what begins this week."""
        still = []
        for end, action in self.running:
            if end <= week:
                action.stop(world, levers)
            else:
                still.append((end, action))
        self.running = still
        while self.pending and self.pending[0].week == week:
            action = self.pending.pop(0)
            action.start(world, levers)
            if action.weeks is not None:
                self.running.append((week + action.weeks, action))

    def add(self, spec: Intervention) -> None:
        """Queue one more intervention, as if the scenario had listed it after the others: it
        starts at its week, after those already queued for that week (the explorer's buttons
        use this to act at the week about to be simulated)."""
        action = action_for(spec)
        at = sum(1 for queued in self.pending if queued.week <= spec.week)
        self.pending.insert(at, action)

    @property
    def done(self) -> bool:
        """True when every intervention has started and ended."""
        return not self.pending and not self.running
