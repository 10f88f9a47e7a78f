"""`brochure new SLUG --layout LAYOUT`: a commented starter file that builds and passes check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader

from brochure.source.project import Project
from brochure.source.starter import layout_fields

from .conftest import ROOT, invoke

LAYOUTS = sorted(Project(ROOT).layouts())  # every layout the project has a template for


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A test project with one new brochure per layout, built."""
    from .conftest import copy_project

    root = copy_project(tmp_path_factory.mktemp("new") / "project")
    for layout in LAYOUTS:
        result = invoke(root, "new", f"new-{layout}", "--layout", layout)
        assert result.exit_code == 0, result.output
        assert result.output == (
            f"wrote   brochures/new-{layout}.md (layout {layout}): edit it, then run\n"
            f"        .venv/bin/brochure build new-{layout}\n"
        )
    return root


@pytest.mark.parametrize("layout", LAYOUTS)
def test_starter_has_every_field_commented(started: Path, layout: str) -> None:
    lines = (started / "brochures" / f"new-{layout}.md").read_text(encoding="utf-8").splitlines()
    front = lines[1 : lines.index("---", 1)]
    for field in layout_fields(Project(ROOT).layouts()[layout]):
        line = next(i for i, text in enumerate(front) if text.startswith(f"{field.name}:"))
        assert front[line - 1].startswith("# ") and field.help.rstrip(".") in front[line - 1]
    assert f"reviewed: {dt.date.today().isoformat()}" in front
    assert f"layout: {layout}" in front


def test_starters_pass_check_strict_and_build(started: Path) -> None:
    slugs = [f"new-{layout}" for layout in LAYOUTS]
    checked = invoke(started, "check", "--strict", *slugs)
    assert checked.output == f"OK: {len(slugs)} brochures checked, 0 errors, 0 warnings.\n"
    built = invoke(started, "build", *slugs)
    assert built.exit_code == 0, built.output
    for slug in slugs:
        pages = len(PdfReader(started / "out" / f"{slug}.pdf").pages)
        assert pages == (2 if slug == "new-trifold" else 1), slug


def test_new_refuses_to_overwrite(project: Path) -> None:
    path = project / "brochures" / "conditions.md"
    before = path.read_bytes()
    result = invoke(project, "new", "conditions", "--layout", "sheet")
    assert result.exit_code == 1
    assert result.output == (
        "Error: brochures/conditions.md already exists. Pick another name, or edit that file.\n"
    )
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["My Sheet", "--layout", "sheet"],
            "Error: `My Sheet` cannot be a brochure name. Use lowercase letters, digits and "
            "dashes (no spaces), e.g. microneedling-aftercare.\n",
        ),
        (
            ["aftercare", "--layout", "shet"],
            "Error: unknown layout `shet`. Did you mean `sheet`?\n",
        ),
    ],
    ids=["name", "layout"],
)
def test_new_refuses_a_bad_name_or_layout(project: Path, args: list[str], expected: str) -> None:
    result = invoke(project, "new", *args)
    assert (result.exit_code, result.output) == (1, expected)
    assert not list((project / "brochures").glob("aftercare*")) + list(
        (project / "brochures").glob("My*")
    )
