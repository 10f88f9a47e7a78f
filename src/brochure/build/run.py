"""The build: check every brochure, render the changed ones, then write to out/."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from brochure.build.fingerprint import fingerprint, shared_fingerprint
from brochure.build.outcome import (
    Outcome,
    Status,
    blocked_message,
    failed,
    summary,
    thumbnail_path,
)
from brochure.build.workers import parallel_map
from brochure.errors import BrochureError, SourceError, display_path, error_line
from brochure.problems import Problem, first_error, plural
from brochure.source.editions import slug_of
from brochure.source.frontmatter import OS_HINT, unreadable
from brochure.source.project import Project

# A rebuild with nothing changed needs none of these (the checks, Jinja, Markdown): they
# are imported where a brochure is read or rendered, keeping that rebuild under 0.2 s.
if TYPE_CHECKING:
    from brochure.build.output import BuildState, Writer
    from brochure.build.pipeline import Pipeline
    from brochure.render.html import HtmlPage
    from brochure.render.result import RenderResult
    from brochure.source.content import Brochure

Report = Callable[[Problem, bool], None]
"""Receives each finding as it is made, and whether it is the error that stopped a brochure."""


def _ignore(problem: Problem, stops: bool) -> None:
    """A `Report` that shows nothing."""


def build(
    project: Project,
    slugs: tuple[str, ...] = (),
    *,
    force: bool = False,
    press: bool = False,
    report: Report = _ignore,
    writer: Writer | None = None,
) -> list[Outcome]:
    """Build the brochures named by `slugs` (all by default) into out/.

    With `press`, also write out/press/<slug>.pdf for a print shop (see build_press).
    """
    from brochure.build.output import BuildState, Writer

    paths = project.brochure_paths(slugs)
    state = BuildState(project.out_dir)
    try:
        shared = shared_fingerprint(project)
    except OSError as exc:
        raise SourceError(
            exc.filename or project.root, f"cannot read the file: {unreadable(exc)}", hint=OS_HINT
        ) from None
    writer = writer or Writer(project.out_dir)
    keys = {slug_of(path): _key(shared, path) for path in paths}
    outcomes, stale = _up_to_date(project, state, keys, paths, force)
    if not stale and not press:  # nothing to read or render
        _save_state(state, project, list(outcomes.values()), report)
        return [outcomes[slug_of(p)] for p in paths]
    from brochure.build.pipeline import Pipeline
    from brochure.build.press import build_press

    pipeline = Pipeline(project)
    # What all brochures share is checked only when something is rebuilt.
    shared_error = _check_shared(pipeline, report) if stale else None
    if shared_error:  # every brochure fails, with this one message
        outcomes.update({slug_of(p): failed(slug_of(p), [], shared_error) for p in stale})
    else:
        outcomes.update(_build_changed(pipeline, writer, stale))
    for slug, outcome in outcomes.items():
        _record(state, outcome, keys[slug])
        for problem in outcome.problems:
            report(problem, False)
        if outcome.error and outcome.error != shared_error and not outcome.blocked:
            report(outcome.error, True)
    if press:
        build_press(pipeline, writer, state, outcomes, shared, force=force, report=report)
    _save_state(state, project, list(outcomes.values()), report)
    return [outcomes[slug_of(p)] for p in paths]


def _up_to_date(
    project: Project, state: BuildState, keys: dict[str, str], paths: list[Path], force: bool
) -> tuple[dict[str, Outcome], list[Path]]:
    """The brochures that are up to date (skipped), and those to rebuild."""
    outcomes: dict[str, Outcome] = {}
    stale = []
    for path, (slug, key) in zip(paths, keys.items(), strict=True):
        if force or not state.fresh(slug, key, _outputs(project, slug)):
            stale.append(path)
        else:
            outcomes[slug] = Outcome(slug, Status.SKIPPED)
    return outcomes, stale


def _save_state(
    state: BuildState, project: Project, outcomes: list[Outcome], report: Report
) -> None:
    """Save the build state; when out/ cannot be written, say so once, naming what was written.

    A state that cannot be saved is removed, so that no brochure is taken as up to date
    when its files are not (the next build then rebuilds every brochure).
    """
    from brochure.build.output import write_problem

    why = next((o.blocked for o in outcomes if o.blocked), "")
    lost = ""
    try:
        state.save()
    except OSError as exc:
        why = why or write_problem(exc)
        try:
            state.path.unlink(missing_ok=True)
            lost = "; the next build rebuilds every brochure"
        except OSError:
            pass  # nothing below out/ can change: the old state still tells the truth
    if not why:
        return
    message = blocked_message(display_path(project.out_dir), why, outcomes, lost)
    if any(o.blocked for o in outcomes):
        report(Problem(None, None, "error", message), True)
    else:
        raise BrochureError(message)


def _key(shared: hashlib._Hash, path: Path) -> str:
    """The brochure's fingerprint; "" when it cannot be read (reading it says why, later)."""
    try:
        return fingerprint(shared, path)
    except OSError:
        return ""


