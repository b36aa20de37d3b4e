"""Scenarios checked against their route network, and the network a scenario runs on.

Layering: `sim.config` reads files into a typed Scenario (it knows no network), `sim.network`
reads the route data, and this module joins them: `load_scenario` is the full load (typed and
every name checked against the scenario's network), `compile_network` the network a run uses.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sim.config.errors import ConfigError
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
    """Read, merge, override and validate a scenario file, names checked against its network."""
    scenario = load_scenario_config(path, overrides)
    try:
        check_scenario_names(scenario, path)
    except ConfigError as exc:
        raise blame_overrides(exc, overrides or [], path) from None
    return scenario


def validate_scenario(data: dict[str, Any], source: str | Path) -> Scenario:
    """Validate a merged scenario dict, names checked against its network; raises ConfigError
    on the first problem."""
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


def check_scenario_names(scenario: Scenario, source: str | Path) -> None:
    """Check that every district, exit and node the scenario names exists in its network (and
    that the armed group has exactly one leader and unique ids); raises ConfigError."""
    net = _network_data(scenario.network.data_dir)
    districts, exits = set(net.districts), set(net.exit_group)

    def check_keys(mapping: dict, key: str, allowed: set[str], what: str, complete: bool) -> None:
        for name in mapping:
            if name not in allowed:
                raise ConfigError(
                    source,
                    f"{key}.{name}",
                    f"expected a {what} of the route network: {sorted(allowed)}",
                )
        if complete and set(mapping) != allowed:
            raise ConfigError(
                source,
                key,
                f"expected an entry for every {what}; missing {sorted(allowed - set(mapping))}",
            )

    check_keys(
        scenario.growers.district_coca_share,
        "growers.district_coca_share",
        districts,
        "district",
        complete=False,
    )
    if sum(scenario.growers.district_coca_share.values()) <= 0:
        raise ConfigError(source, "growers.district_coca_share", "expected shares summing to > 0")
    check_keys(
        scenario.armed_group.territory,
        "armed_group.territory",
        districts,
        "district",
        complete=False,
    )
    check_keys(
        scenario.market.exit_price_usd_per_kg,
        "market.exit_price_usd_per_kg",
        exits,
        "exit",
        complete=True,
    )
    check_keys(
        scenario.market.exit_absorption_kg_per_week,
        "market.exit_absorption_kg_per_week",
        exits,
        "exit",
        complete=True,
    )
    check_keys(
        scenario.network.exit_risk_factor, "network.exit_risk_factor", exits, "exit", complete=False
    )
    for i, ov in enumerate(scenario.network.edge_overrides):
        for end in ("u", "v"):
            node = getattr(ov, end)
            if node not in net.graph:
                raise ConfigError(
                    source,
                    f"network.edge_overrides.{i}.{end}",
                    f"expected a node id of the route network, got {node!r}",
                )
        if not net.graph.has_edge(ov.u, ov.v):
            raise ConfigError(
                source,
                f"network.edge_overrides.{i}",
                f"expected an existing edge, {ov.u}-{ov.v} is not one",
            )
    _check_interventions(scenario, net, source)
    _check_cadres(scenario, net, source)
    for i, rival in enumerate(scenario.armed_group.rivals):
        if not any(v > 0 for v in rival.territory.values()):
            raise ConfigError(
                source,
                f"armed_group.rivals.{i}.territory",
                "expected at least one district with control above 0 (a faction needs a base)",
            )
        for name in rival.territory:
            if name not in net.districts:
                raise ConfigError(
                    source,
                    f"armed_group.rivals.{i}.territory.{name}",
                    f"expected a district of the route network, one of {sorted(net.districts)}",
                )


def _check_cadres(scenario: Scenario, net: RouteNetwork, source: str | Path) -> None:
    """One leader; unique ids; bases are districts; patrons and parents are cadres."""
    cadres = scenario.armed_group.cadres
    if sum(1 for p in cadres if p.rank == "leader") != 1:
        raise ConfigError(source, "armed_group.cadres", "expected exactly one with rank leader")
    ids = [p.id for p in cadres]
    for i, p in enumerate(cadres):
        if ids.index(p.id) != i:
            raise ConfigError(
                source, f"armed_group.cadres.{i}.id", f"expected a unique id, {p.id!r} repeats"
            )
        if p.base not in net.districts:
            raise ConfigError(
                source,
                f"armed_group.cadres.{i}.base",
                f"expected a district of the route network, one of {sorted(net.districts)}",
            )
        for attr in ("patron", "parent"):
            other = getattr(p, attr)
            if other and other not in ids:
                raise ConfigError(
                    source, f"armed_group.cadres.{i}.{attr}", f"expected a cadre id, got {other!r}"
                )


def _check_no_contradiction(scenario: Scenario, source: str | Path) -> None:
    """No intervention is given twice, and no two splits of the group fall in one week (the
    second would have nothing to split)."""
    seen: dict[str, int] = {}
    split_weeks: dict[int, int] = {}
    for i, iv in enumerate(scenario.interventions):
        key = iv.model_dump_json()
        if key in seen:
            raise ConfigError(
                source,
                f"interventions.{i}",
                f"expected no duplicate: repeats interventions.{seen[key]}",
            )
        seen[key] = i
        if iv.type == "fragmentation":
            if iv.week in split_weeks:
                raise ConfigError(
                    source,
                    f"interventions.{i}.week",
                    f"contradicts interventions.{split_weeks[iv.week]}: two splits of the armed "
                    f"group in week {iv.week}",
                )
            split_weeks[iv.week] = i


def _check_interventions(scenario: Scenario, net: RouteNetwork, source: str | Path) -> None:
    """Every intervention starts inside the horizon and names things that exist."""
    _check_no_contradiction(scenario, source)
    districts, exits = set(net.districts), set(net.exit_group)
    people = {p.id for p in scenario.armed_group.cadres} | set(ARREST_GROUPS)
    for i, iv in enumerate(scenario.interventions):
        key = f"interventions.{i}"
        if iv.week >= scenario.weeks:
            raise ConfigError(
                source,
                f"{key}.week",
                f"expected a week inside the horizon 0-{scenario.weeks - 1}, got {iv.week}",
            )
        for j, node in enumerate(getattr(iv, "nodes", [])):
            if node not in net.graph:
                raise ConfigError(
                    source,
                    f"{key}.nodes.{j}",
                    f"expected a node of the route network, got {node!r}",
                )
        for j, (u, v) in enumerate(getattr(iv, "edges", [])):
            if not net.graph.has_edge(u, v):
                raise ConfigError(
                    source,
                    f"{key}.edges.{j}",
                    f"expected an edge of the route network, got {u}-{v}",
                )
        named = {"districts": districts, "exits": exits}
        for attr, allowed in named.items():
            values = getattr(iv, attr, "all")
            if values == "all":
                continue
            if not values:
                raise ConfigError(source, f"{key}.{attr}", "expected `all` or a non-empty list")
            for j, name in enumerate(values):
                if name not in allowed:
                    raise ConfigError(
                        source,
                        f"{key}.{attr}.{j}",
                        f"expected one of {sorted(allowed)}, got {name!r}",
                    )
        who = getattr(iv, "who", None)
        if who is not None and who not in people:
            raise ConfigError(
                source, f"{key}.who", f"expected one of {sorted(people)}, got {who!r}"
            )
