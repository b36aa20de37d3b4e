"""What the writing commands share about their output folder: the --force option."""

from __future__ import annotations

import typer

FORCE = typer.Option(
    "--force",
    help="Replace a result of another kind at --out. Never replaces a file, a folder with other "
    "files, a folder of results, '.', a parent of it, the home folder or '/'.",
)
