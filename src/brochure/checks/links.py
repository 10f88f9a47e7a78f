"""Links and files named in the front matter (cells, phases...), checked like the body's."""

from __future__ import annotations

from typing import Any

from .. import markup, resources
from ..content import Brochure
from ..problems import Problem
from .text import front_spans


def check_front_matter_links(pipeline: Any, brochure: Brochure) -> list[Problem]:
    """Check the links and images written in front matter text (Markdown is allowed there)."""
    problems = []
    for span in front_spans(brochure):
        if span.line is None or not any(c in span.text for c in "[<"):
            continue
        refs = markup.references(span.text, span.line)
        problems += resources.check_references(pipeline.project, brochure.path, refs)
    return problems
