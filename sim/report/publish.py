"""Publishing a comparison: its tables, figures, `briefing.md` and `briefing.pdf` in one folder.

`sim.report.briefing` holds the content (the `Briefing` model and its Markdown), `sim.report.pdf`
renders it as a PDF; this module writes them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from sim.config.models import Scenario
from sim.report.briefing import (
    FIGURES_DIR,
    MARKDOWN_FILE,
    PDF_FILE,
    SHARES_FILE,
    TABLE_FILE,
    Briefing,
    build_briefing,
    comparison_tables,
    render_markdown,
)
from sim.report.briefing_figures import write_briefing_figures
from sim.report.compare import Pair


def render_pdf(b: Briefing, folder: Path) -> tuple[bytes, int]:
    """The briefing as an A4 PDF of at most MAX_PAGES pages if it fits, and its number of pages
    (see `sim.report.pdf`; reportlab is imported only when a PDF is made)."""
    from sim.report.pdf import render_pdf as render  # reportlab only when a PDF is made

    return render(b, folder)


def graph_for(scenario: Scenario) -> nx.Graph:
    """The route network a scenario ran on (for the map)."""
    from sim.scenarios import compile_network

    return compile_network(scenario).graph


@dataclass
class Written:
    """What `write_briefing` wrote: the key findings (one string per bullet) and PDF pages."""

    findings: list[str]
    pages: int


def write_briefing(
    pairs: Sequence[Pair],
    folder: Path,
    created: str,
    graph: Callable[[Scenario], nx.Graph] = graph_for,
) -> Written:
    """Write comparison.csv, exit_shares.csv, figures/, briefing.md and briefing.pdf into
    `folder`."""
    table, shares = comparison_tables(pairs)
    table.to_csv(folder / TABLE_FILE, index=False)
    shares.to_csv(folder / SHARES_FILE, index=False)
    drawn = write_briefing_figures(pairs, table, shares, folder / FIGURES_DIR, graph)
    content = build_briefing(pairs, table, shares, drawn, created)
    (folder / MARKDOWN_FILE).write_text(render_markdown(content), encoding="utf-8")
    data, pages = render_pdf(content, folder)
    (folder / PDF_FILE).write_bytes(data)
    return Written([f"{label}: {text}" for label, text in content.findings], pages)
