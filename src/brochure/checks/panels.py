"""Check how a trifold's `##` sections are assigned to its panels, and that each fits."""

from __future__ import annotations

from collections.abc import Callable

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
    if assigned is not None:
        body = markup.split_sections(brochure.body, brochure.body_line)
        used = _assign(brochure, body, assigned, report)
        _check_sections(body, used, report)
    return problems


Report = Callable[[int | None, str, str], None]


def _assign(
    brochure: Brochure, body: markup.Body, assigned: dict[str, list[str]], report: Report
) -> dict[str, str]:
    """Find the section each panel names; return section slug -> panel."""
    used: dict[str, str] = {}
    for name, titles in assigned.items():
        for index, title in enumerate(titles):
            where = ("panels", name, index) if len(titles) > 1 else ("panels", name)
            line = brochure.line_of(*where)
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
    return used


def _check_sections(body: markup.Body, used: dict[str, str], report: Report) -> None:
    """Report sections that share a heading, and sections in no panel."""
    headings = [s.slug for s in body.sections]
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
