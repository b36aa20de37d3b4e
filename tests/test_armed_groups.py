"""The armed groups' parts on their own: cadres, succession, defection, violence, informers,
turf. Each test sets up the state a decision depends on and checks the decision."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import baseline

from sim.agents.cadres import Cadres
from sim.agents.civilians import Civilians
from sim.agents.splits import act_on_defections
from sim.agents.turf import merge_weak
from sim.agents.violence import Motives, dominant_incomplete, engagement
from sim.config.interventions import ArrestLeader
from sim.model import VraemModel


def model(weeks: int = 10, seed: int = 1, interventions=()) -> VraemModel:
    return VraemModel(baseline(weeks=weeks, interventions=list(interventions)), seed=seed)


def mpcp(m: VraemModel):
    return next(f for f in m.active_factions() if f.kind == "mpcp")


def roster() -> Cadres:
    ag = baseline().armed_group
    districts = [*dict.fromkeys(c.base for c in ag.cadres)]
    districts += [d for d in ag.territory if d not in districts]
    return Cadres.from_config(ag.succession, ag.cadres, districts)


def test_the_designated_heir_takes_over_when_the_leader_is_captured():
    m = model()
    f = mpcp(m)
    outcome = f.remove_cadre(f.leader, "captured")
    assert f.leader.id == "jose_hijo", outcome
    assert f.cadres.legitimacy > 0.8


def test_with_the_heirs_arrested_the_succession_is_contested_and_goes_outside_the_family():
    with_heirs, without = model(), model()
    a, b = mpcp(with_heirs), mpcp(without)
    for heir in b.cadres.heirs():
        b.remove_cadre(heir, "captured")
    a.remove_cadre(a.leader, "killed")
    b.remove_cadre(b.leader, "killed")
    assert b.leader.family != "quispe_palomino"
    assert b.cadres.legitimacy < 0.5 < a.cadres.legitimacy


def test_a_killed_leaders_kin_seek_revenge_and_a_captured_one_endorses_his_heir():
    killed, captured = model(), model()
    fk, fc = mpcp(killed), mpcp(captured)
    fk.remove_cadre(fk.leader, "killed")
    fc.remove_cadre(fc.leader, "captured")
    assert fk.revenge > 0 and fc.revenge == 0
    assert fc.cadres.legitimacy > fk.cadres.legitimacy


def test_kinship_is_by_blood_or_through_children_of_the_family():
    r = roster()
    jose, vilma, antonio = r.find("jose"), r.find("vilma"), r.find("antonio")
    assert r.kin(r.find("jose_hijo"), jose) == 1.0
    assert 0 < r.kin(vilma, jose) < 1.0  # mother of two Quispe Palomino heirs
    assert r.kin(antonio, jose) == 0.0


def test_the_risk_of_dying_doubles_every_eight_years_of_age():
    r = roster()

    def yearly(age: float) -> float:
        return 1.0 - (1.0 - r.weekly_death_probability(age)) ** 52

    assert yearly(76.0) / yearly(60.0) == pytest.approx(4.0, rel=1e-9)
    assert yearly(60.0) == pytest.approx(baseline().armed_group.succession.mortality_at_60_per_year)


def test_cadres_age_and_a_vacant_commander_post_is_refilled_from_below():
    m = model(weeks=104)
    f = mpcp(m)
    age = f.cadres.find("jose").age
    f.remove_cadre(f.cadres.find("antonio"), "captured")
    m.run()
    assert f.cadres.find("jose") is None or f.cadres.find("jose").age == pytest.approx(age + 2)
    promoted = [e for e in m.recorder.events if e[1] == "promotion" and "commander" in e[3]]
    assert promoted, m.recorder.events


def test_disloyal_commanders_leave_with_their_zones_and_nothing_is_created():
    m = model(seed=3)
    m.step()
    f = mpcp(m)
    for p in f.cadres.free():
        p.loyalty = 0.0
    f.cfg = f.cfg.model_copy(
        update={"defection": f.cfg.defection.model_copy(update={"kin_weight": 0.0})}
    )
    before = {
        "members": sum(g.members for g in m.active_factions()),
        "fighters": sum(g.fighters for g in m.active_factions()),
        "control": sum(g.control_ref for g in m.active_factions()),
    }
    f.review_loyalties(m.hops)
    assert f.defectors, "with no loyalty and no kin weight, someone leaves"
    gangs = act_on_defections(m, f, m.hops, "test")
    assert len(gangs) == len(f.defectors) or len(gangs) >= 1
    after = m.active_factions()
    assert sum(g.members for g in after) == pytest.approx(before["members"])
    assert sum(g.fighters for g in after) == pytest.approx(before["fighters"])
    assert np.allclose(sum(g.control_ref for g in after), before["control"])
    for g in gangs:
        assert g.kind == "gang" and g.leader is not None


def test_commanders_of_one_family_leave_together_as_one_group():
    m = model(seed=3)
    m.step()
    f = mpcp(m)
    for p in f.cadres.commanders():
        p.family, p.loyalty = "clan", 0.0
    f.cfg = f.cfg.model_copy(
        update={"defection": f.cfg.defection.model_copy(update={"kin_weight": 0.0})}
    )
    f.review_loyalties(m.hops)
    assert len(f.defectors) == 1


def test_informing_rises_with_state_presence_and_falls_with_fear():
    m = model()
    c = Civilians(m.config.armed_group.informers, m.growers, np.random.default_rng(1))
    n = len(m.districts)
    control, tax = np.full(n, 0.3), np.zeros(n)
    calm = c.update(np.ones(n), control, tax).copy()
    more_state = c.update(np.full(n, 3.0), control, tax).copy()
    c.suffer(0, killed=5, indiscriminate=False)
    afraid = c.update(np.ones(n), control, tax).copy()
    assert np.all(more_state >= calm) and more_state.mean() > calm.mean()
    assert afraid[0] < calm[0]


def test_selective_violence_peaks_where_control_is_dominant_but_incomplete():
    c = np.array([0.0, 0.3, 2 / 3, 0.9, 1.0])
    v = dominant_incomplete(c)
    assert v[0] == v[4] == 0.0
    assert v[2] == pytest.approx(1.0) and v[2] == v.max()


def test_an_ambush_by_many_on_a_large_convoy_can_kill_many_and_a_few_kill_few():
    rng = np.random.default_rng(0)
    big = [engagement(rng, 30, 30, 0.2, rng.exponential(1.0)) for _ in range(2000)]
    small = [engagement(rng, 3, 10, 0.2, rng.exponential(1.0)) for _ in range(2000)]
    assert max(big) >= 15 and np.mean(small) < 1.0


def test_gangs_gain_nothing_from_political_visibility():
    cfg = baseline().armed_group.violence
    quiet = Motives(threat=1.0, revenge=0.0, visibility=0.0, outbidding=0.0)
    loud = Motives(threat=1.0, revenge=0.0, visibility=1.0, outbidding=0.0)
    assert loud.propensity(cfg, political=False) == quiet.propensity(cfg, political=False) == 1.0
    assert loud.propensity(cfg, political=True) == pytest.approx(math.exp(cfg.visibility_weight))


def test_a_gang_that_cannot_pay_its_people_joins_the_strongest_neighbour():
    m = model(seed=3, interventions=[ArrestLeader(type="arrest_leader", week=0)])
    m.step()
    f = mpcp(m)
    for p in f.cadres.free():
        p.loyalty = 0.0
    f.review_loyalties(m.hops)
    gangs = act_on_defections(m, f, m.hops, "test")
    if not gangs:
        pytest.skip("no commander left on this seed")
    weak = gangs[0]
    weak.income_avg = 0.0
    members = sum(g.members for g in m.active_factions())
    merge_weak(m, m.active_factions(), m.adjacent)
    assert not weak.active
    assert sum(g.members for g in m.active_factions()) == pytest.approx(members)
    assert any(e[1] == "merger" for e in m.recorder.events)


@pytest.mark.parametrize(
    ("who", "removed"),
    [
        ("commanders", {"vilma", "antonio", "fernando", "ene_commander"}),
        ("olga", {"olga"}),
        ("successors", {"jose_hijo", "hugo", "gabrielito", "nephew", "romeo", "andres"}),
    ],
)
def test_an_arrest_can_name_a_rank_a_cadre_or_the_successors(who, removed):
    arrest = ArrestLeader(type="arrest_leader", week=0, who=who)
    m = model(weeks=1, interventions=[arrest])
    m.step()
    gone = {p.id for p in mpcp(m).cadres.people if p.status == "captured"}
    assert removed <= gone


def test_an_arrest_with_a_drawn_outcome_kills_about_as_often_as_the_kill_share():
    outcomes = []
    for seed in range(40):
        arrest = ArrestLeader(type="arrest_leader", week=0, who="leader", outcome="drawn")
        m = model(weeks=1, seed=seed, interventions=[arrest])
        m.step()
        jose = next(p for p in mpcp(m).cadres.people if p.id == "jose")
        outcomes.append(jose.status)
    killed = outcomes.count("killed") / len(outcomes)
    share = baseline().security.leadership_kill_share
    # binomial with n = 40: within 3 standard errors of the configured share
    assert abs(killed - share) < 3 * math.sqrt(share * (1 - share) / 40)


def test_a_new_military_chief_plans_no_attack_while_the_post_is_vacant_and_learns_the_command():
    r = roster()
    cfg = r.cfg
    assert r.military_command() == pytest.approx(1.0)  # 'Antonio', in the post since 2013
    r.remove(r.find("antonio"), "killed")
    assert r.military_command() == 0.0  # nobody plans the group's offensive attacks
    r.vacancies = [v for v in r.vacancies if v.military]
    successor = r._fill(r.vacancies.pop())
    assert successor.military and successor.rank == "commander"
    assert r.military_command() == pytest.approx(cfg.novice_command_share)
    rng = np.random.default_rng(0)
    for _ in range(round(cfg.command_learning_years * 52)):
        r.age_one_week(rng)
    if successor.free:
        assert r.military_command() == pytest.approx(1.0)


def test_a_promoted_military_chief_keeps_the_force_and_leaves_a_plain_post():
    r = roster()
    antonio = r.find("antonio")
    r.remove(r.find("jose"), "captured")
    r._promote(antonio, "leader")
    assert antonio.military and r.military_command() == pytest.approx(1.0)
    assert not any(v.military for v in r.vacancies)


def test_a_cadre_taken_by_the_state_leaves_its_group_suspecting_the_people_of_its_base():
    m = model()
    f = mpcp(m)
    antonio, fernando = f.cadres.find("antonio"), f.cadres.find("fernando")
    f.remove_cadre(antonio, "captured")
    assert f.suspicion[antonio.base] > 0
    assert f.suspicion.sum() == pytest.approx(f.suspicion[antonio.base])
    before = f.suspicion.copy()
    f.remove_cadre(fernando, "died")  # illness: nobody betrayed it
    np.testing.assert_array_equal(f.suspicion, before)
