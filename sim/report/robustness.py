"""Robustness across parameters: does each headline finding hold at other plausible parameters?

`vraem compare --robustness FILE` computes the comparison's effect table again at each parameter
set of a design (`sim.sweep.robustness` runs them); this module judges the findings, pure of any
run. A *finding* is one row of the main comparison's effect table (scenario, window, outcome):
the change *rises* or *falls* when its 90% interval excludes zero, else it shows *no clear
change*. It **holds** in a parameter set when the effect there says the same: for a rise (fall),
the interval there excludes zero and the mean change is positive (negative); for no clear change,
the interval there includes zero. A set whose runs failed counts in neither `holds` nor `of`.

The parameter a finding is **most sensitive** to is the one whose value has the largest absolute
Spearman rank correlation with the effect (the mean paired change) across the parameter sets;
NaN when fewer than MIN_SETS_FOR_RANK sets have a value or no parameter's correlation is defined
(a constant effect or parameter).

The *headline* findings (one line each in the CLI, on page 1 of the briefing) are those of the
scorecard: its outcomes in its window (`sim.report.scorecard`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.report.briefing import Briefing
from sim.report.effects import CONFIDENCE
from sim.report.scorecard import BETTER, SCORECARD, WORSE, scorecard_window
from sim.report.windows import window_title
from sim.report.wording import HEADINGS, scenario_label
from sim.report.workbook import EFFECT_COLUMNS, WHOLE_FORMAT, Column, Sheet

ROBUSTNESS_FILE = "robustness.csv"
ROBUSTNESS_SHEET = "Robustness"
MIN_SETS_FOR_RANK = 3  # a rank correlation of fewer values says nothing
RISES, FALLS, UNCLEAR = "rises", "falls", "no clear change"
PARAMETER_SEPARATOR = "; "  # between the varied parameters in the `parameters` column
KEYS = ["scenario", "window", "outcome"]

#: robustness.csv's columns, in order
COLUMNS = [
    "scenario",
    "counterfactual",
    "window",
    "outcome",
    "headline",
    "main_finding",
    "main_change",
    "main_change_lo",
    "main_change_hi",
    "holds",
    "of",
    "failed",
    "clear_rise",
    "clear_fall",
    "unclear",
    "change_min",
    "change_max",
    "most_sensitive",
    "spearman",
    "relative",
    "replicates",
    "design",
    "parameters",
]

HOLDS_MEANS = (
    "a finding holds in a parameter set when the effect there has the same direction as in the "
    f"main comparison and its {CONFIDENCE:.0%} interval excludes zero (a 'no clear change' "
    "holds when the interval there includes zero too)"
)
SENSITIVITY_MEANS = (
    "most sensitive: the parameter whose value has the largest absolute Spearman rank "
    "correlation with the effect across the parameter sets"
)


_NO_SETS = pd.DataFrame({"change": [], "clear": [], "parameter_set": [], "replicates": []})


def finding(change: float, clear: bool) -> str:
    """'rises', 'falls' or 'no clear change' for a mean change and whether its interval excludes
    zero."""
    if not clear or not math.isfinite(change):
        return UNCLEAR
    return RISES if change > 0 else FALLS


def most_sensitive(
    changes: pd.Series, values: pd.DataFrame, parameters: Sequence[str]
) -> tuple[str, float]:
    """The parameter whose values (`values`, one row per set, same index as `changes`) have the
    largest absolute Spearman correlation with `changes`, and that correlation (signed); ("",
    NaN) when none is defined. Ties go to the parameter listed first."""
    finite = changes[np.isfinite(changes.to_numpy(dtype=float))]
    if len(finite) < MIN_SETS_FOR_RANK:
        return "", float("nan")
    best, best_rho = "", float("nan")
    for name in parameters:
        column = pd.to_numeric(values.loc[finite.index, name], errors="coerce")
        with warnings.catch_warnings():  # a constant column or effect: NaN, said in the table
            warnings.simplefilter("ignore")
            rho = float(column.corr(finite.astype(float), method="spearman"))
        if math.isfinite(rho) and (not math.isfinite(best_rho) or abs(rho) > abs(best_rho)):
            best, best_rho = name, rho
    return best, best_rho


def robustness_table(
    main: pd.DataFrame,
    per_set: pd.DataFrame,
    points: pd.DataFrame,
    *,
    failed: int = 0,
    design: str = "",
) -> pd.DataFrame:
    """One row per finding of `main` (an effect table): its finding, in how many of the parameter
    sets it holds (`holds` of `of`; `failed` sets left out), how often the effect there clearly
    rises, clearly falls or is unclear, its range, and the parameter it is most sensitive to.

    `per_set` holds the effect tables of the parameter sets, stacked, with a `parameter_set`
    column (the index of `points`, whose columns are the varied parameters)."""
    parameters = list(points.columns)
    key = (
        {s: scorecard_window(main, s) for s in dict.fromkeys(main["scenario"])} if len(main) else {}
    )
    headline_outcomes = {o for o, _sign in SCORECARD}
    grouped = {key: rows for key, rows in per_set.groupby(KEYS, sort=False)} if len(per_set) else {}
    rows = []
    for r in main.itertuples():
        said = finding(r.change, bool(r.clear))
        sets = grouped.get((r.scenario, r.window, r.outcome), _NO_SETS)
        found = [finding(c, bool(k)) for c, k in zip(sets["change"], sets["clear"], strict=True)]
        changes = pd.Series(sets["change"].to_numpy(dtype=float), index=sets["parameter_set"])
        name, rho = most_sensitive(changes, points, parameters)
        finite = changes[np.isfinite(changes.to_numpy())]
        rows.append(
            {
                "scenario": r.scenario,
                "counterfactual": r.counterfactual,
                "window": r.window,
                "date_from": getattr(r, "date_from", ""),
                "date_to": getattr(r, "date_to", ""),
                "outcome": r.outcome,
                "headline": bool(
                    r.window == key.get(r.scenario) and r.outcome in headline_outcomes
                ),
                "main_finding": said,
                "main_change": r.change,
                "main_change_lo": r.change_lo,
                "main_change_hi": r.change_hi,
                "holds": sum(f == said for f in found),
                "of": len(found),
                "failed": failed,
                "clear_rise": found.count(RISES),
                "clear_fall": found.count(FALLS),
                "unclear": found.count(UNCLEAR),
                "change_min": float(finite.min()) if len(finite) else float("nan"),
                "change_max": float(finite.max()) if len(finite) else float("nan"),
                "most_sensitive": name,
                "spearman": rho,
                "relative": bool(r.relative),
                "replicates": int(sets["replicates"].iloc[0]) if len(sets) else 0,
                "design": design,
                "parameters": PARAMETER_SEPARATOR.join(parameters),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


# ----------------------------------------------------------------------------------------------
# wording
# ----------------------------------------------------------------------------------------------
def outcome_words(outcome: str) -> str:
    """An outcome inside a sentence: its heading, lower case unless an acronym starts it."""
    heading = HEADINGS.get(outcome, outcome)
    return heading if heading[1:2].isupper() else heading[:1].lower() + heading[1:]


def verdict_word(row: Any) -> str:
    """' (better)' or ' (worse)' for a clear finding on a scorecard outcome, else ''."""
    sign = dict(SCORECARD).get(row.outcome)
    if sign is None or row.main_finding == UNCLEAR:
        return ""
    return f" ({BETTER if (row.main_finding == RISES) == (sign > 0) else WORSE})"


def sensitivity_clause(row: Any) -> str:
    """'most sensitive to a.b (Spearman ρ = -0.90)', or '' when no correlation is defined."""
    if not row.most_sensitive or not pd.notna(row.spearman):
        return ""
    return f"most sensitive to {row.most_sensitive} (Spearman ρ = {row.spearman:+.2f})"


def holds_clause(row: Any) -> str:
    """'holds in 17 of 20 parameter sets (reverses in 1, unclear in 2)', with the sets that
    say otherwise and the failed sets, if any."""
    text = f"holds in {row.holds} of {row.of} parameter sets"
    if row.main_finding == UNCLEAR:
        others = [("clearly rises", row.clear_rise), ("clearly falls", row.clear_fall)]
    else:
        opposite = row.clear_fall if row.main_finding == RISES else row.clear_rise
        others = [("reverses", opposite), ("unclear", row.unclear)]
    if row.failed:
        others.append(("failed", row.failed))
    said = [f"{what} in {n}" for what, n in others if n]
    return text + (f" ({', '.join(said)})" if said else "")


def finding_line(row: Any) -> str:
    """One line per finding: "Eradication, coca area (during): falls clearly (better); holds in
    4 of 5 parameter sets (unclear in 1); most sensitive to growers.x (Spearman ρ = -0.90)"."""
    said = row.main_finding if row.main_finding == UNCLEAR else f"{row.main_finding} clearly"
    parts = [said + verdict_word(row), holds_clause(row)]
    if sensitivity := sensitivity_clause(row):
        parts.append(sensitivity)
    return (
        f"{scenario_label(row.scenario)}, {outcome_words(row.outcome)} ({row.window}): "
        + "; ".join(parts)
    )


