"""Scenarios checked against their route network, and the network a scenario runs on.

Layering: `sim.config` reads files into a typed Scenario (it knows no network), `sim.network`
reads the route data, and this module joins them: `load_scenario` is the full load (typed and
every name checked against the scenario's network), `compile_network` the network a run uses.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

from sim.config.errors import MAX_SUGGESTIONS, ConfigError, Problems, suggest, unknown_name
from sim.config.interventions import ARREST_GROUPS
from sim.config.loader import blame_overrides, load_scenario_config, validate_scenario_config
from sim.config.models import Scenario
from sim.network.route_table import RouteTable
from sim.network.routes import (
    RouteNetwork,
    apply_network_overrides,
    load_network,
    packaged_data_dir,
)

NETWORK_FILES = ("nodes.csv", "edges.csv")
_CACHE_SIZE = 8
_networks: dict[tuple[Any, ...], RouteNetwork] = {}
_compiled: dict[str, tuple[RouteNetwork, RouteTable]] = {}


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Read, merge, override and validate a scenario file, names checked against its network.

    Raises one ConfigError with every problem found: first every problem of the values (types,
    ranges, unknown keys); when the values are valid, every problem of the names (districts,
    exits, nodes, edges, cadres), each with the nearest valid ones."""
    scenario = load_scenario_config(path, overrides)
    try:
        check_scenario_names(scenario, path)
    except ConfigError as exc:
        raise blame_overrides(exc, overrides or [], path) from None
    return scenario


def validate_scenario(data: dict[str, Any], source: str | Path) -> Scenario:
    """Validate a merged scenario dict, names checked against its network; raises one
    ConfigError with every problem of its values, or (when the values are valid) of its names."""
    scenario = validate_scenario_config(data, source)
    check_scenario_names(scenario, source)
    return scenario


def compile_network(scenario: Scenario) -> RouteNetwork:
    """The route network a run of `scenario` uses: its network data (read once per folder and
    file version) with the scenario's edge overrides and exit risk factors applied, as a new
    RouteNetwork of its own."""
    return apply_network_overrides(_network_data(scenario.network.data_dir), scenario)


def compile_scenario(scenario: Scenario) -> tuple[RouteNetwork, RouteTable]:
    """The compiled network and route table of a scenario, built once per process for each
    distinct network and traffickers' section and shared (read-only) by all its replicates."""
    key = scenario.network.model_dump_json() + scenario.traffickers.model_dump_json()
    if key not in _compiled:
        if len(_compiled) >= _CACHE_SIZE:
            _compiled.pop(next(iter(_compiled)))
        network = compile_network(scenario)
        for array in (network.edge_km, network.edge_hours, network.edge_risk):
            array.setflags(write=False)  # shared by replicates: nobody may change it
        _compiled[key] = (network, RouteTable.build(network, scenario.traffickers))
    return _compiled[key]


def _network_data(data_dir: str | None) -> RouteNetwork:
    """The network as read from `data_dir` (None: the packaged one), without overrides. Kept
    per folder and file version, so it must never be modified: apply_network_overrides copies."""
    folder = Path(data_dir) if data_dir else packaged_data_dir()
    try:
        stats = [os.stat(folder / name) for name in NETWORK_FILES]
    except OSError:
        return load_network(data_dir)  # raises the usual ConfigError
    key = (str(folder.resolve()), *((s.st_mtime_ns, s.st_size) for s in stats))
    if key not in _networks:
        if len(_networks) >= _CACHE_SIZE:
            _networks.pop(next(iter(_networks)))
        _networks[key] = load_network(data_dir)
    return _networks[key]


NETWORK_DOC = "docs/NETWORK.md"  # lists every id of the shipped network and cadre


