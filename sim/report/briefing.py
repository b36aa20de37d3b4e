"""The briefing of a comparison: tables, figures, `briefing.md` and a 7-8 page `briefing.pdf`.

`write_briefing` computes the paired effect tables from the runs, writes `comparison.csv` and
`exit_shares.csv` (full precision), draws the figures and renders one `Briefing` (title, key
findings, figures, headline table, scenarios, assumptions and caveats) twice: as Markdown and as
an A4 PDF (reportlab). Both show the same text; the PDF is laid out to at most MAX_PAGES pages:
page 1 (two with several scenarios), a landscape page for each of the five figures (so that they
print at 7 pt or more) and the table page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pandas as pd

from sim.report.briefing_figures import (
    FIGURE_FILES,
    DrawnFigure,
    combined_source,
)
from sim.report.briefing_series import SMOOTH_WEEKS
from sim.report.calendar import day_label
from sim.report.chance import chance_table, conditional_table
from sim.report.compare import Pair
from sim.report.effects import (
    FEW_REPLICATES,
    OUTCOMES,
    effect_table,
    exit_share_table,
)
from sim.report.findings import key_findings
from sim.report.markers import intervention_markers
from sim.report.scorecard import bottom_line, scorecard_header, scorecard_rows
from sim.report.windows import START_UP_WEEKS, dates_text, window_notes, window_title
from sim.report.wording import (
    HEADINGS,
    INTERVAL_NAME,
    change_and_interval,
    scenario_label,
    sig3,
)

TABLE_FILE = "comparison.csv"
SHARES_FILE = "exit_shares.csv"
CHANCE_FILE = "chance_events.csv"
CONDITIONAL_FILE = "conditional_effects.csv"
MARKDOWN_FILE = "briefing.md"
PDF_FILE = "briefing.pdf"
FIGURES_DIR = "figures"
MAX_PAGES = 8  # 1-2 pages of findings, 5 landscape figure pages, 1 of table and notes
RECOMMENDED_REPLICATES = 20  # below this the intervals are rough (said in the caveats)
FIGURE_CAPTIONS = {
    "summary": (
        "Every scenario's effect on the headline outcomes: mean paired change (marker) and "
        f"{INTERVAL_NAME} (line) in each of its windows (marker and line style by window, as "
        "the legend says; dates in the table); faded where the interval includes zero."
    ),
    "fans": (
        "Scenario (blue: median, middle 50% and 90% of replicates) over the baseline (black "
        f"dashed median, dotted 90% range); flows as trailing {SMOOTH_WEEKS}-week means in t/yr; "
        "dashed vertical lines: interventions."
    ),
    "exits": (
        "Each exit's share of exports before the first intervention and, for baseline and "
        "scenario, in each window (left), and the paired change in percentage points "
        f"with its {INTERVAL_NAME} (right)."
    ),
    "map": (
        "Route network on Peru's outline: baseline flow on each link (left; line width in t/yr, "
        "colour and dashes by transport mode) and the change with the scenario (right; solid: "
        "more traffic, dashed: less), as means over the first year after the first "
        "intervention (over the whole run if it does not start at a year boundary; the "
        "footnote says which)."
    ),
    "armed": (
        "Leadership events (scenario filled, baseline hollow), number of armed groups, fighters "
        f"and violent deaths ({SMOOTH_WEEKS}-week mean, per year), scenario over baseline."
    ),
}
DETAIL_ORDER = ("fans", "exits", "map", "armed")
DESCRIBED_SCENARIOS = 3  # with more scenarios, their descriptions are left to the YAML files


# ----------------------------------------------------------------------------------------------
# content
# ----------------------------------------------------------------------------------------------
@dataclass
class FigureRef:
    number: int
    path: str  # relative to the briefing folder
    title: str
    caption: str


@dataclass
class Cell:
    """A table cell: main text, optional second line, bold if the effect is clear."""

    text: str
    sub: str = ""
    bold: bool = False


@dataclass
class Briefing:
    """Everything the Markdown and the PDF show, in order."""

    title: str
    subtitle: str
    findings: list[tuple[str, str]]  # (label, text)
    summary_figure: FigureRef
    detail_heading: str
    detail_figures: list[FigureRef]
    other_figures: str
    table_header: list[str]
    table_rows: list[tuple[str, str, list[Cell]]]  # (kind: section/baseline/scenario, label, cells)
    table_note: str
    scenarios: list[str]
    caveats: list[str] = field(default_factory=list)
    warning: str = ""  # bold on page 1 (too few replicates)
    counterfactual: str = ""  # page 1: what every scenario is compared with
    bottom_line: str = ""  # page 1: the paragraph before the key findings
    scorecard_header: list[str] = field(default_factory=list)
    scorecard_rows: list[tuple[str, str, list[Cell]]] = field(default_factory=list)
    scorecard_note: str = ""


def chance_tables(pairs: Sequence[Pair]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The chance events of all pairs (in how many runs each happened) and the effect table
    split by each of them (`sim.report.chance`)."""
    counts = pd.concat([chance_table(p.baseline, p.scenario) for p in pairs], ignore_index=True)
    parts = [
        conditional_table(p.baseline, p.scenario, partial(effect_table, windows=p.windows))
        for p in pairs
    ]
    parts = [c for c in parts if not c.empty]
    conditional = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return counts, conditional


