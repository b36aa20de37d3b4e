"""The one error type for bad input; importable from anywhere (it depends on nothing)."""

from __future__ import annotations

from pathlib import Path


class ConfigError(Exception):
    """Bad input: names the file, the key path and what was expected (CLI exit code 2)."""

    def __init__(self, file: str | Path, key: str, expected: str) -> None:
        self.file = str(file)
        self.key = key
        self.expected = expected
        where = f"{self.file}: " + (f"key '{key}': " if key else "")
        super().__init__(where + expected)
