"""What the briefing says: the key findings and the figure titles, chosen from the effect tables.

Every number in a sentence is a number of the comparison table (`effect_table`) or of the exit
share table (`exit_share_table`), worded by `sim.report.wording` with the table's rounding.
An effect is "clear" when the 90% confidence interval of its mean paired change (Student's t)
excludes zero; a large effect that is not clear is called "a large change but not a certain
one", with about how many replicates would resolve it; other effects are reported as "no clear
change" with their interval.

Which effects are told, per scenario: total exports, or exports via Callao when that change is
clearly larger (set against total exports); a shift of traffic between route groups when one
group's share clearly falls and another's clearly rises (displacement); the strongest other clear
effect on seizures, prices or coca area; and violence when deaths, armed groups or their income
change clearly. Strength is an effect's size relative to the baseline level times a decision
weight (WEIGHTS). docs/BRIEFING.md describes the rules for readers.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from sim.report.calendar import month_label, week_date
from sim.report.windows import key_first, window_phrase
from sim.report.wording import (
    EXIT_WORDS,
    GROUP_WORDS,
    change_clause,
    fmt_num,
    fmt_signed,
    scenario_label,
    share_clause,
    sig3,
)

TRAFFIC = (
    "exports",
    "exports via Callao",
    "seizures",
    "HCl price VRAEM",
    "HCl price Callao",
    "leaf price",
    "coca area",
)
OTHER_TRAFFIC = ("seizures", "HCl price VRAEM", "HCl price Callao", "leaf price", "coca area")
VIOLENCE = ("violent deaths", "armed groups", "armed income")
# how much a clear effect of the same size matters to the decision (exports and deaths most)
WEIGHTS: dict[str, float] = {
    "exports": 1.0,
    "exports via Callao": 0.9,
    "seizures": 0.7,
    "HCl price VRAEM": 0.6,
    "HCl price Callao": 0.5,
    "leaf price": 0.6,
    "coca area": 0.8,
    "violent deaths": 1.0,
    "armed groups": 0.9,
    "armed income": 0.6,
}
DEFAULT_WEIGHT = 0.5  # outcomes not in WEIGHTS
SIZE_CAP_PERCENT = 100.0  # scores stop growing beyond a doubling
MIN_MENTION_PERCENT = 2.0  # a secondary effect smaller than this is left to the table
CALLAO_LEAD_RATIO = 1.5  # Callao leads when its change is this much larger than total exports
MIN_SHIFT_POINTS = 1.0  # smallest share shift (percentage points) called displacement
DETAILED_SCENARIOS = 3  # up to this many scenarios get a sentence per window
MAX_SCENARIO_BULLETS = 8  # more scenarios than this: the weakest are only named
MOSTLY_SHARE = 0.5  # an exit "mostly" carries a group's gain above this share of it


# ----------------------------------------------------------------------------------------------
# picking effects
# ----------------------------------------------------------------------------------------------
def size_percent(row: Any) -> float:
    """An effect's size in % of the baseline level (absolute effects divided by the level)."""
    if not math.isfinite(row.change):
        return 0.0
    if row.relative:
        return abs(row.change)
    return abs(row.change) / max(abs(row.baseline), 1.0) * 100.0


def score(row: Any) -> float:
    """Decision weight times size (capped); zero unless the effect is clear."""
    if not row.clear:
        return 0.0
    return WEIGHTS.get(row.outcome, DEFAULT_WEIGHT) * min(size_percent(row), SIZE_CAP_PERCENT)


def window_rows(table: pd.DataFrame, scenario: str, window: str) -> pd.DataFrame:
    return table[(table["scenario"] == scenario) & (table["window"] == window)]


def windows_of(table: pd.DataFrame, scenario: str) -> list[str]:
    """The scenario's windows in the table, the key one first (`sim.report.windows`)."""
    return key_first(list(table.loc[table["scenario"] == scenario, "window"]))


