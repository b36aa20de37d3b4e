"""The scenario builder: what was set and triggered in the explorer, as a scenario file.

The file is self-contained (the scenario's own keys merged through `extends`, the settings that
were changed, and the actions as timed interventions after the scenario's own), with the run's
master seed, start date and horizon and one replicate: `vraem check` accepts it and
`vraem run FILE --replicates 1` reproduces the explorer's run bit for bit (same seed, same
interventions started at the same point of the same weeks).
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from sim.app.settings import describe_changes
from sim.app.state import Explorer
from sim.interventions import describe
from sim.scenarios import validate_scenario

MAX_TITLE = 80  # Scenario.title
FIRST_KEYS = ("name", "title", "description", "start_date", "weeks", "seed", "replicates")


def scenario_title(explorer: Explorer) -> str:
    title = f"{explorer.own.display_title} (explorer)"
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "\u2026"


def action_lines(explorer: Explorer) -> list[str]:
    """'week 10 (13 Mar 2023): arrest leader', one per action taken."""
    n_own = len(explorer.config.interventions) - len(explorer.acts)
    taken = explorer.config.interventions[n_own:]
    return [f"week {iv.week} ({explorer.date_of(iv.week)}): {describe(iv)}" for iv in taken]


def scenario_data(explorer: Explorer) -> dict[str, Any]:
    """The exported scenario as data (the explorer's validated data, named and described)."""
    if explorer.run is None:
        raise ValueError(f"nothing to export: {explorer.problem}")
    data = copy.deepcopy(explorer.data)
    actions = "; ".join(action_lines(explorer)) or "none"
    data["title"] = scenario_title(explorer)
    data["description"] = (
        f"Built in the vraem explorer from {explorer.source_name}. Settings changed: "
        f"{describe_changes(explorer.changed)}. Actions taken: {actions}."
    )
    ordered = {k: data[k] for k in FIRST_KEYS if k in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    return ordered


def scenario_yaml(explorer: Explorer) -> str:
    """The exported scenario file's text, checked with the loader `vraem check` uses."""
    data = scenario_data(explorer)
    validate_scenario(data, "the exported scenario")  # raises ConfigError if it were not valid
    seed = explorer.run.seed if explorer.run else 0
    header = [
        f"# Built with `vraem app` from {explorer.source_name}.",
        f"# `vraem run THIS_FILE --replicates 1` reproduces the explorer's run: master seed "
        f"{data['seed']} (replicate 0's seed {seed}), {data['weeks']} weeks from "
        f"{data['start_date']}.",
        f"# Settings changed: {describe_changes(explorer.changed)}.",
        "# Actions taken (as timed interventions, after the scenario's own):",
        *[f"#   {line}" for line in action_lines(explorer) or ["none"]],
    ]
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(header) + "\n" + body


def file_name(explorer: Explorer) -> str:
    """The download's file name."""
    return f"{explorer.config.name}.yaml"
