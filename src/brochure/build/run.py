"""The build: check every brochure, render the changed ones, then write to out/."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from brochure.build.fingerprint import fingerprint, shared_fingerprint
from brochure.build.pipeline import Pipeline, Result, crash_message
from brochure.build.press import build_press
from brochure.build.workers import render_all
from brochure.errors import BrochureError, SourceError
from brochure.problems import Problem, first_error, plural
from brochure.render.html import Rendered
from brochure.source.content import Brochure
from brochure.source.frontmatter import OS_HINT, unreadable
from brochure.source.project import Project

if TYPE_CHECKING:
    from brochure.build.output import Writer


@dataclass
class Outcome:
    """What happened to one brochure in a build."""

    slug: str
    status: str  # built, skipped or failed (or previewed: HTML preview only)
    pages: int = 0
    problems: list[Problem] = field(default_factory=list)
    error: str = ""
    written: list[str] = field(default_factory=list)  # the PDFs written, relative to out/


def thumbnail_path(slug: str) -> str:
    """Return where the picture of a brochure's first page goes, relative to out/."""
    return f"thumbs/{slug}.png"


def build(
    project: Project,
    slugs: tuple[str, ...] = (),
    *,
    force: bool = False,
    press: bool = False,
    echo: Callable[[str], None] = print,
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
    pipeline = Pipeline(project)
    outcomes: dict[str, Outcome] = {}
    keys: dict[str, str] = {}
    stale: list[Path] = []
    for path in paths:
        slug = path.stem
        try:
            keys[slug] = fingerprint(shared, path)
        except OSError:  # reading it again below says why, for this brochure only
            keys[slug] = ""
        outputs = [
            project.out_dir / name for name in (f"{slug}.pdf", f"{slug}.html", thumbnail_path(slug))
        ]
        if not force and state.fresh(slug, keys[slug], outputs):
            outcomes[slug] = Outcome(slug, "skipped")
        else:
            stale.append(path)
    shared_error = ""
    if stale:  # what all brochures share is checked only when something is rebuilt
        shared_error = _check_shared(pipeline, echo)
        if shared_error:  # every brochure fails, with this one message
            outcomes.update({p.stem: Outcome(p.stem, "failed", error=shared_error) for p in stale})
            stale = []
    todo: list[tuple[Brochure, list[Problem]]] = []
    for path in stale:
        slug = path.stem
        brochure, problems, error = _read(pipeline, path)
        if brochure is None or first_error(problems):
            outcomes[slug] = _failed(slug, problems, error)
        else:
            todo.append((brochure, problems))
    results = render_all(pipeline, [b for b, _ in todo])
    for (brochure, problems), result in zip(todo, results, strict=True):
        outcomes[brochure.slug] = _write(pipeline, writer, brochure, problems, result)
    for slug, outcome in outcomes.items():
        if outcome.status != "skipped":
            facts = {"pages": outcome.pages, "problems": [p.to_state() for p in outcome.problems]}
            state.record(slug, keys[slug] if outcome.status == "built" else None, facts)
        for problem in outcome.problems:
            echo(problem.format())
        if outcome.error and outcome.error != shared_error:
            echo(f"Error: {outcome.error}")
    if press:
        build_press(pipeline, writer, state, outcomes, shared, force=force, echo=echo)
    state.save()
    return [outcomes[p.stem] for p in paths]


def _check_shared(pipeline: Pipeline, echo: Callable[[str], None]) -> str:
    """Check the brand file and check settings; show findings, return the error if any."""
    try:
        problems = pipeline.project_problems()
    except BrochureError as exc:
        echo(f"Error: {exc.message}")
        return exc.message
    error = first_error(problems)
    for problem in problems:
        if problem is not error:
            echo(problem.format())
    if error is None:
        return ""
    message = error.to_error().message
    echo(f"Error: {message}")
    return message


def _read(pipeline: Pipeline, path: Path) -> tuple[Brochure | None, list[Problem], str]:
    """Read and check one brochure; a failure is returned as its error line, never raised."""
    try:
        brochure, problems = pipeline.read(path)
    except BrochureError as exc:
        return None, [], exc.message
    except Exception as exc:  # one broken brochure must not stop the others
        return None, [], crash_message(path, exc)
    return brochure, problems, ""


def _failed(slug: str, problems: list[Problem], error: str = "") -> Outcome:
    first = first_error(problems)
    message = error or (first.to_error().message if first else "failed")
    return Outcome(slug, "failed", problems=[p for p in problems if p is not first], error=message)


def _write_preview(pipeline: Pipeline, writer: Writer, slug: str, page: Rendered) -> None:
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

    writer = writer or Writer(project.out_dir)
    pipeline = Pipeline(project)
    outcomes = []
    for path in project.brochure_paths(slugs):
        brochure, problems, error = _read(pipeline, path)
        if brochure is None or first_error(problems):
            outcomes.append(_failed(path.stem, problems, error))
            continue
        try:
            _write_preview(pipeline, writer, brochure.slug, pipeline.preview(brochure))
        except BrochureError as exc:
            outcomes.append(_failed(brochure.slug, problems, exc.message))
            continue
        except Exception as exc:  # one broken brochure must not stop the others
            outcomes.append(_failed(brochure.slug, problems, crash_message(path, exc)))
            continue
        outcomes.append(Outcome(brochure.slug, "previewed", problems=problems))
    return outcomes


def _write(
    pipeline: Pipeline,
    writer: Writer,
    brochure: Brochure,
    problems: list[Problem],
    result: Result | str,
) -> Outcome:
    """Write one rendered brochure to out/, unless rendering found an error."""

    if isinstance(result, str):
        return _failed(brochure.slug, problems, result)
    problems = problems + result.problems
    if first_error(problems):
        return _failed(brochure.slug, problems)
    try:
        _write_preview(pipeline, writer, brochure.slug, Rendered(result.preview, result.static))
        writer.write(f"{brochure.slug}.pdf", result.pdf)
        writer.write(thumbnail_path(brochure.slug), result.thumbnail)
    except (BrochureError, OSError) as exc:
        return _failed(brochure.slug, problems, getattr(exc, "message", str(exc)))
    return Outcome(
        brochure.slug,
        "built",
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

    outcomes = build(project, slugs, force=force, press=press, echo=warn)
    for outcome in outcomes:
        for rel in outcome.written:
            say(f"built   out/{rel} ({plural(outcome.pages, 'page')})")
    ok = all(o.status != "failed" for o in outcomes)
    try:
        if catalog.write(project, outcomes):
            say(f"wrote   out/{catalog.PAGE} (the catalog page)")
    except BrochureError as exc:  # shown already when the brand file broke every brochure
        if exc.message not in {o.error for o in outcomes}:
            warn(f"Error: {exc.message}")
        ok = False
    say(summary(outcomes))
    return ok


def summary(outcomes: list[Outcome]) -> str:
    """Return the closing line of a build."""
    counts = {s: sum(o.status == s for o in outcomes) for s in ("built", "skipped", "failed")}
    text = ", ".join(f"{n} {s}" for s, n in counts.items())
    return f"{text} ({plural(len(outcomes), 'brochure')})."
