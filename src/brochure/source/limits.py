"""Bounds on brochure text, so hostile or broken input fails fast with a clear error.

Markdown and layout work grows faster than the text for some shapes (brackets inside
brackets, quotes inside quotes): the limits below are far above what a brochure needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from brochure.problems import Problem

# Layout time grows with the pages, and pages with the text: a two-page brochure is about
# 4 KB in 100 lines; these allow about 30 pages, laid out in a few seconds.
MAX_BYTES = 64_000
MAX_LINES = 1000
MAX_BRACKETS = 16  # `[` open at once in one paragraph (a link inside a link is 2)
MAX_DEPTH = 40  # elements inside each other in a section (a list in a quote is about 6)
MAX_ELEMENTS = 4000  # HTML elements in a brochure's text (a two-page brochure has about 150)
# Characters without a space between them: a page can only break lines at spaces, and laying
# out a long run of marks such as `*a*a*a...` takes time growing with its square.
MAX_WORD = 300
LONG_WORD = re.compile(rf"[^ \t\r\n]{{{MAX_WORD + 1},}}")
# A picture or link written as a data: URL: `](data:`, `<data:`, or an HTML attribute.
DATA_URL = re.compile(
    r"""(?:\]\(\s*<?|<|\b(?:src|href|srcset|poster|data|background)\s*=\s*["']?\s*)data:""",
    re.IGNORECASE,
)
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


def size_problem(path: Path, text: str) -> Problem | None:
    """Return an error when a brochure file is too big to be one."""
    size = len(text.encode("utf-8", "surrogatepass"))
    lines = text.count("\n") + 1
    if size > MAX_BYTES:
        what = f"{size // 1000} KB, more than a brochure can hold ({MAX_BYTES // 1000} KB)"
    elif lines > MAX_LINES:
        what = f"{lines} lines long, more than a brochure can hold ({MAX_LINES})"
    else:
        return None
    return Problem(
        path,
        None,
        "error",
        f"the file is {what}",
        "Cut the text, and put pictures in assets/ instead of in the text",
        code="limits",
    )


def text_problems(path: Path, body: str, first_line: int) -> list[Problem]:
    """Return errors for pictures written into the text, brackets nested too deeply and
    runs of characters too long to break into lines."""
    problems = []
    data = DATA_URL.search(body)
    if data:
        problems.append(
            Problem(
                path,
                first_line + body.count("\n", 0, data.start()),
                "error",
                "a picture or link written into the text as `data:` is not allowed",
                "Save the picture in assets/ and refer to it as ../assets/NAME",
                code="limits",
            )
        )
    depth = 0
    for offset, line in enumerate(body.split("\n")):
        if not line.strip():
            depth = 0  # a new paragraph
            continue
        for char in line:
            if char == "[":
                depth += 1
            elif char == "]":
                depth = max(0, depth - 1)
            if depth > MAX_BRACKETS:
                problems.append(
                    Problem(
                        path,
                        first_line + offset,
                        "error",
                        f"more than {MAX_BRACKETS} `[` brackets are open at once",
                        "Close each `[` with a `]`, or remove the extra brackets",
                        code="limits",
                    )
                )
                return problems
    word = LONG_WORD.search(body)
    if word:
        problems.append(
            Problem(
                path,
                first_line + body.count("\n", 0, word.start()),
                "error",
                f"{len(word.group())} characters stand without a space between them "
                f"(at most {MAX_WORD})",
                "Add spaces, or shorten it; a long web address can go in a link: "
                "[what it is](address)",
                code="limits",
            )
        )
    return problems


@dataclass(frozen=True)
class Shape:
    """How deep the elements of some HTML stand inside each other, and how many there are."""

    depth: int
    elements: int

    @property
    def too_big(self) -> bool:
        return self.depth > MAX_DEPTH or self.elements > MAX_ELEMENTS


class _Shape(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.deepest = 0
        self.elements = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.elements += 1
        if tag not in VOID:
            self.open.append(tag)
            self.deepest = max(self.deepest, len(self.open))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass


def shape(html: str) -> Shape:
    """Return the shape of `html`: its deepest nesting and its number of elements."""
    parser = _Shape()
    parser.feed(html)
    parser.close()
    return Shape(parser.deepest, parser.elements)


def shape_problem(path: Path, found: Shape, line: int) -> Problem:
    """Return the error for text nested too deeply or made of too many elements."""
    if found.depth > MAX_DEPTH:
        return Problem(
            path,
            line,
            "error",
            f"the text is nested {found.depth} levels deep (quotes, lists or HTML inside one "
            f"another); a page can show at most {MAX_DEPTH}",
            "Flatten it: fewer `>` quotes, list levels or HTML blocks inside each other",
            code="limits",
        )
    return Problem(
        path,
        line,
        "error",
        f"the text is made of {found.elements} parts (paragraphs, list items, bold or "
        f"italic words, links...); a brochure has at most {MAX_ELEMENTS}",
        "Cut the text, or use less bold, italic and code marking",
        code="limits",
    )