def in_window(rows: pd.DataFrame | Any, capital: bool = False) -> str:
    """Where a sentence's numbers come from: 'while the interventions run (Jan 2024-Dec
    2025)', from rows (or one row) of a table with window and date columns."""
    row = next(rows.itertuples()) if isinstance(rows, pd.DataFrame) else rows
    text = window_phrase(row.window, row.date_from, row.date_to)
    return text[:1].upper() + text[1:] if capital else text


def row_of(rows: pd.DataFrame, outcome: str) -> Any | None:
    hit = rows[rows["outcome"] == outcome]
    return next(hit.itertuples(), None)


def lead_row(rows: pd.DataFrame, outcomes: tuple[str, ...]) -> Any | None:
    """The clear effect with the highest score among `outcomes`, or None."""
    best, best_score = None, 0.0
    for row in rows[rows["outcome"].isin(outcomes)].itertuples():
        s = score(row)
        if s > best_score:
            best, best_score = row, s
    return best


def scenario_strengths(table: pd.DataFrame) -> dict[str, float]:
    """How strongly each scenario stands out: over its clear effects, the largest decision
    weight times its size relative to the largest size any scenario has on that outcome (so the
    scenario that moves an outcome most scores that outcome's full weight)."""
    sizes = pd.Series(
        [size_percent(r) if r.clear else 0.0 for r in table.itertuples()], index=table.index
    )
    top = sizes.groupby(table["outcome"]).transform("max")
    strength: dict[str, float] = {}
    for i, row in zip(table.index, table.itertuples(), strict=True):
        weight = WEIGHTS.get(row.outcome, DEFAULT_WEIGHT)
        value = weight * sizes[i] / top[i] if top[i] > 0 else 0.0
        strength[row.scenario] = max(strength.get(row.scenario, 0.0), value)
    return strength


# ----------------------------------------------------------------------------------------------
# sentences
# ----------------------------------------------------------------------------------------------
def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def exports_contrast(lead: Any, exports: Any | None, *, interval: bool = True) -> str:
    """The contrast with total exports: ", but total exports fall by only 4.0% (...)" or
    ", while total exports show ..."; empty when the lead is total exports."""
    if exports is None or lead.outcome == "exports":
        return ""
    same_way = exports.clear and lead.clear and (exports.change > 0) == (lead.change > 0)
    if same_way and lead.relative and abs(exports.change) < abs(lead.change):
        return ", but " + change_clause(exports, interval=interval, only=True)
    return ", while " + change_clause(exports, interval=interval)


def displacement_clause(
    shares: pd.DataFrame, scenario: str, window: str, *, interval: bool = True
) -> str:
    """Displacement, when one route group's share clearly falls and another's clearly rises by
    at least MIN_SHIFT_POINTS: "traffic moves from A to B (mostly X), whose share of exports
    rises by ..."; else empty."""
    rows = shares[(shares["scenario"] == scenario) & (shares["window"] == window)]
    groups = rows[(rows["level"] == "group") & rows["clear"]]
    losers = groups[groups["change"] <= -MIN_SHIFT_POINTS].sort_values("change")
    gainers = groups[groups["change"] >= MIN_SHIFT_POINTS].sort_values("change", ascending=False)
    if losers.empty or gainers.empty:
        return ""
    loser, gainer = next(losers.itertuples()), next(gainers.itertuples())
    mostly = ""
    exits = rows[rows["level"] == "exit"]
    members = exits[exits["group"] == gainer.name]
    if len(members) > 1:
        top = members.sort_values("change", ascending=False).iloc[0]
        if top["change"] > MOSTLY_SHARE * gainer.change:
            mostly = f" (mostly {EXIT_WORDS.get(top['name'], top['name'])})"
    return (
        f"traffic moves from {GROUP_WORDS.get(loser.name, loser.name)} to "
        f"{GROUP_WORDS.get(gainer.name, gainer.name)}{mostly}, whose "
        + share_clause(gainer, interval=interval)
    )


