"""Honest uncertainty in comparisons: Student-t intervals of mean paired changes, the replicates
a large unresolved change would need, and the guard against too few replicates."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import SCENARIOS
from scipy import stats
from typer.testing import CliRunner

from sim.cli.main import app
from sim.report.effects import (
    CONFIDENCE,
    FEW_REPLICATES,
    MIN_REPLICATES,
    PairedChange,
    is_large,
    paired_change,
    replicates_needed,
)
from sim.report.wording import change_clause

runner = CliRunner()


def test_the_interval_of_a_paired_change_is_students_t_interval_of_the_mean():
    diffs = np.array([4.0, -1.0, 7.0, 2.5, 0.5])
    got = paired_change(diffs)
    lo, hi = stats.t.interval(CONFIDENCE, diffs.size - 1, loc=diffs.mean(), scale=stats.sem(diffs))
    assert got.mean == pytest.approx(diffs.mean())
    assert (got.lo, got.hi) == (pytest.approx(lo), pytest.approx(hi))
    assert got.n == 5 and got.sd == pytest.approx(diffs.std(ddof=1))


def test_two_runs_give_a_wide_interval_not_the_range_of_their_two_values():
    # the 5th-95th percentiles of two values made "(18 to 18%)"-style intervals; Student's t
    # with one degree of freedom is about 6.3 standard errors wide each side at 90%
    got = paired_change(np.array([18.0, 22.0]))
    assert got.hi - got.lo > 3 * (22.0 - 18.0)
    assert got.lo < 18.0 and got.hi > 22.0


def test_non_finite_changes_are_left_out_and_one_value_gives_no_interval():
    got = paired_change(np.array([np.nan, 3.0, np.inf]))
    assert got.n == 1 and got.mean == 3.0 and math.isnan(got.lo) and not got.clear


def test_the_replicates_needed_would_just_resolve_an_effect_of_that_size_and_spread():
    change = PairedChange(mean=10.0, lo=-0.6, hi=20.6, sd=25.0, n=8)
    n = replicates_needed(change)
    assert n is not None and n > change.n

    def half_width(k: int) -> float:
        return stats.t.ppf(0.5 + CONFIDENCE / 2, k - 1) * change.sd / math.sqrt(k)

    assert half_width(n) < abs(change.mean) <= half_width(n - 1)


def test_a_large_change_is_a_tenth_of_the_baseline_or_more():
    assert is_large(12.0, baseline=0.0, relative=True)  # 12%
    assert not is_large(4.0, baseline=0.0, relative=True)
    assert is_large(10.0, baseline=16.5, relative=False)  # +10 deaths on 16.5
    assert not is_large(1.0, baseline=16.5, relative=False)


def test_a_large_effect_whose_interval_includes_zero_says_so_and_how_to_resolve_it():
    row = type(
        "Row",
        (),
        dict(outcome="violent deaths", relative=False, change=10.0, change_lo=-0.6,
             change_hi=20.0, clear=False, large=True, replicates_needed=31),
    )()  # fmt: skip
    text = change_clause(row)
    assert text.startswith("violent deaths rise by 10 a year, a large change but not a certain")
    assert "(-0.6 to +20 a year) includes zero" in text
    assert text.endswith("about 31 replicates would resolve it")


def _scenario(tmp_path):
    path = tmp_path / "surge.yaml"
    path.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\nname: surge\ninterventions:\n"
        "  - {type: interdiction_surge, week: 1, weeks: 2, factor: 3, nodes: [callao]}\n",
        encoding="utf-8",
    )
    return path


def test_compare_refuses_fewer_than_three_replicates_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    args = ["compare", str(SCENARIOS / "baseline.yaml"), str(_scenario(tmp_path))]
    res = runner.invoke(app, [*args, "--replicates", str(MIN_REPLICATES - 1), "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert "surge.yaml" in res.output and "replicates" in res.output
    assert f"at least {MIN_REPLICATES} replicates" in res.output
    assert "Traceback" not in res.output and not out.exists()


def test_fewer_than_ten_replicates_warn_in_the_cli_and_in_bold_on_page_one(tmp_path):
    out = tmp_path / "out"
    args = ["compare", str(SCENARIOS / "baseline.yaml"), str(_scenario(tmp_path))]
    res = runner.invoke(
        app, [*args, "--replicates", "3", "--weeks", "4", "--workers", "1", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "warning: only 3 paired replicates" in " ".join(res.output.split())
    md = (out / "briefing.md").read_text(encoding="utf-8")
    page_one = md.split("## Key findings")[0]
    assert "**Warning: Only 3 paired replicates" in page_one
    assert f"Run {FEW_REPLICATES} or more" in page_one


def test_brief_refuses_run_folders_of_fewer_than_three_replicates(tmp_path):
    small = ["--replicates", "2", "--weeks", "3", "--workers", "1", "--no-figures"]
    base, scen = tmp_path / "base", tmp_path / "surge"
    for path, scenario in ((base, SCENARIOS / "baseline.yaml"), (scen, _scenario(tmp_path))):
        res = runner.invoke(app, ["run", str(scenario), *small, "--out", str(path)])
        assert res.exit_code == 0, res.output
    out = tmp_path / "brief"
    res = runner.invoke(app, ["brief", str(base), str(scen), "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert "run.json" in res.output and f"at least {MIN_REPLICATES} replicates" in res.output
    assert not out.exists()


def test_no_figure_title_names_an_effect_whose_interval_includes_zero():
    import pandas as pd

    from sim.report.findings import armed_title, fan_title

    rows = [
        dict(scenario="s", outcome=o, window="first year", change=c, change_lo=c - 20,
             change_hi=c + 20, clear=False, large=True, replicates_needed=40, relative=r,
             baseline=16.5, week_from=52, week_to=103, date_from="2024-01-01",
             date_to="2024-12-29")
        for o, c, r in (("violent deaths", 10.0, False), ("exports", -12.0, True),
                        ("seizures", 15.0, True))
    ]  # fmt: skip
    table = pd.DataFrame(rows)
    events = pd.DataFrame(columns=["type", "outcome", "week", "replicate"])
    titles = [
        armed_title(table, events, "s", 10),
        fan_title(table, "s", ("exports", "seizures")),
    ]
    for title in titles:
        assert " by " not in title and "a large change" not in title, title
        assert "no clear change" in title, title


def test_the_map_title_names_only_exits_whose_change_is_clear():
    import pandas as pd

    from sim.report.briefing_figures import map_title

    base = pd.Series({"callao": 190.0, "chimbote": 26.0, "bolivia_air": 90.0})
    scen = pd.Series({"callao": 150.0, "chimbote": 24.9, "bolivia_air": 97.0})
    # Chimbote's -1.1 t/yr is noise: not named even if it were the only change
    assert "Chimbote" not in map_title("s", base, scen, "in 2024", clear={"callao"})
    title = map_title("s", base, scen, "in 2024", clear={"callao", "bolivia_air"})
    assert "40 t/yr less leaves via Callao" in title and "the air bridge" in title
    assert map_title("s", base, scen, "in 2024", clear=set()).endswith(
        "no exit's flow changes clearly"
    )
