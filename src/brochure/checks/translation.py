"""Editions kept in step: a translation older than its source, a language with no edition."""

from __future__ import annotations

from brochure.checks.context import CheckContext
from brochure.errors import SourceError
from brochure.problems import Problem, names
from brochure.source import editions, translations
from brochure.source.content import Brochure
from brochure.source.locales import ENGLISH, language_name


def check_translation(context: CheckContext, brochure: Brochure) -> list[Problem]:
    """Warn when an edition was never marked as translated, or its source changed since."""
    name = editions.name_of(brochure.path)
    if not name.language:
        return []
    line = brochure.line_of(translations.FIELD) if brochure.translated_from else None
    source, stem = f"brochures/{name.source.file}", name.stem
    if not brochure.translated_from:
        return [
            _warning(
                brochure,
                None,
                f"not marked as translated yet, so nothing will tell when {source} changes",
                f"When it says what {source} says, run `brochure translated {stem}`",
            )
        ]
    try:
        state = translations.state(context.project, name, brochure.translated_from)
    except SourceError:
        return []  # the source cannot be read: it reports that itself
    if not state.stale:
        return []
    what = f": {names(state.changed)}" if state.changed else ""
    return [
        _warning(
            brochure,
            line,
            f"out of date: {source} changed since this {language_name(name.language)} edition was "
            f"translated{what}",
            f"See the changes with `brochure changes {stem}`, bring this file in step, then "
            f"run `brochure translated {stem}`",
        )
    ]


def check_editions(context: CheckContext) -> list[Problem]:
    """Warn, per language the brand file declares, about originals with no edition in it."""
    project = context.project
    found = {editions.name_of(p) for p in project.brochure_paths()}
    originals = sorted(n for n in found if not n.language)
    problems = []
    for language in context.settings.languages:
        if language == ENGLISH:  # the originals are in English
            continue
        missing = [n.base for n in originals if editions.Name(n.base, language) not in found]
        if missing:
            problems.append(
                Problem(
                    project.brochures_dir,
                    None,
                    "warning",
                    f"no {language_name(language)} edition of {names(missing)} yet "
                    f"(the brand file lists `{language}` in `languages`)",
                    f"Start one with `brochure new {missing[0]}.{language}`: a copy of the "
                    "original to translate",
                    code="edition",
                )
            )
    return problems


def _warning(brochure: Brochure, line: int | None, message: str, hint: str) -> Problem:
    return Problem(brochure.path, line, "warning", message, hint, code="translation")