def export_lead(rows: pd.DataFrame) -> Any | None:
    """Total exports, or exports via Callao when that change is clear and tells more (clearly
    larger than, or opposite to, the change in total exports)."""
    exports, callao = row_of(rows, "exports"), row_of(rows, "exports via Callao")
    if callao is None or not callao.clear or exports is None:
        return exports if exports is not None else callao
    if not exports.clear or (callao.change > 0) != (exports.change > 0):
        return callao
    return callao if abs(callao.change) > CALLAO_LEAD_RATIO * abs(exports.change) else exports


def traffic_sentence(
    table: pd.DataFrame,
    shares: pd.DataFrame,
    scenario: str,
    window: str,
    lead_outcome: str | None = None,
) -> tuple[str, str | None]:
    """The export sentence of a window and the outcome that led it.

    "While the interventions run (<dates>), <exports effect>, but/while <total exports>:
    <displacement>; <other effect>.",
    where the other effect is the strongest clear one on seizures, prices or coca area, if it is
    at least MIN_MENTION_PERCENT. With `lead_outcome` (to follow the first window's lead into
    the next) the sentence is short: that outcome and total exports only.
    """
    rows = window_rows(table, scenario, window)
    lead = row_of(rows, lead_outcome) if lead_outcome else export_lead(rows)
    if lead is None:
        return "", None
    text = f"{in_window(rows, capital=True)}, " + change_clause(lead)
    text += exports_contrast(lead, row_of(rows, "exports"))
    if lead_outcome:
        return text + ".", lead.outcome
    shift = displacement_clause(shares, scenario, window)
    if shift:
        text += ": " + shift
    other = lead_row(rows, OTHER_TRAFFIC)
    if other is not None and size_percent(other) >= MIN_MENTION_PERCENT:
        text += "; " + change_clause(other)
    return text + ".", lead.outcome


def violence_sentence(table: pd.DataFrame, scenario: str, *, always: bool = False) -> str:
    """Violence: "In <window>, violent deaths ... and the number of armed groups ...", for the
    window with the strongest clear effect on violence; with `always`, the key window even if
    nothing is clear."""
    best_window, best = None, 0.0
    for window in windows_of(table, scenario):
        rows = window_rows(table, scenario, window)
        s = max((score(r) for r in rows[rows["outcome"].isin(VIOLENCE)].itertuples()), default=0)
        if s > best:
            best_window, best = window, s
    if best_window is None:
        if not always or not windows_of(table, scenario):
            return ""
        best_window = windows_of(table, scenario)[0]
    rows = window_rows(table, scenario, best_window)
    parts = []
    deaths = row_of(rows, "violent deaths")
    if deaths is not None:
        parts.append(change_clause(deaths))
    for outcome in ("armed groups", "armed income"):
        row = row_of(rows, outcome)
        if row is not None and row.clear:
            parts.append(change_clause(row))
    return f"{in_window(rows, capital=True)}, {_join(parts)}." if parts else ""


def scenario_bullet(
    table: pd.DataFrame, shares: pd.DataFrame, scenario: str, *, detailed: bool
) -> str:
    """The key finding of one scenario: its label, then one to three sentences."""
    windows = windows_of(table, scenario)
    if not windows:
        return f"{scenario_label(scenario)}: no window after the intervention lies inside the run."
    sentences = []
    if detailed:
        first, lead = traffic_sentence(table, shares, scenario, windows[0])
        sentences.append(first)
        for window in windows[1:]:
            sentences.append(traffic_sentence(table, shares, scenario, window, lead)[0])
    else:
        strongest = max(
            windows,
            key=lambda w: max(
                (score(r) for r in window_rows(table, scenario, w).itertuples()), default=0
            ),
        )
        sentences.append(traffic_sentence(table, shares, scenario, strongest)[0])
    violence = violence_sentence(table, scenario, always=detailed)
    if violence:
        top = max(table[table["scenario"] == scenario].itertuples(), key=score)
        first = top.outcome in VIOLENCE and score(top) > 0  # violence is the stronger story
        sentences.insert(0 if first else len(sentences), violence)
    return f"{scenario_label(scenario)}: " + " ".join(s for s in sentences if s)


