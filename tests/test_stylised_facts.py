"""Stylised facts of leadership removal, unrest and fragmentation, from the groups' decisions.

Each fact compares a scenario with the baseline on the same seeds (paired replicates: 40 runs of
five years, 80 of two or three, 240 for the rare massacres) and
asserts on a statistic with a stated tolerance: a paired mean difference whose lower 95% bound
(mean - 2 standard errors) is above zero, or a difference of proportions. None of these effects
is set by a parameter: see docs/MODEL.md ("Mechanisms") and docs/VALIDATION.md (the Sobol
sweeps show which behavioural parameters drive each of them).
"""

from __future__ import annotations

from functools import cache

import numpy as np
from conftest import baseline

from sim.config.interventions import ArrestLeader, Fragmentation, Unrest
from sim.runner.batch import run_scenario

REPLICATES = 40
SEED = 777
WEEK = 52  # the intervention week
SIX_MONTHS = range(WEEK, WEEK + 26)
VOTE = WEEK + 20  # the week of a vote inside a 26-week political period
LARGE_ATTACK = 3  # deaths in one violent event: the election-eve attacks of violence.md killed 2-16


def _arrest(week: int, who: str, outcome: str = "captured") -> ArrestLeader:
    return ArrestLeader(type="arrest_leader", week=week, who=who, outcome=outcome)


SCENARIOS = {
    "baseline": [],
    "leader_killed": [_arrest(WEEK, "leader", "killed")],
    "leader_captured": [_arrest(WEEK, "leader", "captured")],
    "heirs_then_leader": [_arrest(WEEK - 12, "successors"), _arrest(WEEK, "leader")],
    "unrest": [Unrest(type="unrest", week=WEEK, weeks=26, factor=0.6, visibility=1.0)],
    # an orderly vote: the state is not weakened and there are no protests, only the vote
    "vote": [
        Unrest(type="unrest", week=WEEK, weeks=26, factor=1.0, visibility=0.0, election_week=VOTE)
    ],
    "dismantled": [_arrest(WEEK, who) for who in ("successors", "leader", "second", "commanders")],
    "split": [Fragmentation(type="fragmentation", week=WEEK, gangs=3)],
    # Aug 2013: "the No. 1 and No. 2 of the military structure" killed (then 'Alipio' and
    # 'Gabriel'; in the 2022 network the military chief 'Antonio' and his lieutenant 'Carlos')
    "military_command_killed": [
        _arrest(WEEK, "antonio", "killed"),
        _arrest(WEEK, "carlos", "killed"),
    ],
    "heirs": [_arrest(WEEK, "successors")],  # Nov 2023: the heirs captured, Jose in place
}


# Facts about the months after week 52 run 2-3 years on more replicates: an effect of about
# +4 deaths in half a year against a paired standard deviation of about 12 needs about
# ((2 + 0.84) x 12 / 4)^2 = 73 pairs to clear 2 standard errors with 80% power. A shorter run is
# the first weeks of the longer one (nothing depends on the horizon), and replicate k has the
# same seed at any number of replicates.
TWO_YEARS = range(WEEK, WEEK + 104)
# the short runs and their horizons: two years after week 52 where a fact needs them, else one
SHORT = {
    "baseline": TWO_YEARS.stop,
    "leader_killed": TWO_YEARS.stop,
    "military_command_killed": TWO_YEARS.stop,
    "leader_captured": 104,
    "unrest": 104,
    "vote": 104,
}
SHORT_REPLICATES = 80


# Massacres after a leader's death are rare events: about +0.27 a run over two years against a
# paired standard deviation of about 0.95 (240 pairs), so 80 pairs clear 2 standard errors only
# with 69% power; 240 pairs give an expected 4.3 standard errors and a false failure of 1%.
MASSACRE_REPLICATES = 240


def run(name: str, short: bool = False, replicates: int | None = None):
    """The replicates of a scenario on the shared seeds: 5 years on REPLICATES, or 2-3 years
    on SHORT_REPLICATES for the short facts, or on `replicates` (each computed once per
    session)."""
    weeks, default = (SHORT[name], SHORT_REPLICATES) if short else (260, REPLICATES)
    return _run(name, weeks, replicates or default)


