"""Output folders: a command replaces only a result this tool wrote, never a user's files, `.`,
a parent of the working folder, the home folder, `/`, a file or a folder of results (issue 12)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import SCENARIOS, baseline_run
from typer.testing import CliRunner

from sim.cli.main import app
from sim.config.errors import ConfigError
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
