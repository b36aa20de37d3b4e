"""The route network: packaged node/edge data -> validated networkx graph -> candidate routes."""

from __future__ import annotations

import copy
import dataclasses
import io
import itertools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from sim.config.errors import ConfigError, unknown_name
from sim.config.loader import read_text
from sim.config.models import Scenario

MODES = ("road", "river", "trail", "air")
NODE_KINDS = ("district", "hub", "airstrip", "exit")
EXIT_GROUPS = ("pacific_ports", "bolivia", "brazil")
NODE_COLUMNS = ["id", "name", "kind", "district", "group", "lon", "lat", "dwell_h", "source"]
EDGE_COLUMNS = ["u", "v", "mode", "km", "hours", "base_detection_risk", "source"]


def packaged_data_dir() -> Path:
    """Folder of the packaged VRAEM route network."""
    return Path(str(resources.files("sim.network") / "data"))


@dataclass(frozen=True)
class Route:
    """One candidate path from a production district to an exit."""

    district: str
    exit: str
    nodes: tuple[str, ...]
    edges: np.ndarray  # edge indices along the path
    transport_usd_per_kg: float
    hours: float
    lot_mode: str  # the mode that limits the lot size
    dwell_h: np.ndarray  # staging time at each node of the path (h)


@dataclass
class RouteNetwork:
    """Nodes, edges and per-edge arrays of the route network."""

    graph: nx.Graph
    nodes: pd.DataFrame
    edge_u: list[str]
    edge_v: list[str]
    edge_mode: np.ndarray
    edge_km: np.ndarray
    edge_hours: np.ndarray
    edge_risk: np.ndarray
    edge_district: np.ndarray  # district id when both ends lie in one VRAEM district, else ""
    exit_group: dict[str, str]
    districts: list[str]
    edge_index: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def n_edges(self) -> int:
        return len(self.edge_u)

    def dwell_h(self, node: str) -> float:
        return float(self.graph.nodes[node]["dwell_h"])

    @property
    def exits(self) -> list[str]:
        """Exit ids, in index order."""
        return list(self.exit_group)

    def edges_touching(self, nodes: list[str], edges: list[tuple[str, str]]) -> np.ndarray:
        """Sorted indices of the named edges and of every edge touching the named nodes."""
        found = {self.edge_index[(u, v)] for u, v in edges}
        for node in nodes:
            found.update(self.edge_index[(node, nb)] for nb in self.graph[node])
        return np.array(sorted(found), dtype=np.int64)

    def district_index(self, districts: list[str] | str) -> np.ndarray:
        """Indices of the named districts (`"all"`: every district)."""
        chosen = self.districts if districts == "all" else districts
        return np.array([self.districts.index(d) for d in chosen], dtype=np.int64)


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    """A network table as strings; ConfigError naming the file if it is missing, not UTF-8, not
    a CSV table or lacks one of `columns`."""
    if not path.exists():
        raise ConfigError(path, "", "route network file not found")
    text = read_text(path)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, comment=None)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ConfigError(path, "", f"is not a valid CSV table ({str(exc).strip()})") from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ConfigError(path, ",".join(missing), f"expected columns {columns}")
    return df


def _numeric(df: pd.DataFrame, col: str, path: Path, lo: float, hi: float) -> np.ndarray:
    values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < lo) | (values > hi)
    if bad.any():
        row = int(np.argmax(bad))
        raise ConfigError(
            path,
            f"row {row + 2}.{col}",
            f"expected a number in [{lo}, {hi}], got {df[col].iloc[row]!r}",
        )
    return values


def load_network(data_dir: str | Path | None = None) -> RouteNetwork:
    """Load nodes.csv and edges.csv into a validated RouteNetwork."""
    folder = Path(data_dir) if data_dir else packaged_data_dir()
    npath, epath = folder / "nodes.csv", folder / "edges.csv"
    nodes = _read_csv(npath, NODE_COLUMNS)
    edges = _read_csv(epath, EDGE_COLUMNS)
    graph, nodes = _read_nodes(nodes, npath)
    km, hours, risk = _read_edges(graph, edges, epath)
    districts, exit_group = _check_connectivity(graph, npath, epath)

    edge_u, edge_v = list(edges["u"]), list(edges["v"])
    net = RouteNetwork(
        graph=graph,
        nodes=nodes,
        edge_u=edge_u,
        edge_v=edge_v,
        edge_mode=edges["mode"].to_numpy(dtype=object),
        edge_km=km,
        edge_hours=hours,
        edge_risk=risk.copy(),
        edge_district=_edge_districts(graph, edge_u, edge_v),
        exit_group=exit_group,
        districts=districts,
    )
    for i, (u, v) in enumerate(zip(edge_u, edge_v, strict=True)):
        net.edge_index[(u, v)] = net.edge_index[(v, u)] = i
    return net