@cache
def _run(name: str, weeks: int, replicates: int):
    sc = baseline(replicates=replicates, seed=SEED, weeks=weeks, interventions=SCENARIOS[name])
    return run_scenario(sc, workers=2)


def per_replicate(name: str, column: str, weeks: range, short: bool = False) -> np.ndarray:
    ts = run(name, short).timeseries
    window = ts[ts["week"].isin(weeks)]
    return window.groupby("replicate")[column].sum().to_numpy(dtype=float)


def paired(name: str, column: str, weeks: range, than: str = "baseline") -> tuple[float, ...]:
    """Mean paired difference `name` - `than`, its standard error, and the ratio of means (on
    the short runs for the short facts)."""
    short = name in SHORT
    scen = per_replicate(name, column, weeks, short)
    base = per_replicate(than, column, weeks, short)
    diff = scen - base
    return diff.mean(), diff.std(ddof=1) / np.sqrt(diff.size), scen.mean() / base.mean()


def split_after(name: str, week: int, short: bool = False) -> np.ndarray:
    """Per replicate (of the first REPLICATES): whether any group split from week `week` on."""
    ev = run(name, short).events
    splits = ev[(ev["type"] == "split") & (ev["week"] >= week)]
    return np.isin(np.arange(REPLICATES), splits["replicate"].unique())


def test_violence_rises_in_the_six_months_after_the_leader_is_killed():
    # Calderon et al. 2015: +36.5% in six months; we ask for the direction at 95% and the
    # order of magnitude (a rise between +10% and +150%)
    mean, se, ratio = paired("leader_killed", "deaths", SIX_MONTHS)
    assert mean - 2 * se > 0, (mean, se)
    assert 1.1 < ratio < 2.5, ratio


def test_a_captured_leader_with_heirs_in_place_raises_violence_less_than_a_killed_one():
    # the killed leader's kin seek revenge; the captured one endorses his heir
    killed = per_replicate("leader_killed", "deaths", SIX_MONTHS, short=True)
    captured = per_replicate("leader_captured", "deaths", SIX_MONTHS, short=True)
    assert killed.mean() > captured.mean()


def test_a_period_of_political_unrest_raises_deaths():
    mean, se, ratio = paired("unrest", "deaths", SIX_MONTHS)
    assert mean - 2 * se > 0, (mean, se, ratio)


def large_attacks(name: str, weeks: range, short: bool = False) -> np.ndarray:
    """Per replicate: violent events in `weeks` that killed at least LARGE_ATTACK people."""
    res = run(name, short)
    ev = res.events[(res.events["type"] == "violence") & res.events["week"].isin(weeks)]
    deaths = ev[["deaths_security", "deaths_civilians", "deaths_armed"]].sum(axis=1)
    large = ev[deaths >= LARGE_ATTACK].groupby("replicate").size()
    return large.reindex(range(len(res.seeds)), fill_value=0).to_numpy(dtype=float)


def test_large_attacks_fall_on_the_eve_of_a_vote():
    # violence.md: large attacks on the eves of the 2011, 2014, 2016 and 2021 votes. Only a
    # group with a political agenda values enforcing a boycott, over the weeks before the vote;
    # here the state is not weakened and there are no protests, so nothing else differs.
    # Paired difference of large attacks in those weeks: lower 95% bound above zero.
    lead = Unrest.model_fields["boycott_lead_weeks"].default
    eve = range(VOTE - lead + 1, VOTE + 1)
    diff = large_attacks("vote", eve, short=True) - large_attacks("baseline", eve, short=True)
    mean, se = diff.mean(), diff.std(ddof=1) / np.sqrt(diff.size)
    assert mean - 2 * se > 0, (mean, se)


def test_arresting_the_heirs_first_makes_a_split_after_the_leaders_removal_more_likely():
    without_heirs = split_after("heirs_then_leader", WEEK)
    with_heirs = split_after("leader_captured", WEEK, short=True)
    # difference of two proportions over 40 replicates each: at least 0.3 apart
    assert without_heirs.mean() - with_heirs.mean() >= 0.3, (without_heirs, with_heirs)


