"""Units and calendar constants, defined once for the whole package."""

from __future__ import annotations

WEEKS_PER_YEAR = 52  # the model's year: 52 weekly steps
HOURS_PER_WEEK = 168  # 7 days x 24 h
KG_PER_T = 1000  # kilograms per tonne
