"""`vraem compare` and `vraem brief` (issue 7: being written)."""

from __future__ import annotations

import typer


def compare() -> None:
    """Compare scenarios with a baseline under common random numbers (not yet available)."""
    raise typer.Exit(1)


def brief() -> None:
    """Redraw figures and the briefing from result folders (not yet available)."""
    raise typer.Exit(1)
