"""Pure: the plain text of a brochure (body and front matter), with where it came from."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brochure.source.content import Brochure

# Markdown syntax replaced by spaces, so every character keeps its line and column.
_MASKS = [
    re.compile(r"^\s{0,3}#{1,6}\s+"),  # heading marks
    re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+"),  # list markers
    re.compile(r"^\s*>\s?"),  # block quotes
    re.compile(r"!?\[|\]\([^)]*\)|\]\[[^\]]*\]"),  # link and image brackets and targets
    re.compile(r"<[^>]+>|\{:?[^}]*\}"),  # inline HTML, attribute lists
    re.compile(r"\*\*|__|`+|(?<!\w)[*_]|[*_](?!\w)"),  # emphasis and code marks
]
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*$")
# Front matter lists that are labels or search words, not sentences.
_LABELS = {"keywords", "columns"}


@dataclass(frozen=True)
class Span:
    """A piece of plain text and the place in the source file where it starts."""

    text: str
    path: Path
    line: int | None
    col: int | None
    kind: str  # heading, paragraph, item, field, list-field

    def place(self, offset: int) -> tuple[int | None, int | None]:
        """Return the file line and column of the character at `offset`."""
        if self.line is None:
            return None, None
        before = self.text[:offset]
        newlines = before.count("\n")
        if newlines:
            return self.line + newlines, offset - before.rfind("\n")
        return self.line, (self.col + offset) if self.col else None

    @property
    def prose(self) -> bool:
        """Tell whether the span is running text (sentences), not a heading or a label."""
        if self.kind in ("paragraph", "item"):
            return True
        return self.kind == "list-field" and bool(_SENTENCE_END.search(self.text.strip()))


def mask(line: str) -> str:
    """Replace the Markdown syntax in one line by spaces."""
    for pattern in _MASKS:
        line = pattern.sub(lambda m: " " * len(m.group()), line)
    return line


def body_spans(brochure: Brochure) -> list[Span]:
    """Split the body into headings, paragraphs and list items of plain text."""
    spans: list[Span] = []
    block: list[str] = []
    start, kind = 0, "paragraph"
    fenced = False

    def flush() -> None:
        if block and "".join(block).strip():
            spans.append(Span("\n".join(block), brochure.path, start, 1, kind))
        block.clear()

    for offset, raw in enumerate(brochure.body.splitlines()):
        line = brochure.body_line + offset
        if _FENCE.match(raw):
            flush()
            fenced = not fenced
            continue
        if fenced or not raw.strip():
            flush()
            continue
        if _HEADING.match(raw) or _ITEM.match(raw):
            flush()
            start, kind = line, "heading" if _HEADING.match(raw) else "item"
        elif not block:
            start, kind = line, "paragraph"
        block.append(mask(raw))
        if kind == "heading":
            flush()
    flush()
    return spans


def _leaves(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))


def front_spans(brochure: Brochure) -> list[Span]:
    """Return every text value of the front matter (lists of records are `list-field`)."""
    if brochure.front is None:
        return []
    spans = []
    for path, value in _leaves(brochure.front.data, ()):
        line, col = brochure.front.place_of(*path)
        in_list = any(isinstance(step, int) for step in path) and path[0] not in _LABELS
        spans.append(Span(value, brochure.path, line, col, "list-field" if in_list else "field"))
    return spans


def spans(brochure: Brochure) -> list[Span]:
    """Return all the text of a brochure: front matter first, then the body."""
    return front_spans(brochure) + body_spans(brochure)
