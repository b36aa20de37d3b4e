"""Output folders: a command replaces only a result this tool wrote, never a user's files, `.`,
a parent of the working folder, the home folder, `/`, a file or a folder of results (issue 12)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, SCENARIOS, baseline_run
from typer.testing import CliRunner

from sim.cli.main import app
from sim.config.errors import ConfigError
from sim.runner.folders import folder_kind
from sim.runner.results import RUN_MANIFEST, write_result_folder

runner = CliRunner()
SMALL = ["--replicates", "1", "--weeks", "8", "--workers", "1", "--set", "growers.households=500"]


def _run(out: str | Path, *extra: str):
    args = ["run", str(SCENARIOS / "baseline.yaml"), *SMALL, "--no-figures", "--out", str(out)]
    return runner.invoke(app, [*args, *extra])


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative path -> bytes)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _refused(res, path: Path | str, *words: str) -> None:
    assert res.exit_code == 2, res.output + res.stderr
    assert "Traceback" not in res.stderr
    text = " ".join(res.stderr.split())  # the console wraps long lines
    assert str(path) in text, text
    assert "--out" in text
    for word in words:
        assert word in text, text


@pytest.fixture(scope="module")
def earlier_run(tmp_path_factory) -> Path:
    """A run folder written by the tool (the runner's API, 1 replicate x 8 weeks)."""
    return write_result_folder(baseline_run(1, 8), tmp_path_factory.mktemp("earlier") / "run")


# ----------------------------------------------------------------------------------------------
# bug 1: `vraem run` and `vraem sweep` deleted whatever --out pointed at
# ----------------------------------------------------------------------------------------------
def test_run_never_replaces_a_folder_holding_a_users_files(tmp_path):
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "thesis.tex").write_text("\\chapter{Intro}")
    res = _run(thesis)
    _refused(res, thesis, "thesis.tex")
    assert _files(thesis) == {"thesis.tex": b"\\chapter{Intro}"}
    # not even with --force
    res = _run(thesis, "--force")
    _refused(res, thesis, "thesis.tex")
    assert _files(thesis) == {"thesis.tex": b"\\chapter{Intro}"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis"]


def test_run_never_writes_over_the_working_folder_or_its_parents(tmp_path, monkeypatch):
    work = tmp_path / "project" / "notes"
    work.mkdir(parents=True)
    (work / "notes.md").write_text("mine")
    monkeypatch.chdir(work)
    for target in (".", str(work), "..", str(tmp_path)):
        res = _run(target, "--force")
        assert res.exit_code == 2, (target, res.output + res.stderr)
        assert "Traceback" not in res.stderr and "--out" in res.stderr
    assert (work / "notes.md").read_text() == "mine"
    assert sorted(p.name for p in work.iterdir()) == ["notes.md"]


def test_run_never_writes_over_the_home_folder_or_the_root(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()  # empty: refused all the same
    monkeypatch.setenv("HOME", str(home))
    res = _run(home, "--force")
    _refused(res, home, "home")
    assert home.is_dir() and not any(home.iterdir())
    res = _run("/", "--force")
    assert res.exit_code == 2 and "Traceback" not in res.stderr and "--out" in res.stderr


def test_run_never_replaces_a_file(tmp_path):
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(b"%PDF-1.7 mine")
    for extra in ((), ("--force",)):
        res = _run(paper, *extra)
        _refused(res, paper, "file")
    assert paper.read_bytes() == b"%PDF-1.7 mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paper.pdf"]


def test_run_never_replaces_a_folder_of_earlier_results(tmp_path, earlier_run):
    outputs = tmp_path / "outputs"
    shutil.copytree(earlier_run, outputs / "baseline")
    shutil.copytree(earlier_run, outputs / "other")
    before = _files(outputs)
    for extra in ((), ("--force",)):
        res = _run(outputs, *extra)
        _refused(res, outputs, "baseline")
    assert _files(outputs) == before


def test_run_replaces_its_own_earlier_result(tmp_path, earlier_run):
    out = tmp_path / "run"
    shutil.copytree(earlier_run, out)
    res = _run(out)
    assert res.exit_code == 0, res.output + res.stderr
    info = json.loads((out / RUN_MANIFEST).read_text())
    assert info["written_by"] == "vraem-sim"
    assert info["weeks"] == 8 and info["config"]["growers"]["households"] == 500
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no lock, temp or old folder


def test_a_result_with_a_users_file_added_is_not_replaced(tmp_path, earlier_run):
    out = tmp_path / "run"
    shutil.copytree(earlier_run, out)
    (out / "figures").mkdir(exist_ok=True)
    (out / "figures" / "my_edit.png").write_bytes(b"mine")
    before = _files(out)
    for extra in ((), ("--force",)):
        res = _run(out, *extra)
        _refused(res, out, "my_edit.png")
    assert _files(out) == before


def test_an_old_run_folder_without_the_marker_is_replaced_only_if_it_looks_like_one(
    tmp_path, earlier_run
):
    old = tmp_path / "old"
    shutil.copytree(earlier_run, old)
    info = json.loads((old / RUN_MANIFEST).read_text())
    for key in ("written_by", "files"):
        info.pop(key, None)
    (old / RUN_MANIFEST).write_text(json.dumps(info))
    res = _run(old)
    assert res.exit_code == 0, res.output + res.stderr

    # a user's run.json (not the tool's manifest) does not make a folder replaceable
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / RUN_MANIFEST).write_text('{"my": "settings"}')
    res = _run(fake, "--force")
    _refused(res, fake, RUN_MANIFEST)
    assert (fake / RUN_MANIFEST).read_text() == '{"my": "settings"}'


