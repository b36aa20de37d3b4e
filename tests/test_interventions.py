"""Each intervention moves its main outcome in the expected direction, on seeded replicates.

Scenario and baseline share their replicate seeds (common random numbers), so each replicate
gives one paired difference. Unless said otherwise a test asks the mean paired difference to have
the expected sign with a one-sided paired t statistic of at least 2 (about p < 0.04 with 12
replicates): `assert_paired_increase`.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS

from sim.runner.batch import RunResult, run_scenario
from sim.scenarios import load_scenario

REPLICATES = 12
WEEKS = 156  # one year before the event (week 52), two after
SEED = 4242
T_MIN = 2.0


@cache
def run(name: str) -> RunResult:
    sc = load_scenario(
        SCENARIOS / f"{name}.yaml",
        [f"replicates={REPLICATES}", f"weeks={WEEKS}", f"seed={SEED}"],
    )
    return run_scenario(sc, workers=2)


def per_replicate(result: RunResult, col: str, weeks: range, how: str = "sum") -> np.ndarray:
    ts = result.timeseries[result.timeseries["week"].isin(weeks)]
    return ts.groupby("replicate")[col].agg(how).to_numpy(dtype=float)


def exit_kg(result: RunResult, exits: set[str], weeks: range, col="exported_kg") -> np.ndarray:
    ex = result.exits[result.exits["week"].isin(weeks) & result.exits["exit"].isin(exits)]
    return ex.groupby("replicate")[col].sum().reindex(range(REPLICATES), fill_value=0).to_numpy()


def assert_paired_increase(after: np.ndarray, before: np.ndarray, what: str) -> None:
    diff = after - before
    t = diff.mean() / (diff.std(ddof=1) / np.sqrt(diff.size) + 1e-12)
    assert t >= T_MIN, f"{what}: mean paired change {diff.mean():.3g}, t = {t:.2f} < {T_MIN}"


def events(result: RunResult) -> pd.DataFrame:
    return result.events


YEAR_1 = range(52, 104)
LATER = range(104, WEEKS)
SIX_MONTHS = range(52, 78)


def outcomes(result: RunResult, kind: str, week: int | None = None) -> pd.DataFrame:
    """Logged events of one type (in one week), e.g. the arrests."""
    ev = result.events
    chosen = ev[ev["type"] == kind]
    return chosen if week is None else chosen[chosen["week"] == week]


def clarity(outcome: pd.Series) -> pd.Series:
    """The clarity of each succession logged in `outcome` ('... (clarity 0.95 ...')."""
    return outcome.str.extract(r"\(clarity (\d\.\d\d)")[0].astype(float)


def replicates_with(result: RunResult, kind: str, weeks: range) -> np.ndarray:
    """Per replicate: whether an event of `kind` was logged in `weeks`."""
    ev = result.events
    hit = ev[(ev["type"] == kind) & ev["week"].isin(weeks)]["replicate"].unique()
    return np.isin(np.arange(REPLICATES), hit)


JOSE_REMOVED = r"Victor Quispe Palomino \('Jose'\) (captured|killed|died)"
RIVALS = 2  # rival factions in the baseline besides the MPCP (armed_group.rivals)


def test_arresting_the_leader_with_his_heirs_free_hands_over_clearly_and_the_group_holds():
    # (that violence rises after a leader is killed, more than after a capture, is asserted in
    # test_stylised_facts.py on paired seeds)
    scen = run("arrest_leader")
    arrests = outcomes(scen, "arrest_leader", 52)
    assert len(arrests) == REPLICATES  # one arrest per replicate, each successful
    assert arrests["outcome"].str.contains(" captured; .+ takes over \\(clarity ").all()
    # the designated heir, endorsed by the captured leader, takes over with a clear claim
    assert (clarity(arrests["outcome"]) > 0.8).all(), arrests["outcome"].tolist()
    assert per_replicate(scen, "leader_in_place", YEAR_1, "mean").min() == 1.0
    # after a clear succession splits are rare: at most 2 of 12 replicates (none on these seeds)
    assert replicates_with(scen, "split", range(52, WEEKS)).sum() <= 2


def test_killing_the_leader_after_his_heirs_makes_a_contested_succession_and_raises_violence():
    base, scen = run("baseline"), run("decapitation")
    heirs = outcomes(scen, "arrest_leader", 52)
    assert heirs["outcome"].str.endswith(" captured").all()
    assert set(heirs["replicate"]) == set(range(REPLICATES))
    killed = outcomes(scen, "arrest_leader", 64)
    assert len(killed) == REPLICATES
    assert killed["outcome"].str.contains(" killed; .+ takes over \\(clarity ").all()
    # with the heirs gone no claimant gets most of the claims: a contested succession, unless
    # a new heir of the family was raised in the 12 weeks between. Contested in 103 of 120
    # replicates on other seeds (0.86), so most of these 12 are: a false failure (6 or fewer)
    # has a chance of 0.3%
    contested = clarity(killed["outcome"]) < 0.5
    assert contested.sum() > REPLICATES / 2, killed["outcome"].tolist()
    assert killed["outcome"][~contested].str.contains(r"; new heir \(\d+\) takes over").all()
    # (that splits then become more likely is asserted in test_stylised_facts.py)
    after = range(64, 90)
    assert_paired_increase(
        per_replicate(scen, "deaths", after),
        per_replicate(base, "deaths", after),
        "deaths in the six months after the leader is killed",
    )


def test_arresting_only_the_successors_leaves_the_leader_in_place_but_less_surely_followed():
    scen = run("arrest_successors")
    heirs = outcomes(scen, "arrest_leader", 52)
    assert heirs["outcome"].str.endswith(" captured").all()
    assert set(heirs["replicate"]) == set(range(REPLICATES))
    # The leader stays unless a later routine operation (or old age) takes him; then, with no
    # heirs left, the claim passes outside the family. Tolerance: at most 2 of 12 replicates.
    ev = events(scen)
    jose = ev[(ev["week"] >= 52) & ev["outcome"].str.match(JOSE_REMOVED)]
    lost = jose["replicate"].unique()
    assert lost.size <= 2, jose["outcome"].tolist()
    assert jose["outcome"].str.contains("; .+ takes over|; nobody left to lead").all()
    kept = np.setdiff1d(np.arange(REPLICATES), lost)
    assert np.all(per_replicate(scen, "leader_in_place", LATER, "mean")[kept] == 1.0)
    # With no heir left the leader's legitimacy falls and a commander may split off (Nov 2023;
    # that this is more likely than in the baseline is asserted in test_stylised_facts.py).
    # Such splits are commanders choosing to leave with their columns, not a break-up.
    splits = outcomes(scen, "split")
    assert splits["outcome"].str.contains(r" left \(chose to leave\): ").all(), splits


@pytest.mark.parametrize(
    "name", ["baseline", "arrest_leader", "decapitation", "fragmentation", "combined"]
)
def test_the_number_of_armed_groups_follows_the_logged_splits_mergers_and_dissolutions(name):
    scen = run(name)
    ev = events(scen)
    change = {"split": 1, "merger": -1, "dissolution": -1}
    ev = ev[ev["type"].isin(change)].assign(step=lambda e: e["type"].map(change))
    per_week = ev.groupby(["replicate", "week"])["step"].sum()
    for rep in range(REPLICATES):
        steps = per_week.get(rep, pd.Series(dtype=float))
        expected = 1 + RIVALS + steps.reindex(range(WEEKS), fill_value=0).cumsum().to_numpy()
        ts = scen.timeseries[scen.timeseries["replicate"] == rep].sort_values("week")
        assert np.array_equal(ts["armed_groups"].to_numpy(), expected), rep


def test_cocaine_production_goes_on_when_the_group_breaks_up():
    base, scen = run("baseline"), run("decapitation")
    ratio = per_replicate(scen, "cocaine_produced_kg", LATER) / per_replicate(
        base, "cocaine_produced_kg", LATER
    )
    assert abs(ratio.mean() - 1.0) < 0.05, ratio  # within 5% of the baseline


def test_fragmentation_makes_gangs_that_fight_each_other_and_tax_more():
    base, scen = run("baseline"), run("fragmentation")
    # 3 groups: the MPCP's two largest columns leave under their commanders, in every replicate
    before = per_replicate(scen, "armed_groups", range(51, 52), "min")
    assert np.all(per_replicate(scen, "armed_groups", range(52, 53), "min") == before + 2)
    splits = outcomes(scen, "split", 52)
    assert len(splits) == 2 * REPLICATES
    assert splits["outcome"].str.contains(r" left \(intervention\): ").all()
    assert_paired_increase(
        per_replicate(scen, "violent_events", YEAR_1),
        per_replicate(base, "violent_events", YEAR_1),
        "violent events in the year after the split",
    )
    assert_paired_increase(
        per_replicate(scen, "armed_income_usd", range(56, 60)),
        per_replicate(base, "armed_income_usd", range(56, 60)),
        "armed groups' income right after the split (predatory taxes)",
    )


def test_surge_at_callao_shifts_exports_to_other_exits():
    base, scen = run("baseline"), run("interdiction_surge_callao")
    others = {"chimbote", "paita", "desaguadero", "bolivia_air", "inapari", "brazil_river"}
    assert_paired_increase(
        exit_kg(base, {"callao"}, LATER), exit_kg(scen, {"callao"}, LATER), "exports via Callao"
    )
    assert_paired_increase(
        exit_kg(scen, others, LATER), exit_kg(base, others, LATER), "exports via other exits"
    )
    # the balloon effect: while the surge lasts (weeks 52-155), total exports fall by much less
    # than Callao's
    surge = range(52, 156)
    callao_drop = (
        1 - exit_kg(scen, {"callao"}, surge).sum() / exit_kg(base, {"callao"}, surge).sum()
    )
    total_drop = (
        1
        - per_replicate(scen, "exported_kg", surge).sum()
        / per_replicate(base, "exported_kg", surge).sum()
    )
    # (the drop at Callao is about 0.18 with the calibrated interdiction capacity of 0.61; it
    # was above 0.2 at the earlier 0.74: the bound only asks that the surge bites)
    assert callao_drop > 0.1 and total_drop < callao_drop / 3, (callao_drop, total_drop)
    price = [
        r.exits[(r.exits["exit"] == "callao") & r.exits["week"].isin(LATER)]
        .groupby("replicate")["price_hcl_usd_per_kg"]
        .mean()
        .to_numpy()
        for r in (base, scen)
    ]
    assert_paired_increase(price[1], price[0], "HCl price at the squeezed exit")


def test_closing_the_airstrips_stops_the_air_bridge_and_moves_traffic_to_land():
    base, scen = run("baseline"), run("route_closure_air_bridge")
    closed = range(56, 104)  # the closure runs weeks 52-103; loads in the air land by week 56
    assert exit_kg(scen, {"bolivia_air"}, closed).sum() == 0
    land = {"callao", "chimbote", "paita", "desaguadero", "inapari", "brazil_river"}
    assert_paired_increase(
        exit_kg(scen, land, closed), exit_kg(base, land, closed), "exports over land"
    )
    # after it reopens, flights come back
    assert exit_kg(scen, {"bolivia_air"}, LATER).sum() > 0


def test_eradication_destroys_coca_and_the_armed_group_gains_recruits():
    base, scen = run("baseline"), run("eradication")
    eradicated = per_replicate(scen, "eradicated_ha", YEAR_1)
    assert np.all(np.abs(eradicated / 8000 - 1) < 0.05), eradicated  # the campaign is carried out
    assert per_replicate(base, "eradicated_ha", range(WEEKS)).max() == 0
    assert_paired_increase(
        per_replicate(base, "coca_ha", range(100, 104), "mean"),
        per_replicate(scen, "coca_ha", range(100, 104), "mean"),
        "coca area at the end of the campaign",
    )
    assert_paired_increase(
        per_replicate(scen, "armed_members", LATER, "mean"),
        per_replicate(base, "armed_members", LATER, "mean"),
        "armed members after eradication (grievance)",
    )


def test_unrest_weakens_interdiction_and_raises_attacks():
    base, scen = run("baseline"), run("unrest")
    during = range(52, 78)
    share = [
        per_replicate(r, "seized_kg", during)
        / (per_replicate(r, "seized_kg", during) + per_replicate(r, "exported_kg", during))
        for r in (base, scen)
    ]
    assert_paired_increase(share[0], share[1], "seizure share during unrest")


def test_demand_collapse_travels_back_to_the_leaf_price():
    base, scen = run("baseline"), run("demand_shock")
    shock = range(56, 66)
    leaf = [per_replicate(r, "price_leaf_usd_per_kg", shock, "mean") for r in (base, scen)]
    drop = 1 - leaf[1] / leaf[0]
    assert np.all(drop > 0.25), drop  # DEVIDA 2020: -62% in three months
    assert_paired_increase(
        per_replicate(scen, "cocaine_stock_kg", shock, "mean"),
        per_replicate(base, "cocaine_stock_kg", shock, "mean"),
        "unsold stock in the VRAEM",
    )


def test_crop_substitution_makes_growers_switch_to_legal_crops():
    base, scen = run("baseline"), run("crop_substitution")
    assert_paired_increase(
        per_replicate(base, "coca_ha", LATER, "mean"),
        per_replicate(scen, "coca_ha", LATER, "mean"),
        "coca area",
    )
    cut = 1 - per_replicate(scen, "coca_ha", LATER, "mean") / per_replicate(
        base, "coca_ha", LATER, "mean"
    )
    assert cut.mean() > 0.05, cut


def test_every_intervention_is_logged_and_marked():
    scen = run("combined")
    kinds = set(events(scen)["type"])
    assert {"arrest_leader", "crop_substitution", "interdiction_surge", "route_closure"} <= kinds
    assert set(events(scen)["replicate"]) == set(range(REPLICATES))
