"""`brochure new`: a commented starter brochure for a layout, ready to build and check.

The fields come from the front matter schema (`layout_fields`, the one place this module
reads it); each gets an example value and its help as a comment.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

from brochure.errors import BrochureError, display_path
from brochure.source import editions, locales, schema
from brochure.source.frontmatter import read_text
from brochure.source.project import Project

if TYPE_CHECKING:
    from brochure.source.layouts import Layout

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Example values (YAML, after `field:`) for every field a layout may take.
EXAMPLES: dict[str, str] = {
    "subtitle": "One short line under the title",
    "pages": "1",
    "lang": "en-US",
    "description": "One sentence about this brochure, for the catalog and the PDF.",
    "keywords": "[exosomes, skin care]",
    "columns": "[Exosomes, PRP]",
    "rows": (
        "\n  - topic: What it is"
        '\n    cells:\n      - "Tiny particles that cells send out."'
        '\n      - "Made from your own blood."'
        "\n  - topic: Recovery"
        '\n    cells:\n      - "Most people have little downtime."'
        '\n      - "Often some swelling at first."'
    ),
    "phases": (
        "\n  - when: Days 1-3"
        "\n    title: Right after treatment"
        '\n    text: "Mild redness is normal and usually fades in a few days."'
        "\n  - when: Weeks 4-6"
        "\n    title: Skin looks fresher"
        '\n    text: "Many people notice smoother, more even skin."'
    ),
    "panels": (
        "\n  flap: What are exosomes?"
        "\n  inside-left: How they work"
        "\n  inside-middle: Who they may suit"
        "\n  inside-right: What a visit looks like"
        "\n  back: Good to know"
    ),
}

SECTIONS = ["What are exosomes?", "How they work", "Who they may suit", "What a visit looks like"]
PARAGRAPH = "Write a few short sentences here. Short words and short sentences read best."

# The text below the front matter, per layout: what that layout draws from it.
BODIES: dict[str, str] = {
    "conditions": (
        "Write one or two sentences to start: what this brochure is about.\n\n"
        "## Dry skin\n\n- **Dryness:** Exosomes may help skin hold on to water.\n"
        "- **Dull look:** Many people notice a fresher look.\n\n"
        "## Fine lines\n\n- **Fine lines:** Exosomes may help soften the look of fine lines.\n\n"
        "## Good to know\n\nA section with no list prints full width after the cards.\n"
    ),
    "comparison": (
        "Write one or two sentences to start. The table comes from columns and rows above.\n\n"
        f"## Which is right for me?\n\n{PARAGRAPH}\n"
    ),
    "timeline": (
        "Write one or two sentences to start. The phases come from the list above.\n\n"
        f"## Your plan\n\n{PARAGRAPH}\n\n## Good to know\n\n{PARAGRAPH}\n"
    ),
    "sheet": (
        "Write one or two sentences to start: what this brochure is about.\n\n"
        f"## A first section\n\n{PARAGRAPH}\n\n## A second section\n\n{PARAGRAPH}\n"
    ),
    "trifold": (
        "Two or three short lines for the cover.\n\n"
        + "".join(f"## {title}\n\n{PARAGRAPH}\n\n" for title in [*SECTIONS, "Good to know"])
    ),
}
GENERIC_BODY = BODIES["sheet"]


def layout_fields(layout: Layout) -> list[schema.Field]:
    """Return the fields a brochure of `layout` takes (the schema, read in one place)."""
    written = {"translated_from"}  # by `brochure translated`, not by hand
    return [f for f in schema.fields_for(layout) if f.name not in written]


def _value(field: schema.Field, layout: str, title: str, today: dt.date) -> str:
    if field.name == "title":
        return title
    if field.name == "layout":
        return layout
    if field.name == "reviewed":
        return today.isoformat()
    if field.name == "pages" and layout == "trifold":
        return "2"
    return EXAMPLES.get(field.name, "Write it here")  # a field new to the schema: see its help


def starter_text(slug: str, layout: Layout, today: dt.date) -> str:
    """Return a starter brochure for `layout`: every field it takes, commented."""
    title = slug.replace("-", " ").capitalize()
    lines = [
        "---",
        "# The front matter: one `field: value` per line. Change the text after the colons;",
        '# put a value that has a colon in it in straight double quotes ("...").',
    ]
    for field in layout_fields(layout):
        value = _value(field, layout.name, title, today)
        optional = "" if field.required else "Optional: "
        separator = "" if "\n" in value else " "  # a list or mapping starts below its field
        lines += [f"# {optional}{field.help}", f"{field.name}:{separator}{value}"]
    lines.append("---")
    return "\n".join(lines) + "\n\n" + BODIES.get(layout.name, GENERIC_BODY)


def edition_text(source: str, language: str) -> str:
    """Return a new edition to translate: the original's text, in the edition's language,
    without the fields it takes from the original (layout, pages)."""
    lines = source.splitlines(keepends=True)
    end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    head = [
        line
        for line in lines[1:end]
        if not re.match(rf"({'|'.join(editions.INHERITED)}|lang|translated_from)\s*:", line)
    ]
    note = (
        f"# Translate every value below and the text after the front matter into "
        f"{locales.language_name(language)}. Layout and page budget come from the original.\n"
    )
    region = re.search(r"^lang\s*:\s*[A-Za-z]+[-_]([A-Za-z]{2})\s*$", "".join(lines[1:end]), re.M)
    lang = f"{language}-{region[1].upper()}" if region else language  # en-US -> es-US
    return "".join(["---\n", note, f"lang: {lang}\n", *head, *lines[end:]])


def create(project: Project, slug: str, layout: str | None, today: dt.date | None = None) -> Path:
    """Write brochures/SLUG.md for `layout` (or, for an edition such as `conditions.es`, a copy
    of its original to translate); refuse a bad name or an existing file."""
    name = editions.parse(slug)
    if name.language:
        source = project.brochure_path(name.source)
        if not source.is_file():
            raise BrochureError(
                f"there is no brochures/{name.source.file} to translate. Check the name."
            )
        return _write(project.brochure_path(name), edition_text(read_text(source), name.language))
    if layout is None:
        raise BrochureError(
            f"Say which layout the new brochure has, e.g. brochure new {slug} --layout sheet."
        )
    if not SLUG_RE.match(slug):
        raise BrochureError(
            f"`{slug}` cannot be a brochure name. Use lowercase letters, digits and dashes "
            "(no spaces), e.g. microneedling-aftercare."
        )
    layouts = project.layouts()
    if layout not in layouts:
        raise BrochureError(f"unknown layout `{layout}`. {schema.suggest(layout, sorted(layouts))}")
    text = starter_text(slug, layouts[layout], today or dt.date.today())
    return _write(project.brochures_dir / f"{slug}.md", text)


def _write(path: Path, text: str) -> Path:
    """Write a new brochure file; never replace one."""
    path.parent.mkdir(exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:  # never overwrites
            handle.write(text)
    except FileExistsError:
        raise BrochureError(
            f"{display_path(path)} already exists. Pick another name, or edit that file."
        ) from None
    return path
