"""The bottom line of page 1: a short paragraph and an options x outcomes scorecard.

Each cell says whether a scenario is *better*, *worse* or shows *no clear change* on one outcome
against the counterfactual, with the number and its interval. Better is the direction a
government fighting the cocaine trade wants: less cocaine exported (in all and via Callao),
more seized, fewer violent deaths, fewer armed groups with less income, less coca. Only a clear
effect (its interval excludes zero) is better or worse.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim.report.findings import in_window, windows_of
from sim.report.wording import HEADINGS, change_and_interval, scenario_label

#: the scorecard's outcomes, in order, with the sign of a change that is better (+1: a rise)
SCORECARD: tuple[tuple[str, int], ...] = (
    ("exports", -1),
    ("exports via Callao", -1),
    ("seizures", 1),
    ("violent deaths", -1),
    ("armed groups", -1),
    ("armed income", -1),
    ("coca area", -1),
)
BETTER, WORSE, UNCLEAR = "better", "worse", "no clear change"


def verdict(row: Any, better_sign: int) -> str:
    """'better', 'worse' or 'no clear change' for one effect row."""
    if not bool(row.clear) or not pd.notna(row.change):
        return UNCLEAR
    return BETTER if (row.change > 0) == (better_sign > 0) else WORSE


def number(row: Any) -> str:
    """The change with its interval: "-4.3% (-5.2 to -3.5)", "+10/yr (+2.0 to +18)"."""
    shown = change_and_interval(row, per_year="/yr")
    return " ".join(shown) if shown is not None else "n/a"


def scorecard_window(table: pd.DataFrame, scenario: str) -> str | None:
    """The window a scenario's scorecard row shows: its key window (while its interventions
    run, else its first year; or the first of the analyst's own windows)."""
    windows = windows_of(table, scenario)
    return windows[0] if windows else None


def scorecard_rows(
    table: pd.DataFrame, scenarios: Sequence[str]
) -> list[tuple[str, str, list[tuple[str, str, bool]]]]:
    """Per scenario: its label, its window in words with dates, and per scorecard outcome
    (verdict, number, clear)."""
    rows = []
    for s in scenarios:
        window = scorecard_window(table, s)
        w = table[(table["scenario"] == s) & (table["window"] == window)].set_index("outcome")
        if w.empty:
            continue
        cells = []
        for outcome, sign in SCORECARD:
            if outcome not in w.index:
                cells.append((UNCLEAR, "n/a", False))
                continue
            row = next(w.loc[[outcome]].reset_index().itertuples())
            cells.append((verdict(row, sign), number(row), bool(row.clear)))
        rows.append((scenario_label(s), in_window(w.reset_index()), cells))
    return rows


def scorecard_header() -> list[str]:
    """The scorecard's column headings: the option, then each outcome."""
    return ["Option", *(HEADINGS.get(o, o) for o, _ in SCORECARD)]


def bottom_line(table: pd.DataFrame, scenarios: Sequence[str], counterfactual: str) -> str:
    """The paragraph that opens the briefing: for each scenario, on which outcomes it is better
    and worse than the counterfactual in its scorecard window, and that nothing else changes
    clearly."""
    rows = scorecard_rows(table, scenarios)
    if not rows:
        return "No window after an intervention lies inside the runs: nothing to compare."
    sentences = []
    for label, where, cells in rows:
        parts = []
        for word in (BETTER, WORSE):
            named = [
                f"{HEADINGS.get(o, o).lower()} ({n.split(' (')[0]})"
                for (o, _), (v, n, _c) in zip(SCORECARD, cells, strict=True)
                if v == word
            ]
            if named:
                parts.append(f"{word} on " + _and(named))
        if parts:
            rest = sum(1 for v, _n, _c in cells if v == UNCLEAR)
            tail = f"; no clear change on the other {rest}" if rest else ""
            sentences.append(f"{label}, {where}, is {'; '.join(parts)}{tail}.")
        else:
            sentences.append(f"{label}, {where}, changes none of these outcomes clearly.")
    return f"Against {scenario_label(counterfactual)}: " + " ".join(sentences)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