def test_another_kind_of_result_is_replaced_only_with_force(tmp_path, earlier_run):
    sweep_like = tmp_path / "sweep"
    sweep_like.mkdir()
    manifest = {"written_by": "vraem-sim", "kind": "vraem-sweep", "fingerprint": "x"}
    manifest |= {"spec": {}, "runs": 1, "sessions": [], "files": ["sweep.json"]}
    (sweep_like / "sweep.json").write_text(json.dumps(manifest))
    res = _run(sweep_like)
    _refused(res, sweep_like, "--force", "sweep")
    res = _run(sweep_like, "--force")
    assert res.exit_code == 0, res.output + res.stderr
    assert (sweep_like / RUN_MANIFEST).is_file() and not (sweep_like / "sweep.json").exists()


def test_sweep_and_compare_follow_the_same_rules(tmp_path):
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "thesis.tex").write_text("mine")
    sweep_file = tmp_path / "s.yaml"
    spec = {
        "name": "s",
        "model": "ishigami",
        "method": "lhs",
        "samples": 4,
        "parameters": {x: {"low": 0, "high": 1} for x in ("x1", "x2", "x3")},
        "metrics": ["y"],
    }
    sweep_file.write_text(yaml.safe_dump(spec))
    for extra in ((), ("--force",)):
        res = runner.invoke(app, ["sweep", str(sweep_file), "--out", str(thesis), *extra])
        _refused(res, thesis, "thesis.tex")
    res = runner.invoke(
        app,
        [
            "compare",
            str(SCENARIOS / "baseline.yaml"),
            str(SCENARIOS / "arrest_leader.yaml"),
            "--out",
            str(thesis / "thesis.tex"),
        ],
    )
    _refused(res, thesis / "thesis.tex", "file")
    assert _files(thesis) == {"thesis.tex": b"mine"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml", "thesis"]


def test_default_output_folders_stay_inside_outputs(tmp_path, monkeypatch):
    from sim.runner.outputs import default_output_dir

    monkeypatch.chdir(tmp_path)
    assert default_output_dir("baseline", "b.yaml") == Path("outputs") / "baseline"
    for name in ("", ".", "..", "../victim", "a/b", "/abs"):
        with pytest.raises(ConfigError, match="name"):
            default_output_dir(name, "b.yaml")


# ----------------------------------------------------------------------------------------------
# what killed writers leave behind; one writer per folder
# ----------------------------------------------------------------------------------------------
def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_the_next_write_cleans_what_killed_writers_left(tmp_path, earlier_run):
    dead = _dead_pid()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale_tmp = tmp_path / f".a.tmp-{dead}-abcd1234"  # killed while writing
        shutil.copytree(earlier_run, stale_tmp / "half")
        shutil.copy(earlier_run / "timeseries.parquet", stale_tmp / "timeseries.parquet")
        shutil.rmtree(stale_tmp / "half")
        moved = tmp_path / f".b.old-{dead}"  # killed between the two renames: b is missing
        shutil.copytree(earlier_run, moved)
        with pytest.raises(ConfigError, match=moved.name):  # reading b says where it is
            folder_kind(tmp_path / "b")
        replaced = tmp_path / f".c.old-{dead}"  # killed after them: c is in place
        shutil.copytree(earlier_run, replaced)
        shutil.copytree(earlier_run, tmp_path / "c")
        live = tmp_path / f".d.tmp-{sleeper.pid}-abcd1234"  # a live writer's: never touched
        live.mkdir()
        (live / "run.json").write_text("{}")
        users = tmp_path / f".e.tmp-{dead}-abcd1234"  # the name matches, the files are a user's
        users.mkdir()
        (users / "thesis.tex").write_text("mine")
        (tmp_path / ".f.lock").write_text("")  # a lock a killed writer held
        res = _run(tmp_path / "new")
        assert res.exit_code == 0, res.output + res.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            ["b", "c", "new", live.name, users.name]
        )
        assert _files(tmp_path / "b") == _files(earlier_run)  # restored
        assert (live / "run.json").read_text() == "{}"
        assert (users / "thesis.tex").read_text() == "mine"
    finally:
        sleeper.kill()
        sleeper.wait()


