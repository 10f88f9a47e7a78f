"""The shipped content (brochures/, _brand.yml, claims.yml), whatever it holds, is ready to
print: it passes `brochure check --strict` and builds. Every other test uses its own project
(conftest.copy_project), so adding or editing a brochure changes only these tests' input."""

from __future__ import annotations

import json

import pytest
from pypdf import PdfReader

from brochure.build.pipeline import Pipeline
from brochure.source.project import Project

from .conftest import ROOT, invoke


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the project as shipped, content and all."""
    return Project(ROOT).copy_to(tmp_path_factory.mktemp("shipped") / "project")


# Reminders that a translation needs work (a new brochure has no Spanish edition yet, the
# English changed since the Spanish was written) are how editing English content starts: they
# show in `brochure check`, but a marketer's edit must not turn the test suite red.
WORKFLOW = {"edition", "translation"}


def test_shipped_content_passes_check_strict(shipped: Project) -> None:
    result = invoke(shipped.root, "check", "--strict", "--format", "json")  # as of today
    report = json.loads(result.output)
    assert len(report["checked"]) == len(shipped.brochure_paths()) >= 1
    found = [p for p in report["problems"] if p["code"] not in WORKFLOW]
    assert found == [], found


def test_shipped_content_builds_within_budget(shipped: Project) -> None:
    result = invoke(shipped.root, "build")
    assert result.exit_code == 0, result.output
    pipeline = Pipeline(shipped)
    for path in shipped.brochure_paths():
        brochure, _ = pipeline.read(path, checks=False)  # an edition's budget is its original's
        assert brochure is not None, path.name
        pages = len(PdfReader(shipped.out_dir / f"{brochure.slug}.pdf").pages)
        assert 1 <= pages <= brochure.pages, path.name
    assert (shipped.out_dir / "index.html").is_file()
