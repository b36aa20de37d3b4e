"""Output folders: what a command may replace, one writer per folder, and what a killed writer
left behind. Every command that writes a folder (run, validate, compare, brief, sweep) goes
through `writing` (or `staged_folder`, which uses it).

- `check_output_target` is the one policy: a command writes into a new folder or an empty one,
  and replaces a folder only if it holds a result this tool wrote (`sim.runner.layout`) and
  nothing else. A result of another kind is replaced only with `force`. Never replaced, even
  with `force`: a file, a folder holding anything else, `/`, the home folder, the current
  folder or a parent of it, a folder of earlier results (such as `outputs/`).
- `output_lock`: one writer per folder. The lock `.<name>.lock` sits beside the folder, with
  `.<name>.lock.json` saying who holds it; a second writer is refused, naming the holder.
- `clean_debris`: a writer builds a folder in `.<name>.tmp-<pid>-*` and, while swapping it in,
  moves the earlier one to `.<name>.old-<pid>`. Left behind by a process that no longer runs,
  the first is removed and the second restored (if `<name>` is missing) or removed, each only
  under `<name>`'s lock.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from sim.config.errors import ConfigError
from sim.runner.layout import (
    FILES_KEY,
    LAYOUTS,
    SWEEP_WORK_LAYOUT,
    WRITTEN_BY,
    WRITTEN_BY_KEY,
    Layout,
    ResultKind,
)

OUTPUTS_DIR = Path("outputs")
OUT_KEY = "--out"
LOCK_WAIT_S = 0.5  # how long a second writer waits for the lock before it is refused
FOLDER_MODE = 0o777  # before the umask, as for any new folder
SHOWN_NAMES = 5  # file names quoted in a message
# `.<name>.tmp-<pid>-<8 characters of mkdtemp>` and `.<name>.old-<pid>`
DEBRIS = re.compile(
    r"^\.(?P<name>.+)\.(?:(?P<tmp>tmp)-(?P<pid>\d+)-[a-z0-9_]{8}|old-(?P<old>\d+))$"
)
STALE_LOCK = re.compile(r"^\.(?P<name>.+)\.lock$")


# ----------------------------------------------------------------------------------------------
# what a folder holds
# ----------------------------------------------------------------------------------------------
@dataclass
class Contents:
    """What is in a folder: the kind of result it is (None if none), the files in it this tool
    did not write (relative paths), and, for a folder that is no result, its result subfolders."""

    kind: ResultKind | None = None
    strangers: list[str] = field(default_factory=list)
    results: list[str] = field(default_factory=list)


def _read_manifest(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def result_layout(folder: Path) -> tuple[Layout, dict[str, Any]] | None:
    """The layout of the result in `folder` and its parsed manifest, or None if it holds none."""
    for layout in LAYOUTS.values():
        path = folder / layout.manifest
        if path.is_file() and not path.is_symlink():
            info = _read_manifest(path)
            if layout.is_manifest(info):
                return layout, info
    return None


def _files(folder: Path) -> list[str]:
    """Every entry under `folder` that is not a folder (files, links, ...), relative, with "/"."""
    found = []
    for root, dirs, names in os.walk(folder):
        here = Path(root)
        links = [d for d in dirs if (here / d).is_symlink()]  # never followed
        dirs[:] = [d for d in dirs if d not in links]
        found += [(here / n).relative_to(folder).as_posix() for n in (*names, *links)]
    return sorted(found)


def tool_files(info: dict[str, Any]) -> set[str] | None:
    """The files a marked manifest says the tool wrote, or None (an older manifest)."""
    files = info.get(FILES_KEY)
    if info.get(WRITTEN_BY_KEY) != WRITTEN_BY or not isinstance(files, list):
        return None
    return {f for f in files if isinstance(f, str)}


def inspect_folder(folder: Path, layout: Layout | None = None) -> Contents:
    """What `folder` (an existing folder) holds. With `layout`, the folder is taken to be such a
    folder even without a manifest, and its files are checked against `layout`'s names unless
    its manifest lists them (the work folder of a sweep)."""
    found = result_layout(folder)
    if found is None:
        if layout is not None:
            return Contents(None, [f for f in _files(folder) if not layout.expects(f)])
        children = sorted(folder.iterdir())
        results = [c.name for c in children if c.is_dir() and result_layout(c)]
        return Contents(None, [c.name for c in children if c.name not in results], results)
    own, info = found
    files = _files(folder)
    listed = tool_files(info)
    if listed is not None:
        return Contents(own.kind, [f for f in files if f not in listed])
    names = layout or own
    return Contents(own.kind, [f for f in files if not names.expects(f)])


def is_tool_only(folder: Path, layout: Layout | None = None) -> bool:
    """`folder` holds a result of this tool (or, with `layout`, only its files), nothing else."""
    contents = inspect_folder(folder, layout)
    return (contents.kind is not None or layout is not None) and not contents.strangers


# ----------------------------------------------------------------------------------------------
# the policy
# ----------------------------------------------------------------------------------------------
def _names(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN_NAMES])
    more = len(names) - SHOWN_NAMES
    return shown + (f" and {more} more" if more > 0 else "")


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except RuntimeError:  # no home folder can be determined
        return None


def _protected(path: Path) -> str | None:
    """Why `path` is never a result folder, or None."""
    cwd = Path.cwd().resolve()
    if path == Path(path.anchor):
        return "the root folder"
    if path == _home():
        return "your home folder"
    if path == cwd:
        return "the current folder"
    if path in cwd.parents:
        return "a parent of the current folder"
    return None


def check_output_target(out: Path, kind: ResultKind, *, force: bool = False) -> Path:
    """The absolute path of `out` if a command writing a `kind` result may write it (creating it
    or replacing what is there); else ConfigError naming `out` and why. See the module doc."""
    path = Path(out).resolve()
    never = "it is never replaced, even with --force"
    if why := _protected(path):
        raise ConfigError(
            out,
            OUT_KEY,
            f"expected a folder for the result, not {why} ({path}): {never}; "
            f"choose a new folder, e.g. {OUTPUTS_DIR}/<name>",
        )
    if not path.exists():
        parent = next((p for p in path.parents if p.exists()), None)
        if parent is not None and not parent.is_dir():
            expected = f"expected a folder to write into, but {parent} is a file"
            raise ConfigError(out, OUT_KEY, expected)
        return path
    if not path.is_dir():
        raise ConfigError(out, OUT_KEY, f"expected a folder, found a file: {never}")
    if not any(path.iterdir()):
        return path
    contents = inspect_folder(path)
    if contents.kind is None and contents.results:
        raise ConfigError(
            out,
            OUT_KEY,
            f"expected one result folder, but this folder holds earlier results "
            f"({_names(contents.results)}): {never}; write into a new folder inside it, "
            f"e.g. {path / '<name>'}",
        )
    if contents.kind is None or contents.strangers:
        raise ConfigError(
            out,
            OUT_KEY,
            "expected a new folder, an empty one or an earlier result of this "
            f"command to replace; this folder holds other files, not written by vraem-sim "
            f"({_names(contents.strangers)}), which would be lost: {never}",
        )
    if contents.kind is not kind and not force:
        raise ConfigError(
            out,
            OUT_KEY,
            f"expected {LAYOUTS[kind].label} to replace, or a new folder; this "
            f"folder holds {LAYOUTS[contents.kind].label}: run with --force to replace it, or "
            "choose another --out",
        )
    return path


def plain_name(name: str) -> bool:
    """`name` is a single, visible folder name (no separator, not `.` or `..`)."""
    return bool(name) and not name.startswith(".") and not re.search(r"[/\\\x00]", name)


def default_output_dir(name: str, source: str | Path) -> Path:
    """`outputs/<name>`, the default folder of a result named `name` (from the file `source`);
    ConfigError unless `name` is a plain folder name, so that it stays inside `outputs/`."""
    if not plain_name(name):
        raise ConfigError(
            source,
            "name",
            f"expected a plain folder name for {OUTPUTS_DIR}/<name>/ (no '/', "
            f"not starting with '.'), got {name!r}; or give --out",
        )
    return OUTPUTS_DIR / name


# ----------------------------------------------------------------------------------------------
# one writer per folder
# ----------------------------------------------------------------------------------------------
_HELD: dict[str, tuple[int, int]] = {}  # lock path -> (pid, depth) of the locks this process holds


def lock_path(folder: Path) -> Path:
    """The lock of `folder`: `.<name>.lock` beside it."""
    return folder.parent / f".{folder.name}.lock"


def holder_path(folder: Path) -> Path:
    """Who holds the lock of `folder`: `.<name>.lock.json` beside it."""
    return folder.parent / f".{folder.name}.lock.json"


def _holder(folder: Path) -> str:
    info = _read_manifest(holder_path(folder))
    if not isinstance(info, dict) or "pid" not in info:
        return "another process"
    command = " ".join(info.get("command") or []) or "?"
    return (
        f"PID {info['pid']} on {info.get('host', '?')} (`{command}`, started "
        f"{info.get('started', '?')})"
    )


def _write_holder(folder: Path, command: list[str] | None) -> None:
    if command and Path(command[0]).name in ("__main__.py", "vraem"):
        command = ["vraem", *command[1:]]  # `python -m sim ...` or the console script
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": list(command) if command else None,
    }
    path = holder_path(folder)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(info) + "\n", encoding="utf-8")
    os.replace(tmp, path)


@contextmanager
def output_lock(
    folder: Path, command: list[str] | None = None, *, wait: float = LOCK_WAIT_S
) -> Iterator[None]:
    """Hold the lock of `folder` (re-entrant in this process); ConfigError naming the holder if
    another process holds it. The lock and holder files are removed on release."""
    folder = Path(folder).resolve()
    key = str(lock_path(folder))
    pid, depth = _HELD.get(key, (os.getpid(), 0))
    if pid == os.getpid() and depth:
        _HELD[key] = (pid, depth + 1)
        try:
            yield
        finally:
            _HELD[key] = (pid, depth)
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(key, timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise ConfigError(
            folder,
            OUT_KEY,
            f"expected no other command writing this folder, but "
            f"{_holder(folder)} holds its lock {key}: wait until it ends, or choose another --out",
        ) from None
    _HELD[key] = (os.getpid(), 1)
    try:
        _write_holder(folder, command)
        yield
    finally:
        del _HELD[key]
        holder_path(folder).unlink(missing_ok=True)
        Path(key).unlink(missing_ok=True)  # while held: a waiter on this file then tries again
        lock.release()


@contextmanager
def try_lock(folder: Path) -> Iterator[bool]:
    """Try the lock of `folder` once; yields whether it is held now (released on exit)."""
    with ExitStack() as stack:
        try:
            stack.enter_context(output_lock(folder, wait=0))
        except ConfigError:
            held = False
        else:
            held = True
        yield held


# ----------------------------------------------------------------------------------------------
# what killed writers left behind
# ----------------------------------------------------------------------------------------------
def pid_alive(pid: int) -> bool:
    """Whether process `pid` runs on this machine (a zombie does not; unknown counts as alive)."""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return True  # no safe probe: never treat a folder as left behind
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    with suppress(OSError, IndexError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    return True


def clean_debris(parent: Path) -> list[str]:
    """Remove temporary folders, and restore or remove set-aside folders, that writers which no
    longer run left in `parent`; remove stale locks. Returns what was done, one line each."""
    done: list[str] = []
    if not parent.is_dir():
        return done
    for entry in sorted(parent.iterdir()):
        if (m := DEBRIS.match(entry.name)) and entry.is_dir() and not entry.is_symlink():
            if pid_alive(int(m["pid"] or m["old"])):
                continue
            real = parent / m["name"]
            with try_lock(real) as held:
                if held and entry.exists():
                    done += _clear(entry, real, temporary=bool(m["tmp"]))
        elif (m := STALE_LOCK.match(entry.name)) and entry.is_file():
            with try_lock(parent / m["name"]):
                pass  # acquired: nobody held it; releasing removes it
    return done


def _partial(folder: Path) -> bool:
    """`folder` holds only files this tool writes into some result folder (a partial one)."""
    layouts = (*LAYOUTS.values(), SWEEP_WORK_LAYOUT)
    return all(any(lay.expects(f) for lay in layouts) for f in _files(folder))


def _clear(entry: Path, real: Path, *, temporary: bool) -> list[str]:
    """Remove a temporary folder; restore a set-aside result if `real` is missing, else remove
    it. A folder holding anything this tool does not write is left alone."""
    if temporary:
        if not _partial(entry):
            return []
        shutil.rmtree(entry, ignore_errors=True)
        return [f"removed {entry}, left by a stopped write"]
    if not is_tool_only(entry):
        return []
    if not real.exists():
        entry.rename(real)
        return [f"restored {real} from {entry}, left by a stopped write"]
    shutil.rmtree(entry, ignore_errors=True)
    return [f"removed {entry}, an earlier result already replaced"]


# ----------------------------------------------------------------------------------------------
# writing a folder
# ----------------------------------------------------------------------------------------------
#: errors that say the place itself cannot be written: read-only, no permission, disk full,
#: quota or file size limit reached
UNWRITABLE = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


@contextmanager
def writing(
    out: Path, kind: ResultKind, *, force: bool = False, command: list[str] | None = None
) -> Iterator[Path]:
    """Hold `out`'s lock, clean what killed writers left beside it, and check (again, under the
    lock) that a `kind` result may be written there; yields the absolute path."""
    target = check_output_target(out, kind, force=force)  # refuse before making a lock file
    try:
        with output_lock(target, command):
            clean_debris(target.parent)
            yield check_output_target(target, kind, force=force)
    except OSError as exc:
        if exc.errno not in UNWRITABLE:
            raise
        raise ConfigError(
            target,
            OUT_KEY,
            f"expected a folder this command can write, but writing there failed "
            f"({exc.strerror}); no result was published there: free space or choose another "
            "--out (a sweep keeps its finished runs for --resume)",
        ) from None


def stamp_manifest(folder: Path, layout: Layout) -> None:
    """Mark `folder`'s manifest as written by this tool, with the list of every file in it."""
    path = folder / layout.manifest
    info = json.loads(path.read_text(encoding="utf-8"))
    info[WRITTEN_BY_KEY] = WRITTEN_BY
    info[FILES_KEY] = _files(folder)
    write_json_atomic(info, path)


