"""Publishing a comparison: its tables, figures, `briefing.md` and `briefing.pdf` in one folder.

`sim.report.briefing` holds the content (the `Briefing` model and its Markdown), `sim.report.pdf`
renders it as a PDF, `sim.report.workbook` the tables as `comparison.xlsx`; this module writes
them all, into the folder the command renames into place once it is complete.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import networkx as nx
import pandas as pd

from sim.config.models import Scenario
from sim.report.briefing import (
    CHANCE_FILE,
    CONDITIONAL_FILE,
    FIGURES_DIR,
    MARKDOWN_FILE,
    PDF_FILE,
    SHARES_FILE,
    TABLE_FILE,
    Briefing,
    build_briefing,
    chance_tables,
    comparison_tables,
    render_markdown,
)
from sim.report.briefing_figures import combined_source, write_briefing_figures
from sim.report.compare import Pair
from sim.report.findings import key_findings
from sim.report.robustness import (
    ROBUSTNESS_FILE,
    robustness_findings_text,
    robustness_sheet,
    with_robustness,
)
from sim.report.wording import scenario_titles, titles_of
from sim.report.workbook import WORKBOOK_FILE, comparison_sheets, write_workbook


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
    """What `write_briefing` wrote: the key findings (one string per bullet), the PDF's pages
    and whether the figures and the briefing were drawn (not with `figures=False`)."""

    findings: list[str]
    pages: int
    drawn: bool = True


#: the tables of a comparison folder, whatever `write_briefing` draws besides them
TABLE_FILES = (TABLE_FILE, WORKBOOK_FILE, SHARES_FILE, CHANCE_FILE, CONDITIONAL_FILE)


def write_tables(
    pairs: Sequence[Pair], folder: Path, created: str, robustness: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Write comparison.csv, exit_shares.csv, chance_events.csv, conditional_effects.csv, with a
    `robustness` table robustness.csv, and comparison.xlsx (the same tables as one workbook)
    into `folder`; return the effect, exit share, chance event and conditional effect tables."""
    table, shares = comparison_tables(pairs)
    chance, conditional = chance_tables(pairs)
    table.to_csv(folder / TABLE_FILE, index=False)
    shares.to_csv(folder / SHARES_FILE, index=False)
    chance.to_csv(folder / CHANCE_FILE, index=False)
    conditional.to_csv(folder / CONDITIONAL_FILE, index=False)
    sheets = comparison_sheets(
        table,
        shares,
        headline_file=TABLE_FILE,
        exits_file=SHARES_FILE,
        conditional=conditional if not conditional.empty else None,
        conditional_file=CONDITIONAL_FILE,
    )
    if robustness is not None:
        robustness.to_csv(folder / ROBUSTNESS_FILE, index=False)
        sheets.append(robustness_sheet(robustness))
    write_workbook(
        folder / WORKBOOK_FILE,
        sheets,
        title=f"Effects of {', '.join(p.name for p in pairs)} against "
        f"{pairs[0].baseline.scenario.name} (vraem-sim, {created[:10]})",
        source=combined_source(pairs),
        created=_naive_utc(created),
    )
    return table, shares, chance, conditional


def _naive_utc(created: str) -> datetime | None:
    """The creation time of a comparison (ISO, e.g. with "+00:00") as a naive UTC datetime,
    as workbook properties store it; None if it cannot be read."""
    try:
        when = datetime.fromisoformat(created)
    except ValueError:
        return None
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def write_briefing(
    pairs: Sequence[Pair],
    folder: Path,
    created: str,
    graph: Callable[[Scenario], nx.Graph] = graph_for,
    *,
    figures: bool = True,
    focus: str | None = None,
    robustness: pd.DataFrame | None = None,
) -> Written:
    """Write the tables (`write_tables`), then figures/ (each figure as PNG and SVG),
    briefing.md and briefing.pdf into `folder`, with `focus` (default: the first scenario) on
    the detail pages and, with a `robustness` table, where each headline finding holds across
    parameters. With `figures=False` only the tables are written, and the key findings are still
    returned. Scenarios are named by their titles throughout."""
    scenarios = [s for p in pairs for s in (p.baseline.scenario, p.scenario.scenario)]
    with scenario_titles(titles_of(scenarios)):
        return _write_briefing(pairs, folder, created, graph, figures, focus, robustness)


def _write_briefing(
    pairs: Sequence[Pair],
    folder: Path,
    created: str,
    graph: Callable[[Scenario], nx.Graph],
    figures: bool,
    focus: str | None,
    robustness: pd.DataFrame | None,
) -> Written:
    table, shares, chance, conditional = write_tables(pairs, folder, created, robustness)
    if not figures:
        names = [p.name for p in pairs]
        found = key_findings(table, shares, names, chance, conditional)
        found += robustness_findings_text(robustness)
        return Written(found, 0, drawn=False)
    drawn = write_briefing_figures(pairs, table, shares, folder / FIGURES_DIR, graph)
    content = build_briefing(pairs, table, shares, chance, conditional, drawn, created, focus)
    content = with_robustness(content, robustness)
    (folder / MARKDOWN_FILE).write_text(render_markdown(content), encoding="utf-8")
    data, pages = render_pdf(content, folder)
    (folder / PDF_FILE).write_bytes(data)
    return Written([f"{label}: {text}" for label, text in content.findings], pages)
