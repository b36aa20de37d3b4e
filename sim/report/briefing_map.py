"""The briefing's route map: baseline flows on Peru's outline and the change a scenario makes,
titled with the exits whose exports change clearly (figure 1 of `sim.report.briefing_figures`)."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pandas as pd
from matplotlib.figure import Figure

from sim.report.calendar import span_text
from sim.report.effects import paired_change
from sim.report.map_figures import MIN_CHANGE_T, change_map, change_scales
from sim.report.maps import mean_edge_flows, node_positions
from sim.report.style import (
    fmt_about,
    source_line,
)
from sim.report.wording import EXIT_WORDS, scenario_label
from sim.units import WEEKS_PER_YEAR

WIDER_FROM = 1.01  # the footnote says change lines are wider only if they are 1% wider or more


def _exit_inflows(flows: pd.DataFrame, column: str, graph: nx.Graph) -> pd.Series:
    """t/yr (from `column`) on the edges into each exit node."""
    exits = [n for n, d in graph.nodes(data=True) if d.get("kind") == "exit"]
    return pd.Series(
        {e: float(flows.loc[(flows["u"] == e) | (flows["v"] == e), column].sum()) for e in exits}
    )


def map_title(
    name: str,
    base: pd.Series,
    scen: pd.Series,
    period: str = "over the whole run",
    clear: set[str] | None = None,
) -> str:
    """Which exit loses and which gains most flow in the map's period, among the exits whose
    change is clear (`clear`: its interval excludes zero; None: every exit)."""
    label = scenario_label(name)
    delta = (scen - base).sort_values()
    if clear is not None:
        delta = delta[delta.index.isin(clear)]
    parts = []
    if len(delta):
        down, up = delta.index[0], delta.index[-1]
        if delta[down] <= -MIN_CHANGE_T:
            less = f"{fmt_about(-delta[down])} t/yr less leaves via {EXIT_WORDS.get(down, down)}"
            parts.append(less)
        if delta[up] >= MIN_CHANGE_T:
            parts.append(f"{fmt_about(delta[up])} t/yr more via {EXIT_WORDS.get(up, up)}")
    if not parts:
        return f"{label}: {period}, no exit's flow changes clearly"
    return f"{label}: {period}, " + " and ".join(parts)


def clear_exit_changes(pair: Any) -> set[str]:
    """The exits whose exports change clearly (90% interval of the paired change in t/yr
    excludes zero) over the map's period."""
    year, _weeks, _, _ = map_period(pair)
    sc = pair.scenario.scenario
    weeks = range((year - 1) * WEEKS_PER_YEAR, year * WEEKS_PER_YEAR) if year else range(sc.weeks)
    per_run = []
    for run in (pair.baseline, pair.scenario):
        ex = run.exits[run.exits["week"].isin(weeks)]
        wide = ex.pivot_table(
            index="replicate", columns="exit", values="exported_kg", aggfunc="sum", fill_value=0.0
        )
        per_run.append(wide.reindex(range(len(run.seeds)), fill_value=0.0))
    base, scen = per_run[0], per_run[1].reindex(columns=per_run[0].columns, fill_value=0.0)
    return {
        str(e) for e in base.columns if paired_change((scen[e] - base[e]).to_numpy(float)).clear
    }


def map_period(pair: Any) -> tuple[int | None, int, str, str]:
    """The map's period: year 1 after the first intervention when it starts at a year boundary
    and the edge flows are recorded per year; else the whole run. Returns (reporting year or
    None, weeks, words for the title, words for the footnote)."""
    sc = pair.scenario.scenario
    start = pair.event_week
    yearly = all("year" in r.edge_flows.columns for r in (pair.baseline, pair.scenario))
    if yearly and start % WEEKS_PER_YEAR == 0 and start + WEEKS_PER_YEAR <= sc.weeks:
        span = span_text(sc.start_date, start, start + WEEKS_PER_YEAR - 1)
        return (
            start // WEEKS_PER_YEAR + 1,
            WEEKS_PER_YEAR,
            f"in the first year after the first intervention ({span})",
            f"Mean flow in the first year after the first intervention ({span}; weeks {start}-"
            f"{start + WEEKS_PER_YEAR - 1})",
        )
    span = span_text(sc.start_date, 0, sc.weeks - 1)
    return (
        None,
        sc.weeks,
        f"over the whole run ({span})",
        f"Mean flow over the whole run ({span}, including the {start} weeks before the first "
        "intervention)",
    )


