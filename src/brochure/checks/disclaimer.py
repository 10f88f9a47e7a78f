"""The clinic's disclaimer must be readable on the printed page, not just in the source."""

from __future__ import annotations

import re

from brochure.checks.context import CheckContext
from brochure.problems import Problem
from brochure.render.result import MIN_TEXT_PT, RenderResult


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def check_disclaimer(context: CheckContext, result: RenderResult) -> list[Problem]:
    """Look for the brand's disclaimer, in the brochure's language, in the laid-out pages."""
    wanted = _letters(context.brand_for(result.brochure.lang).disclaimer)
    printed = _letters(" ".join(page.text for page in result.facts))
    if wanted in printed:
        return []
    return [
        Problem(
            result.brochure.path,
            None,
            "error",
            "the clinic's disclaimer is not readable on the printed pages",
            "Keep `{{ brand.disclaimer }}` in the layout's template (it is in templates/base.html) "
            f"and do not hide it or print it smaller than {MIN_TEXT_PT}pt in the CSS",
            code="disclaimer",
        )
    ]
