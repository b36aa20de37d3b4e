"""The explorer's settings: the main parameters of a scenario, each with its key, a label with
its unit and the range of its slider, and how they are written into a scenario's data.

Settings apply at reset: the run restarts from week 0 with them. A setting left at the
scenario's own value is not written (the exported YAML names only what was changed).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from sim.config.errors import ConfigError, Problems
from sim.config.loader import set_key
from sim.config.models import Scenario

EXPORT_DEMAND = "export_demand"  # a factor on every exit's absorption, not one key
ABSORPTION_KEY = "market.exit_absorption_kg_per_week"
ABSORPTION_DECIMALS = 1  # kg/week: absorption scaled by the export-demand factor is rounded
CALLAO = "callao"
SOURCE = "the explorer's settings"  # names the settings in error messages


@dataclass(frozen=True)
class Setting:
    """One slider: `name` is its keyword, `key` the dotted key of the scenario it sets."""

    name: str
    key: str
    label: str
    low: float
    high: float
    step: float
    meaning: str

    def decimals(self) -> int:
        """Decimals of the slider's step (values are rounded to them)."""
        return max(0, -math.floor(math.log10(self.step))) if self.step < 1 else 0

    def value_in(self, scenario: Scenario) -> float:
        """The scenario's own value of this setting."""
        if self.name == EXPORT_DEMAND:
            return 1.0
        node: Any = scenario
        for part in self.key.split("."):
            node = node.get(part, 1.0) if isinstance(node, dict) else getattr(node, part)
        return float(node)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "interdiction_capacity",
        "security.interdiction_capacity",
        "Interdiction capacity (x)",
        0.1,
        3.0,
        0.01,
        "police detection risk on every edge, as a factor on the base risks",
    ),
    Setting(
        "callao_port_control",
        f"network.exit_risk_factor.{CALLAO}",
        "Callao port control (x)",
        0.25,
        5.0,
        0.05,
        "factor on the detection risk of every edge into Callao",
    ),
    Setting(
        "eradication_ha_per_week",
        "security.eradication_ha_per_week",
        "Eradication (ha/week)",
        0.0,
        500.0,
        10.0,
        "army eradication capacity in the VRAEM",
    ),
    Setting(
        EXPORT_DEMAND,
        ABSORPTION_KEY,
        "Export demand (x)",
        0.25,
        3.0,
        0.05,
        "factor on what buyers take at every exit at the reference price",
    ),
    Setting(
        "leaf_tax_rate",
        "armed_group.leaf_tax_rate",
        "Group: leaf tax (share)",
        0.0,
        0.05,
        0.001,
        "share of leaf sales the armed group takes with secure tenure",
    ),
    Setting(
        "growth_rate_per_year",
        "armed_group.growth_rate_per_year",
        "Group: growth (1/yr)",
        0.01,
        1.0,
        0.01,
        "most relative growth of membership in a year when funds allow",
    ),
    Setting(
        "ambushes_per_year",
        "armed_group.violence.ambushes_per_year",
        "Group: ambushes (1/yr)",
        0.0,
        10.0,
        0.1,
        "attacks on patrols a year under usual threat",
    ),
    Setting(
        "revenge_weight",
        "armed_group.violence.revenge_weight",
        "Group: revenge weight",
        0.0,
        5.0,
        0.1,
        "weight of kin's revenge for cadres killed by the state",
    ),
    Setting(
        "escort_fee_usd_per_kg",
        "armed_group.escort_fee_usd_per_kg",
        "Group: escort fee (USD/kg)",
        0.0,
        50.0,
        0.5,
        "fee traffickers pay per kg escorted out of its districts",
    ),
    Setting(
        "markup",
        "traffickers.markup",
        "Traffickers: markup (share)",
        0.1,
        0.9,
        0.001,
        "share of the net value at the exit that traffickers keep",
    ),
    Setting(
        "risk_learning_rate",
        "traffickers.risk_learning_rate",
        "Traffickers: risk learning",
        0.0,
        0.5,
        0.01,
        "weight of one shipment's outcome in the risk they expect",
    ),
    Setting(
        "choice_temperature_usd_per_kg",
        "traffickers.choice_temperature_usd_per_kg",
        "Traffickers: route spread (USD/kg)",
        5.0,
        300.0,
        5.0,
        "logit scale of route choice (lower: more deterministic)",
    ),
)
BY_NAME = {s.name: s for s in SETTINGS}

