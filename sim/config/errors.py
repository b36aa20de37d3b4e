"""The one error type for bad input, and how its messages name what was meant; importable from
anywhere (it depends on nothing)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

MAX_SUGGESTIONS = 5  # nearest valid names an unknown one lists
SHORT_LIST = 10  # a set of valid names this small is listed whole when none is near


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: the file (or `--set`), the key path, what was expected
    (and what was given)."""

    file: str
    key: str
    expected: str

    def __str__(self) -> str:
        return f"{self.file}: " + (f"key '{self.key}': " if self.key else "") + self.expected


class ConfigError(Exception):
    """Bad input: names the file, the key path and what was expected (CLI exit code 2).

    It holds one problem or several (`problems`, in the order found): one reads as a single
    line, "file: key 'a.b': expected ...", several as a count followed by one such line each.
    `file`, `key` and `expected` are those of the first problem.
    """

    def __init__(self, file: str | Path, key: str, expected: str) -> None:
        self.problems: tuple[Problem, ...] = (Problem(str(file), key, expected),)
        super().__init__(str(self.problems[0]))

    @classmethod
    def of(cls, problems: Sequence[Problem]) -> ConfigError:
        """One error reporting every problem of `problems` (at least one)."""
        if not problems:
            raise ValueError("a ConfigError needs at least one problem")
        first = problems[0]
        error = cls(first.file, first.key, first.expected)
        error.problems = tuple(problems)
        error.args = (render_problems(error.problems),)
        return error

    @classmethod
    def joined(cls, errors: Iterable[ConfigError]) -> ConfigError:
        """One error reporting every problem of `errors` (at least one), in order."""
        return cls.of([p for e in errors for p in e.problems])

    def __reduce__(self) -> tuple:  # picklable, e.g. from a worker process
        return (ConfigError.of, (self.problems,))

    @property
    def file(self) -> str:
        return self.problems[0].file

    @property
    def key(self) -> str:
        return self.problems[0].key

    @property
    def expected(self) -> str:
        return self.problems[0].expected


def render_problems(problems: Sequence[Problem]) -> str:
    """The message of `problems`: a single one on one line; several as a count, then one line
    each."""
    if len(problems) == 1:
        return str(problems[0])
    files = sorted({p.file for p in problems})
    where = f" in {files[0]}" if len(files) == 1 else ""
    return f"{len(problems)} problems{where}:\n" + "\n".join(f"  {p}" for p in problems)


class Problems:
    """Collects the problems found in one source, to be raised together: every problem of a
    file is reported at once instead of one per attempt."""

    def __init__(self, source: str | Path) -> None:
        self.source = str(source)
        self.found: list[Problem] = []

    def add(self, key: str, expected: str) -> None:
        """Note a problem at `key` of the source."""
        self.found.append(Problem(self.source, key, expected))

    def __bool__(self) -> bool:
        return bool(self.found)

    def raise_if_any(self) -> None:
        """Raise one ConfigError with every problem noted, if there is one."""
        if self.found:
            raise ConfigError.of(self.found)


def nearest(given: str, valid: Iterable[str], names: Mapping[str, str] | None = None) -> list[str]:
    """Up to MAX_SUGGESTIONS of `valid` closest to `given` (difflib), closest first; `names`
    (valid -> a readable name) also lets a name find its id ("Port of Callao" -> "callao")."""
    ids = list(dict.fromkeys(valid))
    text = str(given).strip().lower()
    found = difflib.get_close_matches(text, ids, n=MAX_SUGGESTIONS, cutoff=0.6)
    if names:
        by_name: dict[str, str] = {}
        for key, name in names.items():
            by_name.setdefault(name.lower(), key)
        for name in difflib.get_close_matches(text, list(by_name), n=MAX_SUGGESTIONS, cutoff=0.6):
            found.append(by_name[name])
    return list(dict.fromkeys(found))[:MAX_SUGGESTIONS]


def unknown_name(
    what: str,
    given: object,
    valid: Iterable[str],
    listed_in: str,
    names: Mapping[str, str] | None = None,
) -> str:
    """What to say about a name that is not one of `valid`: what was expected, what was given,
    the nearest valid ones (or all of them, when few and none is near) and where the full list
    is (`listed_in`), e.g. "expected a node id of the route network, got 'calao'; nearest:
    'callao' (every node id is listed in docs/NETWORK.md)"."""
    return f"expected {what}, got {given!r}; {suggest(given, valid, listed_in, names)}"


def suggest(
    given: object, valid: Iterable[str], listed_in: str, names: Mapping[str, str] | None = None
) -> str:
    """ "nearest: 'a', 'b' (`listed_in`)": the valid names nearest to `given`; all of them when
    few and none is near, else "none is close"."""
    valid = sorted(set(valid))
    close = nearest(str(given), valid, names)
    if close:
        return f"nearest: {', '.join(map(repr, close))} ({listed_in})"
    if len(valid) <= SHORT_LIST:
        return f"one of {', '.join(map(repr, valid))} ({listed_in})"
    return f"none is close ({listed_in})"
