"""Behaviour of the actors, each on its own or in seeded replicates."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SCENARIOS, baseline, baseline_records

from sim.agents import Faction, Growers
from sim.agents.splits import leaderless_breakup
from sim.model import VraemModel
from sim.recorder import DEATHS_BY_KIND, DEATHS_BY_VICTIM
from sim.runner.batch import run_scenario
from sim.runner.seeds import replicate_seeds


def small_growers(seed: int = 1) -> Growers:
    cfg = baseline().growers.model_copy(update={"households": 4000})
    districts = list(cfg.district_coca_share)
    return Growers(cfg, districts, np.zeros(len(districts)), 2.5, np.random.default_rng(seed))


def test_growers_start_with_the_configured_coca_area_in_equilibrium():
    g = small_growers()
    assert abs(g.coca_ha() - 35_709) < 1.0
    tax = np.zeros(len(g.districts))
    for _ in range(52):
        g.step(2.5, tax)
    assert abs(g.coca_ha() / 35_709 - 1) < 0.01  # at the reference price nothing changes


def test_growers_abandon_coca_when_the_leaf_price_collapses_and_plant_when_it_booms():
    tax = np.zeros(8)
    low, high = small_growers(), small_growers()
    for _ in range(104):
        low.step(1.0, tax)
        high.step(4.0, tax)
    assert low.coca_ha() < 0.7 * 35_709
    assert high.coca_ha() > 1.1 * 35_709
    # new coca is young: only part of the boom is already harvested
    assert high.immature_ha.sum() > 0


def test_eradication_destroys_mature_coca_and_growers_replant_a_share():
    g = small_growers()
    d = g.districts.index("pichari")
    before_mature = g.mature_ha.sum()
    destroyed = g.eradicate(d, 1000.0, np.random.default_rng(3))
    assert destroyed == 1000.0
    assert abs(g.mature_ha.sum() - (before_mature - 1000.0)) < 1e-6
    replanted = g.immature_ha.sum()
    # replant_fraction = 0.6 of households replant; with hundreds of households the share is
    # within 0.45-0.75 of the area
    assert 450 < replanted < 750


def _mpcp(model: VraemModel) -> Faction:
    return next(f for f in model.active_factions() if f.kind == "mpcp")


def _all_cadres_removed(faction: Faction) -> str:
    """Capture every free cadre of `faction`, the leader last (killed); returns his outcome."""
    for person in [p for p in faction.cadres.free() if p.rank != "leader"]:
        faction.remove_cadre(person, "captured")
    return faction.remove_cadre(faction.leader, "killed")


def _broken_up(weeks: int) -> tuple[VraemModel, Faction, list[Faction]]:
    """A model a week in, its MPCP with every cadre removed and broken up by district: the model,
    the MPCP and its gangs."""
    model = VraemModel(baseline(weeks=weeks), seed=2)
    model.step()
    faction = _mpcp(model)
    _all_cadres_removed(faction)
    return model, faction, leaderless_breakup(model, faction, model.hops)


def test_arresting_the_leader_hands_over_to_the_first_free_heir_and_logs_who_took_over():
    model = VraemModel(baseline(weeks=1), seed=1)
    faction = _mpcp(model)
    faction.remove_cadre(faction.cadres.find("jose_hijo"), "captured")  # the first heir
    jose = faction.leader
    outcome = faction.remove_cadre(jose, "captured")
    hugo = faction.cadres.find("hugo")  # the next in the line of succession
    assert faction.leader is hugo
    assert outcome.startswith(f"{jose.name} captured; {hugo.name} takes over")
    assert "(clarity " in outcome
    assert 0.0 < faction.cadres.legitimacy <= 1.0
    assert "jose_hijo" not in {p.id for p in faction.cadres.free()}


def test_with_nobody_left_to_lead_the_group_breaks_up_by_district_and_nothing_is_created():
    model = VraemModel(baseline(weeks=2), seed=2)
    model.step()
    faction = _mpcp(model)
    assert _all_cadres_removed(faction).endswith("; nobody left to lead")
    assert faction.leader is None and faction.cadres.legitimacy == 0.0
    groups = model.active_factions()
    before = {
        "members": sum(g.members for g in groups),
        "fighters": sum(g.fighters for g in groups),
        "control": sum(g.control_ref for g in groups),
        "income": sum(g.income_week for g in groups),
    }
    held = int((faction.control_ref > 0).sum())
    gangs = leaderless_breakup(model, faction, model.hops)
    # each district it held goes its own way under a local boss; the MPCP ends
    assert len(gangs) == held and not faction.active
    assert all(g.gang and g.leader is not None for g in gangs)
    assert all(int((g.control_ref > 0).sum()) == 1 for g in gangs)
    after = model.active_factions()
    assert sum(g.members for g in after) == pytest.approx(before["members"])
    assert sum(g.fighters for g in after) == pytest.approx(before["fighters"])
    assert sum(g.income_week for g in after) == pytest.approx(before["income"])
    assert np.allclose(sum(g.control_ref for g in after), before["control"])
    splits = [e for e in model.recorder.events if e[1] == "split"]
    assert len(splits) == held and all("nobody left to lead" in e[3] for e in splits)


def test_a_contested_succession_names_a_rival_other_than_the_winner():
    model = VraemModel(baseline(weeks=1), seed=1)
    faction = _mpcp(model)
    for heir in faction.cadres.heirs():
        faction.remove_cadre(heir, "captured")
    outcome = faction.remove_cadre(faction.leader, "killed")
    winner = faction.leader.name
    assert f"{winner} takes over" in outcome and "contested by " in outcome, outcome
    assert f"contested by {winner}" not in outcome, outcome


def test_every_armed_group_has_its_own_name_after_a_break_up():
    model, _, _ = _broken_up(weeks=2)
    names = [g.name for g in model.active_factions()]
    assert len(set(names)) == len(names), names
    # the bosses were raised from the ranks, so each gang is named after its district
    gangs = [g for g in model.active_factions() if g.gang]
    assert all(g.name == f"the {model.districts[g.leader.base]} gang" for g in gangs), names


def test_cadres_raised_in_a_run_never_share_an_id_even_after_gangs_merge():
    _, _, gangs = _broken_up(weeks=2)
    for gang in gangs:  # every gang raises one more cadre of its own
        gang.cadres.raise_cadre("sub_commander", gang.leader.base, gang.leader)
    ids = [p.id for g in gangs for p in g.cadres.people]
    assert len(set(ids)) == len(ids), ids


def test_a_group_left_without_a_leader_is_led_again_by_the_strongest_cadre_raised_since():
    model = VraemModel(baseline(weeks=3), seed=2)
    model.step()
    faction = _mpcp(model)
    assert _all_cadres_removed(faction).endswith("; nobody left to lead")
    # before its columns go their own way, a post is refilled from the ranks
    raised = faction.cadres.raise_cadre("commander", faction.cadres.people[0].base, None)
    model.step()
    assert faction.leader is raised
    assert any(
        e[1] == "succession" and e[2] == faction.name and f"{raised.name} takes over" in e[3]
        for e in model.recorder.events
    ), model.recorder.events[-5:]


def test_a_larger_armed_group_causes_more_deaths():
    seeds = 6
    small = baseline(replicates=seeds, weeks=156, seed=11)
    big = small.model_copy(
        update={"armed_group": small.armed_group.model_copy(update={"members": 800.0})}
    )
    deaths_small = run_scenario(small, workers=1).timeseries.groupby("replicate")["deaths"].sum()
    deaths_big = run_scenario(big, workers=1).timeseries.groupby("replicate")["deaths"].sum()
    # members start at 800 and shrink toward what income sustains, so the first years see
    # more fighters and more violence; expect at least 20% more deaths on average
    assert deaths_big.mean() > 1.2 * deaths_small.mean(), (deaths_small, deaths_big)


def test_security_forces_seize_more_with_more_interdiction_capacity():
    seeds = replicate_seeds(5, 4)
    shares = {}
    for capacity in (1.0, 2.0):
        sc = baseline(weeks=104)
        sc = sc.model_copy(
            update={"security": sc.security.model_copy(update={"interdiction_capacity": capacity})}
        )
        s = []
        for seed in seeds:
            ts = VraemModel(sc, seed).run().timeseries(sc.name, 0, seed)
            s.append(ts["seized_kg"].sum() / (ts["seized_kg"] + ts["exported_kg"]).sum())
        shares[capacity] = np.array(s)
    # traffickers adapt, so doubling capacity raises the seizure share, but by less than double
    assert np.all(shares[2.0] > shares[1.0] * 1.2)
    assert shares[2.0].mean() < 2.0 * shares[1.0].mean()


def _income_paid_by_week(monkeypatch) -> dict[int, float]:
    """Record every tax and escort fee paid to any faction, by the week it is paid in."""
    from sim.agents.faction import Faction

    paid: dict[int, float] = {}
    tax, fee = Faction.collect_leaf_tax, Faction.collect_escort_fee

    def collect_leaf_tax(self, leaf_value):
        amount = tax(self, leaf_value)
        paid[self.world.week] = paid.get(self.world.week, 0.0) + amount
        return amount

    def collect_escort_fee(self, kg, district):
        amount = fee(self, kg, district)
        paid[self.world.week] = paid.get(self.world.week, 0.0) + amount
        return amount

    monkeypatch.setattr(Faction, "collect_leaf_tax", collect_leaf_tax)
    monkeypatch.setattr(Faction, "collect_escort_fee", collect_escort_fee)
    return paid


def test_money_paid_to_armed_groups_is_all_booked_in_the_week_of_a_split(monkeypatch):
    from sim.config.interventions import Fragmentation

    paid = _income_paid_by_week(monkeypatch)
    split = Fragmentation(type="fragmentation", week=5, gangs=3)
    sc = baseline(weeks=8, interventions=[split])
    model = VraemModel(sc, seed=7)
    rec = model.run()
    groups = 1 + len(sc.armed_group.rivals)  # the MPCP and its rival factions
    # the MPCP's two largest columns leave in week 5: two more groups
    assert rec.values["armed_groups"][4] == groups and rec.values["armed_groups"][5] == groups + 2
    booked = rec.values["armed_income_usd"]
    for week in range(8):
        assert booked[week] == pytest.approx(paid[week], rel=1e-12), week


def test_money_is_conserved_when_a_leaderless_faction_breaks_up_by_itself(monkeypatch):
    paid = _income_paid_by_week(monkeypatch)
    sc = baseline(weeks=3)
    # seed 2: no vacant post is filled in week 0, so nobody is left and the group breaks up at
    # once (on other seeds a cadre raised from the ranks holds it together until a review)
    model = VraemModel(sc, seed=2)
    _all_cadres_removed(_mpcp(model))
    rec = model.run()
    splits = [e for e in rec.events if e[1] == "split"]
    assert splits and all(e[0] == 0 for e in splits)  # it broke up in week 0, by itself
    assert rec.values["armed_groups"][0] > 1 + len(sc.armed_group.rivals)
    for week in range(3):
        assert rec.values["armed_income_usd"][week] == pytest.approx(paid[week], rel=1e-12)


def test_money_is_conserved_in_the_week_a_gang_joins_another(monkeypatch):
    from sim.config.interventions import Fragmentation

    paid = _income_paid_by_week(monkeypatch)
    sc = baseline(weeks=8, interventions=[Fragmentation(type="fragmentation", week=5, gangs=3)])
    ag = sc.armed_group
    # gangs that earn less than five times their upkeep join a neighbour: both gangs merge back
    # into the MPCP in the week they form
    gangs = ag.gangs.model_copy(update={"merge_income_ratio": 5.0})
    sc = sc.model_copy(update={"armed_group": ag.model_copy(update={"gangs": gangs})})
    rec = VraemModel(sc, seed=7).run()
    assert sum(1 for e in rec.events if e[1] == "merger" and e[0] == 5) == 2
    for week in range(8):
        assert rec.values["armed_income_usd"][week] == pytest.approx(paid[week], rel=1e-12), week


def test_a_scenario_with_no_army_units_runs_with_no_patrols_or_operations():
    from sim.scenarios import load_scenario

    sc = load_scenario(
        SCENARIOS / "decapitation.yaml", ["security.army_units=0", "weeks=80", "replicates=1"]
    )
    model = VraemModel(sc, seed=3)
    rec = model.run()
    assert not any(kind == "leadership_operation" for _, kind, _, _ in rec.events)
    # no patrols: no clashes with them and no operations. (Households may still inform the
    # police out of resentment, so killings of suspected informers can still happen: they follow
    # informing and suspected betrayal, not patrols.)
    assert rec.values["deaths_clash"].sum() == 0
    assert rec.values["deaths_operation"].sum() == 0
    assert rec.values["exported_kg"].sum() > 0


def test_violent_deaths_are_recorded_by_kind_and_add_up():
    rec = baseline_records(104, 5)  # the run test_recorder checks against its event log
    by_kind = sum(rec.values[k] for k in DEATHS_BY_KIND)
    assert np.array_equal(by_kind, rec.values["deaths"])
    by_victim = sum(rec.values[k] for k in DEATHS_BY_VICTIM)
    assert np.array_equal(by_victim, rec.values["deaths"])
    assert rec.values["deaths_ambush"].sum() > 0 and rec.values["deaths_clash"].sum() > 0


def test_a_gang_that_cannot_pay_its_people_and_has_nobody_to_join_becomes_a_trafficking_crew():
    from sim.agents import TraffickingOrg
    from sim.agents.turf import merge_weak

    model, _, gangs = _broken_up(weeks=8)
    gang = gangs[0]
    for other in model.active_factions():  # nobody left to join
        if other is not gang:
            other.dissolve("test: gone")
    gang.income_avg, gang.income_seeded = 0.0, True  # it cannot pay its people
    orgs_before = len(model.agents_by_type[TraffickingOrg])
    merge_weak(model, model.active_factions(), model.adjacent)
    assert not gang.active
    crews = [o for o in model.agents_by_type[TraffickingOrg] if o.label == f"{gang.name} (crew)"]
    assert len(model.agents_by_type[TraffickingOrg]) == orgs_before + 1 and len(crews) == 1
    assert np.array_equal(crews[0].presence > 0, gang.control_ref > 0)
    assert any("became" in e[3] and e[2] == gang.name for e in model.recorder.events)
    for _ in range(5):  # the crew buys and ships like any organisation; the run goes on
        model.step()
    assert crews[0].revenue_usd > 0 or crews[0].stock.sum() > 0
