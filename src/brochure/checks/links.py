"""Links and files named in the front matter (cells, phases...), checked like the body's."""

from __future__ import annotations

from typing import Any

from brochure.checks.text import front_spans
from brochure.problems import Problem
from brochure.render import markup
from brochure.source import resources
from brochure.source.content import Brochure


def check_front_matter_links(pipeline: Any, brochure: Brochure) -> list[Problem]:
    """Check the links and images written in front matter text (Markdown is allowed there)."""
    problems = []
    for span in front_spans(brochure):
        if span.line is None or not any(c in span.text for c in "[<"):
            continue
        refs = markup.references(span.text, span.line)
        problems += resources.check_references(pipeline.project, brochure.path, refs)
    return problems
