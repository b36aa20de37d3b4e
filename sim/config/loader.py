"""Load scenario YAML: safe loader, `extends`, `--set` overrides, typed validation, clear errors.

This layer knows nothing of the route network; `sim.scenarios` checks a scenario's names against
its network (config -> network -> scenarios)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.config.errors import (  # ConfigError is also re-exported: older code imports it here
    ConfigError,
    Problem,
    Problems,
)
from sim.config.models import Scenario

MAX_FILE_BYTES = 1_000_000  # scenario and sweep files are a few kB; refuse anything huge
MAX_NESTING = 32  # levels of mappings and lists; the config itself needs about 5


class _UniqueKeyLoader(yaml.SafeLoader):
    """The safe loader, refusing a key given twice in one mapping (YAML would keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key!r} given twice (lines {seen[key]} and {line}); keep one",
                    key_node.start_mark,
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def nesting_depth(data: Any) -> tuple[int, str]:
    """How deeply mappings and lists nest in `data`, and the key path of the deepest point
    (iterative, so any depth can be measured)."""
    deepest, where = 0, ""
    stack: list[tuple[Any, int, str]] = [(data, 0, "")]
    while stack:
        node, depth, path = stack.pop()
        if depth > deepest:
            deepest, where = depth, path
        if isinstance(node, dict):
            items = ((str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            items = ((str(i), v) for i, v in enumerate(node))
        else:
            continue
        for k, v in items:
            stack.append((v, depth + 1, f"{path}.{k}" if path else k))
    return deepest, where


def read_text(path: Path) -> str:
    """The text of a UTF-8 file; ConfigError naming the file if it is missing, unreadable, not
    UTF-8 or larger than MAX_FILE_BYTES."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ConfigError(path, "", "file not found") from None
    except OSError as exc:
        raise ConfigError(path, "", f"cannot be read ({exc.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise ConfigError(
            path, "", f"is {size:,} bytes; expected a file of at most {MAX_FILE_BYTES:,} bytes"
        )
    if path.is_dir():
        raise ConfigError(path, "", "is a folder; expected a YAML file")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, "", "file not found") from None
    except OSError as exc:
        raise ConfigError(path, "", f"cannot be read ({exc.strerror})") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = raw[exc.start]
        raise ConfigError(
            path,
            "",
            f"is not valid UTF-8 (byte 0x{byte:02x} at position {exc.start}); save it as UTF-8",
        ) from None


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML file's top-level mapping (safe loader); ConfigError naming the file otherwise."""
    text = read_text(path)
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader: builds no objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(path, "", f"is not valid YAML{at}: {problem}") from None
    except RecursionError:
        raise ConfigError(
            path, "", f"nests lists or mappings too deeply; expected at most {MAX_NESTING} levels"
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(path, "", "expected a mapping of keys to values at the top level")
    depth, where = nesting_depth(data)
    if depth > MAX_NESTING:
        raise ConfigError(
            path, where, f"nests {depth} levels deep; expected at most {MAX_NESTING} levels"
        )
    return data


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge `override` into a copy of `base`: mappings merge key by key, anything else replaces."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def resolve_data_dir(data: dict[str, Any], folder: Path) -> None:
    """Make a relative `network.data_dir` of `data` absolute against `folder`, in place: the
    folder of the file that wrote it (or the working directory, for `--set`)."""
    network = data.get("network")
    if isinstance(network, dict) and isinstance(network.get("data_dir"), str):
        network["data_dir"] = str((folder / network["data_dir"]).resolve())


def read_scenario_dict(path: str | Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario file and everything it `extends`, merged (the file itself wins; its
    `title` is never inherited). A relative `network.data_dir` is resolved against the folder
    of the file that names it."""
    path = Path(path).resolve()
    if path in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, path))
        raise ConfigError(path, "extends", f"expected no cycle of extends, found {cycle}")
    data = read_yaml(path)
    resolve_data_dir(data, path.parent)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ConfigError(path, "extends", "expected the path of a scenario file (a string)")
    parent_path = (path.parent / parent).resolve()
    if not parent_path.exists():
        raise ConfigError(path, "extends", f"expected an existing file, {parent_path} not found")
    inherited = read_scenario_dict(parent_path, (*_chain, path))
    inherited.pop("title", None)  # a title names one scenario, not those that extend it
    return deep_merge(inherited, data)


def set_key(data: dict[str, Any], key: str, value: Any, source: str | Path) -> None:
    """Set a dotted key path in a scenario dict, in place; list items are addressed by index
    (`interventions.0.week`). Missing sections are created; the result is validated later."""
    parts = key.split(".")
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[:depth]) or "the top level"
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ConfigError(
                    source,
                    key,
                    f"'{where}' is a list of {len(node)}: expected an index 0-"
                    f"{len(node) - 1}, got '{part}'",
                )
            index = int(part)
            if last:
                node[index] = value
            else:
                node = node[index]
            continue
        if not isinstance(node, dict):
            raise ConfigError(source, key, f"'{where}' is not a section with keys")
        if last:
            node[part] = value
        else:
            if node.get(part) is None:
                if parts[depth + 1].isdigit():  # an index into a list that is not there
                    here = ".".join(parts[: depth + 1])
                    raise ConfigError(
                        source,
                        key,
                        f"'{here}' has no items to index; give the whole list instead, "
                        f"e.g. {here}=[...]",
                    )
                node[part] = {}
            node = node[part]


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply `--set key.path=value` overrides; values are parsed as YAML scalars or lists. A
    relative `network.data_dir` is resolved against the working directory."""
    out = copy.deepcopy(data)
    for item in overrides:
        if "=" not in item:
            raise ConfigError("--set", item, "expected KEY=VALUE, e.g. security.effectiveness=0.5")
        key, raw = item.split("=", 1)
        key = key.strip()
        parts = key.split(".")
        if not key or any(not p for p in parts):
            raise ConfigError("--set", key, "expected a dotted key path such as growers.households")
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError:
            raise ConfigError("--set", key, f"could not parse the value {raw!r}") from None
        if key == "network.data_dir" and isinstance(value, str):
            value = str((Path.cwd() / value).resolve())
        elif key == "network" and isinstance(value, dict):  # --set 'network={data_dir: x}'
            resolve_data_dir({"network": value}, Path.cwd())
        set_key(out, key, value, "--set")
    return out


def format_validation_error(exc: ValidationError) -> list[tuple[str, str]]:
    """(key path, message) for each problem pydantic found, in plain words. The members of a
    union that all refuse one value (`districts`, a list or `all`, given 7) make one problem:
    "Input should be a valid list or 'all' (got 7)"."""
    rows: list[tuple[str, str]] = []
    union_at: tuple | None = None  # key path of the union whose members are being reported
    for err in exc.errors():
        loc, value = tuple(err["loc"]), err.get("input")
        member = _is_union_member(err)
        if member:
            loc = loc[:-1]
        key = ".".join(str(p) for p in loc)
        got = f" (got {value!r})" if "input" in err and not isinstance(value, (dict, list)) else ""
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; see docs/CONFIG.md for the keys)"
        else:
            msg = err["msg"] + got
        if member and union_at == loc and rows:  # another member of the same union
            before = rows.pop()[1].removesuffix(got)
            msg = f"{before} or {msg.removeprefix('Input should be ')}"
        union_at = loc if member else None
        rows.append((key, msg))
    return rows


_TYPE_LABELS = {"int", "float", "str", "bool", "none", "list", "dict"}
_MEMBER_LABEL = re.compile(r"[a-z][a-z0-9_-]*\[.*\]")  # list[str], literal['all'], ...


def _is_union_member(err: Any) -> bool:
    """Whether pydantic's error is about one member of a union: its key path ends at the
    member's label (`list[str]`, `literal['all']`) rather than at a key."""
    loc = err["loc"]
    if not loc or not isinstance(loc[-1], str) or err["type"] == "extra_forbidden":
        return False
    return loc[-1] in _TYPE_LABELS or _MEMBER_LABEL.fullmatch(loc[-1]) is not None


def validate_scenario_config(data: dict[str, Any], source: str | Path) -> Scenario:
    """Typed validation of a merged scenario dict; raises one ConfigError that reports every
    problem pydantic finds (one line each).

    Names of districts, exits and nodes are not checked here (that needs the route network):
    `sim.scenarios.validate_scenario` does both."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        rows = format_validation_error(exc)
    found = Problems(source)
    for key, msg in dict.fromkeys(rows):  # each problem once, in pydantic's order
        found.add(key, f"expected a valid value: {msg}")
    found.raise_if_any()
    raise AssertionError("pydantic reported a ValidationError without errors")


def blame_overrides(exc: ConfigError, overrides: list[str], path: str | Path) -> ConfigError:
    """The same error, with each problem whose key is (in) one that `--set` gave blamed on
    `--set`."""
    keys = [item.split("=", 1)[0].strip() for item in overrides if "=" in item]

    def blamed(p: Problem) -> Problem:
        for key in keys:
            inside = p.key.startswith(key + ".") or key.startswith(p.key + ".")
            if p.key and (p.key == key or inside):
                return Problem("--set", p.key, f"{p.expected} (applied to {path})")
        return p

    problems = [blamed(p) for p in exc.problems]
    return exc if problems == list(exc.problems) else ConfigError.of(problems)


def load_scenario_config(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Read, merge, override and type-check a scenario file (`sim.scenarios.load_scenario` also
    checks its names against the route network). Errors in values given by `--set` name
    `--set`."""
    overrides = overrides or []
    data = read_scenario_dict(path)
    data = apply_overrides(data, overrides)
    try:
        return validate_scenario_config(data, path)
    except ConfigError as exc:
        raise blame_overrides(exc, overrides, path) from None