def _read_nodes(nodes: pd.DataFrame, npath: Path) -> tuple[nx.Graph, pd.DataFrame]:
    """A graph of the validated nodes, and the node table with numeric lon, lat and dwell_h."""
    graph = nx.Graph()
    for i, row in nodes.iterrows():
        nid = row["id"]
        if not nid.isascii() or not nid.replace("_", "").isalnum() or nid.lower() != nid:
            raise ConfigError(npath, f"row {i + 2}.id", f"expected ASCII snake_case, got {nid!r}")
        if nid in graph:
            raise ConfigError(npath, f"row {i + 2}.id", f"duplicate node id {nid!r}")
        if row["kind"] not in NODE_KINDS:
            raise ConfigError(npath, f"row {i + 2}.kind", f"expected one of {NODE_KINDS}")
        if row["kind"] == "exit" and row["group"] not in EXIT_GROUPS:
            raise ConfigError(npath, f"row {i + 2}.group", f"expected one of {EXIT_GROUPS}")
        graph.add_node(
            nid,
            name=row["name"],
            kind=row["kind"],
            district=row["district"],
            group=row["group"] if row["kind"] == "exit" else "",
        )
    lon = _numeric(nodes, "lon", npath, -82.0, -60.0)
    lat = _numeric(nodes, "lat", npath, -20.0, 0.0)
    dwell = _numeric(nodes, "dwell_h", npath, 0.0, 24.0 * 60)
    for nid, x, y, d in zip(nodes["id"], lon, lat, dwell, strict=True):
        graph.nodes[nid].update(lon=float(x), lat=float(y), dwell_h=float(d))
    return graph, nodes.assign(lon=lon, lat=lat, dwell_h=dwell)


