"""The explorer's page, served by `vraem app`: Mesa's SolaraViz (app bar, the controller's
Reset / Play-Pause / Step, the settings as its model parameters) around the explorer's own
components (`sim.app.views`).

The scenario given to `vraem app` (environment variable VRAEM_APP_SCENARIO) is opened first;
the sidebar's Scenario card opens another (a shipped one or any file), which builds a new
explorer and new settings with that scenario's own values.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.user_param import Slider
from mesa.visualization.utils import update_counter

import sim
from sim.app.server import SCENARIO_ENV
from sim.app.settings import (
    SEED,
    SETTINGS,
    SIDE_BY_SIDE,
    START_DATE,
    WEEKS,
    WEEKS_RANGE,
    defaults,
)
from sim.app.state import Explorer, shipped_baseline
from sim.app.views import (
    ActionsView,
    BuilderView,
    Charts,
    EventLog,
    NowBar,
    RouteMapView,
    ScenarioPicker,
)
from sim.calibration import packaged_baseline
from sim.config.errors import ConfigError
from sim.scenarios import load_scenario

# Mesa's pause between played weeks: about 5 weeks a second, which a browser keeps up with on
# a busy machine (faster floods it with redraws; the sidebar's slider can still go faster)
PLAY_INTERVAL_MS = 200
TITLE = "VRAEM explorer"


def shipped_scenarios() -> dict[str, str]:
    """The scenario files shipped in the repository's scenarios/ (else the packaged baseline),
    by name, and the one given to `vraem app` if it is another."""
    folder = Path(sim.__file__).resolve().parent.parent / "scenarios"
    found = {p.stem: str(p) for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}
    if not found:
        found = {"baseline": str(packaged_baseline())}
    given = os.environ.get(SCENARIO_ENV, "")
    if given and all(Path(p) != Path(given) for p in found.values()):
        found = {Path(given).name: given, **found}
    return found


def initial_source() -> str:
    shipped = shipped_scenarios()
    return os.environ.get(SCENARIO_ENV) or shipped.get("baseline") or next(iter(shipped.values()))


def model_params(source: str) -> dict[str, Any]:
    """SolaraViz's model parameters: the fixed scenario file, then the run's settings and the
    sliders, each at the scenario's own value."""
    try:
        scenario = load_scenario(source)
    except ConfigError:  # opened files are checked first; this keeps the page up regardless
        scenario = shipped_baseline()
    values = defaults(scenario)
    params: dict[str, Any] = {
        "source": source,
        SEED: {"type": "InputText", "value": values[SEED], "label": "Seed (master seed)"},
        START_DATE: {
            "type": "InputText",
            "value": values[START_DATE],
            "label": "Start date of week 0 (ISO)",
        },
        WEEKS: {
            "type": "SliderInt",
            "value": values[WEEKS],
            "min": WEEKS_RANGE[0],
            "max": max(WEEKS_RANGE[1], values[WEEKS]),
            "step": 1,
            "label": "Horizon (weeks)",
        },
        SIDE_BY_SIDE: {
            "type": "Checkbox",
            "value": True,
            "label": "Side by side with the baseline (same seed)",
        },
    }
    for s in SETTINGS:
        v = float(values[s.name])
        params[s.name] = Slider(s.label, v, min(s.low, v), max(s.high, v), s.step, dtype=float)
    return params


def explorer_kwargs(params: dict[str, Any]) -> dict[str, Any]:
    """The values of the parameters, as Mesa passes them to the model at reset."""
    out = {}
    for name, p in params.items():
        if isinstance(p, Slider):
            out[name] = p.value
        elif isinstance(p, dict):
            out[name] = p["value"]
        else:
            out[name] = p
    return out


@solara.component
def Dashboard(explorer: Explorer) -> None:
    """The main area: the week, then map and charts, then actions, log and builder; redrawn
    each time Mesa's controller steps or resets (its update counter, read here only)."""
    tick = update_counter.value
    NowBar(explorer, tick)
    if explorer.run is None:
        return
    with solara.Columns([6, 6]):
        RouteMapView(explorer, tick)
        Charts(explorer, tick)
    with solara.Columns([4, 5, 3]):
        ActionsView(explorer, tick)
        EventLog(explorer, tick)
        BuilderView(explorer, len(explorer.acts))  # changes only with an action


@solara.component
def Page() -> None:
    shipped = solara.use_memo(shipped_scenarios, dependencies=[])
    source = solara.use_reactive(initial_source())
    params = solara.use_memo(lambda: model_params(source.value), dependencies=[source.value])
    first = solara.use_memo(lambda: Explorer(**explorer_kwargs(params)), dependencies=[])
    model = solara.use_reactive(first)

    def on_open(path: str) -> None:
        model.set(Explorer(**explorer_kwargs(model_params(path))))
        source.set(path)

    solara.Title(TITLE)
    with solara.Sidebar():
        ScenarioPicker(shipped, source.value, on_open)
        solara.HTML(
            tag="div",
            unsafe_innerHTML="Settings (Model Parameters, below) apply at <b>Reset</b>: the "
            "run restarts from week 0 with them. Buttons in <i>Act now</i> apply at the current "
            "week.",
            style="font-size: 0.85em; margin: 6px 12px",
        )
    SolaraViz(
        model,
        components=[],
        model_params=params,
        name=f"{TITLE}: {Path(source.value).name}",
        play_interval=PLAY_INTERVAL_MS,
    ).key(f"viz:{source.value}")
    Dashboard(model.value)
