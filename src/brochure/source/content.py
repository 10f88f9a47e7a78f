"""Read a brochure file: front matter + Markdown body -> a validated Brochure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brochure.errors import SourceError
from brochure.problems import Problem, first_error
from brochure.source import editions, limits, schema, yamlwords
from brochure.source.frontmatter import FrontMatter, read_text, split

if TYPE_CHECKING:
    from brochure.source.layouts import Layout


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
    translated_from: str = ""  # an edition's record of the source version it translates
    extra: dict[str, Any] = field(default_factory=dict)
    front: FrontMatter | None = field(default=None, repr=False, compare=False)

    def line_of(self, *path: str | int) -> int | None:
        """Return the file line of a front matter value."""
        return self.front.line_of(*path) if self.front else None


def parse(
    path: Path,
    text: str,
    layouts: Mapping[str, Layout],
    inherited: Mapping[str, Any] | None = None,
) -> tuple[Brochure | None, list[Problem]]:
    """Validate the brochure `text` read from `path`; return it and every problem found.

    An edition (conditions.es.md) takes the fields in `inherited` (its source's layout and
    page budget) unless it sets them, and its language from its file name unless it says.
    """
    too_big = limits.size_problem(path, text)
    if too_big:
        return None, [too_big]
    try:
        front = split(text)
    except SourceError as exc:
        return None, [Problem(path, exc.line, "error", exc.problem, exc.hint, code="front-matter")]
    problems = limits.text_problems(path, text, 1)  # the front matter too

    def report(where: tuple[str | int, ...], message: str, hint: str = "") -> None:
        line = front.line_of(*where) if where else front.first_line
        problems.append(Problem(path, line, "error", message, hint, code="front-matter"))

    problems += yamlwords.curly_quote_warnings(path, front.node, front.first_line)
    data = _edition_data(path, front.data, inherited or {}, report)
    layout = _layout(data, layouts, report)
    values = _values(data, layout, layouts, report)
    if first_error(problems):
        return None, problems
    if layout is not None:
        schema.check_matches(layout.matches, values, report)
        if first_error(problems):
            return None, problems
    return _brochure(path, front, values), problems


def _edition_data(
    path: Path, data: dict[str, Any], inherited: Mapping[str, Any], report: schema.Report
) -> dict[str, Any]:
    """Fill in what an edition leaves to its source; check its language matches its name."""
    language = editions.name_of(path).language
    if not language:
        return data
    data = {**{k: v for k, v in inherited.items() if k in editions.INHERITED}, **data}
    data.setdefault("lang", language)
    lang = data["lang"]
    if isinstance(lang, str) and lang.split("-")[0].lower() != language:
        report(
            ("lang",),
            f"the file name says this is the `{language}` edition, but `lang:` is `{lang}`",
            f"Write `lang: {language}` (or `{language}-US`), or rename the file",
        )
    return data


def _layout(
    data: dict[str, Any], layouts: Mapping[str, Layout], report: schema.Report
) -> Layout | None:
    """Return the brochure's layout; None (reported, unless not text) when there is none."""
    name = data.get("layout")
    if isinstance(name, str) and name not in layouts:
        report(("layout",), f"unknown layout `{name}`", schema.suggest(name, sorted(layouts)))
    return layouts.get(name) if isinstance(name, str) else None  # not text: reported later


def _values(
    data: dict[str, Any],
    layout: Layout | None,
    layouts: Mapping[str, Layout],
    report: schema.Report,
) -> dict[str, Any]:
    """Check every field the layout takes; report unknown and missing ones."""
    fields = schema.fields_for(layout)
    known = {f.name for f in fields}
    if layout is None:  # the layout is wrong: do not also call its own fields unknown
        known |= {f.name for other in layouts.values() for f in other.fields}
    for key in data:
        if key not in known:
            report((key,), f"unknown field `{key}`", schema.suggest(str(key), sorted(known)))
    values: dict[str, Any] = {}
    for spec in fields:
        if spec.name in data:
            values[spec.name] = spec.check(data[spec.name], (spec.name,), report)
        elif spec.required:
            report(
                (),
                f"missing required field `{spec.name}`",
                f"Add `{spec.name}:` to the front matter ({spec.help.rstrip('.')})",
            )
    return values


def _brochure(path: Path, front: FrontMatter, values: dict[str, Any]) -> Brochure:
    """Make the Brochure from checked values."""
    common = {f.name for f in schema.COMMON}
    return Brochure(
        slug=editions.slug_of(path),
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
        translated_from=str(values.get("translated_from") or ""),
        extra={k: v for k, v in values.items() if k not in common},
        front=front,
    )


def read(
    path: Path, layouts: Mapping[str, Layout], inherited: Mapping[str, Any] | None = None
) -> tuple[Brochure | None, list[Problem]]:
    """Read and validate one brochure file (UTF-8, with or without a BOM)."""
    try:
        text = read_text(path)
    except SourceError as exc:
        if not path.exists():  # a link whose file is gone
            return None, [
                _unreadable(
                    path,
                    f"`{path.name}` is a shortcut to a file that is not there",
                    "Put the brochure file itself in brochures/, or delete this one",
                )
            ]
        return None, [_unreadable(path, exc.problem, exc.hint)]
    return parse(path, text, layouts, inherited)


def _unreadable(path: Path, message: str, hint: str) -> Problem:
    return Problem(path, None, "error", message, hint, code="front-matter")


def load(path: Path, layouts: Mapping[str, Layout]) -> Brochure:
    """Read and validate one brochure file; raise the first error."""
    brochure, problems = read(path, layouts)
    error = first_error(problems)
    if error:
        raise error.to_error()
    assert brochure is not None
    return brochure
