"""The print shop's files: out/press/<slug>.pdf with bleed and crop marks."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from brochure.build.fingerprint import fingerprint
from brochure.build.output import write_problem
from brochure.build.pipeline import Pipeline
from brochure.errors import BrochureError
from brochure.problems import first_error

if TYPE_CHECKING:
    from brochure.build.output import BuildState, Writer
    from brochure.build.run import Outcome


PRESS_DIR = "press"  # out/press/<slug>.pdf: the print shop's files


def build_press(
    pipeline: Pipeline,
    writer: Writer,
    state: BuildState,
    outcomes: dict[str, Outcome],
    shared: hashlib._Hash,
    *,
    force: bool = False,
    echo: Callable[[str], None] = print,
) -> None:
    """Write out/press/<slug>.pdf for each brochure whose office build did not fail.

    Each press file is skipped when its inputs are unchanged (state key `press/<slug>`).
    """
    for slug, outcome in list(outcomes.items()):
        if outcome.status == "failed":
            continue
        path = pipeline.project.brochures_dir / f"{outcome.slug}.md"
        job, rel = f"{PRESS_DIR}/{outcome.slug}", f"{PRESS_DIR}/{outcome.slug}.pdf"
        key = fingerprint(shared, path)
        if not force and state.fresh(job, key, [pipeline.project.out_dir / rel]):
            continue
        error = ""
        try:
            brochure, problems = pipeline.read(path)
            if brochure is not None and first_error(problems) is None:
                press = pipeline.render_press(brochure)
                problems = press.problems
            first = first_error(problems)
            if first is None:
                writer.write(rel, press.pdf)
            else:
                error = first.to_error().message
        except BrochureError as exc:
            error = exc.message
        except OSError as exc:  # out/ full or read-only: said once with the rest
            state.record(job, None)
            why = write_problem(exc)
            outcomes[slug] = dataclasses.replace(
                outcome, status="failed", error=why, blocked=why, missing=rel
            )
            continue
        state.record(job, None if error else key)
        if error:  # the office PDF, if just written, is still reported
            outcomes[slug] = dataclasses.replace(outcome, status="failed", error=error)
            echo(f"Error: {error}")
            continue
        outcomes[slug] = dataclasses.replace(
            outcome, status="built", pages=press.pages, written=[*outcome.written, rel]
        )
