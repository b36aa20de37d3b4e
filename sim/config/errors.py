"""The one error type for bad input; importable from anywhere (it depends on nothing)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


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
