"""How the briefing words numbers: rounding, outcome names, change clauses, exit names.

One rounding rule serves the table, the key findings and the figure titles, so a number reads the
same wherever it appears: changes are shown as whole numbers from 10 up and with one decimal below
(:func:`fmt_num`); levels with three significant figures (:func:`fmt_level`).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import resources
from typing import Any

from sim import metrics
from sim.config.models import title_from_name
from sim.report.effects import MAX_REPLICATES_NEEDED

INTERVAL_NAME = "90% confidence interval"
DISPLAY_DECIMALS_BELOW_TEN = 1
PLACE_WORDS_FILE = "place_words.csv"  # in sim/report/data: exit and group id -> words

# a unit as words after a number ("17.3 a year")
UNIT_WORDS: dict[str, str] = {"per yr": "a year"}

_COMPARED = metrics.compared()
# outcome -> (subject in a sentence, plural verb?)
SUBJECTS: dict[str, tuple[str, bool]] = {
    o.wording.name: (o.wording.subject, o.wording.plural) for o in _COMPARED
}
# outcome -> short heading for tables and figure panels
HEADINGS: dict[str, str] = {o.wording.name: o.wording.heading for o in _COMPARED}
# absolute outcomes: the unit written after a change ("rise by 9.8 a year")
ABSOLUTE_UNITS: dict[str, str] = {
    o.wording.name: f" {UNIT_WORDS[o.unit]}" if o.unit in UNIT_WORDS else ""
    for o in _COMPARED
    if not o.relative
}


def _place_words(kind: str) -> dict[str, str]:
    """Exit ids or route groups (`kind` "exit" or "group") as words in a sentence."""
    path = resources.files("sim.report") / "data" / PLACE_WORDS_FILE
    with path.open(encoding="utf-8", newline="") as f:
        return {row["id"]: row["words"] for row in csv.DictReader(f) if row["kind"] == kind}


# exit ids and route groups as words in a sentence
EXIT_WORDS: dict[str, str] = _place_words("exit")
GROUP_WORDS: dict[str, str] = _place_words("group")


def fmt_num(x: float) -> str:
    """A change for display: whole number from 10 up, one decimal below; never "-0.0"."""
    if not math.isfinite(x):
        return "n/a"
    text = f"{x:.{DISPLAY_DECIMALS_BELOW_TEN}f}"
    if abs(float(text)) >= 10:  # decided on the rounded value: 9.96 is "10", not "10.0"
        text = f"{x:.0f}"
    return text.lstrip("-") if float(text) == 0 else text


def fmt_signed(x: float) -> str:
    """:func:`fmt_num` with a "+" on positive values."""
    text = fmt_num(x)
    return f"+{text}" if math.isfinite(x) and float(text) > 0 else text


def sig3(x: float) -> str:
    """Three significant figures with thousands separators ("36,500", "396", "2.58")."""
    if not math.isfinite(x):
        return "n/a"
    if x == 0:
        return "0"
    digits = 2 - math.floor(math.log10(abs(x)))
    rounded = round(x, digits)
    return f"{rounded:,.{max(digits, 0)}f}"


def fmt_level(x: float, unit: str) -> str:
    """A level with its unit: "396 t/yr", "2.58 USD/kg", "17.3 a year"."""
    words = UNIT_WORDS.get(unit, unit)
    return f"{sig3(x)} {words}".rstrip()


_TITLES: ContextVar[Mapping[str, str] | None] = ContextVar("scenario_titles", default=None)


@contextmanager
def scenario_titles(titles: Mapping[str, str]) -> Iterator[None]:
    """While inside, `scenario_label` names these scenarios (name -> title) by their titles."""
    token = _TITLES.set({**(_TITLES.get() or {}), **titles})
    try:
        yield
    finally:
        _TITLES.reset(token)


def titles_of(scenarios: Iterable[Any]) -> dict[str, str]:
    """name -> display title of scenarios (config objects with `name` and `display_title`)."""
    return {sc.name: sc.display_title for sc in scenarios}


def scenario_label(name: str) -> str:
    """A scenario as a reader sees it: its title (inside `scenario_titles`), else its name made
    readable ("interdiction_surge_callao" -> "Interdiction surge callao")."""
    return (_TITLES.get() or {}).get(name) or title_from_name(name)


def _verb(outcome: str, rising: bool | None) -> str:
    plural = SUBJECTS.get(outcome, (outcome, True))[1]
    if rising is None:
        return "show" if plural else "shows"
    base = "rise" if rising else "fall"
    return base if plural else base + "s"


def _unit(row: Any) -> str:
    return "%" if row.relative else ABSOLUTE_UNITS.get(row.outcome, "")


def change_and_interval(row: Any, per_year: str = "") -> tuple[str, str] | None:
    """A change for a table cell and its interval, e.g. ("-4.3%", "(-5.2 to -3.5)"); None when
    there is no value. An absolute change per year takes `per_year` as its unit ("" where the
    column heading gives it, "/yr" where it does not)."""
    if row.change is None or math.isnan(row.change):
        return None
    unit = "%" if row.relative else ABSOLUTE_UNITS.get(row.outcome, "").replace(" a year", per_year)
    return (
        f"{fmt_signed(row.change)}{unit}",
        f"({fmt_signed(row.change_lo)} to {fmt_signed(row.change_hi)})",
    )


def change_clause(row: Any, *, interval: bool = True, only: bool = False) -> str:
    """A sentence clause for one effect row (with fields outcome, relative, change, change_lo,
    change_hi, clear), e.g. "exports via Callao fall by 22% (90% interval 14 to 28%)" or
    "violent deaths show no clear change (+5.0 a year, 90% interval -0.6 to +12 a year)".

    A clear change (interval excluding zero) is worded by direction with magnitudes; otherwise the
    signed mean and interval follow "no clear change". `only` adds "only" before the amount.
    """
    subject = SUBJECTS.get(row.outcome, (row.outcome, True))[0]
    unit = _unit(row)
    if not math.isfinite(row.change):
        return f"{subject} cannot be compared (no baseline value in this window)"
    if not row.clear and getattr(row, "large", False) and interval:
        return _unresolved_clause(row, subject, unit)  # a title (no interval) says "no clear"
    if not row.clear:
        verb = _verb(row.outcome, None)
        text = f"{subject} {verb} no clear change ({fmt_signed(row.change)}{unit}"
        if interval:
            text += (
                f", {INTERVAL_NAME} {fmt_signed(row.change_lo)} to "
                f"{fmt_signed(row.change_hi)}{unit}"
            )
        return text + ")"
    rising = row.change > 0
    lo, hi = (row.change_lo, row.change_hi) if rising else (-row.change_hi, -row.change_lo)
    amount = f"{'only ' if only else ''}{fmt_num(abs(row.change))}{unit}"
    text = f"{subject} {_verb(row.outcome, rising)} by {amount}"
    if interval:
        text += f" ({INTERVAL_NAME} {fmt_num(lo)} to {fmt_num(hi)}{unit})"
    return text


def replicates_text(needed: Any) -> str:
    """ "about 40 replicates would resolve it", from a `replicates_needed` value."""
    try:
        n = int(needed)
    except (TypeError, ValueError, OverflowError):
        return "more replicates would be needed to resolve it"
    if n > MAX_REPLICATES_NEEDED:
        return f"more than {MAX_REPLICATES_NEEDED:,} replicates would be needed to resolve it"
    return f"about {n:,} replicates would resolve it"


def _unresolved_clause(row: Any, subject: str, unit: str) -> str:
    """A large change whose interval includes zero, said in words: "violent deaths rise by 10 a
    year, a large change but not a certain one: its 90% confidence interval (-0.6 to +20 a year)
    includes zero; about 30 replicates would resolve it"."""
    rising = row.change > 0
    amount = f"{fmt_num(abs(row.change))}{unit}"
    return (
        f"{subject} {_verb(row.outcome, rising)} by {amount}, a large change but not a certain "
        f"one: its {INTERVAL_NAME} ({fmt_signed(row.change_lo)} to {fmt_signed(row.change_hi)}"
        f"{unit}) includes zero; {replicates_text(getattr(row, 'replicates_needed', None))}"
    )


def share_clause(row: Any, *, interval: bool = True) -> str:
    """Clause for a clear change in an exit share row (fields change, change_lo, change_hi,
    scenario_share): "whose share of exports rises by 6.1 points (90% interval 3.2 to 9.0) to
    33%"."""
    rising = row.change > 0
    lo, hi = (row.change_lo, row.change_hi) if rising else (-row.change_hi, -row.change_lo)
    text = f"share of exports {'rises' if rising else 'falls'} by {fmt_num(abs(row.change))} points"
    if interval:
        text += f" ({INTERVAL_NAME} {fmt_num(lo)} to {fmt_num(hi)})"
    return text + f" to {fmt_num(row.scenario_share)}%"
