"""The checks `brochure check` and `brochure build` run on every brochure, in one list each.

Source checks read a brochure's file (`SOURCE`); render checks look at its laid-out pages
(`RENDERED`). Each family lives in its own module and has the signature of `context.SourceCheck`
or `context.RenderCheck`; `report` formats the findings. To add a check, write the function
in its family's module and add it here.
"""

from __future__ import annotations

from brochure.checks.claims import check_claims
from brochure.checks.context import RenderCheck, SourceCheck
from brochure.checks.disclaimer import check_disclaimer
from brochure.checks.links import check_body_links, check_front_matter_links
from brochure.checks.nesting import check_nesting
from brochure.checks.pages import check_last_page, check_page_budget
from brochure.checks.panels import check_panel_overflow, check_panels
from brochure.checks.pictures import check_resolution
from brochure.checks.printing import check_rendering
from brochure.checks.readability import check_reading_level
from brochure.checks.review import check_review_date
from brochure.checks.translation import check_translation

SOURCE: list[SourceCheck] = [
    check_nesting,  # first: the others walk the text
    check_body_links,
    check_panels,
    check_front_matter_links,
    check_claims,
    check_reading_level,
    check_review_date,
    check_translation,
]
RENDERED: list[RenderCheck] = [
    check_panel_overflow,
    check_rendering,
    check_resolution,
    check_page_budget,
    check_last_page,
    check_disclaimer,
]