def method_line(table: pd.DataFrame) -> str:
    """What the robustness check did and what its words mean, in one sentence."""
    if table.empty:
        return "Robustness across parameters: no finding to check."
    first = table.iloc[0]
    sets = int(first["of"] + first["failed"])
    names = str(first["parameters"]).split(PARAMETER_SEPARATOR)
    return (
        f"Robustness across parameters: every finding computed again at {sets} parameter sets "
        f"({first['design']} design over {', '.join(names)}; {int(first['replicates'])} "
        f"replicates per run, on the comparison's seeds); {HOLDS_MEANS}; {SENSITIVITY_MEANS}. "
        f"All findings in {ROBUSTNESS_FILE}."
    )


def robustness_lines(table: pd.DataFrame) -> list[str]:
    """One line per headline finding, clear findings first (in the table's order)."""
    heads = table[table["headline"]]
    clear = [r for r in heads.itertuples() if r.main_finding != UNCLEAR]
    unclear = [r for r in heads.itertuples() if r.main_finding == UNCLEAR]
    return [finding_line(r) for r in (*clear, *unclear)]


def scenario_bullets(table: pd.DataFrame) -> list[tuple[str, str]]:
    """Page 1: per scenario, its clear headline findings with how often they hold, and how many
    of the others stay unclear; (label, text) as the briefing's findings."""
    bullets = []
    heads = table[table["headline"]]
    for scenario, rows in heads.groupby("scenario", sort=False):
        clauses = []
        for r in rows.itertuples():
            if r.main_finding == UNCLEAR:
                continue
            change = "rise" if r.main_finding == RISES else "fall"
            text = f"the {change} in {outcome_words(r.outcome)} {holds_clause(r)}"
            if sensitivity := sensitivity_clause(r):
                text += f", {sensitivity}"
            clauses.append(text)
        unclear = rows[rows["main_finding"] == UNCLEAR]
        if len(unclear):
            stay = int((unclear["holds"] == unclear["of"]).sum())
            clauses.append(
                f"of its {len(unclear)} outcomes with no clear change, {stay} stay unclear in "
                "every parameter set"
            )
        where = window_title(rows["window"].iloc[0])
        label = f"{scenario_label(str(scenario))} across parameters"
        bullets.append((label, f"{where}: " + "; ".join(clauses) + "."))
    return bullets


