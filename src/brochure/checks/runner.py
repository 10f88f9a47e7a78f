"""Run every check on the brochures of a project, rendering them without writing anything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from brochure.build.pipeline import Pipeline, crash_problem
from brochure.checks.brand_text import check_brand_format
from brochure.errors import BrochureError, SourceError
from brochure.problems import Problem, first_error
from brochure.source.project import Project


@dataclass
class Report:
    """The findings of one `brochure check` run."""

    checked: list[str] = field(default_factory=list)  # slugs
    problems: list[Problem] = field(default_factory=list)

    def count(self, level: str) -> int:
        """Return how many problems of `level` were found."""
        return sum(p.level == level for p in self.problems)

    def failed(self, strict: bool = False) -> bool:
        """Tell whether the run fails: errors, or with `strict` any warning."""
        return bool(self.count("error") or (strict and self.problems))


def _as_problem(exc: BrochureError, path: object) -> Problem:
    if isinstance(exc, SourceError):
        return Problem(exc.path, exc.line, "error", exc.problem, exc.hint, code="source")
    return Problem(path, None, "error", exc.message, code="source")  # type: ignore[arg-type]


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
        report.problems.append(_as_problem(exc, project.brand_path))
        return report  # without a brand nothing can be checked further
    for path in paths:
        report.checked.append(path.stem)
        try:
            brochure, problems = pipeline.read(path)
            if brochure is not None and render and first_error(problems) is None:
                problems += pipeline.render(brochure, preview=False).problems
        except BrochureError as exc:
            problems = [_as_problem(exc, path)]
        except Exception as exc:  # one broken brochure must not stop the others
            problems = [crash_problem(path, exc)]
        report.problems += problems
    return report
