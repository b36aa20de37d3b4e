"""Timed interventions: leadership arrests, fragmentation and the policy levers."""

from sim.interventions.schedule import InterventionSchedule, describe

__all__ = ["InterventionSchedule", "describe"]
