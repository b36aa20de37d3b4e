"""Render the parameter reference (docs/CONFIG.md) from the typed config models.

`python -m sim.config.reference > docs/CONFIG.md`; a test checks the file is up to date.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

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


def _section_of(field: FieldInfo) -> type[BaseModel] | None:
    """The model of a nested section field (e.g. `armed_group.succession`), else None."""
    kind = field.annotation
    return kind if isinstance(kind, type) and issubclass(kind, BaseModel) else None


def _entry_of(field: FieldInfo) -> type[BaseModel] | None:
    """The model of each entry of a list-of-sections field (e.g. `armed_group.cadres`)."""
    args = get_args(field.annotation)
    if get_origin(field.annotation) is list and args:
        kind = args[0]
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            return kind
    return None


def _default(model: type[BaseModel], name: str) -> str:
    field = model.model_fields[name]
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, list):
        value = [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()  # as a scenario file writes it
    text = json.dumps(value, ensure_ascii=False)
    limit = 100 if isinstance(value, dict) else 60  # a mapping by rank, say, in full
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _doc(model: type[BaseModel]) -> str:
    return " ".join((model.__doc__ or "").split())


def _table(prefix: str, model: type[BaseModel], skip: set[str] = frozenset()) -> list[str]:
    lines = ["| key | default | meaning, unit and source |", "|---|---|---|"]
    for name, field in model.model_fields.items():
        if name in skip:
            continue
        key = f"{prefix}.{name}" if prefix else name
        section, entry = _section_of(field), _entry_of(field)
        desc = field.description or ""
        if section is not None:  # its own table below
            shown = "see below"
            desc = desc or f"{_doc(section)} Its keys are listed under `{key}` below."
        elif entry is not None:
            count = len(field.get_default(call_default_factory=True) or [])
            shown = f"{count} entries, see below" if count else "`[]`"
            desc = f"{desc} A list: the keys of each entry are listed under `{key}` below."
        else:
            default = _default(model, name)
            shown = default if default == "required" else f"`{default}`"
        lines.append(f"| `{key}` | {shown} | {desc.replace('|', '/').strip()} |")
    return lines


def _nested(prefix: str, model: type[BaseModel], level: int) -> list[str]:
    """A heading and table for each nested section and list of sections of `model`, with
    dotted keys (`armed_group.succession.kin_weight`, `armed_group.cadres.<i>.id`); a list's
    default entries are listed after its table."""
    out: list[str] = []
    heading = "#" * level
    for name, field in model.model_fields.items():
        key = f"{prefix}.{name}"
        section, entry = _section_of(field), _entry_of(field)
        if section is not None:
            out += ["", f"{heading} `{key}`", "", _doc(section), "", *_table(key, section)]
            out += _nested(key, section, level + 1)
        elif entry is not None:
            out += ["", f"{heading} `{key}` (a list)", "", _doc(entry), ""]
            out += _table(f"{key}.<i>", entry)
            out += _nested(f"{key}.<i>", entry, level + 1)
            out += _entries(entry, field.get_default(call_default_factory=True) or [])
    return out


def _entries(entry: type[BaseModel], values: list[BaseModel]) -> list[str]:
    """The default entries of a list of sections, one bullet each (fields left at their
    default are not shown)."""
    if not values:
        return ["", "Default: none."]
    out = ["", f"Default ({len(values)} entries):", ""]
    for i, value in enumerate(values):
        shown = []
        for name, field in entry.model_fields.items():
            v = getattr(value, name)
            if not field.is_required() and v == field.get_default(call_default_factory=True):
                continue
            v = v.model_dump() if isinstance(v, BaseModel) else v
            shown.append(f"{name}: {json.dumps(v, ensure_ascii=False)}")
        out.append(f"{i}. " + ", ".join(shown))
    return out


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
        out += _nested(name, model, 3)
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
