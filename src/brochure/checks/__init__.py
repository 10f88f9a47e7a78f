"""The checks `brochure check` and `brochure build` run on every brochure.

Fast checks read the source only (`FAST`); render checks look at the laid-out pages
(`RENDERED`). Each family lives in its own module; `runner` runs them, `report` formats them.
"""

from __future__ import annotations

from brochure.checks.claims import check_claims
from brochure.checks.disclaimer import check_disclaimer
from brochure.checks.links import check_front_matter_links
from brochure.checks.pages import check_last_page, check_page_budget
from brochure.checks.printing import check_rendering
from brochure.checks.readability import check_reading_level
from brochure.checks.review import check_review_date

FAST = [check_front_matter_links, check_claims, check_reading_level, check_review_date]
RENDERED = [check_rendering, check_page_budget, check_last_page, check_disclaimer]