def baseline_bullet(table: pd.DataFrame, scenario: str) -> str:
    """The baseline's levels in the focus scenario's first window, for scale."""
    windows = windows_of(table, scenario)
    if not windows:
        return ""
    rows = window_rows(table, scenario, windows[0])

    def level(outcome: str) -> str:
        row = row_of(rows, outcome)
        return sig3(row.baseline) if row is not None else "n/a"

    return (
        f"Baseline {in_window(rows)}: the VRAEM exports "
        f"{level('exports')} t/yr of cocaine, {level('exports via Callao')} t/yr of it via "
        f"Callao, and {level('seizures')} t/yr are seized; cocaine sells at "
        f"{level('HCl price VRAEM')} USD/kg in the VRAEM and {level('HCl price Callao')} USD/kg "
        f"at Callao; there are {level('violent deaths')} violent deaths a year."
    )


def key_findings(
    table: pd.DataFrame,
    shares: pd.DataFrame,
    scenarios: list[str],
    chance: pd.DataFrame | None = None,
    conditional: pd.DataFrame | None = None,
) -> list[str]:
    """The bullets of the briefing: the baseline for scale, then one per scenario (in the order
    given; beyond MAX_SCENARIO_BULLETS only the strongest, the rest named at the end), each
    followed by its all-or-nothing outcomes when `chance` (and `conditional`) are given."""
    bullets = [baseline_bullet(table, scenarios[0])] if scenarios else []
    shown = scenarios
    if len(scenarios) > MAX_SCENARIO_BULLETS:
        strength = scenario_strengths(table)
        ranked = sorted(scenarios, key=lambda s: -strength.get(s, 0.0))
        keep = set(ranked[:MAX_SCENARIO_BULLETS])
        shown = [s for s in scenarios if s in keep]
    detailed = len(scenarios) <= DETAILED_SCENARIOS
    for s in shown:
        bullets.append(scenario_bullet(table, shares, s, detailed=detailed))
        if chance is not None:
            empty = pd.DataFrame()
            bullets.append(
                chance_bullet(chance, conditional if conditional is not None else empty, table, s)
            )
    rest = [s for s in scenarios if s not in shown]
    if rest:
        names = ", ".join(scenario_label(s) for s in rest)
        bullets.append(
            f"Smaller effects: {names}. Their numbers are in the effects summary and the table."
        )
    return [b for b in bullets if b]


# ----------------------------------------------------------------------------------------------
# figure titles (no intervals: the figures show them)
# ----------------------------------------------------------------------------------------------
def fan_title(table: pd.DataFrame, scenario: str, outcomes: tuple[str, ...]) -> str:
    """The export effect (as in the key findings) or else the strongest clear effect among
    `outcomes`, in the first window that has one; and that outcome in the next window if its
    change there is clear too."""
    label = scenario_label(scenario)
    windows = windows_of(table, scenario)
    for i, window in enumerate(windows):
        rows = window_rows(table, scenario, window)
        rows = rows[rows["outcome"].isin(outcomes)]
        lead = export_lead(rows)
        if lead is None or not lead.clear:
            lead = lead_row(rows, outcomes)
        if lead is None:
            continue
        contrast = exports_contrast(lead, row_of(rows, "exports"), interval=False)
        text = f"{label}: {in_window(rows)}, {change_clause(lead, interval=False)}{contrast}"
        for later in windows[i + 1 :]:
            row = row_of(window_rows(table, scenario, later), lead.outcome)
            if row is not None and row.clear:
                text += f"; {in_window(row)}, {change_clause(row, interval=False)}"
        return text
    return f"{label}: no clear change in exports, seizures or prices"


