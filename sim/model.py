"""VraemModel: wires growers, armed factions, trafficking organisations, security forces,
shipments in transit and markets over the route network, and orders the week.

The week, in order: interventions start or end; growers harvest and decide, and leaf becomes
cocaine in the districts (the armed group taxes it); police units adapt and set the week's
detection risk; army units patrol, clash, target the leadership and eradicate; factions fight,
recruit and may split; gangs fight each other; traffickers buy, value routes and ship (escorts
hired); shipments move (seizures, losses, exports) and traffickers learn from them; prices
update; the week is recorded.
"""

from __future__ import annotations

import mesa
import networkx as nx
import numpy as np

from sim.agents import ArmyUnit, Faction, Growers, PoliceUnit, TraffickingOrg
from sim.agents.cadres import Cadres
from sim.agents.civilians import Civilians
from sim.agents.security import ArmyOrders, clash, police_beats
from sim.agents.splits import act_on_defections, break_up, leaderless_breakup
from sim.agents.trafficker import (
    RiskBeliefs,
    buy_stock,
    draw_presence,
    plan_shipments,
    value_routes,
)
from sim.agents.turf import (
    Escorts,
    combined_control,
    combined_tax_share,
    contest,
    merge_weak,
    start_in_equilibrium,
)
from sim.config.armed_group import CadreConfig
from sim.config.models import Scenario
from sim.interventions import InterventionSchedule, Levers
from sim.market import ExitMarkets, VraemMarket
from sim.network.route_table import RouteTable
from sim.network.routes import RouteNetwork
from sim.recorder import WeeklyRecorder
from sim.scenarios import compile_scenario
from sim.transit import Transit
from sim.units import KG_PER_T, WEEKS_PER_YEAR


