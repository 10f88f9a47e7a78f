"""Language editions: `brochures/<name>.<lang>.md` is the <lang> edition of `brochures/<name>.md`.

The convention of Hugo and mkdocs-static-i18n. An edition builds to `out/<lang>/<name>.pdf`,
so its slug (the key of everything built from it) is `<lang>/<name>`; the source's slug is
`<name>`. People may name an edition either way: `conditions.es` or `es/conditions`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_EDITION = re.compile(r"^(?P<base>.+)\.(?P<lang>[a-z]{2})$")  # ISO 639-1: es, fr, vi
_SLUG = re.compile(r"^(?P<lang>[a-z]{2})/(?P<base>[^/]+)$")
INHERITED = ("layout", "pages")  # front matter an edition may leave to its source


@dataclass(frozen=True, order=True)
class Name:
    """Which brochure a file is: its base name and, for an edition, its language."""

    base: str  # conditions
    language: str = ""  # es; empty for the source (the original)

    @property
    def slug(self) -> str:
        """The key of its outputs: `conditions`, or `es/conditions` (out/es/conditions.pdf)."""
        return f"{self.language}/{self.base}" if self.language else self.base

    @property
    def stem(self) -> str:
        """Its file name without `.md`: `conditions` or `conditions.es`."""
        return f"{self.base}.{self.language}" if self.language else self.base

    @property
    def file(self) -> str:
        return f"{self.stem}.md"

    @property
    def source(self) -> Name:
        """The brochure this one translates (itself for a source)."""
        return Name(self.base)


def name_of(path: Path | str) -> Name:
    """Return the Name of a brochure file, from its file name."""
    stem = Path(path).name.removesuffix(".md")
    match = _EDITION.match(stem)
    return Name(match["base"], match["lang"]) if match else Name(stem)


def parse(text: str) -> Name:
    """Read a brochure name as people type it: `conditions`, `conditions.es`, `es/conditions`,
    `conditions.es.md` or `brochures/conditions.es.md`."""
    text = text.strip().removeprefix("brochures/")
    match = _SLUG.match(text)
    if match:
        return Name(match["base"], match["lang"])
    return name_of(text)


def slug_of(path: Path | str) -> str:
    """Return the slug of a brochure file: `es/conditions` for brochures/conditions.es.md."""
    return name_of(path).slug


def static_prefix(slug: str) -> str:
    """Return how a page at out/<slug>.html reaches out/ itself: `` or `../`."""
    return "../" * slug.count("/")


def file_safe(slug: str) -> str:
    """Return the slug as one file name part: `es/conditions` -> `conditions-es`."""
    name = parse(slug)
    return f"{name.base}-{name.language}" if name.language else name.base
