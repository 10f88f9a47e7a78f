"""The front matter schema: the common fields, and the field types layouts declare theirs with."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from brochure.problems import plural

if TYPE_CHECKING:
    from brochure.source.layouts import Layout

Path_ = tuple[str | int, ...]
Report = Callable[[Path_, str, str], None]

LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Field:
    """One front matter field: how to check it and what it is for."""

    name: str
    check: Callable[[Any, Path_, Report], Any]
    required: bool = True
    help: str = ""


def text(value: Any, path: Path_, report: Report) -> Any:
    """Check a non-empty single string."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        report(path, f"`{path[-1]}` must be text", "Write the text after the colon")
        return None
    return value.strip()


def positive_int(value: Any, path: Path_, report: Report) -> Any:
    """Check a whole number of 1 or more."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        report(
            path,
            f"`{path[-1]}` must be a whole number of 1 or more, got {value!r}",
            "For example: pages: 1",
        )
        return None
    return value


def date(value: Any, path: Path_, report: Report) -> Any:
    """Check an ISO date (YYYY-MM-DD)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
            report(path, f"`{path[-1]}: {value}` is not a real date", "Check the month and the day")
        else:
            report(
                path,
                f"`{path[-1]}` must be a date written YYYY-MM-DD, got {value!r}",
                "For example: reviewed: 2026-11-27",
            )
        return None


def lang(value: Any, path: Path_, report: Report) -> Any:
    """Check a language tag such as en-US."""
    if not isinstance(value, str) or not LANG_RE.match(value):
        report(
            path,
            f"`lang` must be a language tag such as en-US or es, got {value!r}",
            "Use en-US for American English",
        )
        return None
    import pyphen  # its dictionaries double as the list of languages we can print

    if pyphen.language_fallback(value.replace("-", "_")) is None:
        report(
            path, f"unknown language `{value}`", "Use en-US for American English or es for Spanish"
        )
        return None
    return value


def text_list(value: Any, path: Path_, report: Report) -> Any:
    """Check a list of strings."""
    if not isinstance(value, list) or not value:
        report(path, f"`{path[-1]}` must be a list", "Write one `- item` per line below it")
        return None
    items = [text(item, (*path, i), report) for i, item in enumerate(value)]
    return None if None in items else items


def records(keys: dict[str, Callable[..., Any]]) -> Callable[[Any, Path_, Report], Any]:
    """Make a checker for a list of mappings with exactly `keys`."""

    def check(value: Any, path: Path_, report: Report) -> Any:
        if not isinstance(value, list) or not value:
            report(
                path,
                f"`{path[-1]}` must be a list of entries",
                f"Start each entry with `- {next(iter(keys))}:`",
            )
            return None
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                report(
                    (*path, i),
                    f"entry {i + 1} of `{path[-1]}` must have the fields " + ", ".join(keys),
                    "See the example in the README",
                )
                return None
            for key in item:
                if key not in keys:
                    report(
                        (*path, i, key),
                        f"unknown field `{key}` in `{path[-1]}`",
                        suggest(str(key), keys),
                    )
            record: dict[str, Any] = {}
            for key, checker in keys.items():
                if key not in item:
                    report(
                        (*path, i),
                        f"entry {i + 1} of `{path[-1]}` is missing `{key}`",
                        f"Add a `{key}:` line to it",
                    )
                    record[key] = None
                else:
                    record[key] = checker(item[key], (*path, i, key), report)
            out.append(record)
        return out

    return check


def suggest(word: str, choices: Any) -> str:
    """Return a 'Did you mean ...?' hint, or a list of the choices."""
    import difflib

    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"Did you mean `{close[0]}`?"
    return "Allowed: " + ", ".join(choices)


COMMON = [
    Field("title", text, help="The brochure's title, on the page and in the PDF metadata."),
    Field("subtitle", text, help="One line under the title."),
    Field("layout", text, help="How the page is drawn: conditions, comparison, timeline, ..."),
    Field("pages", positive_int, help="The page budget: the most pages it may print on."),
    Field("lang", lang, help="The language of the text, e.g. en-US."),
    Field("description", text, help="One sentence; shown in the catalog and PDF metadata."),
    Field("reviewed", date, help="When the content was last reviewed (YYYY-MM-DD)."),
    Field(
        "keywords",
        text_list,
        required=False,
        help="A list of search words for the PDF metadata.",
    ),
    Field(
        "translated_from",
        text,
        required=False,
        help="In a translation: which version of the original it translates "
        "(written by `brochure translated`).",
    ),
]


def check_matches(
    matches: tuple[tuple[str, str, str], ...], values: dict[str, Any], report: Report
) -> None:
    """Check list lengths a layout ties together: each row's `cells` as many as `columns`.

    `matches` holds (records field, key, other field): in every record of the field, the list
    under the key has one item per item of the other field.
    """
    for name, key, other in matches:
        wanted = values.get(other) or []
        for i, record in enumerate(values.get(name) or [] if wanted else []):
            items = record.get(key)
            if items is not None and len(items) != len(wanted):
                report(
                    (name, i, key),
                    f"{_one(name)} {i + 1} has {plural(len(items), _one(key))} but there are "
                    f"{plural(len(wanted), _one(other))}",
                    f"Give one {_one(key)} per {_one(other)}, in the order of `{other}`",
                )


def _one(name: str) -> str:
    """Return the singular of a plural field name: rows -> row (English field names)."""
    return name.removesuffix("s")


def panels_checker(
    names: dict[str, str], optional: tuple[str, ...]
) -> Callable[[Any, Path_, Report], Any]:
    """Make the checker of a `panels:` mapping (panel name -> `##` heading(s) it holds).

    `names` are the layout's panels in reading order, each with what it is; the `optional`
    ones may be left out.
    """

    def panels(value: Any, path: Path_, report: Report) -> Any:
        example = "For example:  inside-left: What are exosomes?"
        if not isinstance(value, dict) or not value:
            report(
                path,
                "`panels` must list the panels, one `name: heading` per line",
                f"Use the panel names {', '.join(names)}. {example}",
            )
            return None
        missing = [n for n in names if n not in value and n not in optional]
        out: dict[str, list[str]] = {}
        for name, headings in value.items():
            if name not in names:
                # A misspelt name is most likely the panel that is missing.
                hint = suggest(str(name), missing or names)
                if len(missing) == 1:
                    hint = f"Did you mean `{missing[0]}`?"
                report((*path, name), f"unknown panel `{name}`", hint)
                missing = []  # reported here: do not report it twice
                continue
            if isinstance(headings, list):
                out[name] = text_list(headings, (*path, name), report)
            else:
                out[name] = [text(headings, (*path, name), report)]
        for name in missing:
            report(
                path,
                f"`panels` is missing the `{name}` panel ({names[name]})",
                f"Add a line `  {name}: ` followed by the `##` heading it shows",
            )
        if any(v is None or None in v for v in out.values()):
            return None
        return {name: out[name] for name in names if name in out}

    return panels


# The field types a layout declaration may name (besides `records` and `panels`).
TYPES: dict[str, Callable[[Any, Path_, Report], Any]] = {
    "text": text,
    "text-list": text_list,
    "whole-number": positive_int,
    "date": date,
    "language": lang,
}


def fields_for(layout: Layout | None) -> list[Field]:
    """Return every field a brochure of `layout` may have: the common ones and its own."""
    return COMMON + list(layout.fields if layout else ())
