"""Render several brochures at once in worker processes (forked after WeasyPrint loads)."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading

from brochure.build.pipeline import Pipeline, Result, crash_message
from brochure.errors import BrochureError
from brochure.problems import first_error
from brochure.source.content import Brochure

_WORKER: Pipeline | None = None


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _render_in_worker(brochure: Brochure) -> Result | str:
    assert _WORKER is not None
    return _render_or_error(_WORKER, brochure)


def _render_or_error(pipeline: Pipeline, brochure: Brochure) -> Result | str:
    from brochure.render.thumbnail import first_page_png

    try:
        result = pipeline.render(brochure)
        if not first_error(result.problems):  # the catalog's picture, made in the worker too
            result.thumbnail = first_page_png(result.pdf)
        return result
    except BrochureError as exc:  # sent back as text: exceptions with context do not pickle
        return exc.message
    except Exception as exc:  # one broken brochure must not stop the others
        return crash_message(brochure.path, exc)


def render_all(pipeline: Pipeline, brochures: list[Brochure]) -> list[Result | str]:
    """Render brochures, in parallel worker processes when there are several and cores.

    Workers are forked once WeasyPrint is imported and the brand loaded, so they share
    both; never from a threaded program (the live server), where forking is unsafe.
    """
    if not brochures:
        return []
    try:
        pipeline.brand  # noqa: B018 - load (and fail) once, before any fork
        pipeline.renderer  # noqa: B018 - import WeasyPrint before forking: workers share it
    except BrochureError as exc:
        return [exc.message] * len(brochures)
    workers = min(len(brochures), os.cpu_count() or 1)
    if (
        workers < 2
        or "fork" not in multiprocessing.get_all_start_methods()
        or threading.active_count() > 1
    ):
        return [_render_or_error(pipeline, b) for b in brochures]
    global _WORKER
    _WORKER = pipeline
    gc.freeze()  # workers share the parent's objects: keep the collector off them
    try:
        # Workers ignore Ctrl-C: the parent stops them and writes nothing half-done.
        with multiprocessing.get_context("fork").Pool(workers, _ignore_sigint) as pool:
            return pool.map(_render_in_worker, brochures, chunksize=1)
    finally:
        _WORKER = None
