"""The windows a comparison measures effects over, from each scenario's own timing.

By default a scenario gets:
- *during*: from its first intervention to the end of its last timed one (one with a duration);
  none when no intervention has a duration (arrests, a split);
- *after*: from then (or from its last one-week event) to the horizon;
- *first year*: the 52 weeks from its first intervention.
`vraem compare --window NAME=START:END` (weeks or ISO dates, END included, repeatable) replaces
them with the analyst's own. Every window is stated in dates (`sim.report.calendar`).

The model's first START_UP_WEEKS (prices settle, the first loads reach the exits) are never
drawn or counted: the "before" of a briefing starts after them, and a window that would start
inside them is noted. (The start-up is not simulated before week 0: the interface's mass
balance counts every kilogram from week 0, so the pipeline starts empty there.)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sim.config.loader import ConfigError
from sim.config.models import Scenario
from sim.report.calendar import iso_span, month_label, span_text, week_of
from sim.units import WEEKS_PER_YEAR

# Weeks the model takes to settle from its start: the VRAEM HCl price is within about 3% of its
# year-2 level and exports at their steady rate by then (measured on the baseline, 6 replicates:
# exports reach it by week 4, prices by week 12-16). Never drawn or counted.
START_UP_WEEKS = 12
DURING, AFTER, FIRST_YEAR = "during", "after", "first year"
DEFAULT_ORDER = (DURING, AFTER, FIRST_YEAR)
# The window a scenario's bottom line and scorecard show: the first of these it has (a custom
# set's first window otherwise).
KEY_ORDER = (DURING, FIRST_YEAR, AFTER)
DESCRIPTIONS = {
    DURING: "while the interventions run",
    AFTER: "after the interventions",
    FIRST_YEAR: "in the first year after the first intervention",
}
WINDOW_OPTION = "--window"
_SPEC = re.compile(r"^\s*(?P<name>[^=]+?)\s*=\s*(?P<start>[^:]+?)\s*:\s*(?P<end>[^:]+?)\s*$")


@dataclass(frozen=True)
class Window:
    """A named span of reporting weeks, `start` to `stop` - 1."""

    name: str
    start: int
    stop: int
    description: str = ""

    @property
    def weeks(self) -> range:
        return range(self.start, self.stop)

    @property
    def last(self) -> int:
        return self.stop - 1

    def span(self, start_date: dt.date) -> str:
        """Its months: 'Jan 2024-Dec 2025'."""
        return span_text(start_date, self.start, self.last)

    def dates(self, start_date: dt.date) -> tuple[str, str]:
        """Its first and last day (ISO)."""
        return iso_span(start_date, self.start, self.last)

    def label(self, start_date: dt.date) -> str:
        """'during (Jan 2024-Dec 2025)'."""
        return f"{self.name} ({self.span(start_date)})"


@dataclass(frozen=True)
class WindowSpec:
    """A window as the analyst gave it: START and END are weeks or ISO dates (END included)."""

    name: str
    start: int | dt.date
    end: int | dt.date

    def resolve(self, scenario: Scenario) -> Window:
        """The weeks of this window in `scenario` (its start date turns dates into weeks)."""
        first, last = (
            week_of(scenario.start_date, v) if isinstance(v, dt.date) else v
            for v in (self.start, self.end)
        )
        if last < first:
            raise ConfigError(
                "command line",
                WINDOW_OPTION,
                f"expected END on or after START in window '{self.name}' (got weeks {first} to "
                f"{last} of {scenario.name})",
            )
        if first >= scenario.weeks or last < 0:
            raise ConfigError(
                "command line",
                WINDOW_OPTION,
                f"expected window '{self.name}' to overlap the run of {scenario.name}: weeks 0-"
                f"{scenario.weeks - 1}, {span_text(scenario.start_date, 0, scenario.weeks - 1)} "
                f"(got weeks {first} to {last})",
            )
        return Window(self.name, max(first, 0), min(last, scenario.weeks - 1) + 1)


def parse_window(text: str) -> WindowSpec:
    """`NAME=START:END`, START and END weeks (0-based) or ISO dates; END is included."""
    m = _SPEC.match(text)
    if m is None:
        raise ConfigError(
            "command line",
            WINDOW_OPTION,
            f"expected NAME=START:END with weeks or ISO dates, e.g. surge=52:155 or "
            f"surge=2024-01-01:2025-12-28 (got '{text}')",
        )
    return WindowSpec(m["name"], _week_or_date(m["start"], text), _week_or_date(m["end"], text))


def parse_windows(texts: Sequence[str] | None) -> tuple[WindowSpec, ...]:
    """Every `--window` given, checked for unique names."""
    specs = tuple(parse_window(t) for t in texts or ())
    names = [s.name for s in specs]
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup is not None:
        raise ConfigError(
            "command line", WINDOW_OPTION, f"expected each window name once (got '{dup}' twice)"
        )
    return specs


def _week_or_date(value: str, text: str) -> int | dt.date:
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            "command line",
            WINDOW_OPTION,
            f"expected a week number or an ISO date (YYYY-MM-DD) for '{value}' in '{text}'",
        ) from None


def first_event_week(scenario: Scenario) -> int:
    """The week of the scenario's first intervention, else week 0."""
    return min((iv.week for iv in scenario.interventions), default=0)


