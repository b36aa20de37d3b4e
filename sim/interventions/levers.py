"""The levers interventions pull: named arrays owned by the model's parts.

An intervention changes a lever by scaling or adding to some of its entries and, when it ends,
undoes exactly its own change. Each entry counts the changes in force on it; once none is left
the entry is set back to its value at the start of the run, so no rounding is left behind when
interventions overlap.
"""

from __future__ import annotations

import numpy as np

LEVERS = (
    "detection_factor",  # per edge: factor on the detection hazard (transit)
    "closures",  # per edge: closures in force (transit)
    "eradication_plan",  # per district: eradication ordered (ha/week, army orders)
    "security_effectiveness",  # one entry: effectiveness of the security forces (factor)
    "demand_factor",  # per exit: what buyers take at the reference price (factor)
    "alt_subsidy",  # per district: subsidy on a hectare of legal crop (USD/ha/yr, growers)
    "visibility",  # one entry: what violence gains in attention now (political calendar)
    "boycott",  # per week of the run: extra visibility on the eve of a vote
)


class Levers:
    """Named arrays that interventions may change, with what is in force on each entry."""

    def __init__(self, **arrays: np.ndarray) -> None:
        unknown = set(arrays) ^ set(LEVERS)
        if unknown:
            raise ValueError(f"expected exactly the levers {LEVERS}, got {sorted(arrays)}")
        self._arrays = arrays
        self._start = {k: v.copy() for k, v in arrays.items()}
        self._in_force = {k: np.zeros(v.shape, dtype=np.int64) for k, v in arrays.items()}

    def __getitem__(self, name: str) -> np.ndarray:
        return self._arrays[name]

    def scale(self, name: str, idx: np.ndarray, factor: float) -> None:
        """Multiply entries `idx` of a lever by `factor`."""
        self._arrays[name][idx] *= factor
        self._in_force[name][idx] += 1

    def unscale(self, name: str, idx: np.ndarray, factor: float) -> None:
        """Undo `scale(name, idx, factor)`."""
        self._arrays[name][idx] /= factor
        self._release(name, idx)

    def add(self, name: str, idx: np.ndarray, amount: float | np.ndarray) -> None:
        """Add `amount` to entries `idx` of a lever."""
        self._arrays[name][idx] += amount
        self._in_force[name][idx] += 1

    def subtract(self, name: str, idx: np.ndarray, amount: float | np.ndarray) -> None:
        """Undo `add(name, idx, amount)`."""
        self._arrays[name][idx] -= amount
        self._release(name, idx)

    def _release(self, name: str, idx: np.ndarray) -> None:
        in_force = self._in_force[name]
        in_force[idx] -= 1
        idle = in_force == 0
        self._arrays[name][idle] = self._start[name][idle]

    def snapshot(self) -> dict[str, np.ndarray]:
        """A copy of every lever's current values."""
        return {k: v.copy() for k, v in self._arrays.items()}

    def at_start(self) -> dict[str, np.ndarray]:
        """A copy of every lever's values at the start of the run."""
        return {k: v.copy() for k, v in self._start.items()}
