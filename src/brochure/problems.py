"""A problem found in a source file, at a place, with a hint on how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from brochure.errors import SourceError, display_path

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding: `path:line[:col]: level: message` plus a hint."""

    path: Path
    line: int | None
    level: Level
    message: str
    hint: str = ""
    col: int | None = None
    code: str = ""

    @property
    def place(self) -> str:
        """Return `path:line[:col]`."""
        where = display_path(self.path)
        if self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        return where

    def format(self) -> str:
        """Return the one-line report `place: level: message (hint)`."""
        text = f"{self.place}: {self.level}: {self.message}"
        return text + (f" ({self.hint})" if self.hint else "")

    def to_error(self) -> SourceError:
        """Turn this problem into the exception that stops a build."""
        return SourceError(self.path, self.message, line=self.line, hint=self.hint)

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        return {
            "file": display_path(self.path),
            "line": self.line,
            "column": self.col,
            "level": self.level,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }

    def to_state(self) -> dict[str, object]:
        """Return a JSON-ready dict that `from_state` turns back into this problem."""
        return {
            "path": str(self.path),
            "line": self.line,
            "level": self.level,
            "message": self.message,
            "hint": self.hint,
            "col": self.col,
            "code": self.code,
        }

    @classmethod
    def from_state(cls, data: dict) -> Problem:
        """Rebuild a problem saved with `to_state`."""
        return cls(**{**data, "path": Path(data["path"])})


def plural(n: int, word: str) -> str:
    """Return `1 line`, `2 lines`: a count and its noun."""
    return f"{n} {word}{'s' if n != 1 else ''}"


def first_error(problems: list[Problem]) -> Problem | None:
    """Return the first problem of level error, if any."""
    return next((p for p in problems if p.level == "error"), None)
