"""The per-agent Mesa reference of the grower step (benchmarks/grower_reference.py) follows the
same rule as the vectorised `Growers`: same draws in, same totals out."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from grower_reference import (
    ReferenceGrowerModel,
    baseline_setup,
    make_growers,
    price_path,
    time_grower_step,
)

HOUSEHOLDS = 2_000
WEEKS = 60  # several decision weeks, and coca planted in the first ones matures (52 weeks)
RTOL = 1e-9  # the two differ only in the order the households' leaf is summed


def test_the_per_agent_mesa_growers_give_the_same_totals_as_the_vectorised_growers_on_the_same_draws():  # noqa: E501
    cfg, districts, tax_share, seed = baseline_setup(HOUSEHOLDS)
    growers = make_growers(cfg, districts, tax_share, seed)
    reference = ReferenceGrowerModel(make_growers(cfg, districts, tax_share, seed), seed)
    start_mature = growers.mature_ha.copy()
    start_ha = growers.coca_ha()
    np.testing.assert_allclose(reference.coca_ha(), start_ha, rtol=RTOL)

    areas = []
    for week, price in enumerate(price_path(cfg, WEEKS)):
        leaf = growers.step(price, tax_share)
        reference_leaf = reference.step_week(price, tax_share)
        np.testing.assert_allclose(reference_leaf, leaf, rtol=RTOL, err_msg=f"week {week}")
        np.testing.assert_allclose(reference.coca_ha(), growers.coca_ha(), rtol=RTOL)
        areas.append(growers.coca_ha())

    households = sorted(reference.agents, key=lambda a: a.unique_id)
    mature = np.array([a.mature_ha for a in households])
    immature = np.array([a.immature_ha for a in households])
    np.testing.assert_allclose(mature, growers.mature_ha, rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(immature, growers.immature_ha, rtol=RTOL, atol=1e-12)
    # not vacuous: the decisions moved the area, and coca planted in the run matured
    assert max(abs(a - start_ha) for a in areas) > 0.01 * start_ha
    assert np.any((start_mature == 0) & (growers.mature_ha > 0))


def test_the_grower_benchmark_reports_both_timings_and_the_speedup():
    result = time_grower_step(households=500, weeks=4, repeats=1)
    assert set(result) == {"vectorised_s_per_week", "reference_s_per_week", "speedup"}
    assert all(value > 0 for value in result.values())
