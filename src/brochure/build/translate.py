"""`brochure translated` and `brochure changes`: keep an edition in step with its source."""

from __future__ import annotations

from pathlib import Path

from brochure.build.output import atomic_write, write_problem
from brochure.errors import BrochureError, SourceError
from brochure.source import editions, translations
from brochure.source.frontmatter import read_text
from brochure.source.project import Project


def _edition(project: Project, text: str) -> editions.Name:
    """Return the edition a person named; BrochureError for an original or a missing file."""
    name = editions.parse(text)
    if not name.language:
        raise BrochureError(
            f"`{name.stem}` is an original, not a translation. Name an edition, "
            f"such as `{name.base}.es`."
        )
    for each in (name, name.source):
        if not project.brochure_path(each).is_file():
            raise BrochureError(f"there is no brochures/{each.file}. Check the name.")
    return name


def mark(project: Project, text: str) -> Path:
    """Record that an edition translates its source as it is now; return the edition's path.

    Sets `translated_from:` in the edition's front matter and keeps a copy of the source in
    brochures/_translated/ (commit both), so later changes to the source can be named.
    """
    name = _edition(project, text)
    path = project.brochure_path(name)
    source = read_text(project.brochure_path(name.source))
    before = read_text(path)
    try:
        marked = translations.with_field(before, translations.version(source))
    except SourceError as exc:
        raise exc.at(path) from None
    try:
        project.translated_dir.mkdir(exist_ok=True)
        atomic_write(project.translated_dir / name.file, source.encode("utf-8"))
        if marked != before:
            atomic_write(path, marked.encode("utf-8"))
    except OSError as exc:
        raise BrochureError(f"brochures/{name.file}: {write_problem(exc)}.") from None
    return path


def changes(project: Project, text: str) -> str:
    """Return what changed in an edition's source since it was translated, as a diff."""
    name = _edition(project, text)
    source = read_text(project.brochure_path(name.source))
    snapshot = project.translated_dir / name.file
    if not snapshot.is_file():
        raise BrochureError(
            f"brochures/{name.file} was never marked as translated, so there is nothing to "
            f"compare. When it matches brochures/{name.source.file}, run "
            f"`brochure translated {name.stem}`."
        )
    return translations.diff(read_text(snapshot), source, f"brochures/{name.source.file}")
