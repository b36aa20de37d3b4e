"""What the writing commands share: the --force option for their output folder, and the
briefing commands' --focus."""

from __future__ import annotations

import typer

FORCE = typer.Option(
    "--force",
    help="Replace a result of another kind at --out. Never replaces a file, a folder with other "
    "files, a folder of results, '.', a parent of it, the home folder or '/'.",
)

FOCUS = typer.Option(
    "--focus",
    metavar="SCENARIO",
    help="The scenario (by name) whose detail pages go into the briefing (default: the first).",
)
