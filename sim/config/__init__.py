"""Scenario configuration: typed models and the YAML loader (the route network: sim.scenarios)."""

from sim.config.errors import ConfigError
from sim.config.loader import load_scenario_config, validate_scenario_config
from sim.config.models import Scenario

__all__ = ["ConfigError", "Scenario", "load_scenario_config", "validate_scenario_config"]
