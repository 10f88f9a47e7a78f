"""The print shop's files: out/press/<slug>.pdf with bleed and crop marks."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from brochure.build.fingerprint import fingerprint
from brochure.build.outcome import Outcome, Status
from brochure.build.output import write_problem
from brochure.build.pipeline import Pipeline
from brochure.errors import BrochureError
from brochure.problems import Problem, first_error
from brochure.source import editions

if TYPE_CHECKING:
    from brochure.build.output import BuildState, Writer


PRESS_DIR = "press"  # out/press/<slug>.pdf: the print shop's files


def build_press(
    pipeline: Pipeline,
    writer: Writer,
    state: BuildState,
    outcomes: dict[str, Outcome],
    shared: hashlib._Hash,
    *,
    force: bool = False,
    report: Callable[[Problem, bool], None],
) -> None:
    """Write out/press/<slug>.pdf for each brochure whose office build did not fail.

    Each press file is skipped when its inputs are unchanged (state key `press/<slug>`).
    """
    for slug, outcome in list(outcomes.items()):
        if outcome.status == Status.FAILED:
            continue
        path = pipeline.project.brochure_path(editions.parse(outcome.slug))
        job, rel = f"{PRESS_DIR}/{outcome.slug}", f"{PRESS_DIR}/{outcome.slug}.pdf"
        key = fingerprint(shared, path)
        if not force and state.fresh(job, key, [pipeline.project.out_dir / rel]):
            continue
        try:
            pages, error = _press(pipeline, writer, path, rel)
        except OSError as exc:  # out/ full or read-only: said once with the rest
            state.record(job, None)
            why = write_problem(exc)
            error = Problem(None, None, "error", why)
            outcomes[slug] = dataclasses.replace(
                outcome, status=Status.FAILED, error=error, blocked=why, missing=rel
            )
            continue
        state.record(job, None if error else key)
        if error:  # the office PDF, if just written, is still reported
            outcomes[slug] = dataclasses.replace(outcome, status=Status.FAILED, error=error)
            report(error, True)
            continue
        outcomes[slug] = dataclasses.replace(
            outcome, status=Status.BUILT, pages=pages, written=[*outcome.written, rel]
        )


def _press(pipeline: Pipeline, writer: Writer, path: Path, rel: str) -> tuple[int, Problem | None]:
    """Render and write one press file; return its pages, or the error that stopped it."""
    try:
        brochure, problems = pipeline.read(path)
        if brochure is None or first_error(problems):
            return 0, first_error(problems)
        press = pipeline.render_press(brochure)
        error = first_error(press.problems)
        if error is None:
            writer.write(rel, press.pdf)
        return press.pages, error
    except BrochureError as exc:
        return 0, Problem.from_error(exc)
