"""What the project holds, for `brochure list` and the catalog page."""

from __future__ import annotations

from .build import Pipeline
from .errors import BrochureError
from .problems import first_error
from .project import Project


def rows(project: Project) -> list[tuple[str, str, str, str]]:
    """Return a header and one row per brochure: slug, title, layout, page budget."""
    pipeline = Pipeline(project)
    table = [("SLUG", "TITLE", "LAYOUT", "PAGES")]
    for path in project.brochure_paths():
        brochure, problems = pipeline.read(path)
        error = first_error(problems)
        if brochure is None:
            if error is None:
                raise BrochureError(f"{path}: cannot be read")
            table.append((path.stem, f"(error: {error.message})", "-", "-"))
        else:
            table.append((brochure.slug, brochure.title, brochure.layout, str(brochure.pages)))
    return table
