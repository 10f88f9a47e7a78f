"""Review date: content reviewed too long ago warns; a date in the future is an error."""

from __future__ import annotations

import calendar
import datetime as dt

from brochure.checks.context import CheckContext
from brochure.problems import Problem
from brochure.source.content import Brochure


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day `months` later (the month's last day if it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def check_review_date(context: CheckContext, brochure: Brochure) -> list[Problem]:
    """Compare `reviewed:` with today and the review cycle."""
    settings = context.settings
    today, reviewed, months = settings.today, brochure.reviewed, settings.review_months
    line = brochure.line_of("reviewed")
    if reviewed > today:
        return [
            Problem(
                brochure.path,
                line,
                "error",
                f"`reviewed: {reviewed}` is in the future (today is {today})",
                "Write the date the text was last reviewed",
                code="review-date",
            )
        ]
    if add_months(reviewed, months) < today:
        return [
            Problem(
                brochure.path,
                line,
                "warning",
                f"the text was last reviewed on {reviewed}, more than {months} months ago",
                f"Have it reviewed again, then set `reviewed: {today}`",
                code="review-date",
            )
        ]
    return []
