"""The headline outcomes, each defined once: its name, label and unit, how it is computed from the
weekly tables (`timeseries` and `exits`), and whether a change in it is reported relative (in %)
or absolute.

Every outcome is measured in one of two ways, both written here once:

- :func:`yearly`, per replicate and reporting year (year 1 = weeks 0-51): `summary.csv`, the table
  printed after `vraem run` and the metrics of a sweep. Flows are summed over the year, and a
  partial last year's sum is scaled up to a full year (times 52 / its weeks); levels and prices
  are means over the year's weeks.
- :func:`over_weeks`, per replicate over whichever weeks the tables hold (a window after an
  intervention, the calibration years): the effect table and the calibration targets. Flows
  become a rate per year (their weekly mean times 52); levels and prices are means.

Exit ids and route groups are those of the network data (`sim/network/data/nodes.csv`, the rows
of kind `exit` with their `group`). The outcomes about one exit are about :data:`HEADLINE_PORT`,
named once here and checked against the network, which also gives the word for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

import pandas as pd

from sim.network.routes import load_network
from sim.units import KG_PER_T, WEEKS_PER_YEAR

USD_PER_MUSD = 1e6  # US dollars per million US dollars

#: The exit of the "exports via ..." and "HCl price ..." outcomes: Peru's main container port.
HEADLINE_PORT = "callao"


@cache
def network_exits() -> dict[str, str]:
    """Exit id -> route group, from the packaged network data."""
    return dict(load_network().exit_group)


def network_places() -> set[str]:
    """Every exit id and route group of the packaged network."""
    exits = network_exits()
    return set(exits) | set(exits.values())


def exit_word(exit_id: str) -> str:
    """How an exit is called in a label: its node name without "Port of" ("Callao")."""
    if exit_id not in network_exits():
        raise ValueError(f"{exit_id!r} is not an exit of the network (nodes.csv)")
    name = load_network().graph.nodes[exit_id]["name"]
    return name.removeprefix("Port of ")


PORT = exit_word(HEADLINE_PORT)
EXPORTED_AT_PORT = f"exported_{HEADLINE_PORT}_t"
PRICE_AT_PORT = f"price_hcl_{HEADLINE_PORT}_usd_per_kg"


@dataclass(frozen=True)
class Wording:
    """How the comparison table and the briefing name an outcome."""

    name: str  # the `outcome` of comparison.csv, e.g. "exports"
    heading: str  # table column and figure panel, e.g. "Exports"
    subject: str  # subject of a sentence, e.g. "total exports"
    plural: bool  # the subject takes a plural verb


@dataclass(frozen=True)
class Outcome:
    """One headline outcome and how it is computed from the weekly tables.

    `kind` is "level" (a mean over weeks), "flow" (summed, per year) or "share" (the first of
    `parts` as a share of both, from their weekly sums). `sum_of`: the time series columns added
    up week by week into the outcome's `column` (which the time series does not hold). `exit`
    computes a level or flow from that exit's rows of the exits table instead of the time series.
    `per` is how many units of `column` make one unit of the outcome (1000 kg per t).
    `rate_divides`: :func:`over_weeks` divides the rate by `per` instead of multiplying it by
    1/`per` (the two can differ in the last bit); that is how the effect table and the
    calibration targets have always computed these outcomes, kept so their numbers stay the same.
    """

    name: str
    label: str
    unit: str
    kind: Literal["level", "flow", "share"]
    column: str = ""
    exit: str | None = None
    per: float = 1.0
    parts: tuple[str, str] | None = None
    relative: bool = True
    wording: Wording | None = None
    rate_divides: bool = False
    sum_of: tuple[str, ...] = ()


def _t(name: str, label: str, column: str, **kw) -> Outcome:
    """A flow in kg reported in tonnes a year."""
    return Outcome(name, label, "t/yr", "flow", column, per=KG_PER_T, **kw)


def _deaths(name: str, label: str, **kw) -> Outcome:
    """People killed a year, a column of the time series (or the sum of `sum_of`)."""
    return Outcome(name, label, "per yr", "flow", name, relative=False, **kw)


def _price(name: str, label: str, column: str, **kw) -> Outcome:
    return Outcome(name, label, "USD/kg", "level", column, **kw)


_OUTCOMES = (
    Outcome(
        "coca_ha",
        "coca area (ha)",
        "ha",
        "level",
        "coca_ha",
        wording=Wording("coca area", "Coca area", "the coca area", False),
    ),
    Outcome("leaf_t", "dry coca leaf harvested (t/yr)", "t/yr", "flow", "leaf_t"),
    _t(
        "cocaine_produced_t",
        "cocaine produced, HCl equivalent (t/yr)",
        "cocaine_produced_kg",
        rate_divides=True,
    ),
    _t(
        "exported_t",
        "cocaine exported (t/yr)",
        "exported_kg",
        wording=Wording("exports", "Exports", "total exports", True),
    ),
    _t(
        EXPORTED_AT_PORT,
        f"cocaine exported via {PORT} (t/yr)",
        "exported_kg",
        exit=HEADLINE_PORT,
        rate_divides=True,
        wording=Wording(f"exports via {PORT}", f"Exports via {PORT}", f"exports via {PORT}", True),
    ),
    _t(
        "seized_t",
        "cocaine seized (t/yr)",
        "seized_kg",
        wording=Wording("seizures", "Seizures", "seizures", True),
    ),
    _t("lost_t", "cocaine lost other than by seizure (t/yr)", "lost_kg"),
    Outcome(
        "seizure_share",
        "seizure share (seized / (seized + exported))",
        "share",
        "share",
        parts=("seized_t", "exported_t"),
        relative=False,
    ),
    _price(
        "price_leaf_usd_per_kg",
        "leaf price (USD/kg)",
        "price_leaf_usd_per_kg",
        wording=Wording("leaf price", "Leaf price", "the coca leaf price", False),
    ),
    _price("price_paste_usd_per_kg", "paste price (USD/kg)", "price_paste_usd_per_kg"),
    _price(
        "price_hcl_vraem_usd_per_kg",
        "HCl price in the VRAEM (USD/kg)",
        "price_hcl_vraem_usd_per_kg",
        wording=Wording(
            "HCl price VRAEM", "HCl price, VRAEM", "the cocaine price in the VRAEM", False
        ),
    ),
    _price(
        PRICE_AT_PORT,
        f"HCl price at {PORT} (USD/kg)",
        "price_hcl_usd_per_kg",
        exit=HEADLINE_PORT,
        wording=Wording(
            f"HCl price {PORT}", f"HCl price, {PORT}", f"the cocaine price at {PORT}", False
        ),
    ),
    Outcome(
        "armed_groups",
        "active armed groups (mean count)",
        "groups",
        "level",
        "armed_groups",
        relative=False,
        wording=Wording("armed groups", "Armed groups", "the number of armed groups", False),
    ),
    Outcome(
        "armed_members", "armed group members (mean count)", "members", "level", "armed_members"
    ),
    Outcome("armed_fighters", "armed fighters (mean count)", "fighters", "level", "armed_fighters"),
    Outcome(
        "armed_income_musd",
        "armed groups' income (million USD/yr)",
        "M USD/yr",
        "flow",
        "armed_income_usd",
        per=USD_PER_MUSD,
        wording=Wording("armed income", "Armed groups' income", "the armed groups' income", False),
    ),
    Outcome(
        "violent_events",
        "violent events (per yr)",
        "per yr",
        "flow",
        "violent_events",
        relative=False,
    ),
    Outcome(
        "deaths",
        "violent deaths (per yr)",
        "per yr",
        "flow",
        "deaths",
        relative=False,
        wording=Wording("violent deaths", "Violent deaths", "violent deaths", True),
    ),
    _deaths("deaths_security", "security forces killed (per yr)"),
    _deaths("deaths_civilians", "civilians killed (per yr)"),
    _deaths("deaths_armed", "armed group members killed (per yr)"),
    _deaths(
        "non_armed_deaths",
        "security forces and civilians killed (per yr)",
        sum_of=("deaths_security", "deaths_civilians"),
    ),
    Outcome("eradicated_ha", "coca eradicated (ha/yr)", "ha/yr", "flow", "eradicated_ha"),
)

#: Every headline outcome by name (the names of summary.csv columns and sweep metrics).
OUTCOMES: dict[str, Outcome] = {o.name: o for o in _OUTCOMES}

#: The outcomes of a comparison (effect table, briefing), in the order of its table.
COMPARED: tuple[str, ...] = (
    "exported_t",
    EXPORTED_AT_PORT,
    "seized_t",
    "price_hcl_vraem_usd_per_kg",
    PRICE_AT_PORT,
    "price_leaf_usd_per_kg",
    "coca_ha",
    "deaths",
    "armed_groups",
    "armed_income_musd",
)


def compared() -> list[Outcome]:
    """The outcomes of a comparison, in the order of its table."""
    return [OUTCOMES[name] for name in COMPARED]


def _share(part: pd.Series, total: pd.Series) -> pd.Series:
    """`part / total`, 0 where the total is not positive."""
    return (part / total.where(total > 0, 1)).where(total > 0, 0.0)


def _with_sums(timeseries: pd.DataFrame, *outcomes: Outcome) -> pd.DataFrame:
    """The time series with the column of each outcome that is a sum of columns (`sum_of`), of
    `outcomes` or, if none are given, of all."""
    summed = [o for o in (outcomes or OUTCOMES.values()) if o.sum_of]
    if not summed:
        return timeseries
    return timeseries.assign(**{o.column: timeseries[list(o.sum_of)].sum(axis=1) for o in summed})


def _stage(outcome: Outcome) -> int:
    """Time series outcomes first, then those of one exit, then shares (built from the others)."""
    return 2 if outcome.kind == "share" else int(outcome.exit is not None)


def yearly(timeseries: pd.DataFrame, exits: pd.DataFrame) -> pd.DataFrame:
    """One row per (replicate, year) and a column per outcome: yearly sums of flows and means of
    levels and prices.

    Year 1 is weeks 0-51; the sums of a last, partial year are scaled to a full year.
    """
    ts = _with_sums(timeseries.assign(year=timeseries["week"] // WEEKS_PER_YEAR + 1))
    ex = exits.assign(year=exits["week"] // WEEKS_PER_YEAR + 1)
    by = ["replicate", "year"]
    grouped = ts.groupby(by)
    weeks = grouped["week"].count()
    out = pd.DataFrame(index=weeks.index)
    for o in sorted(OUTCOMES.values(), key=_stage):
        if o.kind == "share":
            part, other = (out[name] for name in o.parts)
            out[o.name] = _share(part, part + other)
            continue
        rows = grouped if o.exit is None else ex[ex["exit"] == o.exit].groupby(by)
        values = rows[o.column].mean() if o.kind == "level" else rows[o.column].sum()
        if o.kind == "flow":
            values = values * (WEEKS_PER_YEAR / weeks)
        out[o.name] = values * (1 / o.per)
    return out.reset_index()


def over_weeks(outcome: Outcome | str, timeseries: pd.DataFrame, exits: pd.DataFrame) -> pd.Series:
    """One value per replicate over the weeks the tables hold: the mean of a level, the rate per
    year of a flow (weekly mean times 52), or a share of the summed flows."""
    o = OUTCOMES[outcome] if isinstance(outcome, str) else outcome
    if o.kind == "share":
        sums = timeseries.groupby("replicate")
        part, other = (sums[OUTCOMES[name].column].sum() for name in o.parts)
        return _share(part, part + other)
    rows = _with_sums(timeseries, o) if o.exit is None else exits[exits["exit"] == o.exit]
    values = rows.groupby("replicate")[o.column]
    if o.kind == "level":
        return values.mean() * (1 / o.per)
    weeks = timeseries.groupby("replicate")["week"].count()
    rate = values.sum() / weeks * WEEKS_PER_YEAR
    return rate / o.per if o.rate_divides else rate * (1 / o.per)


def export_share(exits: pd.DataFrame, place: str) -> pd.Series:
    """Per replicate: the share of exported kg that leaves through `place`, an exit id or a route
    group of the exits table."""
    total = exits.groupby("replicate")["exported_kg"].sum()
    through = exits[(exits["exit"] == place) | (exits["group"] == place)]
    part = through.groupby("replicate")["exported_kg"].sum()
    return part.reindex(total.index, fill_value=0.0) / total
