"""Render the parameter reference (docs/CONFIG.md) from the typed config models.

`python -m sim.config.reference > docs/CONFIG.md`; a test checks the file is up to date.
"""

from __future__ import annotations

import json

from pydantic import BaseModel

from sim.config.interventions import INTERVENTION_TYPES
from sim.config.models import (
    ArmedGroupConfig,
    GrowersConfig,
    MarketConfig,
    NetworkConfig,
    Scenario,
    SecurityConfig,
    TraffickersConfig,
)

SECTIONS: list[tuple[str, type[BaseModel]]] = [
    ("growers", GrowersConfig),
    ("armed_group", ArmedGroupConfig),
    ("traffickers", TraffickersConfig),
    ("security", SecurityConfig),
    ("market", MarketConfig),
    ("network", NetworkConfig),
]


def _default(model: type[BaseModel], name: str) -> str:
    field = model.model_fields[name]
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, list):
        value = [v.model_dump() if isinstance(v, BaseModel) else v for v in value]
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _table(prefix: str, model: type[BaseModel], skip: set[str] = frozenset()) -> list[str]:
    lines = ["| key | default | meaning, unit and source |", "|---|---|---|"]
    for name, field in model.model_fields.items():
        if name in skip:
            continue
        desc = (field.description or "").replace("|", "/")
        key = f"{prefix}.{name}" if prefix else name
        default = _default(model, name)
        shown = default if default == "required" else f"`{default}`"
        lines.append(f"| `{key}` | {shown} | {desc} |")
    return lines


def render() -> str:
    """The whole reference as Markdown."""
    out = [
        "# Scenario parameters",
        "",
        "Generated from `sim/config/models.py` by `python -m sim.config.reference`; do not edit.",
        "Every key can be set in a scenario file or with `--set key.path=value`. Unknown keys are",
        'errors. "Estimate" marks a value no source fixes.',
        "",
        "## Top level",
        "",
        *_table("", Scenario, skip={name for name, _ in SECTIONS}),
    ]
    for name, model in SECTIONS:
        out += ["", f"## `{name}`", "", (model.__doc__ or "").strip(), "", *_table(name, model)]
    out += [
        "",
        "## `interventions`",
        "",
        "A list of timed events, each a mapping with `type`, `week` and the fields of its type.",
    ]
    for model in INTERVENTION_TYPES:
        kind = model.model_fields["type"].annotation.__args__[0]
        doc = (model.__doc__ or "").strip()
        out += ["", f"### `{kind}`", "", doc, "", *_table("", model, skip={"type"})]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render(), end="")
