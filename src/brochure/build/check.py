"""`brochure check`: run every check on a project's brochures, rendering without writing."""

from __future__ import annotations

import datetime as dt

from brochure.build.pipeline import Pipeline, crash_problem
from brochure.checks.brand_text import check_brand_format
from brochure.checks.report import Report
from brochure.errors import BrochureError
from brochure.problems import Problem, first_error
from brochure.source.project import Project


def run(
    project: Project,
    slugs: tuple[str, ...] = (),
    *,
    today: dt.date | None = None,
    render: bool = True,
) -> Report:
    """Check the brochures named by `slugs` (all by default); `render=False` skips layout."""
    paths = project.brochure_paths(slugs)
    pipeline = Pipeline(project, today=today)
    report = Report()
    try:
        report.problems += pipeline.project_problems() + check_brand_format(project)
    except BrochureError as exc:
        report.problems.append(Problem.from_error(exc, project.brand_path))
        return report  # without a brand nothing can be checked further
    for path in paths:
        report.checked.append(path.stem)
        try:
            brochure, problems = pipeline.read(path)
            if brochure is not None and render and first_error(problems) is None:
                problems += pipeline.render(brochure, preview=False).problems
        except BrochureError as exc:
            problems = [Problem.from_error(exc, path)]
        except Exception as exc:  # one broken brochure must not stop the others
            problems = [crash_problem(path, exc)]
        report.problems += problems
    return report
