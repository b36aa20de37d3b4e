"""Reporting weeks as dates: week k of a run starts `start_date` + 7k days (the scenario's
`start_date` is the first day of week 0). Every time axis and every window of a briefing is
stated in dates with these functions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from matplotlib.ticker import FixedLocator, FuncFormatter

DAYS_PER_WEEK = 7
MONTHS_PER_YEAR = 12
# Ticks on a time axis, by the run's length: quarters labelled "Apr 2023" on runs of up to 15
# months, half-years up to 2.5 years, else years labelled "2024" (at most about 6-7 labels on a
# panel a third of a slide wide).
TICK_MONTHS = ((65, 3), (130, 6))
YEAR_TICK_MONTHS = 12


def week_date(start_date: dt.date, week: int) -> dt.date:
    """The first day of reporting week `week`."""
    return start_date + dt.timedelta(days=DAYS_PER_WEEK * int(week))


def last_day(start_date: dt.date, week: int) -> dt.date:
    """The last day of reporting week `week`."""
    return week_date(start_date, week + 1) - dt.timedelta(days=1)


def week_of(start_date: dt.date, day: dt.date) -> int:
    """The reporting week that contains `day` (negative before week 0)."""
    return (day - start_date).days // DAYS_PER_WEEK


def day_label(start_date: dt.date, week: int) -> str:
    """The first day of reporting week `week` in words: '1 Jan 2024'."""
    return f"{week_date(start_date, week):%-d %b %Y}"


def month_label(day: dt.date) -> str:
    """'Jan 2024'."""
    return day.strftime("%b %Y")


def span_text(start_date: dt.date, first: int, last: int) -> str:
    """The weeks `first`..`last` (inclusive) in months: 'Jan 2024-Dec 2024', or one month."""
    a, b = month_label(week_date(start_date, first)), month_label(last_day(start_date, last))
    return a if a == b else f"{a}\u2013{b}"


def iso_span(start_date: dt.date, first: int, last: int) -> tuple[str, str]:
    """The first and last day of weeks `first`..`last` as ISO dates."""
    return week_date(start_date, first).isoformat(), last_day(start_date, last).isoformat()


def _month_starts(start_date: dt.date, weeks: int, every: int) -> list[tuple[float, dt.date]]:
    """(position in weeks, date) of every `every`-th month start (Jan, Apr, ... for quarters)
    that falls inside the weeks 0..weeks-1."""
    end = week_date(start_date, weeks)
    year, month = start_date.year, 1
    out = []
    while dt.date(year, month, 1) < end:
        day = dt.date(year, month, 1)
        if day >= start_date:
            out.append(((day - start_date).days / DAYS_PER_WEEK, day))
        month += every
        if month > MONTHS_PER_YEAR:
            year, month = year + 1, month - MONTHS_PER_YEAR
    return out


def date_axis(ax: Any, start_date: dt.date, weeks: int, every_months: int | None = None) -> None:
    """Label a time axis drawn in reporting weeks with dates: ticks at month starts (quarters
    or half-years labelled 'Jan 2024', or years labelled '2024', by the run's length)."""
    if every_months is None:
        every_months = next((m for limit, m in TICK_MONTHS if weeks <= limit), YEAR_TICK_MONTHS)
    ticks = _month_starts(start_date, weeks, every_months)
    if not ticks:  # a run shorter than a month: its first day
        ticks = [(0.0, start_date)]
    name = (lambda d: f"{d.year}") if every_months == YEAR_TICK_MONTHS else month_label
    labels = {round(x, 6): name(d) for x, d in ticks}
    ax.xaxis.set_major_locator(FixedLocator([x for x, _ in ticks]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: labels.get(round(x, 6), "")))


def time_axis(ax: Any, start_date: dt.date, weeks: int, first: int = 0) -> None:
    """An x axis in reporting weeks from `first` to the horizon, labelled with dates."""
    date_axis(ax, start_date, weeks)
    ax.set_xlim(first, max(weeks, first + 1))