_HOLD = """
import sys, time
from pathlib import Path
from sim.runner.outputs import output_lock
with output_lock(Path(sys.argv[1]), ["vraem", "sweep", "other.yaml"]):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_writer_is_refused_naming_the_one_that_holds_the_folder(tmp_path):
    out = tmp_path / "busy"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(out)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        res = _run(out)
        _refused(res, out, f"PID {holder.pid}", "vraem sweep other.yaml")
        files = [str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "arrest_leader.yaml")]
        compare = runner.invoke(
            app, ["compare", *files, "--weeks", "60", "--replicates", "3", "--out", str(out)]
        )
        _refused(compare, out, f"PID {holder.pid}")
        assert not out.exists()
    finally:
        holder.kill()  # a killed holder's lock is free again
        holder.wait()
    res = _run(out)
    assert res.exit_code == 0, res.output + res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy"]


def test_a_sweeps_work_folder_is_judged_by_the_files_a_sweep_writes_there(tmp_path):
    from sim.runner.layout import SWEEP_WORK_LAYOUT
    from sim.runner.outputs import inspect_folder

    work = tmp_path / ".s.partial"
    (work / "ledger").mkdir(parents=True)
    (work / "timeseries" / "point=0").mkdir(parents=True)
    manifest = {"written_by": "vraem-sim", "fingerprint": "f", "spec": {}, "runs": 2}
    (work / "sweep.json").write_text(json.dumps(manifest | {"sessions": []}))
    for name in (".sweep.json.tmp", "ledger/.runs-000000-ab.parquet.tmp", "ledger/runs-0.parquet"):
        (work / name).write_text("")
    (work / "timeseries" / "point=0" / ".run-000000.parquet.tmp").write_text("")
    assert inspect_folder(work, SWEEP_WORK_LAYOUT).strangers == []
    (work / "timeseries" / "notes.txt").write_text("mine")
    assert inspect_folder(work, SWEEP_WORK_LAYOUT).strangers == ["timeseries/notes.txt"]