def test_killing_the_military_command_lowers_violence_for_two_years():
    # Aug 2013: after 'Alipio' and 'Gabriel' were killed, lethal violence fell for two years.
    # Nobody plans ambushes or massacres until the chief's post is refilled, and then a chief
    # new to it plans fewer while he learns. Paired difference of deaths over the two years
    # after: upper 95% bound below zero.
    mean, se, ratio = paired("military_command_killed", "deaths", TWO_YEARS)
    assert mean + 2 * se < 0, (mean, se, ratio)


def test_killing_the_military_command_raises_violence_less_than_killing_the_leader():
    # The same kind of operation, two states of the group: the leader killed leaves the
    # military command in place and his kin free to avenge him. Paired, upper bound below 0.
    mean, se, _ = paired("military_command_killed", "deaths", SIX_MONTHS, than="leader_killed")
    assert mean + 2 * se < 0, (mean, se)


def massacres(name: str, weeks: range) -> np.ndarray:
    """Per replicate of the short runs (MASSACRE_REPLICATES): massacres of civilians in
    `weeks`."""
    res = run(name, short=True, replicates=MASSACRE_REPLICATES)
    ev = res.events[(res.events["type"] == "violence") & res.events["week"].isin(weeks)]
    found = ev[ev["kind"] == "massacre"].groupby("replicate").size()
    return found.reindex(range(len(res.seeds)), fill_value=0).to_numpy(dtype=float)


def test_massacres_follow_a_leaders_death_only_while_the_military_command_stands():
    # Jan 2021: after 'Raul' died of wounds from an operation, the first massacres of
    # civilians (Mar and May 2021), ordered through the military chief. His kin's revenge
    # raises the propensity of offensive attacks (on the current draws the rise vanishes
    # without revenge and does not move without the punishment of suspected informers:
    # docs/VALIDATION.md); a massacre needs the military command. Paired differences of
    # massacres per run over the two years after:
    # the leader killed against the baseline, and against the military command killed (the
    # same kind of operation on another state of the group), lower 95% bounds above zero, over
    # MASSACRE_REPLICATES pairs.
    base = massacres("baseline", TWO_YEARS)
    leader = massacres("leader_killed", TWO_YEARS)
    command = massacres("military_command_killed", TWO_YEARS)
    for diff in (leader - base, leader - command):
        se = diff.std(ddof=1) / np.sqrt(diff.size)
        assert diff.mean() - 2 * se > 0, (diff.mean(), se)


def test_arresting_the_heirs_alone_makes_a_commander_split_off_more_likely():
    # Nov 2023: after the heirs' capture a commander reportedly split off. With no heir the
    # leader's legitimacy falls to the clarity of a line without one, and loyalties follow.
    # Difference of two proportions over 40 paired replicates: at least 0.25 apart.
    heirs, base = split_after("heirs", WEEK), split_after("baseline", WEEK)
    assert heirs.mean() - base.mean() >= 0.25, (heirs.mean(), base.mean())


def test_when_the_mpcp_is_dismantled_cocaine_production_goes_on_and_gangs_persist():
    late = range(WEEK + 104, 260)  # two years after
    produced = per_replicate("dismantled", "cocaine_produced_kg", late)
    base = per_replicate("baseline", "cocaine_produced_kg", late)
    assert np.all(produced > 0.8 * base)
    ts = run("dismantled").timeseries
    end = ts[ts["week"] == 259].set_index("replicate")
    rivals = len(baseline().armed_group.rivals)
    # armed groups other than the rival factions are still active five years on in most runs
    assert (end["armed_groups"] > rivals).mean() >= 0.75
    assert (end["armed_members"] > 0).all()


def test_after_a_split_violence_is_higher_over_the_following_years():
    # Phillips 2015: fragmentation raises violence for years, not only at once
    later = range(WEEK + 52, 260)  # from one year after the split to the end
    mean, se, ratio = paired("split", "deaths", later)
    assert mean - 2 * se > 0, (mean, se, ratio)


def test_every_death_of_these_runs_is_an_event_of_a_named_kind_group_and_district():
    res = run("split")
    violent = res.events[res.events["type"] == "violence"]
    assert {"ambush", "selective_killing", "clash", "gang_clash"} <= set(violent["kind"])
    victims = ["deaths_security", "deaths_civilians", "deaths_armed"]
    assert violent[victims].to_numpy().sum() == res.timeseries["deaths"].sum()
    assert (violent["group"] != "").all() and (violent["district"] != "").all()
