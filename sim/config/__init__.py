"""Scenario configuration: typed models and the YAML loader."""

from sim.config.loader import ConfigError, load_scenario, validate_scenario
from sim.config.models import Scenario

__all__ = ["ConfigError", "Scenario", "load_scenario", "validate_scenario"]
