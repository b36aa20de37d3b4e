"""The golden result: three shipped scenarios reproduce their pinned tables exactly.

A restructure must keep these bit-identical. If a change has to alter the order of random draws
(or changes behaviour on purpose), regenerate with `python tests/golden/make_golden.py` in a
commit of its own that says why.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))
from make_golden import GOLDEN_SCENARIOS, HERE, TABLES, golden_run


@pytest.mark.parametrize("name", GOLDEN_SCENARIOS)
def test_scenario_reproduces_its_pinned_tables_exactly(name):
    result = golden_run(name)
    for table in TABLES:
        pinned = pd.read_parquet(HERE / f"{name}.{table}.parquet")
        got = getattr(result, table).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, pinned, check_exact=True, obj=f"{name}.{table}")