def _flow_table(pair: Any, graph: nx.Graph) -> pd.DataFrame:
    """Per undirected edge: mode, baseline and scenario t/yr and their difference, over the
    map's period."""
    year, weeks, _, _ = map_period(pair)

    def flows(run: Any) -> pd.DataFrame:
        edges = run.edge_flows
        return edges if year is None else edges[edges["year"] == year]

    b = mean_edge_flows(flows(pair.baseline), graph, weeks)
    s = mean_edge_flows(flows(pair.scenario), graph, weeks)
    merged = b.merge(s, on=["u", "v"], how="outer", suffixes=("_base", "_scen"))
    merged["mode"] = merged["mode_base"].fillna(merged["mode_scen"])
    for col in ("t_per_year_base", "t_per_year_scen"):
        merged[col] = merged[col].fillna(0.0)
    merged["delta"] = merged["t_per_year_scen"] - merged["t_per_year_base"]
    return merged


def _signed_t(x: float) -> str:
    if abs(x) < MIN_CHANGE_T:
        return "\u00b10"
    return ("+" if x > 0 else "-") + fmt_about(abs(x))


def flow_map_figure(pair: Any, graph: nx.Graph) -> Figure:
    """Left: baseline flows on the route network (line width by t/yr, colour and dashes by
    mode). Right: the change with the scenario (width by the change; solid = more traffic,
    dashed = less). Both on Peru's outline and its neighbours, with a locator map inset."""
    sc = pair.scenario.scenario
    pos = node_positions(graph)
    if len(pos) < graph.number_of_nodes():
        raise ValueError("graph: every node needs lon and lat for the map")
    flows = _flow_table(pair, graph)
    flows = flows[flows["u"].isin(pos) & flows["v"].isin(pos)]
    base_in = _exit_inflows(flows, "t_per_year_base", graph)
    scen_in = _exit_inflows(flows, "t_per_year_scen", graph)
    _, _, period, period_note = map_period(pair)
    scales = change_scales(flows)
    k, kd = scales.k, scales.kd
    note = (
        f"{period_note}, {sc.replicates} replicates,"
        f" both directions together; changes under {scales.threshold:.1f} t/yr are not drawn."
        + (
            f" Change lines are {kd / k:.1f} times as wide as baseline lines of the same t/yr."
            if k > 0 and kd > k * WIDER_FROM
            else ""
        )
        + "\nCountries, regions, rivers and towns: Natural Earth (public domain). Insets: the VRAEM"
        " close-up (its area framed on the map) and the map's area in South America."
    )
    delta = scen_in - base_in
    return change_map(
        graph,
        pos,
        flows,
        title=map_title(sc.name, base_in, scen_in, period, clear_exit_changes(pair)),
        source_line=source_line(sc),
        note=note,
        base_labels={e: f"{exit_short_name(e)}\n{fmt_about(v)} t/yr" for e, v in base_in.items()},
        change_labels={e: f"{exit_short_name(e)}\n{_signed_t(d)} t/yr" for e, d in delta.items()},
    )


# ----------------------------------------------------------------------------------------------
# 3. exit shares before and after
# ----------------------------------------------------------------------------------------------


def exit_short_name(exit_id: str) -> str:
    """An exit's name for a label, capitalised, without its article ('Callao')."""
    word = EXIT_WORDS.get(exit_id, exit_id.replace("_", " "))
    word = word.removeprefix("the ")
    return word[:1].upper() + word[1:]