# the run's settings besides the parameters: seed, start date, horizon, side by side
SEED, START_DATE, WEEKS, SIDE_BY_SIDE = "seed", "start_date", "weeks", "side_by_side"
WEEKS_RANGE = (13, 520)


def defaults(scenario: Scenario) -> dict[str, Any]:
    """Every setting at the scenario's own value (what the sidebar shows when it is opened)."""
    values: dict[str, Any] = {s.name: s.value_in(scenario) for s in SETTINGS}
    values[SEED] = str(scenario.seed)
    values[START_DATE] = scenario.start_date.isoformat()
    values[WEEKS] = scenario.weeks
    values[SIDE_BY_SIDE] = True
    return values


def _number(setting: Setting, value: Any, found: Problems) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        found.add(setting.name, f"expected a number, got {value!r}")
        return None
    if not math.isfinite(number):
        found.add(setting.name, f"expected a finite number, got {value!r}")
        return None
    return round(number, setting.decimals())


def run_settings(values: dict[str, Any], scenario: Scenario) -> dict[str, Any]:
    """Seed, start date and horizon from the sidebar's text and sliders; ConfigError naming
    the setting if one cannot be read."""
    found = Problems(SOURCE)
    out: dict[str, Any] = {}
    seed = str(values.get(SEED, scenario.seed)).strip()
    if seed.isdigit():
        out[SEED] = int(seed)
    else:
        found.add(SEED, f"expected a whole number >= 0, got {seed!r}")
    day = str(values.get(START_DATE, scenario.start_date.isoformat())).strip()
    try:
        out[START_DATE] = dt.date.fromisoformat(day)
    except ValueError:
        found.add(START_DATE, f"expected an ISO date such as 2023-01-02, got {day!r}")
    try:
        out[WEEKS] = int(values.get(WEEKS, scenario.weeks))
    except (TypeError, ValueError):
        found.add(WEEKS, f"expected a whole number of weeks, got {values.get(WEEKS)!r}")
    found.raise_if_any()
    return out


def apply_settings(
    data: dict[str, Any], scenario: Scenario, values: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, float]]:
    """A copy of the scenario's `data` with the settings in `values` that differ from the
    scenario's own (`scenario` is `data` validated), and those settings by name.

    Export demand scales every exit's absorption (rounded to 0.1 kg/week), so the YAML holds
    the absolute values the run used."""
    out = copy.deepcopy(data)
    found = Problems(SOURCE)
    changed: dict[str, float] = {}
    for setting in SETTINGS:
        if setting.name not in values:
            continue
        number = _number(setting, values[setting.name], found)
        if number is None or number == round(setting.value_in(scenario), setting.decimals()):
            continue
        changed[setting.name] = number
        if setting.name == EXPORT_DEMAND:
            absorption = scenario.market.exit_absorption_kg_per_week
            scaled = {k: round(v * number, ABSORPTION_DECIMALS) for k, v in absorption.items()}
            set_key(out, ABSORPTION_KEY, scaled, SOURCE)
        else:
            set_key(out, setting.key, number, SOURCE)
    found.raise_if_any()
    return out, changed


def describe_changes(changed: dict[str, float]) -> str:
    """'interdiction capacity 1.2, markup 0.5' (or 'none')."""
    if not changed:
        return "none"
    return ", ".join(f"{name.replace('_', ' ')} {value:g}" for name, value in changed.items())


__all__ = [
    "BY_NAME",
    "SETTINGS",
    "ConfigError",
    "Setting",
    "apply_settings",
    "defaults",
    "describe_changes",
    "run_settings",
]
