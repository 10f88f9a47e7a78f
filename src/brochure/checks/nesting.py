"""Text nested deeper than a page can lay out, or made of more elements than a brochure has."""

from __future__ import annotations

from brochure.checks.context import CheckContext
from brochure.problems import Problem
from brochure.render import markup
from brochure.source import limits
from brochure.source.content import Brochure


def check_nesting(context: CheckContext, brochure: Brochure) -> list[Problem]:
    """Refuse text nested deeper than a page can lay out (quotes in quotes, lists in lists)
    or made of more elements than a brochure has (layout time grows with them)."""
    found = limits.shape(markup.written_html(brochure.body))
    if not found.too_big:
        return []
    line = _deep_paragraph(brochure) if found.depth > limits.MAX_DEPTH else brochure.body_line
    return [limits.shape_problem(brochure.path, found, line)]


def _deep_paragraph(brochure: Brochure) -> int:
    """Return the line of the first paragraph nested too deeply on its own, else the line
    where the text starts."""
    lines = brochure.body.split("\n")
    start: int | None = None
    for index, text in enumerate([*lines, ""]):
        if text.strip() and start is None:
            start = index
        elif not text.strip() and start is not None:
            html = markup.written_html("\n".join(lines[start:index]))
            if limits.shape(html).depth > limits.MAX_DEPTH:
                return brochure.body_line + start
            start = None
    return brochure.body_line