def comparison_tables(pairs: Sequence[Pair]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The paired effect table and the exit share table of all pairs."""
    effects = pd.concat(
        [effect_table(p.baseline, p.scenario, p.windows) for p in pairs], ignore_index=True
    )
    shares = pd.concat(
        [exit_share_table(p.baseline, p.scenario, p.windows) for p in pairs], ignore_index=True
    )
    return effects, shares


def _change_cell(row: Any) -> Cell:
    shown = change_and_interval(row)
    if shown is None:
        return Cell("n/a")
    return Cell(*shown, bool(row.clear))


def _level_cell(value: float, unit: str) -> Cell:
    return Cell(sig3(value), unit)


def headline_table(
    table: pd.DataFrame, scenarios: list[str]
) -> tuple[list[str], list[tuple[str, str, list[Cell]]]]:
    """Header and rows of the headline table: per window, the baseline level, then each
    scenario's mean change and 90% confidence interval (columns: outcomes)."""
    outcomes = [o for o in OUTCOMES if o in set(table["outcome"])]
    header = [""] + [
        f"{HEADINGS[o]} ({'%' if OUTCOMES[o][1] else 'abs.'})".replace("(abs.)", _abs_unit(o))
        for o in outcomes
    ]
    rows: list[tuple[str, str, list[Cell]]] = []
    for window in dict.fromkeys(table["window"]):
        w = table[table["window"] == window]
        spans = {(r.date_from, r.date_to) for r in w.itertuples()}
        span = dates_text(*next(iter(spans))) if len(spans) == 1 else "dates by scenario"
        rows.append(("section", f"{window_title(window)} ({span})", []))
        baselines = {
            tuple(round(v, 9) for v in w[w["scenario"] == s].set_index("outcome")["baseline"])
            for s in scenarios
            if s in set(w["scenario"])
        }
        base_scenarios = scenarios if len(baselines) == 1 else []
        for s in scenarios if len(baselines) > 1 else scenarios[:1]:
            sub = w[w["scenario"] == s].set_index("outcome")
            if sub.empty:
                continue
            label = "Baseline level" if base_scenarios else f"Baseline level ({scenario_label(s)})"
            rows.append(
                (
                    "baseline",
                    label,
                    [_level_cell(sub.loc[o, "baseline"], sub.loc[o, "unit"]) for o in outcomes],
                )
            )
        for s in scenarios:
            sub = w[w["scenario"] == s].set_index("outcome")
            if sub.empty:
                continue
            cells = [_change_cell(next(sub.loc[[o]].reset_index().itertuples())) for o in outcomes]
            label = scenario_label(s)
            if len(spans) > 1:
                first = next(sub.itertuples())
                label += f" ({dates_text(first.date_from, first.date_to)})"
            rows.append(("scenario", label, cells))
    return header, rows


def _abs_unit(outcome: str) -> str:
    return "(per yr)" if outcome == "violent deaths" else "(number)"


def _scenario_lines(pairs: Sequence[Pair]) -> list[str]:
    """One line per scenario: file name, runs, interventions and windows (with its description
    when there are few scenarios; with many, the settings they share are said once)."""
    brief = len(pairs) > DESCRIBED_SCENARIOS
    settings = {(p.scenario.scenario.weeks, p.scenario.scenario.replicates) for p in pairs}
    spans_all = {(p.scenario.scenario.start_date, tuple(p.windows)) for p in pairs}
    shared = brief and len(settings) == 1 and len(spans_all) == 1
    lines = []
    if shared:
        weeks, reps = next(iter(settings))
        lines.append(
            f"All scenarios: {weeks} weeks, {reps} replicates, windows "
            + _window_text(pairs[0])
            + ". Each scenario's interventions:"
        )
    for p in pairs:
        sc = p.scenario.scenario
        ivs = (
            "; ".join(
                f"{day_label(sc.start_date, w)} (week {w}) {label}"
                for w, label in intervention_markers(sc)
            )
            or "none"
        )
        if shared:
            lines.append(f"{scenario_label(sc.name)} ({sc.name}): {ivs}.")
            continue
        description = "" if brief else " ".join(str(sc.description or "").split()) + " "
        lines.append(
            f"{scenario_label(sc.name)} ({sc.name}, {sc.weeks} weeks, {sc.replicates} replicates, "
            f"seed {sc.seed}): {description}Interventions: {ivs}. Windows: {_window_text(p)}."
        )
    return lines


def _window_text(pair: Pair) -> str:
    """Its windows in dates and weeks: 'during = Jan 2024-Dec 2025 (weeks 52-155), ...'."""
    start = pair.scenario.scenario.start_date
    return (
        ", ".join(f"{w.name} = {w.span(start)} (weeks {w.start}-{w.last})" for w in pair.windows)
        or "none inside the run"
    )


def _caveats(pairs: Sequence[Pair]) -> list[str]:
    reps = sorted({p.scenario.scenario.replicates for p in pairs})
    rep_text = f"{reps[0]}" if len(reps) == 1 else f"{reps[0]}-{reps[-1]}"
    items = [
        "Not a forecast. The model compares a world with the intervention and one without it, "
        "in a stylised VRAEM calibrated to 2021-2023; read the direction and rough size of "
        "effects, not exact numbers.",
        f"Common random numbers: replicate k of a scenario uses the same seed as replicate k of "
        f"the baseline, so a difference comes from the intervention, not from chance. Each "
        f"effect is the mean of the {rep_text} paired differences; its {INTERVAL_NAME} is the "
        "mean ± t · sd / √n (Student's t with n - 1 degrees of freedom), an interval for the "
        "mean effect, not the range of single runs. The intervals show the model's randomness, "
        "not uncertainty about its parameters or structure. A change of a tenth of the baseline "
        "or more whose interval includes zero is called large but not certain, with about how "
        "many replicates would resolve it.",
        f"The model's first {START_UP_WEEKS} weeks are its start-up (prices settle and the first "
        "loads reach the exits): they are not drawn in any figure nor counted in any window or "
        "'before' bar.",
        "Growers do not move to other regions: eradication or crop substitution in the VRAEM "
        "does not push coca to other valleys, so the effects on national supply are overstated.",
        "The armed groups' violence, successions and splits follow from their decisions; the "
        "weights of those decisions (revenge, visibility, loyalty, rivalry) are estimates, not "
        "fitted to data; docs/VALIDATION.md shows which of them drive each effect.",
        "The route map shows the first year after the first intervention, since edge flows are "
        "recorded per reporting year; for an intervention that does not start at a year "
        "boundary it shows the whole run, which understates changes that start later or fade.",
    ]
    if reps[0] < RECOMMENDED_REPLICATES:
        items.append(
            f"Only {rep_text} replicates: the intervals are rough. Use {RECOMMENDED_REPLICATES} or "
            "more (--replicates) before relying on an effect near zero."
        )
    for p in pairs:
        if not p.scenario.scenario.interventions:
            items.append(
                f"{scenario_label(p.name)} has no intervention: its windows start at week 0."
            )
        for note in window_notes(p.scenario.scenario, p.windows):
            items.append(f"{scenario_label(p.name)}: {note}.")
    return items


def _figure_refs(drawn: Sequence[DrawnFigure], focus: str) -> tuple[FigureRef, list[FigureRef]]:
    """The numbered summary figure and the focus scenario's figures, in DETAIL_ORDER."""
    by_kind = {(d.kind, d.scenario): d for d in drawn}
    summary = by_kind[("summary", None)]
    summary_ref = FigureRef(
        1, f"{FIGURES_DIR}/{summary.file}", summary.title, FIGURE_CAPTIONS["summary"]
    )
    details = []
    for number, kind in enumerate(DETAIL_ORDER, start=2):
        d = by_kind[(kind, focus)]
        details.append(FigureRef(number, f"{FIGURES_DIR}/{d.file}", d.title, FIGURE_CAPTIONS[kind]))
    return summary_ref, details


def build_briefing(
    pairs: Sequence[Pair],
    table: pd.DataFrame,
    shares: pd.DataFrame,
    chance: pd.DataFrame,
    conditional: pd.DataFrame,
    drawn: Sequence[DrawnFigure],
    created: str,
    focus: str | None = None,
) -> Briefing:
    """Assemble the content of the briefing from the tables (`chance_tables` gives the chance
    events and conditional effects) and the written figures; `focus` (default: the first
    scenario) gets the detail pages."""
    names = [p.name for p in pairs]
    focus = focus or names[0]
    label = scenario_label(focus)
    others = len(names) - 1
    title = f"Briefing: {label}" + (
        f" and {others} other scenario{'s' if others > 1 else ''}" if others else ""
    )
    base = pairs[0].baseline.scenario
    title += f" against {scenario_label(base.name)}"
    subtitle = (
        f"{combined_source(pairs)}; every scenario paired with a run of the counterfactual on "
        f"the same seeds (common random numbers); runs of {created[:10]}."
    )
    findings = []
    for bullet in key_findings(table, shares, names, chance, conditional):
        head, _, text = bullet.partition(": ")
        findings.append((head, text))
    summary_ref, details = _figure_refs(drawn, focus)
    other_figs = ""
    if others:
        kinds = ", ".join(FIGURE_FILES[k].removesuffix("_{name}.png") for k in DETAIL_ORDER)
        other_figs = (
            f"The same four figures for the other scenarios are in {FIGURES_DIR}/ as "
            f"KIND_SCENARIO.png (kinds: {kinds}; scenarios: "
            f"{', '.join(n for n in names if n != focus)})."
        )
    header, rows = headline_table(table, names)
    return Briefing(
        title=title,
        subtitle=subtitle,
        findings=findings,
        summary_figure=summary_ref,
        detail_heading=f"{label} in detail",
        detail_figures=details,
        other_figures=other_figs,
        table_header=header,
        table_rows=rows,
        table_note=(
            f"Change against {scenario_label(base.name)} (the counterfactual, 'baseline') run on "
            f"the same seeds: mean across replicates and "
            f"{INTERVAL_NAME} (in parentheses). Flows, prices, area and income: % change; violent "
            "deaths (per year) and armed groups (number): absolute change. Bold: the interval "
            "excludes zero. Full precision in comparison.csv and exit_shares.csv."
        ),
        scenarios=_scenario_lines(pairs),
        caveats=_caveats(pairs),
        warning=few_replicates_warning(pairs),
        counterfactual=counterfactual_line(pairs),
        **_scorecard(table, names, base.name),
    )


def _scorecard(table: pd.DataFrame, names: list[str], counterfactual: str) -> dict[str, Any]:
    """The bottom line and the options x outcomes scorecard of page 1 (Briefing fields)."""
    rows = [
        ("scenario", f"{label} ({where})", [Cell(v, n, bold=c) for v, n, c in cells])
        for label, where, cells in scorecard_rows(table, names)
    ]
    return {
        "bottom_line": bottom_line(table, names, counterfactual),
        "scorecard_header": scorecard_header(),
        "scorecard_rows": rows,
        "scorecard_note": (
            f"Each option against {scenario_label(counterfactual)} in its key window (while its "
            "interventions run, else its first year, with dates): better, worse or no clear "
            f"change (the {INTERVAL_NAME}, "
            "in parentheses, includes zero); bold: a clear change. Better: less cocaine "
            "exported in all and via Callao, more seized, fewer violent deaths (per year), "
            "fewer armed groups, less armed income and coca."
        ),
    }


def counterfactual_line(pairs: Sequence[Pair]) -> str:
    """Page 1's statement of what every scenario is compared with: the counterfactual's name
    and description (any scenario can be it; 'baseline' in the tables and figures means it)."""
    names = list(dict.fromkeys(p.baseline.scenario.name for p in pairs))
    base = pairs[0].baseline.scenario
    what = base.description.strip() or "no description in its file"
    text = (
        f'Counterfactual ("baseline" in this briefing): {scenario_label(base.name)} '
        f"({base.name}): {what}"
    )
    if len(names) > 1:  # the same file run at several horizons, seeds or replicates
        text += f" (run as {', '.join(names)})"
    return text


def few_replicates_warning(pairs: Sequence[Pair]) -> str:
    """The page-1 warning when a scenario has fewer than FEW_REPLICATES paired replicates ('' if
    none has)."""
    fewest = min(p.scenario.scenario.replicates for p in pairs)
    if fewest >= FEW_REPLICATES:
        return ""
    return (
        f"Only {fewest} paired replicates: every interval in this briefing is wide and an effect "
        f"may be missed or overstated. Run {FEW_REPLICATES} or more (--replicates; "
        f"{RECOMMENDED_REPLICATES} recommended) before acting on it."
    )


# ----------------------------------------------------------------------------------------------
# Markdown
# ----------------------------------------------------------------------------------------------
def _md_cell(cell: Cell) -> str:
    text = f"{cell.text} {cell.sub}".strip()
    return f"**{text}**" if cell.bold else text


def render_markdown(b: Briefing) -> str:
    """The briefing as Markdown, figures linked relative to the briefing's folder."""
    out = [f"# {b.title}", "", b.subtitle, ""]
    if b.counterfactual:
        out += [b.counterfactual, ""]
    if b.warning:
        out += [f"**Warning: {b.warning}**", ""]
    if b.bottom_line:
        out += ["## Bottom line", "", b.bottom_line, ""]
        out += _md_table(b.scorecard_header, b.scorecard_rows)
        out += ["", b.scorecard_note, ""]
    out += ["## Key findings", ""]
    out += [f"- **{label}**: {text}" for label, text in b.findings]
    out += ["", "## Effects of all scenarios", ""]
    out += _md_figure(b.summary_figure)
    out += [f"## {b.detail_heading}", ""]
    for fig in b.detail_figures:
        out += _md_figure(fig)
    if b.other_figures:
        out += [b.other_figures, ""]
    out += ["## Headline table", ""]
    out += _md_table(b.table_header, b.table_rows)
    out += ["", b.table_note, "", "## Scenarios and windows", ""]
    out += [f"- {line}" for line in b.scenarios]
    out += ["", "## Assumptions and caveats", ""]
    out += [f"- {c}" for c in b.caveats]
    return "\n".join(out) + "\n"


def _md_table(header: list[str], rows: list[tuple[str, str, list[Cell]]]) -> list[str]:
    """A Markdown table: the header, then section rows (bold, spanning) and labelled rows."""
    n = len(header)
    out = ["| " + " | ".join(h or "&nbsp;" for h in header) + " |", "|" + "---|" * n]
    for kind, label, cells in rows:
        if kind == "section":
            out += [f"| **{label}** |" + " |" * (n - 1)]
        else:
            out += [f"| {label} | " + " | ".join(_md_cell(c) for c in cells) + " |"]
    return out


def _md_figure(fig: FigureRef) -> list[str]:
    return [
        f"![Figure {fig.number}: {fig.title}]({fig.path})",
        "",
        f"*Figure {fig.number}. {fig.title}. {fig.caption}*",
        "",
    ]


__all__ = [
    "Briefing",
    "build_briefing",
    "chance_tables",
    "comparison_tables",
    "render_markdown",
]
