"""VraemModel: wires growers, armed factions, trafficking organisations and security forces over
the route network, and records one row per week.

The week, in order: growers harvest and decide; leaf becomes cocaine in the districts (the armed
group taxes it); security units interdict, patrol and clash; factions fight and recruit;
traffickers bid, buy and dispatch shipments; shipments move (seizures, losses, exports);
prices update; the week is recorded.
"""

from __future__ import annotations

import itertools

import mesa
import numpy as np

from sim.agents import ArmyUnit, Faction, Growers, Person, PoliceUnit, Shipment, TraffickingOrg
from sim.agents.trafficker import value_routes
from sim.config.models import Scenario
from sim.interventions import InterventionSchedule
from sim.market import ExitMarkets, VraemMarket
from sim.network.routes import RouteNetwork, apply_network_overrides, enumerate_routes, load_network
from sim.recorder import WEEKS_PER_YEAR, WeeklyRecorder

HOURS_PER_WEEK = 168.0
REFERENCE_PATROLS_PER_WEEK = 12.0  # baseline army patrols (3 units x 4): pressure = 1
INITIAL_HCL_PRICE_GUESS = 1_200.0  # USD/kg, only a starting point for the fixed-point below
CLOSED_WAIT_H = 24.0  # a load held up by a closure tries again a day later
GANG_CLASH_REFERENCE_FIGHTERS = 50.0


