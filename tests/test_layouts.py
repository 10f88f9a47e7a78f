"""Layouts are data: a template, a stylesheet and a declaration file; no Python needed."""

from __future__ import annotations

from pathlib import Path

from .conftest import invoke, pdf_text, write

POSTER_HTML = """{% extends "base.html" %}
{% block main %}
<p class="headline">{{ extra.headline }}</p>
{% for item in extra.facts %}<p class="fact">{{ item.label }}: {{ item.value }}</p>{% endfor %}
<div class="intro">{{ body.intro }}</div>
{% endblock %}
"""

POSTER_YML = """# A one-page poster with a headline of its own.
description: One big headline, then the text.
styles: [poster]
fields:
  headline:
    type: text
    help: The big line at the top.
  facts:
    type: records
    required: false
    keys:
      label: text
      value: text
    help: "Short facts: `label:` and `value:`."
"""

POSTER_MD = """---
title: Exosome facials at a glance
subtitle: One page to keep
layout: poster
pages: 1
lang: en-US
description: A poster for the waiting room.
reviewed: 2026-11-01
headline: Calm skin, one visit at a time
facts:
  - label: Visits
    value: three, four to six weeks apart
---
Ask us whether exosomes may suit your skin.
"""


def add_poster(root: Path, yml: str = POSTER_YML, md: str = POSTER_MD) -> None:
    write(root, "templates/poster.html", POSTER_HTML)
    write(root, "templates/poster.yml", yml)
    write(root, "styles/poster.css", ".headline { font-size: 28pt; color: var(--color-primary); }")
    write(root, "brochures/poster.md", md)


def test_a_new_layout_with_its_own_fields_builds_without_python(project: Path) -> None:
    add_poster(project)
    result = invoke(project, "build", "poster")
    assert result.exit_code == 0, result.output
    text = pdf_text(project / "out/poster.pdf")
    assert "Calm skin, one visit at a time" in text
    assert "Visits: three, four to six weeks apart" in text
    assert ".headline { font-size: 28pt" in (project / "out/poster.html").read_text()


def test_a_declared_field_is_required_unless_said_otherwise(project: Path) -> None:
    add_poster(project, md=POSTER_MD.replace("headline: Calm skin, one visit at a time\n", ""))
    result = invoke(project, "build", "poster")
    assert result.exit_code == 1
    assert (
        "Error: brochures/poster.md:2: missing required field `headline`. Add `headline:` to "
        "the front matter (The big line at the top)." in result.output
    )


def test_a_field_of_another_layout_is_unknown(project: Path) -> None:
    add_poster(project, md=POSTER_MD.replace("headline:", "phases:", 1))
    result = invoke(project, "build", "poster")
    assert result.exit_code == 1
    assert "Error: brochures/poster.md:9: unknown field `phases`. Did you mean `pages`?" in (
        result.output
    )


def test_a_mistake_in_a_layout_file_names_its_line(project: Path) -> None:
    add_poster(project, yml=POSTER_YML.replace("    type: text\n", "    tpye: text\n", 1))
    result = invoke(project, "build", "poster")
    assert result.exit_code == 1
    assert (
        "Error: templates/poster.yml:6: unknown key `tpye`. Did you mean `type`?" in result.output
    )


def test_an_unknown_field_type_lists_the_types(project: Path) -> None:
    add_poster(project, yml=POSTER_YML.replace("type: text\n", "type: textt\n", 1))
    result = invoke(project, "build", "poster")
    assert result.exit_code == 1
    assert (
        "Error: templates/poster.yml:6: unknown field type `textt`. Did you mean `text`?"
        in result.output
    )


def test_the_trifold_takes_its_page_count_from_its_declaration(project: Path) -> None:
    path = project / "templates/trifold.yml"
    path.write_text(path.read_text().replace("exactly: 2", "exactly: 3"))
    result = invoke(project, "check", "overview")
    assert result.exit_code == 1
    assert (
        "a trifold has exactly 3 pages (the outside and the inside of the sheet), not 2"
        in result.output
    )
