"""docs/ODD.md describes the model as built: its schedule is the order the code runs, and its
parameter table has every config field."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from sim.agents.faction import Faction
from sim.config.interventions import INTERVENTION_TYPES
from sim.config.models import Scenario
from sim.model import VraemModel
from sim.report.odd import FACTION_STEPS, MODEL_STEPS, fill, schedule

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
SECTIONS = (
    "1. Purpose and patterns",
    "2. Entities, state variables and scales",
    "3. Process overview and scheduling",
    "4. Design concepts",
    "5. Initialisation",
    "6. Input data",
    "7. Submodels",
)
DESIGN_CONCEPTS = (
    "Basic principles",
    "Emergence",
    "Adaptation",
    "Objectives",
    "Learning",
    "Prediction",
    "Sensing",
    "Interaction",
    "Stochasticity",
    "Collectives",
    "Observation",
)


def _text() -> str:
    return ODD.read_text(encoding="utf-8")


def test_the_odd_has_every_section_and_design_concept_of_the_protocol():
    text = _text()
    for heading in SECTIONS:
        assert f"## {heading}" in text, heading
    for concept in DESIGN_CONCEPTS:
        assert f"**{concept}.**" in text, concept


def test_the_generated_parts_of_the_odd_are_up_to_date():
    text = _text()
    assert fill(text) == text, "regenerate: python -m sim.report.odd"


def _keys(prefix: str, model: type[BaseModel]) -> list[str]:
    """Every dotted key of a config model (list entries as `<i>`)."""
    out = []
    for name, field in model.model_fields.items():
        key = f"{prefix}.{name}" if prefix else name
        out.append(key)
        kind = field.annotation
        args = getattr(kind, "__args__", ())
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            out += _keys(key, kind)
        elif args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            if getattr(kind, "__origin__", None) is list:
                out += _keys(f"{key}.<i>", args[0])
    return out


def test_every_config_field_appears_in_the_parameter_table_with_a_default_and_a_meaning():
    table = _text().split("### 7.9 Parameters", 1)[1]
    rows = {
        m[1]: (m[2], m[3])
        for m in re.finditer(r"^\| `([^`]+)` \| ([^|]*) \| ([^|]*) \|$", table, re.MULTILINE)
    }
    keys = [k for k in _keys("", Scenario) if k != "interventions"]
    for model in INTERVENTION_TYPES:
        keys += [k for k in _keys("", model) if k != "type"]
    headings = set(re.findall(r"^#+ `([^`]+)`", table, re.MULTILINE))  # the sections
    missing = [k for k in keys if k not in rows and k not in headings]
    assert not missing, missing
    for key in (k for k in keys if k in rows):
        default, meaning = rows[key]
        assert default.strip() and len(meaning.strip()) > 10, key


def _source_order(method, steps) -> list[int]:
    """Where each described step's pattern first occurs in the method's source."""
    source = inspect.getsource(method)
    return [source.index(p) for p, words in steps if words and p in source]


def test_the_schedule_lists_the_steps_in_the_order_the_code_runs_them():
    text = _text()
    for method, steps in ((VraemModel.step, MODEL_STEPS), (Faction.step, FACTION_STEPS)):
        listed = schedule(method, steps)
        # each step's description, in the doc, comes in the order its code runs
        at = [text.index(words) for words in listed]
        assert at == sorted(at), method.__qualname__
        # ... and that order is the order of the statements in the method's source
        by_words = {words: p for p, words in steps if words}
        source = inspect.getsource(method)
        positions = [source.index(by_words[w]) for w in listed]
        assert positions == sorted(positions), method.__qualname__
        assert len(listed) == len(_source_order(method, steps))


def test_a_step_that_nothing_describes_is_an_error():
    def step(self):
        self._new_week()
        self.something_new()

    with pytest.raises(KeyError, match="something_new"):
        schedule(step, MODEL_STEPS)
