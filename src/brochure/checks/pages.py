"""Page budget: too many pages is an error; a nearly empty last page is a warning."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from brochure.checks.context import CheckContext
from brochure.checks.pictures import picture_room
from brochure.problems import Problem, plural
from brochure.render.result import RenderResult

if TYPE_CHECKING:
    from brochure.render.pdf import PageFacts
    from brochure.source.brand import Brand

NEARLY_EMPTY = 0.25  # a last page using less than this share of its height


def check_page_budget(context: CheckContext, result: RenderResult) -> list[Problem]:
    """Say by how many lines of body text a brochure overflows its `pages:` budget."""
    brochure, budget = result.brochure, result.brochure.pages
    if result.pages <= budget or result.overfull:  # a full panel says more than pages
        return []
    lines = overflow_lines(result.facts, budget, line_pitch(context.brand))
    message = (
        f"the brochure runs to {result.pages} pages but its budget is `pages: {budget}`: "
        f"about {plural(lines, 'line')} of body text too long"
    )
    hint = f"Cut about {plural(lines, 'line')} of text, or raise `pages:`"
    room = picture_room(context, result, line_pitch(context.brand))
    if room is not None and room[1] * 2 >= lines:  # the pictures take the room
        message += f"; the pictures take the room of about {plural(room[1], 'line')} ({room[0]})"
        hint = "Make a picture half width ({.half} after it) or leave one out, " + hint.lower()
    return [
        Problem(
            brochure.path, brochure.line_of("pages"), "error", message, hint, code="page-budget"
        )
    ]


def overflow_lines(facts: list[PageFacts], budget: int, pitch: float) -> int:
    """Return how many lines of body text must go for the content to fit `budget` pages.

    What the pages past the budget print has to move up into the free space left at the
    bottom of the last page of the budget: the difference, in body text lines.
    """
    last = facts[budget - 1]
    overflow = sum(page.ink for page in facts[budget:]) - (last.height - last.ink)
    return max(1, math.ceil(overflow / pitch - 0.01))  # 0.01: rounding in the layout


def check_last_page(context: CheckContext, result: RenderResult) -> list[Problem]:
    """Warn when the last of several pages is nearly empty."""
    brochure = result.brochure
    if result.pages < 2 or result.pages > brochure.pages:
        return []
    last = result.facts[-1]
    if last.fill >= NEARLY_EMPTY:
        return []
    fewer = result.pages - 1
    lines = math.ceil(last.used / line_pitch(context.brand))
    return [
        Problem(
            brochure.path,
            brochure.line_of("pages"),
            "warning",
            f"the last page is nearly empty: only {last.fill:.0%} of it is used",
            f"Cut about {plural(lines, 'line')} to fit on {plural(fewer, 'page')} "
            f"and set `pages: {fewer}`, or add content",
            code="page-budget",
        )
    ]


def line_pitch(brand: Brand) -> float:
    """Return the height of one line of body text in CSS px (from the brand's type)."""
    match = re.fullmatch(r"([\d.]+)(pt|px)", brand.base_size.strip())
    size = float(match.group(1)) * (4 / 3 if match.group(2) == "pt" else 1) if match else 14.0
    return size * brand.line_height
