"""Timed interventions: one class per type over named levers, started and stopped on schedule."""

from sim.interventions.actions import ACTIONS, Action, action_for, describe
from sim.interventions.levers import LEVERS, Levers
from sim.interventions.schedule import InterventionSchedule

__all__ = [
    "ACTIONS",
    "LEVERS",
    "Action",
    "InterventionSchedule",
    "Levers",
    "action_for",
    "describe",
]