def check_scenario_names(scenario: Scenario, source: str | Path) -> None:
    """Check that every district, exit, node and edge the scenario names exists in its network,
    and that its cadres are consistent (one leader, unique ids, known bases, patrons and
    parents); raises one ConfigError reporting every problem found, each unknown name with the
    nearest valid ones."""
    found = Problems(source)
    names = _NetworkNames(_network_data(scenario.network.data_dir), scenario.network.data_dir)
    _check_mappings(scenario, names, found)
    for i, ov in enumerate(scenario.network.edge_overrides):
        key = f"network.edge_overrides.{i}"
        known = [names.check_node(found, f"{key}.{end}", getattr(ov, end)) for end in "uv"]
        if all(known) and not names.net.graph.has_edge(ov.u, ov.v):
            found.add(key, names.unknown_edge(ov.u, ov.v, "an existing edge"))
    _check_interventions(scenario, names, found)
    _check_cadres(scenario, names, found)
    for i, rival in enumerate(scenario.armed_group.rivals):
        if not any(v > 0 for v in rival.territory.values()):
            found.add(
                f"armed_group.rivals.{i}.territory",
                "expected at least one district with control above 0 (a faction needs a base)",
            )
        for name in rival.territory:
            names.check_district(found, f"armed_group.rivals.{i}.territory.{name}", name)
    found.raise_if_any()


class _NetworkNames:
    """The names a scenario may use in its network, and what to say about one it may not."""

    def __init__(self, net: RouteNetwork, data_dir: str | None) -> None:
        self.net = net
        self.data_dir = data_dir
        self.node_names = {n: str(d.get("name", n)) for n, d in net.graph.nodes(data=True)}

    def listed(self, what: str) -> str:
        """Where every `what` (node id, district, exit, edge) of this network is listed: the
        shipped network's in docs/NETWORK.md, another's in its own CSV file."""
        if not self.data_dir:
            return f"every {what} is listed in {NETWORK_DOC}"
        table = "edges.csv" if what == "edge" else "nodes.csv"
        return f"every {what} is listed in {Path(self.data_dir) / table}"

    def unknown(self, what: str, given: object, valid: list[str], kind: str) -> str:
        """`given` is not one of `valid`: the nearest valid ones and where all are listed."""
        names = {k: self.node_names.get(k, k) for k in valid}
        return unknown_name(what, given, valid, self.listed(kind), names)

    def check_node(self, found: Problems, key: str, node: str) -> bool:
        """Whether `node` is a node id; if not, notes the problem at `key`."""
        if node in self.net.graph:
            return True
        nodes = list(self.net.graph)
        found.add(key, self.unknown("a node id of the route network", node, nodes, "node id"))
        return False

    def check_district(self, found: Problems, key: str, name: str) -> bool:
        """Whether `name` is a district; if not, notes the problem at `key`."""
        if name in self.net.districts:
            return True
        what = "a district of the route network"
        found.add(key, self.unknown(what, name, self.net.districts, "district"))
        return False

    def unknown_edge(self, u: str, v: str, what: str = "an edge of the route network") -> str:
        """`u-v` is not an edge: the edges from `u` or to `v` most like it."""
        given = f"{u}-{v}"
        touching = [
            f"{u}-{nb}" if end == u else f"{nb}-{v}"
            for end in (u, v)
            if end in self.net.graph
            for nb in self.net.graph[end]
        ]
        unknown_ends = [n for n in (u, v) if n not in self.net.graph]
        if unknown_ends:
            nodes, names = list(self.net.graph), self.node_names
            ends = "; ".join(
                f"{n!r} is not a node, {suggest(n, nodes, self.listed('node id'), names)}"
                for n in unknown_ends
            )
            return f"expected {what}, got {given}: {ends}"
        ranked = sorted(
            dict.fromkeys(touching),
            key=lambda e: -difflib.SequenceMatcher(None, given, e).ratio(),
        )[:MAX_SUGGESTIONS]
        near = ", ".join(ranked)
        return f"expected {what}, got {given}; nearest: {near} ({self.listed('edge')})"


def _check_mappings(scenario: Scenario, names: _NetworkNames, found: Problems) -> None:
    """The keys of mapping parameters are districts or exits of the network (and, where every
    exit needs a value, all of them)."""
    net = names.net
    exits = list(net.exit_group)

    def check_keys(mapping: dict, key: str, district: bool, complete: bool) -> None:
        for name in mapping:
            if district:
                names.check_district(found, f"{key}.{name}", name)
            elif name not in net.exit_group:
                what = "an exit of the route network"
                found.add(f"{key}.{name}", names.unknown(what, name, exits, "exit"))
        if complete and not set(exits) <= set(mapping):
            missing = sorted(set(exits) - set(mapping))
            found.add(key, f"expected an entry for every exit; missing {missing}")

    growers, armed, market = scenario.growers, scenario.armed_group, scenario.market
    check_keys(growers.district_coca_share, "growers.district_coca_share", True, False)
    if sum(growers.district_coca_share.values()) <= 0:
        found.add("growers.district_coca_share", "expected shares summing to > 0")
    check_keys(armed.territory, "armed_group.territory", True, False)
    check_keys(market.exit_price_usd_per_kg, "market.exit_price_usd_per_kg", False, True)
    check_keys(
        market.exit_absorption_kg_per_week, "market.exit_absorption_kg_per_week", False, True
    )
    check_keys(scenario.network.exit_risk_factor, "network.exit_risk_factor", False, False)