def _outputs(project: Project, slug: str) -> list[Path]:
    """The files a brochure's build writes (all must exist for it to be up to date)."""
    names = (f"{slug}.pdf", f"{slug}.html", thumbnail_path(slug))
    return [project.out_dir / name for name in names]


def _record(state: BuildState, outcome: Outcome, key: str) -> None:
    """Remember a rebuilt brochure's key (when built), pages and findings."""
    if outcome.status != Status.SKIPPED:
        facts = {"pages": outcome.pages, "problems": [p.to_state() for p in outcome.problems]}
        state.record(outcome.slug, key if outcome.status == Status.BUILT else None, facts)


def _build_changed(pipeline: Pipeline, writer: Writer, paths: list[Path]) -> dict[str, Outcome]:
    """Read, check, render and write the brochures at `paths`."""
    outcomes: dict[str, Outcome] = {}
    todo: list[tuple[Brochure, list[Problem]]] = []
    for path in paths:
        brochure, problems, error = _read(pipeline, path)
        if brochure is None or first_error(problems):
            outcomes[slug_of(path)] = failed(slug_of(path), problems, error)
        else:
            todo.append((brochure, problems))
    results = render_all(pipeline, [b for b, _ in todo])
    for (brochure, problems), result in zip(todo, results, strict=True):
        outcomes[brochure.slug] = _write(pipeline, writer, brochure, problems, result)
    return outcomes


def _read(pipeline: Pipeline, path: Path) -> tuple[Brochure | None, list[Problem], Problem | None]:
    """Read and check one brochure; a failure is returned as its error, never raised."""
    from brochure.build.pipeline import crash_problem

    try:
        brochure, problems = pipeline.read(path)
    except BrochureError as exc:
        return None, [], Problem.from_error(exc)
    except Exception as exc:  # one broken brochure must not stop the others
        return None, [], crash_problem(path, exc)
    return brochure, problems, None


def _check_shared(pipeline: Pipeline, report: Report) -> Problem | None:
    """Check the brand file and check settings; report findings, return the error if any."""
    try:
        problems = pipeline.project_problems()
    except BrochureError as exc:
        problems = [Problem.from_error(exc)]
    error = first_error(problems)
    for problem in problems:
        if problem is not error:
            report(problem, False)
    if error is not None:
        report(error, True)
    return error


def render_all(pipeline: Pipeline, brochures: list[Brochure]) -> list[RenderResult | Problem]:
    """Render brochures, in parallel worker processes when there are several and cores."""
    if not brochures:
        return []
    try:
        pipeline.brand  # noqa: B018 - load (and fail) once, before any fork
        pipeline.renderer  # noqa: B018 - import WeasyPrint before forking: workers share it
    except BrochureError as exc:
        return [Problem.from_error(exc)] * len(brochures)
    jobs = min(len(brochures), os.cpu_count() or 1)
    return list(parallel_map(partial(_render_one, pipeline), brochures, jobs=jobs))


def _render_one(pipeline: Pipeline, brochure: Brochure) -> RenderResult | Problem:
    """Render one brochure and the catalog's picture of it; an error comes back as a Problem."""
    from brochure.build.pipeline import crash_problem
    from brochure.render.thumbnail import first_page_png

    try:
        result = pipeline.render(brochure)
    except BrochureError as exc:  # sent back as a Problem: exceptions with context do not pickle
        return Problem.from_error(exc)
    except Exception as exc:  # one broken brochure must not stop the others
        return crash_problem(brochure.path, exc)
    if not first_error(result.problems):
        result.thumbnail = first_page_png(result.pdf)
    return result


