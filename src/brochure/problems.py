"""A problem found in a source file, at a place, with a hint on how to fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from brochure.errors import BrochureError, SourceError, display_path, format_place

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding: `path:line[:col]: level: message` plus a hint."""

    path: Path | None  # None: a problem of no one file (its message says what)
    line: int | None
    level: Level
    message: str
    hint: str = ""
    col: int | None = None
    code: str = field(default="", compare=False)  # which check found it (not part of equality)

    @property
    def place(self) -> str:
        """Return `path:line[:col]`."""
        where = display_path(self.path) if self.path else ""
        if self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        return where

    def format(self) -> str:
        """Return the one-line report `place: level: message (hint)`."""
        text = f"{self.place}: {self.level}: {self.message}"
        return text + (f" ({self.hint})" if self.hint else "")

    def to_error(self) -> BrochureError:
        """Turn this problem into the exception that stops a build."""
        if self.path is None:
            return BrochureError(self.error_message())
        return SourceError(self.path, self.message, line=self.line, hint=self.hint)

    def error_message(self) -> str:
        """Return `path:line: message. Hint.`: what follows `Error:` when this stops a build."""
        if self.path is None:
            return self.message if not self.hint else f"{self.message.rstrip('.')}. {self.hint}"
        return format_place(self.path, self.line, self.message, self.hint)

    @classmethod
    def from_error(cls, exc: BrochureError, path: Path | None = None) -> Problem:
        """Return the problem an exception reports (at `path` when it names no place)."""
        if isinstance(exc, SourceError):
            return cls(exc.path, exc.line, "error", exc.problem, exc.hint, code="source")
        if path is None:
            return cls(None, None, "error", exc.message, code="source")
        return cls(path, None, "error", exc.message, code="source")

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        return {
            "file": display_path(self.path) if self.path else None,
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
            "path": str(self.path) if self.path else None,
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
        return cls(**{**data, "path": Path(data["path"]) if data["path"] else None})


def plural(n: int, word: str) -> str:
    """Return `1 line`, `2 lines`: a count and its noun."""
    return f"{n} {word}{'s' if n != 1 else ''}"


def names(items: list[str], and_word: str = "and") -> str:
    """Return `a`, `a and b`, `a, b and c` (`a, b y c` with and_word="y")."""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {and_word} " + items[-1]


def first_error(problems: list[Problem]) -> Problem | None:
    """Return the first problem of level error, if any."""
    return next((p for p in problems if p.level == "error"), None)