def _check_cadres(scenario: Scenario, names: _NetworkNames, found: Problems) -> None:
    """One leader; unique ids; bases are districts; patrons and parents are cadres."""
    cadres = scenario.armed_group.cadres
    if sum(1 for p in cadres if p.rank == "leader") != 1:
        found.add("armed_group.cadres", "expected exactly one with rank leader")
    ids = [p.id for p in cadres]
    for i, p in enumerate(cadres):
        if ids.index(p.id) != i:
            found.add(f"armed_group.cadres.{i}.id", f"expected a unique id, {p.id!r} repeats")
        names.check_district(found, f"armed_group.cadres.{i}.base", p.base)
        for attr in ("patron", "parent"):
            other = getattr(p, attr)
            if other and other not in ids:
                listed = "the cadres are under armed_group.cadres"
                found.add(
                    f"armed_group.cadres.{i}.{attr}",
                    unknown_name("a cadre id", other, ids, listed),
                )


def _check_no_contradiction(scenario: Scenario, found: Problems) -> None:
    """No intervention is given twice, and no two splits of the group fall in one week (the
    second would have nothing to split)."""
    seen: dict[str, int] = {}
    split_weeks: dict[int, int] = {}
    for i, iv in enumerate(scenario.interventions):
        key = iv.model_dump_json()
        if key in seen:
            found.add(
                f"interventions.{i}", f"expected no duplicate: repeats interventions.{seen[key]}"
            )
            continue
        seen[key] = i
        if iv.type == "fragmentation":
            if iv.week in split_weeks:
                found.add(
                    f"interventions.{i}.week",
                    f"contradicts interventions.{split_weeks[iv.week]}: two splits of the armed "
                    f"group in week {iv.week}",
                )
                continue
            split_weeks[iv.week] = i


def _check_interventions(scenario: Scenario, names: _NetworkNames, found: Problems) -> None:
    """Every intervention starts inside the horizon and names things that exist."""
    _check_no_contradiction(scenario, found)
    net = names.net
    people = [p.id for p in scenario.armed_group.cadres] + list(ARREST_GROUPS)
    for i, iv in enumerate(scenario.interventions):
        key = f"interventions.{i}"
        if iv.week >= scenario.weeks:
            found.add(
                f"{key}.week",
                f"expected a week inside the horizon 0-{scenario.weeks - 1}, got {iv.week}",
            )
        for j, node in enumerate(getattr(iv, "nodes", [])):
            names.check_node(found, f"{key}.nodes.{j}", node)
        for j, (u, v) in enumerate(getattr(iv, "edges", [])):
            if not net.graph.has_edge(u, v):
                found.add(f"{key}.edges.{j}", names.unknown_edge(u, v))
        named = {"districts": (net.districts, "district"), "exits": (list(net.exit_group), "exit")}
        for attr, (allowed, what) in named.items():
            values = getattr(iv, attr, "all")
            if values == "all":
                continue
            if not values:
                found.add(f"{key}.{attr}", "expected `all` or a non-empty list")
            for j, name in enumerate(values):
                if name not in allowed:
                    article = "an" if what == "exit" else "a"
                    found.add(
                        f"{key}.{attr}.{j}",
                        names.unknown(f"{article} {what}", name, allowed, what),
                    )
        who = getattr(iv, "who", None)
        if who is not None and who not in people:
            what = "`leader`, `successors`, a rank or a cadre id"
            listed = (
                f"the shipped cadres are listed in {NETWORK_DOC}; a scenario's own are under "
                "armed_group.cadres"
            )
            found.add(f"{key}.who", unknown_name(what, who, people, listed))