class VraemModel(mesa.Model):
    """The VRAEM cocaine economy, one replicate."""

    def __init__(self, scenario: Scenario, seed: int, network: RouteNetwork | None = None):
        super().__init__(rng=int(seed))
        self.config = scenario
        self.seed = int(seed)
        net = network if network is not None else load_network(scenario.network.data_dir)
        self.network = apply_network_overrides(net, scenario)
        self.weeks = scenario.weeks
        self.week = 0
        self.effectiveness = scenario.security.effectiveness
        self.escort_fee = scenario.armed_group.escort_fee_usd_per_kg
        self.escort_risk_reduction = scenario.armed_group.escort_risk_reduction
        self._build_routes()
        self.closed = np.zeros(self.network.n_edges, dtype=np.int64)  # closures in force

        self.exits = list(self.network.exit_group)
        self.exit_market = ExitMarkets(scenario.market, self.exits)
        self.market = VraemMarket(scenario.market, INITIAL_HCL_PRICE_GUESS)
        self.perceived_risk = np.empty((0, self.network.n_edges))
        self._orgs: list[TraffickingOrg] = []

        Faction(self, scenario.armed_group, scenario.armed_group.name)
        self._add_traffickers()
        self._add_security()
        # Start prices at the traffickers' bid so the run begins near its steady state.
        for _ in range(5):
            self.market = VraemMarket(scenario.market, self._market_bid())
        self.growers = Growers(
            scenario.growers,
            self.network.districts,
            self.armed_tax_share(),
            scenario.growers.reference_leaf_price_usd_per_kg,
            self.rng,
        )

        self._start_factions_in_equilibrium()
        n_districts = len(self.network.districts)
        self.producer_stock = np.zeros(n_districts)
        self.shipments: list[Shipment] = []
        self.edge_owner = self._edge_owners()
        self._edge_hours = self.network.edge_hours.tolist()
        self._edge_escortable = (self.network.edge_district != "").tolist()
        self._loss = self.loss_probability.tolist()
        self._obs_rows: list[int] = []
        self._obs_cols: list[int] = []
        self._u_block: list[float] = []
        self._u_pos = 0
        self.edge_risk_now = self.network.edge_risk.copy()
        self.detection_factor = np.ones(self.network.n_edges)  # e.g. an interdiction surge
        self.eradication_plan = np.zeros(n_districts)  # ha/week ordered by interventions
        self.eradicated_by_district = np.zeros(n_districts)
        self._pending_splits: list[tuple[Faction, int, str]] = []
        self.schedule = InterventionSchedule(self, list(scenario.interventions))
        self.recorder = WeeklyRecorder(self.weeks, self.exits, self.network.n_edges)
        self._reset_week()

    # --- construction ----------------------------------------------------------------------
    def _build_routes(self) -> None:
        cfg = self.config.traffickers
        net = self.network
        district_pos = {d: i for i, d in enumerate(net.districts)}
        routes = enumerate_routes(net, cfg.transport_usd_per_kg_km, cfg.lot_kg, cfg.routes_per_exit)
        # grouped by origin district: district d's routes are route_segment[d]:route_segment[d+1]
        self.routes = sorted(routes, key=lambda r: district_pos[r.district])
        n_r, n_e = len(self.routes), net.n_edges
        self.route_edges = np.zeros((n_r, n_e))
        self.route_edges_in_valley = np.zeros((n_r, n_e))
        in_valley = net.edge_district != ""
        exit_pos = {x: i for i, x in enumerate(net.exit_group)}
        for i, route in enumerate(self.routes):
            self.route_edges[i, route.edges] = 1.0
            self.route_edges_in_valley[i, route.edges] = in_valley[route.edges]
        self.route_exit = np.array([exit_pos[r.exit] for r in self.routes])
        self.route_origin = np.array([district_pos[r.district] for r in self.routes])
        self.route_transport = np.array([r.transport_usd_per_kg for r in self.routes])
        self.route_lot_kg = np.array([cfg.lot_kg[r.lot_mode] for r in self.routes])
        self.route_edge_list = [r.edges.tolist() for r in self.routes]
        self.route_dwell_list = [r.dwell_h.tolist() for r in self.routes]
        self.min_lot_kg = float(self.route_lot_kg.min())
        self.route_segment = np.searchsorted(self.route_origin, np.arange(len(net.districts) + 1))
        self.loss_probability = np.array(
            [cfg.loss_probability[m] for m in net.edge_mode], dtype=float
        )

    def _add_traffickers(self) -> None:
        cfg = self.config.traffickers
        n_districts = len(self.network.districts)
        for k in range(cfg.organisations):
            presence = self.rng.uniform(0.05, 1.0, n_districts) ** 2
            TraffickingOrg(self, cfg, presence / presence.max(), f"org_{k + 1}")

    def _add_security(self) -> None:
        cfg = self.config.security
        net = self.network
        kinds = net.graph.nodes
        groups: dict[str, list[int]] = {"valley": [], "corridors": [], "ports_borders": []}
        for i, (u, v) in enumerate(zip(net.edge_u, net.edge_v, strict=True)):
            ends = {kinds[u]["kind"], kinds[v]["kind"]}
            if "exit" in ends:
                groups["ports_borders"].append(i)
            elif ends & {"district", "airstrip"}:
                groups["valley"].append(i)
            else:
                groups["corridors"].append(i)
        for label, edges in groups.items():
            if edges:
                PoliceUnit(self, cfg, label, np.array(sorted(edges), dtype=np.int64))
        for k in range(cfg.army_units):
            ArmyUnit(self, cfg, f"army_{k + 1}")

    def register_trafficker(self, org: TraffickingOrg) -> int:
        """Give an organisation its row of perceived edge risk, starting at the base risk."""
        self._orgs.append(org)
        self.perceived_risk = np.vstack([self.perceived_risk, self.network.edge_risk])
        self._observed = np.zeros_like(self.perceived_risk)
        self._seized_seen = np.zeros_like(self.perceived_risk)
        return len(self._orgs) - 1

    def observe(self, owner: TraffickingOrg, edges: list[int], seized_on: int | None) -> None:
        """Note one shipment's fate on the edges it crossed; digested in `_learn` each week."""
        self._obs_rows.extend([owner.index] * len(edges))
        self._obs_cols.extend(edges)
        if seized_on is not None:
            self._seized_seen[owner.index, seized_on] += 1.0

    def _learn(self) -> None:
        """Each organisation updates its risk estimates from the week's shipments: its own with
        full weight, the others' (what it hears) with `risk_sharing` weight. Exponential
        smoothing with one step of `risk_learning_rate` per observation."""
        cfg = self.config.traffickers
        seen, seized = self._observed, self._seized_seen
        np.add.at(seen, (self._obs_rows, self._obs_cols), 1.0)
        self._obs_rows.clear()
        self._obs_cols.clear()
        n = seen + cfg.risk_sharing * (seen.sum(axis=0) - seen)
        k = seized + cfg.risk_sharing * (seized.sum(axis=0) - seized)
        has = n > 0
        step = 1.0 - (1.0 - cfg.risk_learning_rate) ** n
        rate = np.divide(k, n, out=np.zeros_like(n), where=has)
        self.perceived_risk += np.where(has, step * (rate - self.perceived_risk), 0.0)
        seen[:] = 0.0
        seized[:] = 0.0

    def _edge_owners(self) -> list[PoliceUnit]:
        owner: list[PoliceUnit | None] = [None] * self.network.n_edges
        for unit in self.agents_by_type[PoliceUnit]:
            for e in unit.edges:
                owner[e] = unit
        return owner

    def _start_factions_in_equilibrium(self) -> None:
        """Give each faction the upkeep at which its expected steady income (leaf tax and escort
        fees on each district's output, by its control) sustains its starting size."""
        mcfg = self.config.market
        leaf = np.bincount(
            self.growers.district,
            weights=self.growers.mature_ha * self.growers.cfg.yield_kg_per_ha_year / 52.0,
            minlength=len(self.network.districts),
        )
        cocaine = leaf * (1.0 - mcfg.licit_leaf_share) / mcfg.leaf_per_kg_hcl
        for f in self.active_factions():
            tax = (f.tax_share() * leaf * self.market.price_leaf).sum()
            fees = (f.control * cocaine).sum() * f.cfg.escort_fee_usd_per_kg
            f.set_equilibrium_upkeep(float(tax + fees))

    # --- queries used by the agents --------------------------------------------------------
    def active_factions(self) -> list[Faction]:
        if Faction not in self.agents_by_type:
            return []
        return [f for f in self.agents_by_type[Faction] if f.active]

    def armed_control(self) -> np.ndarray:
        control = np.zeros(len(self.network.districts))
        for f in self.active_factions():
            control += f.control
        return np.minimum(control, 1.0)

    def armed_tax_share(self) -> np.ndarray:
        share = np.zeros(len(self.network.districts))
        for f in self.active_factions():
            share += f.tax_share()
        return np.minimum(share, 1.0)

    def route_origin_control(self) -> np.ndarray:
        return self.armed_control()[self.route_origin]

    def grievance_in(self, control: np.ndarray) -> float:
        """Growers' grievance averaged over a faction's territory, weighted by control (0-1)."""
        total = control.sum()
        return float((control * self.growers.grievance).sum() / total) if total > 0 else 0.0

    def security_effectiveness(self) -> float:
        return self.effectiveness

    def patrol_pressure(self, control: np.ndarray) -> float:
        """Army patrol pressure on a faction's territory relative to the baseline (factor)."""
        cfg = self.config.security
        patrols = cfg.army_units * cfg.patrols_per_unit_week * self.effectiveness
        return patrols / REFERENCE_PATROLS_PER_WEEK if control.sum() > 0 else 0.0

    def _market_bid(self) -> float:
        self.route_value = value_routes(self, self.config.traffickers)
        orgs = list(self.agents_by_type[TraffickingOrg])
        weights = np.array([o.presence.sum() for o in orgs])
        bids = np.array([o.update_bid() for o in orgs])
        return float((weights * bids).sum() / weights.sum())

    # --- events the agents report ----------------------------------------------------------
    def record_violence(self, kind: str, deaths: int) -> None:
        self._violent_events += 1
        self._deaths += int(deaths)

    def clash(self, faction: Faction) -> None:
        """A fight between security forces and a faction's fighters."""
        cfg = self.config.security
        deaths = int(self.rng.poisson(cfg.deaths_per_clash))
        fighters = int(self.rng.binomial(deaths, cfg.fighter_share_of_clash_deaths))
        faction.lose_fighters(fighters)
        self.record_violence("clash", deaths)

    def fragment(self, faction: Faction, gangs: int, reason: str) -> None:
        """Split a faction into gangs (now if called between phases, else after the factions'
        step): they divide members, fighters and districts, each keeping a home turf and a
        foothold in the others' districts."""
        self._pending_splits.append((faction, gangs, reason))
        if not self._in_faction_phase:
            self._do_splits()

    def _do_splits(self) -> None:
        for faction, n, reason in self._pending_splits:
            if not faction.active:
                continue
            shares = self.rng.dirichlet(np.full(n, 4.0))
            order = np.argsort(-faction.control, kind="stable")
            home = np.empty(order.size, dtype=np.int64)
            home[order] = np.arange(order.size) % n
            slug = faction.name.lower().replace(" ", "_")
            for k in range(n):
                turf = np.where(home == k, 0.7, 0.3 / (n - 1))
                boss = Person(f"{slug}_gang{k + 1}_boss", f"boss of gang {k + 1}", "leader")
                gang = Faction(
                    self,
                    faction.cfg,
                    f"{faction.name} gang {k + 1}",
                    control=faction.control * turf,
                    members=faction.members * shares[k],
                    fighters=faction.fighters * shares[k],
                    chain=[boss],
                    gang=True,
                )
                gang.upkeep = faction.upkeep  # members cost a gang what they cost the group
            faction.active = False
            faction.remove()
            self.log_event("fragmentation", faction.name, f"split into {n} gangs ({reason})")
        self._pending_splits.clear()

    def _gang_fights(self) -> None:
        """Gangs that share districts fight over them; winners take control from losers."""
        cfg = self.config.armed_group
        gangs = [f for f in self.active_factions() if f.gang]
        for a, b in itertools.combinations(gangs, 2):
            shared = np.minimum(a.control, b.control)
            if shared.sum() <= 0 or a.fighters <= 0 or b.fighters <= 0:
                continue
            rate = (
                cfg.gang_clashes_per_year
                / 52.0
                * (a.fighters / GANG_CLASH_REFERENCE_FIGHTERS)
                * (b.fighters / GANG_CLASH_REFERENCE_FIGHTERS)
                * shared.sum()
            )
            for _ in range(self.rng.poisson(rate)):
                d = int(np.searchsorted(np.cumsum(shared) / shared.sum(), self.rng.random()))
                d = min(d, shared.size - 1)
                a_wins = self.rng.random() < a.fighters / (a.fighters + b.fighters)
                winner, loser = (a, b) if a_wins else (b, a)
                deaths = int(self.rng.poisson(self.config.security.deaths_per_clash))
                lost_by_loser = int(self.rng.binomial(deaths, 0.7))
                loser.lose_fighters(lost_by_loser)
                winner.lose_fighters(deaths - lost_by_loser)
                moved = cfg.gang_clash_control_shift * loser.control_ref[d]
                loser.control_ref[d] -= moved
                winner.control_ref[d] += moved
                self.record_violence("gang_clash", deaths)

    def log_event(self, kind: str, who: str, outcome: str) -> None:
        self.recorder.events.append((self.week, kind, who, outcome))

    def dispatch(self, org: TraffickingOrg, route: int, kg: float, district: int) -> None:
        """Start a shipment; the armed group escorts it out of districts it controls, for a fee."""
        escorted = False
        if self.rng.random() < self._escort_probability[district]:
            pick = np.searchsorted(self._escort_cdf[district], self.rng.random())
            self._escort_factions[
                min(int(pick), len(self._escort_factions) - 1)
            ].collect_escort_fee(kg)
            escorted = True
        dwell = self.routes[route].dwell_h[0]
        x = int(self.route_exit[route])
        self.shipments.append(Shipment(org, kg, route, x, 0, dwell, escorted))
        self._exit_dispatched[x] += kg

    # --- the week --------------------------------------------------------------------------
    def _reset_week(self) -> None:
        for f in self.active_factions():
            f.close_week()
        factions = self.active_factions()
        control = np.zeros((len(factions), len(self.network.districts)))
        for i, f in enumerate(factions):
            control[i] = f.control
        total = control.sum(axis=0)
        self._escort_factions = factions
        self._escort_probability = np.minimum(total, 1.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            self._escort_cdf = np.nan_to_num(np.cumsum(control, axis=0) / total).T
        self._violent_events = 0
        self._deaths = 0
        self.eradicated_by_district = np.zeros(len(self.network.districts))
        self._in_faction_phase = False
        self._flows = {"seized": 0.0, "exported": 0.0, "lost": 0.0}
        self._exit_exported = np.zeros(len(self.exits))
        self._exit_seized = np.zeros(len(self.exits))
        self._exit_dispatched = np.zeros(len(self.exits))

    def step(self) -> None:
        """One week."""
        self._reset_week()
        self.schedule.step(self.week)
        produced, leaf = self._produce()
        self.agents_by_type[PoliceUnit].shuffle_do("step")
        self._update_edge_risk()
        self.agents_by_type[ArmyUnit].shuffle_do("step")
        self.growers.record_eradication(self.eradicated_by_district)
        self._in_faction_phase = True
        self.agents_by_type[Faction].shuffle_do("step")
        self._in_faction_phase = False
        self._do_splits()
        self._gang_fights()
        self._trade()
        self.route_value = value_routes(self, self.config.traffickers)
        self.agents_by_type[TraffickingOrg].shuffle_do("step")
        self._move_shipments()
        self._update_prices(produced)
        self._record(produced, leaf)
        self.week += 1

    def _produce(self) -> tuple[float, float]:
        mcfg = self.config.market
        leaf = self.growers.step(self.market.price_leaf, self.armed_tax_share())
        leaf_value = leaf * self.market.price_leaf
        for f in self.active_factions():
            f.collect_leaf_tax(leaf_value)
        cocaine = leaf * (1.0 - mcfg.licit_leaf_share) / mcfg.leaf_per_kg_hcl
        self.producer_stock += cocaine
        return float(cocaine.sum()), float(leaf.sum())

    def edges_into(self, exit_id: str) -> np.ndarray:
        """Indices of the edges that end at an exit."""
        g = self.network.graph
        return np.array(sorted(self.network.edge_index[(exit_id, nb)] for nb in g[exit_id]))

    def set_detection_factor(self, edges: np.ndarray, factor: float) -> None:
        """Multiply the detection hazard on `edges` from now on (more or fewer police there).

        Traffickers are not told: they find out from their seizures.
        """
        self.detection_factor[edges] = factor

    def _update_edge_risk(self) -> None:
        mult = self.detection_factor.copy()
        for unit in self.agents_by_type[PoliceUnit]:
            mult[unit.edges] *= unit.hazard()
        self.edge_risk_now = -np.expm1(mult * np.log1p(-np.minimum(self.network.edge_risk, 0.999)))

    def _trade(self) -> None:
        """Traffickers buy from producers' stock in the districts where they operate."""
        orgs = list(self.agents_by_type[TraffickingOrg])
        price = self.market.price_hcl
        base = self.config.traffickers.buy_share_per_week
        presence = np.array([o.presence for o in orgs])
        share = np.array([VraemMarket.buy_share(base, o.bid_usd_per_kg, price) for o in orgs])
        weight = presence / presence.sum(axis=0, keepdims=True)
        bought = share[:, None] * weight * self.producer_stock[None, :]
        for org, kg in zip(orgs, bought, strict=True):
            org.receive(kg, price)
        self.producer_stock -= bought.sum(axis=0)
        self.producer_stock = np.maximum(self.producer_stock, 0.0)

    def _uniform(self) -> float:
        """Next uniform draw from the model's generator, drawn in blocks for speed."""
        if self._u_pos >= len(self._u_block):
            self._u_block = self.rng.random(4096).tolist()
            self._u_pos = 0
        self._u_pos += 1
        return self._u_block[self._u_pos - 1]

    def _move_shipments(self) -> None:
        """Advance every shipment by one week: legs, staging, seizures, losses and exports."""
        uniform = self._uniform
        risk_now = self.edge_risk_now.tolist()
        closed = self.closed.tolist()
        escortable, hours, loss = self._edge_escortable, self._edge_hours, self._loss
        keep_escorted = 1.0 - self.escort_risk_reduction
        prices = self.exit_market.price.tolist()
        remaining: list[Shipment] = []
        for s in self.shipments:
            edges = self.route_edge_list[s.route]
            s.ready_in_h -= HOURS_PER_WEEK
            done = False
            while s.ready_in_h <= 0:
                if s.at_exit:
                    self._exit_exported[s.exit] += s.kg
                    self._flows["exported"] += s.kg
                    s.owner.sell(s.kg, prices[s.exit])
                    self.observe(s.owner, edges, None)
                    done = True
                    break
                e = edges[s.leg]
                if closed[e]:
                    s.ready_in_h += CLOSED_WAIT_H
                    continue
                risk = risk_now[e] * keep_escorted if s.escorted and escortable[e] else risk_now[e]
                if uniform() < risk:
                    self._exit_seized[s.exit] += s.kg
                    self._flows["seized"] += s.kg
                    self.edge_owner[e].record_seizure(e, s.kg)
                    self.observe(s.owner, edges[: s.leg + 1], e)
                    done = True
                    break
                if uniform() < loss[e]:
                    self._flows["lost"] += s.kg
                    done = True
                    break
                self.recorder.edge_kg[self.week // WEEKS_PER_YEAR, e] += s.kg
                s.leg += 1
                s.ready_in_h += hours[e] + self.route_dwell_list[s.route][s.leg]
                s.at_exit = s.leg == len(edges)
            if not done:
                remaining.append(s)
        self.shipments = remaining
        self._learn()

    def _update_prices(self, produced: float) -> None:
        self.exit_market.update(self._exit_dispatched, self._exit_exported, self._exit_seized)
        stock = self.producer_stock.sum()
        self.market.update(self._market_bid(), stock, produced)

    def _record(self, produced: float, leaf: float) -> None:
        factions = self.active_factions()
        stock = self.producer_stock.sum() + sum(
            o.stock.sum() for o in self.agents_by_type[TraffickingOrg]
        )
        r = self.recorder
        w = self.week
        r.set_row(
            w,
            coca_ha=self.growers.coca_ha(),
            leaf_t=leaf / 1000.0,
            cocaine_produced_kg=produced,
            cocaine_stock_kg=stock,
            cocaine_in_transit_kg=sum(s.kg for s in self.shipments),
            seized_kg=self._flows["seized"],
            exported_kg=self._flows["exported"],
            lost_kg=self._flows["lost"],
            price_leaf_usd_per_kg=self.market.price_leaf,
            price_paste_usd_per_kg=self.market.price_paste,
            price_hcl_vraem_usd_per_kg=self.market.price_hcl,
            armed_groups=len(factions),
            armed_members=sum(f.members for f in factions),
            armed_fighters=sum(f.fighters for f in factions),
            armed_income_usd=sum(f.income_week for f in factions),
            violent_events=self._violent_events,
            deaths=self._deaths,
            eradicated_ha=float(self.eradicated_by_district.sum()),
            leader_in_place=any(f.leader is not None and not f.gang for f in factions),
        )
        r.exit_exported[w] = self._exit_exported
        r.exit_seized[w] = self._exit_seized
        r.exit_dispatched[w] = self._exit_dispatched
        r.exit_price[w] = self.exit_market.price

    def run(self) -> WeeklyRecorder:
        """Run the reported horizon and return the records."""
        for _ in range(self.weeks):
            self.step()
        return self.recorder