def shares_title(shares: pd.DataFrame, scenario: str) -> str:
    """Which exit loses and which gains most share, in the first window with a clear shift."""
    label = scenario_label(scenario)
    rows = shares[(shares["scenario"] == scenario) & (shares["level"] == "exit")]
    order = key_first(list(rows["window"]))
    for window in order:
        w = rows[(rows["window"] == window) & rows["clear"]]
        down = w[w["change"] <= -MIN_SHIFT_POINTS].sort_values("change")
        up = w[w["change"] >= MIN_SHIFT_POINTS].sort_values("change", ascending=False)
        parts = []
        for sel, verb in ((down, "falls"), (up, "rises")):
            if not sel.empty:
                r = sel.iloc[0]
                parts.append(
                    f"{_possessive(EXIT_WORDS.get(r['name'], r['name']))} share {verb} from "
                    f"{fmt_num(r['baseline_share'])}% to {fmt_num(r['scenario_share'])}%"
                )
        if parts:
            return f"{label}: {in_window(w)}, " + "; ".join(parts)
    first = rows[rows["window"] == order[0]].sort_values("baseline_share") if order else rows
    if first.empty:
        return f"{label}: no exports in the windows after the intervention"
    top = first.iloc[-1]
    return (
        f"{label}: no clear shift between exits; {EXIT_WORDS.get(top['name'], top['name'])} "
        f"keeps about {fmt_num(top['scenario_share'])}% of exports"
    )


def _possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


LEADER_REMOVED = ("takes over", "nobody left to lead")  # in the outcome when a leader goes


def leadership_events(events: pd.DataFrame) -> pd.DataFrame:
    """Successful leadership events: kind ('leader removed', 'member removed', 'group splits',
    'group dissolves'), week and replicate. Failed operations are left out."""
    rows = []
    for r in events.itertuples():
        outcome = str(r.outcome)
        kind = None
        if r.type in ("arrest_leader", "leadership_operation", "death"):
            if any(k in outcome for k in LEADER_REMOVED):
                kind = "leader removed"
            elif outcome.endswith(("captured", "killed")):
                kind = "member removed"
        elif r.type == "split":
            kind = "group splits"
        elif r.type == "dissolution":
            kind = "group dissolves"
        if kind:
            rows.append({"kind": kind, "week": int(r.week), "replicate": int(r.replicate)})
    return pd.DataFrame(rows, columns=["kind", "week", "replicate"])


def armed_title(
    table: pd.DataFrame,
    events: pd.DataFrame,
    scenario: str,
    replicates: int,
    start_date: dt.date | None = None,
) -> str:
    """The armed groups figure's title: how often the group splits or loses its leader (and
    when, as a month with `start_date`), and the clearest change in violent deaths."""
    label = scenario_label(scenario)
    ev = leadership_events(events)
    lead = "no leader is removed and no group splits"
    for kind, phrase in (
        ("group splits", "the armed group splits"),
        ("leader removed", "the leader is removed"),
    ):
        first = ev[ev["kind"] == kind].groupby("replicate")["week"].min()
        if len(first):
            lead = (
                f"{phrase} in {len(first)} of {replicates} replicates "
                f"({_median_time(first.median(), start_date)})"
            )
            break
    windows = windows_of(table, scenario)
    if not windows:
        return f"{label}: {lead}"
    clear = [
        row
        for w in windows
        if (row := row_of(window_rows(table, scenario, w), "violent deaths")) is not None
        and row.clear
    ]
    if not clear:  # a title states only findings whose interval excludes zero
        return f"{label}: {lead}; no clear change in violent deaths"
    best = max(clear, key=size_percent)
    return f"{label}: {lead}; {in_window(best)}, {change_clause(best, interval=False)}"


def _median_time(week: float, start_date: dt.date | None) -> str:
    if start_date is None:
        return f"median week {week:.0f}"
    return f"median {month_label(week_date(start_date, round(week)))}"


