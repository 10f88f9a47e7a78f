"""Check how a trifold's `##` sections are assigned to its panels, and that each fits."""

from __future__ import annotations

from brochure.checks.context import CheckContext
from brochure.problems import Problem, plural
from brochure.render import markup
from brochure.render.result import RenderResult
from brochure.source.content import Brochure
from brochure.source.schema import suggest


def check_panels(context: CheckContext, brochure: Brochure) -> list[Problem]:
    """Check the page count a layout fixes, and that each `##` section is in one panel."""
    problems: list[Problem] = []

    def report(line: int | None, message: str, hint: str) -> None:
        problems.append(Problem(brochure.path, line, "error", message, hint, code="panels"))

    layout = context.layouts[brochure.layout]
    if layout.pages and brochure.pages != layout.pages:
        why = f" ({layout.pages_why})" if layout.pages_why else ""
        report(
            brochure.line_of("pages"),
            f"a {layout.name} has exactly {layout.pages} pages{why}, not {brochure.pages}",
            f"Write `pages: {layout.pages}`",
        )
    assigned = brochure.extra.get("panels")
    if assigned is None:
        return problems

    body = markup.split_sections(brochure.body, brochure.body_line)
    headings = [s.slug for s in body.sections]
    used: dict[str, str] = {}
    for name, titles in assigned.items():
        for index, title in enumerate(titles):
            line = (
                brochure.line_of("panels", name, index)
                if len(titles) > 1
                else brochure.line_of("panels", name)
            )
            section = body.section(title)
            if section is None:
                titles_in_body = [str(s.title.striptags()) for s in body.sections]
                report(
                    line,
                    f"panel `{name}` asks for the section `{title}`, but there is no "
                    f"`## {title}` heading below the front matter",
                    suggest(title, titles_in_body)
                    if titles_in_body
                    else "Add a `## ` heading with that text",
                )
            elif section.slug in used:
                report(
                    line,
                    f"the section `{title}` is in two panels: `{used[section.slug]}` and `{name}`",
                    "Put each section in one panel only",
                )
            else:
                used[section.slug] = name
    for index, (section, slug) in enumerate(zip(body.sections, headings, strict=True)):
        if slug in headings[:index]:
            report(
                section.line,
                f"two sections are headed `{section.title.striptags()}`",
                "Give each `##` heading its own words, or merge the two sections",
            )
        elif slug not in used:
            report(
                section.line,
                f"the section `{section.title.striptags()}` is in no panel",
                "Add its heading to one of the panels under `panels:` in the front matter",
            )
    return problems


def check_panel_overflow(context: CheckContext, result: RenderResult) -> list[Problem]:
    """Report each trifold panel whose laid-out text does not fit it."""
    brochure, overfull = result.brochure, result.overfull
    assigned = brochure.extra.get("panels") or {}
    problems = []
    for name, lines in overfull.items():
        if name in assigned:
            line, what = brochure.line_of("panels", name), "its sections"
        elif name == "cover":
            line, what = brochure.body_line, "the text before the first `##` heading"
        else:
            line, what = None, "the clinic details in _brand.yml"
        problems.append(
            Problem(
                brochure.path,
                line,
                "error",
                f"the `{name}` panel is too full: about {plural(lines, 'line')} do not fit",
                f"Cut about {lines} lines from {what}, or move a section to another panel",
                code="panel-overflow",
            )
        )
    return problems
