"""`brochure check`: run every check on a project's brochures, rendering without writing."""

from __future__ import annotations

import datetime as dt
import os
from functools import partial
from pathlib import Path

from brochure.build.pipeline import Pipeline, crash_problem
from brochure.build.workers import parallel_map
from brochure.checks.brand_text import check_brand_format
from brochure.checks.report import Report
from brochure.errors import BrochureError
from brochure.problems import Problem, first_error
from brochure.source.editions import slug_of
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
    jobs = 1
    if render and len(paths) > 1:  # lay out in worker processes, as a build does
        pipeline.claim_rules  # noqa: B018 - loaded once, before the workers fork
        pipeline.renderer  # noqa: B018 - import WeasyPrint before forking: workers share it
        jobs = min(len(paths), os.cpu_count() or 1)
    check = partial(_check_one, pipeline, render)
    for path, problems in zip(paths, parallel_map(check, paths, jobs=jobs), strict=True):
        report.checked.append(slug_of(path))
        report.problems += problems
    return report


def _check_one(pipeline: Pipeline, render: bool, path: Path) -> list[Problem]:
    """Read, check and (with `render`) lay out one brochure; return what was found."""
    try:
        brochure, problems = pipeline.read(path)
        if brochure is not None and render and first_error(problems) is None:
            problems += pipeline.render(brochure, preview=False).problems
    except BrochureError as exc:
        return [Problem.from_error(exc, path)]
    except Exception as exc:  # one broken brochure must not stop the others
        return [crash_problem(path, exc)]
    return problems
