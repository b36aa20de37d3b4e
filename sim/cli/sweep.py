"""`vraem sweep` (issue 6: being written)."""

from __future__ import annotations

import typer


def sweep() -> None:
    """Run a parameter sweep (not yet available)."""
    raise typer.Exit(1)
