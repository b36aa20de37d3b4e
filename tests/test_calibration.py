"""The baseline lands on the real figures of the calibration table (targets.yaml)."""

from __future__ import annotations

import math

from sim.calibration import evaluate_targets, load_targets


def test_every_target_is_evaluated():
    assert len(load_targets()) == 20


def test_baseline_is_the_right_order_of_magnitude_on_every_target(baseline_3x260):
    table = evaluate_targets(baseline_3x260.timeseries, baseline_3x260.exits, baseline_3x260.events)
    assert len(table) == len(load_targets())
    for row in table.itertuples():
        if row.band_high == 0:  # no eradication in the baseline: exactly zero
            assert row.model_mean == 0, row.target
            continue
        # within half a decade of the band on either side
        assert row.band_low / math.sqrt(10) <= row.model_mean <= row.band_high * math.sqrt(10), row


def test_baseline_mean_of_three_replicates_is_inside_every_band(baseline_3x260):
    """Guards the current calibration against drift (3 replicates; `vraem validate` uses more)."""
    table = evaluate_targets(baseline_3x260.timeseries, baseline_3x260.exits, baseline_3x260.events)
    missed = table[table["status"] != "PASS"]
    assert missed.empty, missed[["target", "model_mean", "band_low", "band_high"]].to_string()