def write_json_atomic(info: dict[str, Any], path: Path) -> None:
    """Write JSON to a new file, then rename it over `path` (never in place: a hard link to an
    earlier file stays as it was)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(info, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def replace_folder(new: Path, out: Path, kind: ResultKind, *, force: bool = False) -> None:
    """Move the complete folder `new` to `out` (under `out`'s lock), replacing an earlier `out`
    that the policy allows: it is renamed aside first and removed once `new` is in place."""
    with output_lock(out):
        check_output_target(out, kind, force=force)
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            out.rename(old)
        new.rename(out)
        if old is not None and is_tool_only(old):
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def staged_folder(
    out: Path, kind: ResultKind, *, force: bool = False, command: list[str] | None = None
) -> Iterator[Path]:
    """Yield a temporary sibling of `out` to fill (it must get the kind's manifest); on success
    the manifest is stamped and the folder replaces `out` in one rename.

    On any error (or Ctrl-C) the temporary folder is removed and `out` is left as it was; if the
    process is killed, the next write beside it removes the temporary folder.
    """
    with writing(out, kind, force=force, command=command) as target:
        prefix = f".{target.name}.tmp-{os.getpid()}-"
        tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
        try:
            yield tmp
            stamp_manifest(tmp, LAYOUTS[kind])
            tmp.chmod(FOLDER_MODE & ~_umask())  # mkdtemp makes it private; give the usual mode
            replace_folder(tmp, target, kind, force=force)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