def _write_preview(pipeline: Pipeline, writer: Writer, slug: str, page: HtmlPage) -> None:
    """Write a brochure's HTML preview and the project files it shows."""
    for rel in sorted(page.static):
        writer.copy(pipeline.project.root / rel, Path("static") / rel)
    writer.write(f"{slug}.html", page.html)


def preview(
    project: Project, slugs: tuple[str, ...] = (), *, writer: Writer | None = None
) -> list[Outcome]:
    """Write only the HTML previews of `slugs` (all by default): quick, for live preview.

    A preview is `previewed` or `failed`; the PDFs and the build state are left alone.
    """
    from brochure.build.output import Writer
    from brochure.build.pipeline import Pipeline, crash_problem

    writer = writer or Writer(project.out_dir)
    pipeline = Pipeline(project)
    outcomes = []
    for path in project.brochure_paths(slugs):
        brochure, problems, error = _read(pipeline, path)
        if brochure is None or first_error(problems):
            outcomes.append(failed(slug_of(path), problems, error))
            continue
        try:
            _write_preview(pipeline, writer, brochure.slug, pipeline.preview(brochure))
        except BrochureError as exc:
            outcomes.append(failed(brochure.slug, problems, Problem.from_error(exc)))
            continue
        except Exception as exc:  # one broken brochure must not stop the others
            outcomes.append(failed(brochure.slug, problems, crash_problem(path, exc)))
            continue
        outcomes.append(Outcome(brochure.slug, Status.PREVIEWED, problems=problems))
    return outcomes


def _write(
    pipeline: Pipeline,
    writer: Writer,
    brochure: Brochure,
    problems: list[Problem],
    result: RenderResult | Problem,
) -> Outcome:
    """Write one rendered brochure to out/, unless rendering found an error."""
    if isinstance(result, Problem):
        return failed(brochure.slug, problems, result)
    problems = problems + result.problems
    if first_error(problems):
        return failed(brochure.slug, problems)
    from brochure.build.output import write_problem
    from brochure.render.html import HtmlPage

    written: list[str] = []
    try:  # the PDF first: on a disk that fills up, it matters most
        writer.write(f"{brochure.slug}.pdf", result.pdf)
        written.append(f"{brochure.slug}.pdf")
        writer.write(thumbnail_path(brochure.slug), result.thumbnail)
        _write_preview(pipeline, writer, brochure.slug, HtmlPage(result.preview, result.static))
    except BrochureError as exc:
        return failed(brochure.slug, problems, Problem.from_error(exc))
    except OSError as exc:  # out/ is full or read-only: said once for the whole build
        why = write_problem(exc)
        outcome = failed(brochure.slug, problems, Problem(None, None, "error", why))
        outcome.blocked, outcome.written, outcome.pages = why, written, result.pages
        outcome.missing = "its preview page" if written else ""
        return outcome
    return Outcome(
        brochure.slug,
        Status.BUILT,
        pages=result.pages,
        problems=problems,
        written=[f"{brochure.slug}.pdf"],
    )


def build_all(
    project: Project,
    slugs: tuple[str, ...] = (),
    *,
    force: bool = False,
    press: bool = False,
    say: Callable[[str], None] = print,
    warn: Callable[[str], None] = print,
) -> bool:
    """Build, write the catalog page and say what was done; tell whether all went well."""
    from brochure.build import catalog

    def report(problem: Problem, stops: bool) -> None:
        warn(error_line(problem.error_message()) if stops else problem.format())

    outcomes = build(project, slugs, force=force, press=press, report=report)
    for outcome in outcomes:
        for rel in outcome.written:
            say(f"built   out/{rel} ({plural(outcome.pages, 'page')})")
    ok = all(o.status != Status.FAILED for o in outcomes)
    try:
        if catalog.write(project, outcomes):
            say(f"wrote   out/{catalog.PAGE} (the catalog page)")
    except BrochureError as exc:  # shown already when the brand file broke every brochure
        if Problem.from_error(exc) not in {o.error for o in outcomes}:
            warn(error_line(exc.message))
        ok = False
    except OSError as exc:  # out/ full or read-only: said already if a brochure hit it
        from brochure.build.output import write_problem

        if not any(o.blocked for o in outcomes):
            page = display_path(project.out_dir / catalog.PAGE)
            warn(error_line(f"{page}: {write_problem(exc)}. Free some space, then build again."))
        ok = False
    say(summary(outcomes))
    return ok
