"""The golden result: three shipped scenarios reproduce their pinned tables exactly.

A restructure must keep these bit-identical. If a change has to alter the order of random draws
(or changes behaviour on purpose), regenerate with `python tests/golden/make_golden.py` in a
commit of its own that says why.

Exactly means: every count, label, event and week equal, and every real number equal to within
`ULPS_ACROSS_CPUS` relative. The last bit of a floating-point result may differ from one CPU to
another (the math library and numpy pick their code by the CPU's features): measured on the same
code and libraries, the pins made on an Intel Xeon and a run on an AMD EPYC differ in 87 of the
baseline's 208 weekly stock values and a few prices, by at most 3.9e-16 relative (one unit in
the last place), and in nothing else. A change of behaviour or of the order of random draws moves
results by many orders of magnitude more than this.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))
from make_golden import GOLDEN_SCENARIOS, HERE, TABLES, golden_run

ULPS_ACROSS_CPUS = 1e-13  # relative: a few hundred units in the last place of a float64


@pytest.mark.parametrize("name", GOLDEN_SCENARIOS)
def test_scenario_reproduces_its_pinned_tables_exactly(name):
    result = golden_run(name)
    for table in TABLES:
        pinned = pd.read_parquet(HERE / f"{name}.{table}.parquet")
        got = getattr(result, table).reset_index(drop=True)
        assert_same_table(got, pinned, f"{name}.{table}")


def assert_same_table(got: pd.DataFrame, pinned: pd.DataFrame, what: str) -> None:
    """Same columns, types and rows; real numbers equal to within the last bits of a CPU."""
    reals = [c for c in pinned.columns if pinned[c].dtype.kind == "f"]
    others = [c for c in pinned.columns if c not in reals]
    assert list(got.columns) == list(pinned.columns), what
    pd.testing.assert_frame_equal(got[others], pinned[others], check_exact=True, obj=what)
    for c in reals:
        assert got[c].dtype == pinned[c].dtype, f"{what}.{c}"
        np.testing.assert_allclose(
            got[c].to_numpy(),
            pinned[c].to_numpy(),
            rtol=ULPS_ACROSS_CPUS,
            atol=0.0,
            err_msg=f"{what}.{c}",
        )
