"""Which version of its source an edition translates, and what changed in the source since.

`brochure translated conditions.es` records it: the edition's front matter gets
`translated_from: <hash of conditions.md>`, and a copy of conditions.md as it was then goes to
brochures/_translated/conditions.es.md, so the check can name the sections that changed (and
`brochure changes` can show them) when the English moves on. Like gettext's "fuzzy" entries.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass

from brochure.errors import SourceError
from brochure.source import editions
from brochure.source.frontmatter import read_text, split
from brochure.source.project import Project

FIELD = "translated_from"  # the edition's front matter field
_HEADING = re.compile(r"^#{1,2}\s+(.+?)\s*#*\s*$")
_FIELD_LINE = re.compile(rf"^{FIELD}\s*:.*$", re.MULTILINE)


def version(text: str) -> str:
    """Return the short hash that names one version of a source file's text."""
    normal = text.replace("\r\n", "\n").lstrip("\ufeff")
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:12]


def parts(text: str) -> dict[str, str]:
    """Split a brochure's text into what a reader can name: front matter fields and sections.

    Keys are `field `title`` for each front matter field, `the introduction` for the text
    before the first heading, and `the section “Heading”` for each `#`/`##` section.
    """
    try:
        front = split(text)
    except SourceError:
        return {"the front matter": text}
    found = {f"the field `{key}`": repr(value) for key, value in front.data.items()}
    name, lines = "the introduction", list[str]()
    for line in front.body.splitlines():
        match = _HEADING.match(line)
        if match:
            found[name] = "\n".join(lines).strip()
            name, lines = f"the section “{match[1]}”", []
        else:
            lines.append(line)
    found[name] = "\n".join(lines).strip()
    return {key: value for key, value in found.items() if value or key.startswith("the section")}


def changed_parts(old: str, new: str) -> list[str]:
    """Name the parts of a source that differ between two of its versions, in reading order."""
    before, after = parts(old), parts(new)
    names = [*after, *(name for name in before if name not in after)]
    return [name for name in names if before.get(name) != after.get(name)]


def diff(old: str, new: str, name: str) -> str:
    """Return the source's changes as a unified diff (what the translator has to redo)."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        f"{name} (when translated)",
        f"{name} (now)",
    )
    return "".join(lines)


def with_field(text: str, value: str) -> str:
    """Return the brochure `text` with `translated_from: value` set in its front matter."""
    newline = "\r\n" if "\r\n" in text else "\n"
    front = split(text)  # the file must have front matter (SourceError if not)
    lines = text.splitlines(keepends=True)
    closing = front.body_line - 2  # index of the closing `---`
    head = "".join(lines[:closing])
    if _FIELD_LINE.search(head):
        head = _FIELD_LINE.sub(f'{FIELD}: "{value}"', head, count=1)
    else:
        head += f'{FIELD}: "{value}"{newline}'
    return head + "".join(lines[closing:])


@dataclass(frozen=True)
class State:
    """How an edition stands against its source."""

    recorded: str  # the version its front matter names ('' if never marked)
    current: str  # the source's version now
    changed: list[str]  # the parts changed since (empty when not known)

    @property
    def stale(self) -> bool:
        return self.recorded != self.current


def state(project: Project, name: editions.Name, recorded: str) -> State:
    """Compare an edition's recorded source version with its source now."""
    source = read_text(project.brochure_path(name.source))
    current = version(source)
    changed: list[str] = []
    snapshot = project.translated_dir / name.file
    if recorded and recorded != current and snapshot.is_file():
        old = read_text(snapshot)
        if version(old) == recorded:
            changed = changed_parts(old, source)
    return State(recorded, current, changed)