def summary_title(table: pd.DataFrame) -> str:
    """Across scenarios: which cuts total exports most and which raises violent deaths most."""
    scenarios = list(dict.fromkeys(table["scenario"]))
    if len(scenarios) == 1:
        rows = table[table["scenario"] == scenarios[0]]
        lead = lead_row(rows, TRAFFIC + VIOLENCE)
        label = scenario_label(scenarios[0])
        if lead is None:
            return f"{label}: no headline outcome changes clearly"
        return (
            f"{label}: its largest clear effect is that {change_clause(lead, interval=False)} "
            f"{in_window(lead)}"
        )
    parts = []
    for outcome, want, verb in (
        ("exports", -1, "cuts total exports most"),
        ("violent deaths", 1, "raises violent deaths most"),
    ):
        rows = table[(table["outcome"] == outcome) & table["clear"] & (table["change"] * want > 0)]
        if rows.empty:
            continue
        r = rows.loc[(rows["change"] * want).idxmax()]
        unit = "%" if r["relative"] else " a year"
        where = window_phrase(r["window"], r["date_from"], r["date_to"], brackets=False)
        parts.append(
            f"{scenario_label(r['scenario'])} {verb} ({fmt_signed(r['change'])}{unit} {where})"
        )
    if not parts:
        return "No scenario clearly cuts total exports or raises violent deaths"
    return "; ".join(parts)


# ----------------------------------------------------------------------------------------------
# all-or-nothing outcomes (sim.report.chance)
# ----------------------------------------------------------------------------------------------
ALL_OR_NOTHING = "all or nothing"  # the label's suffix of a scenario's chance-event bullet


def _count_clause(row: Any, words: str) -> str:
    text = f"{words} in {row.runs_with} of {row.runs} runs"
    if pd.notna(row.baseline_runs_with):
        text += f" (baseline {int(row.baseline_runs_with)} of {row.runs})"
    return text


def chance_bullet(
    chance: pd.DataFrame, conditional: pd.DataFrame, table: pd.DataFrame, scenario: str
) -> str:
    """The counts of a scenario's chance events ("the operation against the leader (week 52)
    succeeds in 6 of 10 runs; an armed group splits (from week 52) in 7 of 10 runs (baseline 1
    of 10)") and its headline effect in the first window split by the first event that happened
    in some runs but not all ("when it succeeds (6 runs): ...; when it fails (4 runs): ...").
    Events whose count equals the baseline's are left out; '' when nothing is left."""
    mine = chance[chance["scenario"] == scenario]
    counts = [
        _count_clause(row, row.words)
        for row in mine.itertuples()
        if pd.isna(row.baseline_runs_with) or row.baseline_runs_with != row.runs_with
    ]
    if not counts:
        return ""
    text = "; ".join(counts) + "."
    split = _split_clause(conditional, table, scenario)
    if split:
        text += " " + split
    return f"{scenario_label(scenario)}, {ALL_OR_NOTHING}: {text[:1].upper()}{text[1:]}"


def _split_clause(conditional: pd.DataFrame, table: pd.DataFrame, scenario: str) -> str:
    """The headline effect of the first window in each part of the first split event."""
    if conditional.empty:
        return ""
    parts = conditional[conditional["scenario"] == scenario]
    if parts.empty:
        return ""
    event = parts["event"].iloc[0]
    windows = windows_of(table, scenario)
    if not windows:
        return ""
    whole = window_rows(table, scenario, windows[0])
    lead = lead_row(whole, TRAFFIC + VIOLENCE) or row_of(whole, "violent deaths")
    if lead is None:
        return ""
    clauses = []
    for happened in (True, False):
        part = parts[(parts["event"] == event) & (parts["happened"] == happened)]
        row = row_of(part[part["window"] == windows[0]], lead.outcome)
        if row is None:
            continue
        clauses.append(
            f"when {part['condition'].iloc[0]} ({part['runs_in_part'].iloc[0]} runs), "
            f"{change_clause(row)}"
        )
    if not clauses:
        return ""
    return f"{in_window(whole, capital=True)}, " + "; ".join(clauses) + "."
