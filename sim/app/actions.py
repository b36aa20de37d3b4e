"""What the explorer's buttons do: each records the shipped timed intervention that acts at the
week about to be simulated (the current week), as a scenario file would list it.

An action taken at week w is the intervention `{type: ..., week: w, ...}`; the explorer queues it
on the run's InterventionSchedule, which starts it at the beginning of week w exactly as it
starts a scenario's interventions, so the exported scenario reproduces the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.network.routes import RouteNetwork
from sim.report.maps import node_name

# defaults of the buttons' inputs
SURGE_FACTOR, SURGE_WEEKS = 3.0, 52
CLOSURE_WEEKS = 26
UNREST_FACTOR, UNREST_WEEKS = 0.5, 26
ARREST_WHO = ("leader", "successors")
ARREST_OUTCOMES = ("captured", "killed", "drawn")
EDGE_SEPARATOR = " \u2013 "  # "Pichari – Kimbiri"


def arrest(week: int, who: str, outcome: str = "captured") -> dict[str, Any]:
    """An operation against the MPCP's leader or its designated successors, now."""
    if who not in ARREST_WHO:
        raise ValueError(f"expected who in {ARREST_WHO}, got {who!r}")
    return {"type": "arrest_leader", "week": int(week), "who": who, "outcome": outcome}


def callao_surge(week: int, factor: float = SURGE_FACTOR, weeks: int = SURGE_WEEKS) -> dict:
    """Port control at Callao multiplied by `factor` for `weeks`, from now."""
    return {
        "type": "interdiction_surge",
        "week": int(week),
        "weeks": int(weeks),
        "nodes": ["callao"],
        "factor": float(factor),
    }


def closure(week: int, target: str, weeks: int = CLOSURE_WEEKS) -> dict[str, Any]:
    """A node (every edge touching it) or an edge `u|v` closed for `weeks`, from now."""
    spec: dict[str, Any] = {"type": "route_closure", "week": int(week), "weeks": int(weeks)}
    if "|" in target:
        u, v = target.split("|", 1)
        spec["edges"] = [[u, v]]
    else:
        spec["nodes"] = [target]
    return spec


def unrest(week: int, factor: float = UNREST_FACTOR, weeks: int = UNREST_WEEKS) -> dict:
    """A political period from now: security forces at `factor` of their effectiveness."""
    return {"type": "unrest", "week": int(week), "weeks": int(weeks), "factor": float(factor)}


@dataclass(frozen=True)
class Target:
    """Something a closure can name: a node id or an edge `u|v`, with its label."""

    value: str
    label: str


def closure_targets(network: RouteNetwork) -> list[Target]:
    """The nodes, then the edges, of a network a closure may name (labelled by place names;
    air and river links first among the edges, as they are the usual targets)."""
    graph = network.graph
    nodes = sorted(graph.nodes, key=lambda n: node_name(graph, n))
    out = [Target(str(n), f"{node_name(graph, n)} (node)") for n in nodes]
    order = {"air": 0, "river": 1, "trail": 2, "road": 3}
    edges = sorted(
        graph.edges(data=True),
        key=lambda e: (order.get(str(e[2].get("mode")), 9), node_name(graph, e[0])),
    )
    for u, v, data in edges:
        label = f"{node_name(graph, u)}{EDGE_SEPARATOR}{node_name(graph, v)}"
        out.append(Target(f"{u}|{v}", f"{label} ({data.get('mode', 'link')})"))
    return out
