"""The words templates print around the content, per language: locales/<lang>.yml.

English is built in (data/locale-en.yml; a project's locales/en.yml changes or adds strings);
its call to action and disclaimer come from _brand.yml. Every other language needs its own
file with every string, those two included: a missing string is an error, never English
printed on a Spanish page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from brochure.errors import SourceError
from brochure.problems import names
from brochure.source.frontmatter import FrontMatter, parse_yaml, read_text
from brochure.source.schema import suggest

if TYPE_CHECKING:
    from brochure.source.brand import Brand
    from brochure.source.project import Project

ENGLISH = "en"
BRAND_KEYS = ("call_to_action", "disclaimer")  # in English these come from _brand.yml
README_SECTION = "“Editions in other languages”"


@dataclass(frozen=True)
class Strings:
    """One language's strings, ready for the templates as `t` (`{{ t.call_us }}`)."""

    language: str  # es
    words: Mapping[str, str]
    path: Path | None  # the project file they come from (None: built-in English only)

    def __getattr__(self, key: str) -> str:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self.words[key]
        except KeyError:
            raise SourceError(
                self.path or Path(f"locales/{self.language}.yml"),
                f"a template prints the string `{key}`, which is not in the list",
                hint=f"Add `{key}:` to locales/{ENGLISH}.yml and to each language's file",
            ) from None

    def fill(self, key: str, **values: str) -> str:
        """Return the string `key` with its {placeholders} filled in."""
        return getattr(self, key).format_map(values)

    def listed(self, items: list[str]) -> str:
        """Return `a, b and c` in this language (`a, b y c`)."""
        return names(list(items), self.and_word) if items else ""

    def date(self, day: dt.date) -> str:
        """Return a date as printed on a brochure: `November 2026`, `noviembre de 2026`."""
        return month_year(day, self.language)

    def page_css(self) -> str:
        """Return the CSS `content` value of the page numbers: "Page " counter(page) ..."""
        parts = []
        for text, field, _, _ in string.Formatter().parse(self.page_of):
            if text:
                parts.append('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
            if field:
                parts.append(f"counter({field})")
        return " ".join(parts)

    def brand(self, brand: Brand) -> Brand:
        """Return the brand with its call to action and disclaimer in this language."""
        words = self.words
        return dataclasses.replace(
            brand, call_to_action=words["call_to_action"], disclaimer=words["disclaimer"]
        )


def month_year(day: dt.date, language: str = ENGLISH) -> str:
    """Return a month and year in `language`: `November 2026`, `noviembre de 2026`."""
    from babel.dates import format_skeleton

    return format_skeleton("yMMMM", day, locale=language)


def language_of(lang: str) -> str:
    """Return the language of a tag: `es` for es-US."""
    return lang.split("-")[0].split("_")[0].lower()


def language_name(language: str) -> str:
    """Return a language's name in English: Spanish for `es`."""
    return _names(language)[0]


def native_name(language: str) -> str:
    """Return a language's name in itself: español for `es`."""
    return _names(language)[1]


@cache
def _names(language: str) -> tuple[str, str]:
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        return language, language
    return locale.english_name or language, locale.display_name or language


def code_for(value: str, known: tuple[str, ...]) -> str | None:
    """Read a language as a spreadsheet may write it, among the `known` codes: `es`, `ES`,
    `es-MX`, `Spanish`, `Español` and `espanol` all give `es`. '' when blank, None when it
    is none of the known languages."""
    text = folded_text(value)
    if not text:
        return ""
    code = re.split(r"[-_ ]", text)[0]
    if code in known:
        return code
    for each in known:
        if text in (folded_text(language_name(each)), folded_text(native_name(each))):
            return each
    return None


def folded_text(text: str) -> str:
    """Lower case without accents: `Español` -> `espanol` (for matching words people type)."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def path_of(project: Project, language: str) -> Path:
    return project.locales_dir / f"{language}.yml"


def load(project: Project, lang: str, brand: Brand) -> Strings:
    """Return the strings of the language of `lang` (en-US, es-US, es); SourceError if they
    are missing or incomplete."""
    language = language_of(lang)
    english = _english(project)
    if language == ENGLISH:
        words = {**english.words, **{key: getattr(brand, key) for key in BRAND_KEYS}}
        return Strings(ENGLISH, words, english.path)
    path = path_of(project, language)
    if not path.is_file():
        raise SourceError(
            path,
            f"there are no {language_name(language)} strings for the templates yet",
            hint=f"Create locales/{language}.yml with each string of the English list "
            f"translated (README, {README_SECTION})",
        )
    wanted = {**english.words, **{key: "" for key in BRAND_KEYS}}
    return Strings(language, _read(path, wanted, language), path)


def _english(project: Project) -> Strings:
    """The built-in English strings, changed or added to by the project's locales/en.yml."""
    words = dict(_builtin())
    path = path_of(project, ENGLISH)
    if path.is_file():
        words.update(_read(path, words, ENGLISH, complete=False))
        return Strings(ENGLISH, words, path)
    return Strings(ENGLISH, words, None)


@cache
def _builtin() -> Mapping[str, str]:
    text = resources.files("brochure").joinpath("data/locale-en.yml").read_text("utf-8")
    return parse_yaml(text).data


def _read(path: Path, english: Mapping[str, str], language: str, complete: bool = True) -> dict:
    """Read and check one strings file against the English strings."""
    try:
        front = parse_yaml(read_text(path), 1, "the strings file cannot be read")
    except SourceError as exc:
        raise exc.at(path) from None
    if not isinstance(front.data, dict):
        raise SourceError(path, "the file must be a list of `name: text` lines", line=1, hint=_HINT)
    words: dict[str, str] = {}
    for key, value in front.data.items():
        words[str(key)] = _checked(path, front, str(key), value, english, complete)
    if complete:
        missing = [key for key in english if key not in words]
        if missing:
            shown = english[missing[0]] or "from _brand.yml"
            more = (
                f" (and {len(missing) - 1} more: {', '.join(missing[1:])})" if missing[1:] else ""
            )
            raise SourceError(
                path,
                f"the {language_name(language)} for `{missing[0]}` is missing{more}",
                hint=f"Add `{missing[0]}:` with the {language_name(language)} for "
                f"“{shown}”; a missing string is never printed in English",
            )
    return words


_HINT = "Write one string per line, such as `call_us: Call us at`"
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _checked(
    path: Path,
    front: FrontMatter,
    key: str,
    value: object,
    english: Mapping[str, str],
    complete: bool,
) -> str:
    """Return one string, checked: text, a known name, the same {placeholders} as English."""
    line = front.line_of(key)
    if key in BRAND_KEYS and not complete:
        raise SourceError(
            path,
            f"the English `{key}` is set in _brand.yml, not here",
            line=line,
            hint=f"Change it under `meta:` in _brand.yml and delete this `{key}:` line",
        )
    if key not in english:
        if complete:
            raise SourceError(
                path, f"unknown string `{key}`", line=line, hint=suggest(key, english)
            )
        return _text(path, line, key, value)  # a new string, for the project's own templates
    text = _text(path, line, key, value)
    wanted = set(_PLACEHOLDER.findall(english[key]))
    found = set(_PLACEHOLDER.findall(text))
    if wanted != found or "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
        names = " and ".join(f"{{{n}}}" for n in sorted(wanted)) or "no {…}"
        raise SourceError(
            path,
            f"`{key}` must keep {names} exactly as in English",
            line=line,
            hint="Leave the names in braces untranslated: the brochure puts its value there",
        )
    return text


def _text(path: Path, line: int | None, key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SourceError(
            path, f"`{key}` must be text", line=line, hint='Write the words, e.g. `key: "Words"`'
        )
    return value.strip()
