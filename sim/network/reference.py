"""Render the reference of the ids a scenario can name (docs/NETWORK.md) from the shipped route
network data (`sim/network/data/`) and the default cadres of the armed group.

`python -m sim.network.reference > docs/NETWORK.md`; a test checks the file is up to date.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.config.interventions import ARREST_GROUPS
from sim.config.models import ArmedGroupConfig
from sim.network.routes import MODES, NODE_KINDS, RouteNetwork, load_network

KIND_TITLES = {
    "district": "Production districts",
    "hub": "Hubs (towns the routes pass through)",
    "airstrip": "Airstrips",
    "exit": "Exits",
}
KIND_NOTES = {
    "district": "Where coca is grown and shipments start: the keys of "
    "`growers.district_coca_share` and `armed_group.territory`, the `districts` of "
    "`eradication` and `crop_substitution`, and the `base` of a cadre.",
    "hub": "Nodes of `interdiction_surge` and `route_closure` (`nodes`) like every other node.",
    "airstrip": "Clandestine airstrips, each in a production district; the air bridge to Bolivia "
    "starts here.",
    "exit": "Where shipments leave the model: the keys of `market.exit_price_usd_per_kg`, "
    "`market.exit_absorption_kg_per_week` and `network.exit_risk_factor`, and the `exits` of "
    "`demand_shock`. Their route groups are the exit shares of the results.",
}
MODE_NOTES = {
    "road": "paved and unpaved roads",
    "river": "river legs by boat",
    "trail": "footpaths and tracks (backpackers, mules)",
    "air": "light aircraft from the airstrips",
}
WHO_NOTES = {
    "leader": "the MPCP's leader",
    "successors": "the MPCP's designated heirs, all at once",
    "second": "every free cadre of rank second, in any group",
    "commanders": "every free commander",
    "sub_commanders": "every free sub-commander",
    "heirs": "every free heir",
}


def _cell(value: object) -> str:
    """A table cell: Markdown's `|` escaped, empty as a dash."""
    text = str(value).strip()
    return text.replace("|", "\\|") if text else "-"


def _number(x: float) -> str:
    return f"{x:g}"


def _node_table(nodes: pd.DataFrame, kind: str) -> list[str]:
    rows = nodes[nodes["kind"] == kind]
    extra = {"airstrip": ("district", "district"), "exit": ("group", "route group")}.get(kind)
    head = ["id", "name"] + ([extra[1]] if extra else []) + ["lon", "lat"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows.itertuples():
        cells = [f"`{r.id}`", _cell(r.name)]
        if extra:
            cells.append(f"`{getattr(r, extra[0])}`")
        cells += [_number(r.lon), _number(r.lat)]
        out.append("| " + " | ".join(cells) + " |")
    return out


def _edge_table(net: RouteNetwork, mode: str) -> list[str]:
    out = ["| edge | km | hours | base detection risk |", "|---|---|---|---|"]
    for i in range(net.n_edges):
        if net.edge_mode[i] != mode:
            continue
        edge = f"`[{net.edge_u[i]}, {net.edge_v[i]}]`"
        cells = [edge, _number(net.edge_km[i]), _number(net.edge_hours[i])]
        cells.append(_number(net.edge_risk[i]))
        out.append("| " + " | ".join(cells) + " |")
    return out


def _cadre_table() -> list[str]:
    out = ["| id | name | rank | base | patron |", "|---|---|---|---|---|"]
    for p in ArmedGroupConfig().cadres:
        patron = f"`{p.patron}`" if p.patron else "-"
        cells = [f"`{p.id}`", _cell(p.name), p.rank, f"`{p.base}`", patron]
        out.append("| " + " | ".join(cells) + " |")
    return out


def render(data_dir: str | Path | None = None) -> str:
    """The reference as Markdown, from the network in `data_dir` (None: the shipped one)."""
    net = load_network(data_dir)
    nodes = net.nodes
    counts = {kind: int((nodes["kind"] == kind).sum()) for kind in NODE_KINDS}
    modes = {m: int((net.edge_mode == m).sum()) for m in MODES}
    out = [
        "# Route network and ids",
        "",
        "Generated from `sim/network/data/nodes.csv` and `edges.csv` (sources and estimates:",
        "`sim/network/data/README.md`) and the default cadres of `sim/config/armed_group.py` by",
        "`python -m sim.network.reference`; do not edit.",
        "",
        "These are the ids a scenario can name: node ids in `nodes` and `edges` of",
        "`interdiction_surge` and `route_closure` and in `network.edge_overrides` (`u`, `v`),",
        "districts, exits and cadres as below. An unknown id is an error that lists the nearest",
        "valid ones. A scenario with its own `network.data_dir` uses the ids of its own files.",
        "",
        f"{len(nodes)} nodes ("
        + ", ".join(f"{counts[k]} {k}s" if counts[k] != 1 else f"1 {k}" for k in NODE_KINDS)
        + f") and {net.n_edges} undirected edges ("
        + ", ".join(f"{modes[m]} {m}" for m in MODES)
        + ").",
    ]
    for kind in NODE_KINDS:
        out += ["", f"## {KIND_TITLES[kind]}", "", KIND_NOTES[kind], "", *_node_table(nodes, kind)]
    out += [
        "",
        "## Edges by mode",
        "",
        "An edge is named by its two ends in either order, e.g. `edges: [[lima, callao]]`.",
        "Distances and times as in `edges.csv`; the base detection risk is the chance that one",
        "shipment crossing the edge is seized in the baseline.",
    ]
    for mode in MODES:
        out += ["", f"### {mode} ({MODE_NOTES[mode]})", "", *_edge_table(net, mode)]
    out += [
        "",
        "## Cadres of the armed group",
        "",
        "The default `armed_group.cadres` (a scenario may give its own): an `arrest_leader`",
        "names one by `who: <id>`, or a group of them:",
        "",
        *(f"- `{g}`: {WHO_NOTES[g]}" for g in ARREST_GROUPS),
        "",
        *_cadre_table(),
    ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render(), end="")
