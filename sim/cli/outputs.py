"""What the writing commands share: the --force option for their output folder, and the
briefing commands' --focus and --window."""

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

WINDOW = typer.Option(
    "--window",
    metavar="NAME=START:END",
    help="A window to measure effects over, instead of the default ones (while the "
    "interventions run, after them, the first year): START and END are weeks (0-based) or ISO "
    "dates, END included, e.g. --window surge=52:155 or --window 2024=2024-01-01:2024-12-31. "
    "Repeat for more windows.",
)
