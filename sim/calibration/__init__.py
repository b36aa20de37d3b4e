"""Calibration targets (real figures, sources, bands) and how the model is measured on them."""

from sim.calibration.targets import evaluate_targets, load_targets, packaged_baseline

__all__ = ["evaluate_targets", "load_targets", "packaged_baseline"]
