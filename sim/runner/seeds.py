"""Independent per-replicate seeds from one master seed (numpy SeedSequence)."""

from __future__ import annotations

import numpy as np


def replicate_seeds(master_seed: int, n: int) -> list[int]:
    """`n` independent 63-bit seeds spawned from `master_seed`; replicate k always gets seed k."""
    children = np.random.SeedSequence(master_seed).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]
