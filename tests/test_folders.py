"""The runner writes result folders (`sim.runner.results`) and reads them back
(`sim.runner.folders`): what is read is what was written."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import baseline_run

from sim.config.loader import ConfigError
from sim.runner.folders import folder_kind, load_comparison, load_run
from sim.runner.results import (
    MANIFEST_FILE,
    RUN_MANIFEST,
    PairedDirs,
    check_comparison_target,
    copy_comparison,
    write_comparison,
    write_result_folder,
)


def test_a_run_folder_reads_back_as_the_run_that_was_written(tmp_path):
    run = baseline_run(2, 60)
    folder = write_result_folder(run, tmp_path / "run")
    assert folder_kind(folder) == "run"
    back = load_run(folder)
    assert back.seeds == run.seeds
    assert back.scenario == run.scenario
    for table in ("timeseries", "exits", "edge_flows", "events"):
        pd.testing.assert_frame_equal(getattr(back, table), getattr(run, table))


def test_a_comparison_folder_reads_back_its_pairs_runs_and_creation_time(tmp_path):
    run = baseline_run(2, 60)
    pairs = [PairedDirs(run.scenario.name, "scenario", "baseline")]
    created = write_comparison({"baseline": run, "scenario": run}, pairs, tmp_path, ["cmd"])
    assert folder_kind(tmp_path) == "compare"
    saved = load_comparison(tmp_path)
    assert saved.pairs == pairs and saved.created == created
    assert set(saved.runs) == {"baseline", "scenario"}
    assert saved.sources["scenario"] == tmp_path / "runs" / "scenario"
    pd.testing.assert_frame_equal(saved.runs["scenario"].exits, run.exits)
    info = json.loads((tmp_path / MANIFEST_FILE).read_text())
    assert info["focus"] == run.scenario.name and info["command"] == ["cmd"]

    # a copy keeps the runs and the creation time
    copy = tmp_path / "copy"
    copy.mkdir()
    copy_comparison(saved.sources, saved.pairs, copy, created=saved.created)
    again = load_comparison(copy)
    assert again.pairs == pairs and again.created == created
    assert (copy / "runs" / "baseline" / RUN_MANIFEST).is_file()


def test_a_folder_with_other_files_is_never_a_comparison_target(tmp_path):
    check_comparison_target(tmp_path / "new")
    check_comparison_target(tmp_path)  # empty
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="other files"):
        check_comparison_target(tmp_path)
    with pytest.raises(ConfigError, match="neither file"):
        folder_kind(tmp_path)