def timed_end(scenario: Scenario) -> int | None:
    """One past the last week of its last timed intervention (one with `weeks`), cut at the
    horizon; None when none of its interventions has a duration (arrests, splits)."""
    ends = [iv.week + iv.weeks for iv in scenario.interventions if getattr(iv, "weeks", None)]
    return min(max(ends), scenario.weeks) if ends else None


def scenario_windows(scenario: Scenario, custom: Sequence[WindowSpec] = ()) -> list[Window]:
    """The windows of `scenario`: the analyst's (`custom`) if any, else during (first
    intervention to the end of the last timed one; none without a timed one), after (from
    there, or from its last one-week event, to the horizon) and the first year. Empty
    windows are left out."""
    if custom:
        return [spec.resolve(scenario) for spec in custom]
    first, end, horizon = first_event_week(scenario), timed_end(scenario), scenario.weeks
    last = max((iv.week for iv in scenario.interventions), default=0)
    spans = {
        DURING: (first, end if end is not None else first),
        AFTER: (end if end is not None else last, horizon),
        FIRST_YEAR: (first, min(first + WEEKS_PER_YEAR, horizon)),
    }
    return [
        Window(name, a, b, DESCRIPTIONS[name])
        for name, (a, b) in ((n, spans[n]) for n in DEFAULT_ORDER)
        if b > a
    ]


def before_window(scenario: Scenario) -> Window | None:
    """The weeks before the first intervention, after the start-up; None if there are none."""
    first = first_event_week(scenario)
    if first <= START_UP_WEEKS:
        return None
    return Window("before", START_UP_WEEKS, first, "before the first intervention")


def window_notes(scenario: Scenario, windows: Sequence[Window]) -> list[str]:
    """Plain-language notes on windows that start in the model's start-up or are cut short."""
    notes = []
    for w in windows:
        if w.start < START_UP_WEEKS:
            notes.append(
                f"{w.name} starts in week {w.start}, during the model's start-up (weeks 0-"
                f"{START_UP_WEEKS - 1}, while prices settle and the first loads reach the exits): "
                "its effects on prices and exports mix in the start-up"
            )
        if w.name == FIRST_YEAR and len(w.weeks) < WEEKS_PER_YEAR:
            notes.append(
                f"the first year is cut short at the end of the run: {w.span(scenario.start_date)}"
                f" ({len(w.weeks)} of {WEEKS_PER_YEAR} weeks)"
            )
    return notes


def window_phrase(name: str, date_from: str, date_to: str, *, brackets: bool = True) -> str:
    """A window in a sentence: 'while the interventions run (Jan 2024-Dec 2025)', or 'in
    surge (...)' for an analyst's own window; `date_from` and `date_to` are ISO dates. Without
    `brackets` the dates follow a comma (inside a parenthesis of its own)."""
    span = dates_text(date_from, date_to)
    words = DESCRIPTIONS.get(name, f"in {name}")
    return f"{words} ({span})" if brackets else f"{words}, {span}"


def dates_text(date_from: str, date_to: str) -> str:
    """Two ISO dates as months: 'Jan 2024-Dec 2025' (one month once)."""
    a, b = (month_label(dt.date.fromisoformat(str(d))) for d in (date_from, date_to))
    return a if a == b else f"{a}\u2013{b}"


def window_title(name: str) -> str:
    """A window as a heading: 'While the interventions run', 'Surge'."""
    text = DESCRIPTIONS.get(name, name)
    return text[:1].upper() + text[1:]


def key_first(names: Sequence[str]) -> list[str]:
    """Window names with the key one (KEY_ORDER; else the first) first, the rest in order."""
    names = list(dict.fromkeys(names))
    key = next((n for n in KEY_ORDER if n in names), names[0] if names else None)
    return [key, *(n for n in names if n != key)] if key is not None else []


def first_drawn_week(scenario: Scenario) -> int:
    """The first week a figure draws: the end of the start-up, unless the scenario's first
    intervention falls inside it (then week 0, and the caveats say so)."""
    fits = scenario.weeks > START_UP_WEEKS and first_event_week(scenario) >= START_UP_WEEKS
    return START_UP_WEEKS if fits else 0
