"""One exception tree for every user-facing error, rooted in click.ClickException."""

from __future__ import annotations

from pathlib import Path

import click


class BrochureError(click.ClickException):
    """A problem the user can fix; shown as one `Error:` line, exit code 1."""


class SourceError(BrochureError):
    """A problem at a place in a source file: `path:line: message. hint`.

    The one located error type. A pure parser that does not know the file raises it with
    `path=None`; the reader that does places it with `at(path)`.
    """

    def __init__(
        self, path: Path | str | None, message: str, *, line: int | None = None, hint: str = ""
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.line = line
        self.problem = message
        self.hint = hint
        where = self.path if self.path is not None else Path(f"line {line}" if line else "")
        super().__init__(format_place(where, line if self.path else None, message, hint))

    def at(self, path: Path) -> SourceError:
        """Return this error placed in the file at `path`."""
        return SourceError(path, self.problem, line=self.line, hint=self.hint)


def display_path(path: Path) -> str:
    """Show `path` relative to the working directory when it lies below it."""
    try:  # the folder resolved, not the file: a link is named as the link
        return str((path.parent.resolve() / path.name).relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def format_place(path: Path, line: int | None, message: str, hint: str = "") -> str:
    """Format `path:line: message. hint` on one line."""
    where = display_path(path) + (f":{line}" if line else "")
    text = f"{where}: {message.rstrip('.')}"
    if hint:
        hint = hint.rstrip(".")
        text += f". {hint}" + ("" if hint.endswith(("?", "!")) else ".")
    else:
        text += "."
    return text


def error_line(text: str) -> str:
    """Return the `Error: text` line the user sees: the one place besides click that writes it.

    `text` is a `BrochureError.message` or a `Problem.error_message()`.
    """
    return f"Error: {text}"
