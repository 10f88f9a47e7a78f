"""One worker pool for every batch job: build renders brochures, personalize makes copies.

Workers are forked, so they share what the parent loaded before (WeasyPrint, fonts, the
brand): set up first, then call `parallel_map`. Where forking is unsafe or pointless (a
threaded program such as the live server, one core, one item) the work runs in this process.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from brochure.errors import BrochureError

T = TypeVar("T")
R = TypeVar("R")

_WORK: Callable[[Any], Any] | None = None  # what forked workers run: set before the fork
AHEAD = 4  # chunks in flight per worker: enough to keep every worker busy


def _start_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops them, nothing half-done
    # A short build may turn the collector off in the parent; a worker that renders many
    # brochures would then keep every cycle of garbage (about 3.5 MB a brochure).
    gc.enable()


def _call(chunk: list[Any]) -> list[Any]:
    assert _WORK is not None
    return [_WORK(item) for item in chunk]


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Group `items` into lists of `size` (the last may be shorter)."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def can_fork() -> bool:
    """Tell whether worker processes may be forked from this process now."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def parallel_map(
    work: Callable[[T], R],
    items: Iterable[T],
    *,
    jobs: int = 0,
    chunksize: int = 1,
    timeout: float | None = None,
) -> Iterator[R]:
    """Yield `work(item)` for every item, in order, using `jobs` processes (0: one per core).

    `work` may be any callable (a bound method, a closure): workers inherit it by forking.
    `items` is read in this thread, a few chunks ahead of what has been yielded, so a long
    input stays out of memory and a generator feeding it runs where it was made. `timeout`
    bounds the wait for any one chunk: a worker that stops answering ends the run with an
    error (what was already yielded stands).
    """
    global _WORK
    jobs = jobs or os.cpu_count() or 1
    if jobs < 2 or not can_fork():
        yield from map(work, items)
        return
    _WORK = work
    gc.freeze()  # workers share the parent's objects: keep the collector off them
    try:
        with multiprocessing.get_context("fork").Pool(jobs, _start_worker) as pool:
            pending: deque[Any] = deque()
            for chunk in _chunks(items, chunksize):
                pending.append(pool.apply_async(_call, (chunk,)))
                if len(pending) >= AHEAD * jobs:
                    yield from _result(pending.popleft(), timeout)
            while pending:
                yield from _result(pending.popleft(), timeout)
    finally:
        _WORK = None
        gc.unfreeze()


def _result(pending: Any, timeout: float | None) -> list[Any]:
    """Wait for one chunk's results."""
    try:
        return pending.get(timeout)
    except multiprocessing.TimeoutError:
        raise BrochureError(
            "a worker process stopped answering. Run the same command again: "
            "what was already written is kept."
        ) from None