def _read_edges(
    graph: nx.Graph, edges: pd.DataFrame, epath: Path
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Add the validated edges to `graph`; returns their km, hours and base detection risk."""
    km = _numeric(edges, "km", epath, 0.1, 5000.0)
    hours = _numeric(edges, "hours", epath, 0.05, 24.0 * 30)
    risk = _numeric(edges, "base_detection_risk", epath, 0.0, 1.0)
    for i, row in edges.iterrows():
        for end in ("u", "v"):
            if row[end] not in graph:
                listed = f"every node id is in {epath.with_name('nodes.csv')}"
                expected = unknown_name("a node id of nodes.csv", row[end], list(graph), listed)
                raise ConfigError(epath, f"row {i + 2}.{end}", expected)
        if row["mode"] not in MODES:
            raise ConfigError(epath, f"row {i + 2}.mode", f"expected one of {MODES}")
        if graph.has_edge(row["u"], row["v"]):
            raise ConfigError(epath, f"row {i + 2}", f"duplicate edge {row['u']}-{row['v']}")
        graph.add_edge(
            row["u"],
            row["v"],
            mode=row["mode"],
            km=float(km[i]),
            hours=float(hours[i]),
            base_detection_risk=float(risk[i]),
            index=i,
        )
    return km, hours, risk


def _check_connectivity(
    graph: nx.Graph, npath: Path, epath: Path
) -> tuple[list[str], dict[str, str]]:
    """The districts and exits (-> group); every district must reach every exit without passing
    another exit."""
    districts = [n for n, d in graph.nodes(data=True) if d["kind"] == "district"]
    exit_group = {n: d["group"] for n, d in graph.nodes(data=True) if d["kind"] == "exit"}
    if not districts or not exit_group:
        raise ConfigError(npath, "kind", "expected at least one district and one exit")
    if not nx.is_connected(graph):
        parts = sorted(nx.connected_components(graph), key=len)
        raise ConfigError(epath, "", f"expected a connected network; isolated: {sorted(parts[0])}")
    for d, x in itertools.product(districts, exit_group):
        others = [e for e in exit_group if e != x]
        if not nx.has_path(graph.subgraph(set(graph) - set(others)), d, x):
            raise ConfigError(epath, "", f"district {d!r} cannot reach exit {x!r}")
    return districts, exit_group


def _edge_districts(graph: nx.Graph, edge_u: list[str], edge_v: list[str]) -> np.ndarray:
    """Per edge: the district id when both ends lie in one VRAEM district, else ""."""

    def node_district(n: str) -> str:
        return (
            graph.nodes[n]["district"] if graph.nodes[n]["kind"] in ("district", "airstrip") else ""
        )

    return np.array(
        [
            node_district(u) if node_district(u) and node_district(u) == node_district(v) else ""
            for u, v in zip(edge_u, edge_v, strict=True)
        ],
        dtype=object,
    )


def apply_network_overrides(net: RouteNetwork, scenario: Scenario) -> RouteNetwork:
    """A new RouteNetwork with the scenario's edge overrides and exit risk factors applied (on
    copies of the arrays and the graph); `net` is left untouched, so it can be reused."""
    cfg = scenario.network
    risk, km, hours = net.edge_risk.copy(), net.edge_km.copy(), net.edge_hours.copy()
    for ov in cfg.edge_overrides:
        i = net.edge_index[(ov.u, ov.v)]
        if ov.base_detection_risk is not None:
            risk[i] = ov.base_detection_risk
        if ov.km is not None:
            km[i] = ov.km
        if ov.hours is not None:
            hours[i] = ov.hours
    for exit_id, factor in cfg.exit_risk_factor.items():
        for nb in net.graph.neighbors(exit_id):
            i = net.edge_index[(exit_id, nb)]
            risk[i] = min(1.0, risk[i] * factor)
    graph = copy.deepcopy(net.graph)  # a deep copy keeps the order of every adjacency
    for i, (u, v) in enumerate(zip(net.edge_u, net.edge_v, strict=True)):
        graph.edges[u, v].update(
            km=float(km[i]), hours=float(hours[i]), base_detection_risk=float(risk[i])
        )
    return dataclasses.replace(
        net,
        graph=graph,
        nodes=net.nodes.copy(),
        edge_u=list(net.edge_u),
        edge_v=list(net.edge_v),
        edge_mode=net.edge_mode.copy(),
        edge_km=km,
        edge_hours=hours,
        edge_risk=risk,
        edge_district=net.edge_district.copy(),
        exit_group=dict(net.exit_group),
        districts=list(net.districts),
        edge_index=dict(net.edge_index),
    )


def enumerate_routes(
    net: RouteNetwork,
    transport_usd_per_kg_km: dict[str, float],
    lot_kg: dict[str, float],
    per_exit: int,
    value_usd_per_kg: float = 1_500.0,
) -> list[Route]:
    """The `per_exit` cheapest simple paths from every district to every exit.

    Paths are ranked by transport cost plus base detection risk times `value_usd_per_kg`;
    an exit is only ever the last node of a path. Deterministic for a given network.
    """
    cost = {m: float(transport_usd_per_kg_km[m]) for m in MODES}
    routes: list[Route] = []
    for x in net.exit_group:
        others = {e for e in net.exit_group if e != x}
        sub = nx.Graph(net.graph.subgraph(set(net.graph) - others))
        for *_ends, d in sub.edges(data=True):
            d["w"] = cost[d["mode"]] * d["km"] + d["base_detection_risk"] * value_usd_per_kg
        for dist in net.districts:
            paths = nx.shortest_simple_paths(sub, dist, x, weight="w")
            for path in itertools.islice(paths, per_exit):
                # A route may not pass through another production district's airstrip hop
                # back into the valley; simple paths already forbid revisiting nodes.
                idx = np.array(
                    [net.edge_index[(a, b)] for a, b in itertools.pairwise(path)], dtype=np.int64
                )
                modes = net.edge_mode[idx]
                transport = float(
                    sum(cost[m] * k for m, k in zip(modes, net.edge_km[idx], strict=True))
                )
                lot_mode = min(set(modes), key=lambda m: lot_kg[m])
                hours = float(net.edge_hours[idx].sum()) + sum(net.dwell_h(n) for n in path[1:])
                dwell = np.array([net.dwell_h(n) for n in path])
                routes.append(Route(dist, x, tuple(path), idx, transport, hours, lot_mode, dwell))
    return routes
