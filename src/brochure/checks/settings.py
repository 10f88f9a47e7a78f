"""Check settings a marketer can edit: `defaults: brochure:` in `_brand.yml`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from brochure.errors import SourceError
from brochure.problems import Problem
from brochure.source.frontmatter import read_yaml_file
from brochure.source.project import Project


@dataclass(frozen=True)
class Settings:
    """How strict the checks are; every value has a default."""

    reading_grade: float = 8.0  # highest Flesch-Kincaid grade before a warning
    reading_ease_es: float = 55  # lowest INFLESZ score of a Spanish text before a warning
    review_months: int = 12  # how old a `reviewed:` date may get before a warning
    today: dt.date = field(default_factory=dt.date.today)
    languages: tuple[str, ...] = ()  # every brochure should have an edition in each (en, es)


# name -> (type check, what to write, largest value), in the order they are documented
OPTIONS: dict[str, tuple[type | tuple[type, ...], str, int]] = {
    "reading_grade": ((int, float), "a school grade such as 8", 20),
    "reading_ease_es": ((int, float), "an INFLESZ score from 1 to 100 such as 55", 100),
    "review_months": (int, "a whole number of months such as 12", 120),
}


def load(project: Project, today: dt.date | None = None) -> tuple[Settings, list[Problem]]:
    """Read `defaults: brochure:` from the brand file; report values that are not usable."""
    path = project.brand_path
    problems: list[Problem] = []
    try:
        front = read_yaml_file(path)
    except (OSError, SourceError):
        return Settings(today=today or dt.date.today()), problems  # brand.load reports it
    defaults = front.data.get("defaults") if isinstance(front.data, dict) else None
    raw: Any = defaults.get("brochure") if isinstance(defaults, dict) else None
    values: dict[str, Any] = {}
    for key, value in (raw or {}).items() if isinstance(raw, dict) else ():
        where = front.line_of("defaults", "brochure", key)
        if key == LANGUAGES:
            values[key] = _languages(value, path, where, problems)
            continue
        if key not in OPTIONS:
            from brochure.source.schema import suggest

            problems.append(
                Problem(
                    path,
                    where,
                    "error",
                    f"unknown check setting `{key}`",
                    suggest(str(key), [*OPTIONS, LANGUAGES]),
                    code="settings",
                )
            )
            continue
        kind, example, largest = OPTIONS[key]
        usable = not isinstance(value, bool) and isinstance(value, kind) and value > 0  # type: ignore[operator]
        if not usable or value > largest:
            rule = f"must be {example}" if not usable else f"must be at most {largest}"
            problems.append(
                Problem(
                    path,
                    where,
                    "error",
                    f"`{key}` {rule}, got {repr(value)[:40]}",
                    f"For example: {key}: {Settings.__dict__[key]:g}",
                    code="settings",
                )
            )
            continue
        values[key] = value
    return Settings(today=today or dt.date.today(), **values), problems


LANGUAGES = "languages"


def _languages(value: Any, path: Any, line: int | None, problems: list[Problem]) -> tuple[str, ...]:
    """Read `languages: [en, es]`: two-letter language codes."""
    items = value if isinstance(value, list) else [value]
    if all(isinstance(v, str) and re.fullmatch(r"[a-z]{2}", v) for v in items):
        return tuple(dict.fromkeys(items))
    problems.append(
        Problem(
            path,
            line,
            "error",
            f"`languages` must list two-letter language codes, got {repr(value)[:40]}",
            "For example: languages: [en, es]",
            code="settings",
        )
    )
    return ()