class VraemModel(mesa.Model):
    """The VRAEM cocaine economy, one replicate.

    `network` and `routes` are the scenario's compiled network (overrides applied) and route
    table; replicates of one scenario may share them, since the model never changes them.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        network: RouteNetwork | None = None,
        routes: RouteTable | None = None,
    ) -> None:
        super().__init__(rng=int(seed))
        self._factions: list[Faction] | None = None  # the armed groups, renewed when one is made
        cfg = self.config = scenario
        self.seed = int(seed)
        if network is None or routes is None:
            network, routes = compile_scenario(scenario)
        self.network, self.routes = network, routes
        self.weeks, self.week = scenario.weeks, 0
        self.effectiveness = np.array([cfg.security.effectiveness])  # a lever (one entry)
        self.recorder = WeeklyRecorder(self.weeks, self.network.exits, network.n_edges)
        self.transit = Transit(
            network,
            self.routes,
            self.rng,
            cfg.armed_group.escort_risk_reduction,
            cfg.traffickers.closure_wait_h,
            self.recorder.edge_kg,
        )
        self.exit_market = ExitMarkets(cfg.market, self.network.exits)
        self.market = VraemMarket(cfg.market, cfg.market.hcl_price_start_usd_per_kg)
        self.beliefs = RiskBeliefs(network.n_edges)
        self.hops = district_hops(network)
        self.adjacent = self.hops == 1
        self._add_armed_groups()
        self._add_traffickers()
        for _ in range(cfg.market.start_price_rounds):  # start near the steady-state price
            self.market = VraemMarket(cfg.market, self._market_bid())
        self.growers = Growers(
            cfg.growers,
            self.districts,
            self.armed_tax_share(),
            cfg.growers.reference_leaf_price_usd_per_kg,
            self.rng,
        )
        self.civilians = Civilians(cfg.armed_group.informers, self.growers, self.rng)
        self.orders = ArmyOrders(len(self.districts))
        self._add_security()
        leaf = self.growers.weekly_leaf_by_district()  # the factions start in equilibrium
        start_in_equilibrium(
            self.active_factions(), leaf, self.market.price_leaf, self._cocaine_from(leaf)
        )
        self.producer_stock = np.zeros(len(self.districts))
        self.levers = Levers(
            detection_factor=self.transit.detection_factor,
            closures=self.transit.closed,
            eradication_plan=self.orders.eradication_plan,
            security_effectiveness=self.effectiveness,
            demand_factor=self.exit_market.demand_factor,
            alt_subsidy=self.growers.alt_subsidy,
            visibility=np.zeros(1),
            boycott=np.zeros(self.weeks),
        )
        self.schedule = InterventionSchedule(list(scenario.interventions))
        self._new_week()

    # --- construction ----------------------------------------------------------------------
    def _add_armed_groups(self) -> None:
        """The MPCP with its cadres, and the rival factions with a leader and a lieutenant."""
        ag = self.config.armed_group
        Faction(self, ag, ag.name, Cadres.from_config(ag.succession, ag.cadres, self.districts))
        for rival in ag.rivals:
            base = max(rival.territory, key=rival.territory.get)
            slug = rival.name.lower().replace(" ", "_")
            people = [
                CadreConfig(
                    id=f"{slug}_leader",
                    name=f"leader of the {rival.name}",
                    rank="leader",
                    age=45,
                    base=base,
                    seniority=10,
                ),
                CadreConfig(
                    id=f"{slug}_lieutenant",
                    name=f"lieutenant of the {rival.name}",
                    rank="commander",
                    age=35,
                    base=base,
                    seniority=5,
                ),
            ]  # fmt: skip  (generic: no source names them)
            control = np.array([rival.territory.get(d, 0.0) for d in self.districts])
            Faction(
                self,
                ag,
                rival.name,
                Cadres.from_config(ag.succession, people, self.districts),
                kind="rival",
                control=control,
                members=rival.members,
            )

    def _add_traffickers(self) -> None:
        cfg, n = self.config.traffickers, len(self.districts)
        for k in range(cfg.organisations):
            presence = draw_presence(self.rng, n, cfg)
            TraffickingOrg(
                self,
                cfg,
                presence,
                f"org_{k + 1}",
                self.routes,
                self.beliefs,
                self.network.edge_risk,
            )

    def _add_security(self) -> None:
        cfg = self.config.security
        for label, edges in police_beats(self.network).items():
            PoliceUnit(self, cfg, label, edges)
        for k in range(cfg.army_units):
            ArmyUnit(self, cfg, f"army_{k + 1}", self.orders, self.growers)
        self.transit.assign_police(self._agents_of(PoliceUnit))

    # --- what agents and interventions may ask (sim.agents.world.World) --------------------
    @property
    def districts(self) -> list[str]:
        return self.network.districts

    def _agents_of(self, kind: type) -> list:
        return list(self.agents_by_type[kind]) if kind in self.agents_by_type else []

    def register_agent(self, agent: mesa.Agent) -> None:
        """Mesa's registration; a new armed group also renews the list of groups."""
        super().register_agent(agent)
        if isinstance(agent, Faction):
            self._factions = None

    def active_factions(self) -> list[Faction]:
        if self._factions is None:
            self._factions = self._agents_of(Faction)
        return [f for f in self._factions if f.active]

    def start_trafficking_crew(self, label: str, presence: np.ndarray) -> str:
        TraffickingOrg(
            self,
            self.config.traffickers,
            presence,
            label,
            self.routes,
            self.beliefs,
            self.network.edge_risk,
        )
        return label

    def group_names(self) -> set[str]:
        return {f.name for f in self._agents_of(Faction)}

    def armed_control(self) -> np.ndarray:
        return combined_control(self.active_factions(), len(self.districts))

    def armed_tax_share(self) -> np.ndarray:
        return combined_tax_share(self.active_factions(), len(self.districts))

    def grievance_in(self, control: np.ndarray) -> float:
        total = control.sum()
        return float((control * self.growers.grievance).sum() / total) if total > 0 else 0.0

    def security_effectiveness(self) -> float:
        return float(self.effectiveness[0])

    def district_hops(self) -> np.ndarray:
        return self.hops

    def patrol_presence(self) -> np.ndarray:
        usual = self.config.security.reference_patrols_per_week / len(self.districts)
        return self.orders.patrols / usual

    def informing(self) -> np.ndarray:
        return self.civilians.informing

    def information_factor(self, district: int) -> float:
        return self.civilians.information_factor(district)

    def information_factor_by_district(self) -> np.ndarray:
        return self.civilians.information_factor_by_district()

    def political_visibility(self) -> float:
        week = min(self.week, self.weeks - 1)
        return float(self.levers["visibility"][0] + self.levers["boycott"][week])

    def control_of_others(self, faction: object) -> np.ndarray:
        others = [f for f in self.active_factions() if f is not faction]
        return combined_control(others, len(self.districts))

    def civilians_killed(self, district: int, killed: int, indiscriminate: bool) -> None:
        self.civilians.suffer(district, killed, indiscriminate)

    def log_event(self, kind: str, who: str, outcome: str) -> None:
        self.recorder.log_event(self.week, kind, who, outcome)

    def record_violence(
        self,
        kind: str,
        group: str,
        district: int,
        deaths_security: int = 0,
        deaths_civilians: int = 0,
        deaths_armed: int = 0,
    ) -> None:
        self.recorder.add_violence(
            kind,
            group,
            self.districts[district] if district >= 0 else "",
            int(deaths_security),
            int(deaths_civilians),
            int(deaths_armed),
        )

    def clash(self, faction: Faction, district: int) -> None:
        clash(self, faction, district)

    def split(self, faction: Faction, groups: int, reason: str) -> None:
        break_up(self, faction, groups, self.hops, reason)
        self._groups_changed()

    def _groups_changed(self) -> None:
        """The groups now escort (and are paid for) what leaves their districts."""
        self.escorts = Escorts(self.active_factions(), len(self.districts))

    # --- the week --------------------------------------------------------------------------
    def step(self) -> None:
        """One week."""
        self._new_week()
        self.schedule.step(self.week, self, self.levers)
        produced, leaf = self._produce()
        self._agents_do(PoliceUnit)
        self.transit.update_risk(self._agents_of(PoliceUnit))
        self._agents_do(ArmyUnit)
        self.growers.record_eradication(self.orders.eradicated)
        self.civilians.update(self.patrol_presence(), self.armed_control(), self.armed_tax_share())
        self._agents_do(Faction)
        self._act_on_defections()
        self._contest_turf()
        self._traffickers_buy()
        self.route_value = self._value_routes()
        self._ship()
        self.transit.move(self.week // WEEKS_PER_YEAR, self.exit_market.price, self.beliefs)
        self.beliefs.learn(self.config.traffickers)
        self._update_prices(produced)
        self._record(produced, leaf)
        self.week += 1

    def _agents_do(self, kind: type) -> None:
        if kind in self.agents_by_type:
            self.agents_by_type[kind].shuffle_do("step")

    def _new_week(self) -> None:
        for f in self.active_factions():
            f.close_week()
        self._groups_changed()
        self.recorder.new_week(self.week)  # the week step() is about to record
        self.orders.new_week()
        self.transit.new_week()

    def _cocaine_from(self, leaf: np.ndarray) -> np.ndarray:
        mcfg = self.config.market
        return leaf * (1.0 - mcfg.licit_leaf_share) / mcfg.leaf_per_kg_hcl

    def _produce(self) -> tuple[float, float]:
        leaf = self.growers.step(self.market.price_leaf, self.armed_tax_share())
        leaf_value = leaf * self.market.price_leaf
        for f in self.active_factions():
            f.collect_leaf_tax(leaf_value)
        cocaine = self._cocaine_from(leaf)
        self.producer_stock += cocaine
        return float(cocaine.sum()), float(leaf.sum())

    def _contest_turf(self) -> None:
        factions = self.active_factions()
        if len(factions) > 1:
            contest(self, factions, self.adjacent)
        merge_weak(self, factions, self.adjacent)
        if len(self.active_factions()) < len(factions):
            self._groups_changed()  # a merged gang (or one turned crew) no longer escorts
        for f in self.active_factions():
            f.choose_taxes(self.control_of_others(f))

    def _traffickers_buy(self) -> None:
        orgs, price = self._agents_of(TraffickingOrg), self.market.price_hcl
        self.producer_stock = buy_stock(orgs, self.producer_stock, price, self.config.traffickers)

    def _act_on_defections(self) -> None:
        changed = False
        for f in self.active_factions():
            if f.leader is None and not f.cadres.free():
                leaderless_breakup(self, f, self.hops)
                changed = True
            elif f.defectors:
                act_on_defections(self, f, self.hops, "chose to leave")
                changed = True
        if changed:
            self._groups_changed()

    def _value_routes(self) -> np.ndarray:
        ag = self.config.armed_group
        return value_routes(
            self.beliefs.perceived,
            self.routes,
            self.armed_control()[self.routes.origin],
            self.exit_market.price,
            self.market.price_hcl,
            self.transit.closed,
            self.config.traffickers,
            ag.escort_fee_usd_per_kg,
            ag.escort_risk_reduction,
        )

    def _market_bid(self) -> float:
        self.route_value = self._value_routes()
        orgs = self._agents_of(TraffickingOrg)
        weights = np.array([o.presence.sum() for o in orgs])
        bids = np.array([o.update_bid(self.route_value[o.index]) for o in orgs])
        return float((weights * bids).sum() / weights.sum())

    def _ship(self) -> None:
        """The organisations send their lots; each may hire an escort out of its district."""
        orgs = self._agents_of(TraffickingOrg)
        owner, routes, kg, district = plan_shipments(
            orgs, self.route_value, self.routes, self.config.traffickers, self.rng
        )
        escorted = self.escorts.hire(self.rng, district, kg)
        self.transit.dispatch(orgs, owner, routes, kg, escorted)

    def _update_prices(self, produced: float) -> None:
        t = self.transit
        self.exit_market.update(t.exit_dispatched, t.exit_exported, t.exit_seized)
        self.market.update(self._market_bid(), self.producer_stock.sum(), produced)

    def _record(self, produced: float, leaf: float) -> None:
        factions, t = self.active_factions(), self.transit
        stock = self.producer_stock.sum() + sum(
            o.stock.sum() for o in self._agents_of(TraffickingOrg)
        )
        self.recorder.record_week(
            self.week,
            coca_ha=self.growers.coca_ha(),
            leaf_t=leaf / KG_PER_T,
            cocaine_produced_kg=produced,
            cocaine_stock_kg=stock,
            cocaine_in_transit_kg=t.in_transit_kg(),
            seized_kg=t.seized_kg,
            exported_kg=t.exported_kg,
            lost_kg=t.lost_kg,
            price_leaf_usd_per_kg=self.market.price_leaf,
            price_paste_usd_per_kg=self.market.price_paste,
            price_hcl_vraem_usd_per_kg=self.market.price_hcl,
            armed_groups=len(factions),
            armed_members=sum(f.members for f in factions),
            armed_fighters=sum(f.fighters for f in factions),
            armed_income_usd=sum(f.income_week for f in factions),
            eradicated_ha=float(self.orders.eradicated.sum()),
            leader_in_place=any(f.leader is not None and f.kind == "mpcp" for f in factions),
        )
        self.recorder.record_exits(
            self.week, t.exit_exported, t.exit_seized, t.exit_dispatched, self.exit_market.price
        )

    def run(self) -> WeeklyRecorder:
        """Run the reported horizon and return the records."""
        for _ in range(self.weeks):
            self.step()
        return self.recorder


def district_hops(network: RouteNetwork) -> np.ndarray:
    """Hops between districts on the route network (n x n integers)."""
    names = network.districts
    hops = np.zeros((len(names), len(names)), dtype=np.int64)
    for i, a in enumerate(names):
        lengths = nx.single_source_shortest_path_length(network.graph, a)
        for j, b in enumerate(names):
            hops[i, j] = lengths.get(b, len(network.graph))
    return hops
