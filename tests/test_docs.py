"""The documentation matches the code."""

from __future__ import annotations

from conftest import REPO

from sim.config.reference import render


def test_parameter_reference_is_up_to_date():
    text = (REPO / "docs" / "CONFIG.md").read_text(encoding="utf-8")
    assert text == render(), "regenerate: python -m sim.config.reference > docs/CONFIG.md"


def test_every_parameter_is_described():
    for line in render().splitlines():
        if line.startswith("| `"):
            meaning = line.rsplit("|", 2)[-2].strip()
            assert len(meaning) > 10, line
