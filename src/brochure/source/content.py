"""Read a brochure file: front matter + Markdown body -> a validated Brochure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brochure.errors import SourceError
from brochure.problems import Problem, first_error
from brochure.source import limits, schema
from brochure.source.frontmatter import FrontMatter, FrontMatterError, read_text, split


@dataclass(frozen=True)
class Brochure:
    """One brochure's content, validated; the body is still Markdown."""

    slug: str
    path: Path
    title: str
    subtitle: str
    layout: str
    pages: int
    lang: str
    description: str
    reviewed: dt.date
    body: str
    body_line: int
    keywords: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    front: FrontMatter | None = field(default=None, repr=False, compare=False)

    def line_of(self, *path: str | int) -> int | None:
        """Return the file line of a front matter value."""
        return self.front.line_of(*path) if self.front else None


def parse(path: Path, text: str, layouts: set[str]) -> tuple[Brochure | None, list[Problem]]:
    """Validate the brochure `text` read from `path`; return it and every problem found."""
    too_big = limits.size_problem(path, text)
    if too_big:
        return None, [too_big]
    try:
        front = split(text)
    except FrontMatterError as exc:
        return None, [Problem(path, exc.line, "error", str(exc), exc.hint, code="front-matter")]
    problems = limits.text_problems(path, text, 1)  # the front matter too

    def report(where: tuple[str | int, ...], message: str, hint: str = "") -> None:
        problems.append(
            Problem(path, front.line_of(*where), "error", message, hint, code="front-matter")
        )

    data = front.data
    layout = data.get("layout")
    if not isinstance(layout, str):
        layout = None  # reported below: `layout` must be text
    elif layout not in layouts:
        report(("layout",), f"unknown layout `{layout}`", schema.suggest(layout, sorted(layouts)))
    fields = schema.fields_for(layout)
    known = {f.name for f in fields}
    if layout not in layouts:  # the layout is wrong: do not also call its own fields unknown
        known |= {f.name for extra in schema.LAYOUTS.values() for f in extra}
    for key in data:
        if key not in known:
            report((key,), f"unknown field `{key}`", schema.suggest(str(key), sorted(known)))
    values: dict[str, Any] = {}
    for spec in fields:
        if spec.name not in data:
            if spec.required:
                problems.append(
                    Problem(
                        path,
                        front.first_line,
                        "error",
                        f"missing required field `{spec.name}`",
                        f"Add `{spec.name}:` to the front matter ({spec.help.rstrip('.')})",
                        code="front-matter",
                    )
                )
            continue
        values[spec.name] = spec.check(data[spec.name], (spec.name,), report)
    if first_error(problems):
        return None, problems
    if layout in schema.CROSS_CHECKS:
        schema.CROSS_CHECKS[layout](values, report)
        if first_error(problems):
            return None, problems
    common = {f.name for f in schema.COMMON}
    brochure = Brochure(
        slug=path.stem,
        path=path,
        title=values["title"],
        subtitle=values["subtitle"],
        layout=values["layout"],
        pages=values["pages"],
        lang=values["lang"],
        description=values["description"],
        reviewed=values["reviewed"],
        body=front.body,
        body_line=front.body_line,
        keywords=values.get("keywords") or [],
        extra={k: v for k, v in values.items() if k not in common},
        front=front,
    )
    return brochure, problems


def read(path: Path, layouts: set[str]) -> tuple[Brochure | None, list[Problem]]:
    """Read and validate one brochure file (UTF-8, with or without a BOM)."""
    try:
        text = read_text(path)
    except SourceError as exc:
        return None, [Problem(path, None, "error", exc.problem, exc.hint, code="front-matter")]
    return parse(path, text, layouts)


def load(path: Path, layouts: set[str]) -> Brochure:
    """Read and validate one brochure file; raise the first error."""
    brochure, problems = read(path, layouts)
    error = first_error(problems)
    if error:
        raise error.to_error()
    assert brochure is not None
    return brochure