def with_robustness(content: Briefing, table: pd.DataFrame | None) -> Briefing:
    """The briefing with the robustness bullets after the key findings and the method among the
    caveats (unchanged without a table)."""
    if table is None or table.empty:
        return content
    return replace(
        content,
        findings=[*content.findings, *scenario_bullets(table)],
        caveats=[*content.caveats, method_line(table)],
    )


def robustness_findings_text(table: pd.DataFrame | None) -> list[str]:
    """The page-1 robustness bullets as "label: text" lines (none without a table)."""
    if table is None or table.empty:
        return []
    return [f"{label}: {text}" for label, text in scenario_bullets(table)]


def robustness_sheet(table: pd.DataFrame) -> Sheet:
    """The workbook sheet of robustness.csv."""
    change = EFFECT_COLUMNS["change"]
    counts = Column("parameter sets", WHOLE_FORMAT)
    columns = {
        "main_change": change,
        "main_change_lo": change,
        "main_change_hi": change,
        "change_min": change,
        "change_max": change,
        **{c: counts for c in ("holds", "of", "failed", "clear_rise", "clear_fall", "unclear")},
        "spearman": Column("rank correlation", "+0.00;-0.00;0.00"),
        "replicates": EFFECT_COLUMNS["replicates"],
    }
    return Sheet(
        ROBUSTNESS_SHEET,
        table,
        ROBUSTNESS_FILE,
        f"one row per finding (scenario, window, outcome) of the headline effects: in how many "
        f"parameter sets it `holds` `of` those that ran; {HOLDS_MEANS}; {SENSITIVITY_MEANS} "
        "(`most_sensitive`, `spearman`)",
        columns,
    )


def read_robustness(folder: Path) -> pd.DataFrame | None:
    """A comparison folder's robustness.csv, or None if it has none."""
    file = Path(folder) / ROBUSTNESS_FILE
    if not file.exists():
        return None
    table = pd.read_csv(file, keep_default_na=False, na_values=[""])
    table["most_sensitive"] = table["most_sensitive"].fillna("").astype(str)
    return table
