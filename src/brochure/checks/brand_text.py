"""Checks of the brand file's own text: the phone number and risky claims in it."""

from __future__ import annotations

from brochure.checks.claims import problems_in
from brochure.checks.context import CheckContext
from brochure.checks.resources import tel_problem
from brochure.checks.text import Span
from brochure.errors import SourceError
from brochure.problems import Problem
from brochure.source.frontmatter import read_yaml_file
from brochure.source.project import Project
from brochure.source.yamlwords import curly_quote_warnings

CHECKED_TEXT = ("call_to_action", "disclaimer")


def check_brand(context: CheckContext) -> list[Problem]:
    """Check the brand's phone number and the text it adds to every brochure."""
    brand = context.brand  # raises the brand file's own errors first
    path = context.project.brand_path
    front = read_yaml_file(path)  # brand.load has checked it already
    problems = curly_quote_warnings(path, front.node, front.first_line)
    wrong = tel_problem(brand.phone_href.removeprefix("tel:"))
    if wrong:
        problems.append(
            Problem(
                path,
                front.line_of("meta", "phone"),
                "error",
                f"the phone number `{brand.phone}` {wrong}",
                "Write the full number, e.g. phone: 480 590 5693",
                code="reference",
            )
        )
    for key in CHECKED_TEXT:
        line, col = front.place_of("meta", key)
        span = Span(str(getattr(brand, key)), path, line, col, "field")
        problems += problems_in(span, context.claim_rules)
    return problems + check_strings(context)


def check_strings(context: CheckContext) -> list[Problem]:
    """Check the call to action and disclaimer of each language's strings file for claims."""
    problems: list[Problem] = []
    folder = context.project.locales_dir
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        try:
            front = read_yaml_file(path)
        except SourceError:
            continue  # a broken file stops the brochures in its language, with its error
        if not isinstance(front.data, dict):
            continue
        for key in CHECKED_TEXT:
            value = front.data.get(key)
            if isinstance(value, str):
                line, col = front.place_of(key)
                span = Span(value, path, line, col, "field")
                problems += problems_in(span, context.claim_rules, path.stem)
    return problems


def check_brand_format(project: Project) -> list[Problem]:
    """Validate the whole brand file with the brand-yml package (Quarto and Shiny read it too).

    The build reads only what brochures print; this catches the rest of the format.
    """
    from brand_yml import Brand  # ~0.15 s to import: only in `brochure check`
    from pydantic import ValidationError

    path = project.brand_path
    try:
        Brand.from_yaml(path)
    except ValidationError as exc:
        front = read_yaml_file(path)
        return [
            Problem(
                path,
                front.line_of(*[p for p in err["loc"] if isinstance(p, (str, int))]),
                "error",
                f"`{'.'.join(map(str, err['loc']))}` does not follow the brand.yml format: "
                f"{err['msg']}",
                "See https://posit-dev.github.io/brand-yml/ for the format",
                code="brand",
            )
            for err in exc.errors()[:5]
        ]
    except Exception as exc:  # brand_yml raises plain errors for some problems
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return [Problem(path, None, "error", f"brand.yml format: {message}", code="brand")]
    return []
