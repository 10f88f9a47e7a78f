"""Links and files a brochure names, in its body and its front matter (cells, phases...)."""

from __future__ import annotations

from brochure.checks.context import CheckContext
from brochure.checks.resources import check_references
from brochure.checks.text import front_spans
from brochure.problems import Problem
from brochure.render import markup
from brochure.source.content import Brochure


def check_body_links(context: CheckContext, brochure: Brochure) -> list[Problem]:
    """Check every image and link in the Markdown body."""
    refs = markup.references(brochure.body, brochure.body_line)
    return check_references(context.project, brochure.path, refs)


def check_front_matter_links(context: CheckContext, brochure: Brochure) -> list[Problem]:
    """Check the links and images written in front matter text (Markdown is allowed there)."""
    problems = []
    for span in front_spans(brochure):
        if span.line is None or not any(c in span.text for c in "[<"):
            continue
        refs = markup.references(span.text, span.line)
        problems += check_references(context.project, brochure.path, refs)
    return problems
