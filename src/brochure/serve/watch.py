"""Watch a project's sources and tell which brochures a change affects (for `serve`)."""

from __future__ import annotations

import asyncio
import glob
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

from brochure.source import editions
from brochure.source.project import BRAND_FILE, CLAIMS_FILE, Project

# Files editors and tools write while saving (swap files, backups, `sed -i` and vim's
# probe files, which have no suffix at all): never a real change.
SCRATCH_SUFFIXES = (".swp", ".swx", ".swo", ".tmp", ".bak", "~")


def is_scratch(path: Path) -> bool:
    """Tell whether `path` is an editor's scratch file rather than a source."""
    name = path.name
    return (
        name.startswith((".", "#"))
        or name.endswith(SCRATCH_SUFFIXES)
        or not path.suffix
        or "__pycache__" in path.parts
    )


def affected(project: Project, changed: Iterable[Path]) -> set[str] | None:
    """Return the slugs whose outputs `changed` files affect; None means every brochure.

    A brochure file affects its own brochure; the brand file, templates, styles, assets
    and any other file affect them all. An empty set means nothing to rebuild.
    """
    slugs: set[str] = set()
    for path in changed:
        if is_scratch(path):
            continue
        if path.parent == project.translated_dir and path.suffix == ".md":
            slugs.add(editions.slug_of(path))  # what an edition was translated from
            continue
        if path.parent == project.brochures_dir and path.suffix == ".md":
            if not path.name.startswith("_"):  # `_draft.md` is not a brochure
                slugs |= _with_editions(project, editions.name_of(path))
            continue
        return None
    return slugs


def _with_editions(project: Project, name: editions.Name) -> set[str]:
    """A brochure and, for a source, its editions (they take its layout and track it)."""
    if name.language:
        return {name.slug}
    found = project.brochures_dir.glob(f"{glob.escape(name.base)}.??.md")
    return {name.slug, *(editions.slug_of(p) for p in found)}


def sources(project: Project) -> list[Path]:
    """Return the folders to watch (with everything below them)."""
    return [
        folder
        for folder in (
            project.brochures_dir,
            project.templates_dir,
            project.styles_dir,
            project.assets_dir,
            project.locales_dir,
        )
        if folder.is_dir()
    ]


async def changes(
    project: Project, stop: asyncio.Event, watching: asyncio.Event | None = None
) -> AsyncIterator[set[Path]]:
    """Yield each batch of changed source files until `stop` is set.

    `watching` is set once the watches are in place: a change after that is seen.

    The folders are watched with everything below them; the project folder itself only
    for the brand and claims files (it also holds out/ and perhaps a .venv).
    """
    from watchfiles import awatch

    queue: asyncio.Queue[set[Path]] = asyncio.Queue()

    async def pump(*paths: Path, recursive: bool, only: tuple[str, ...] = ()) -> None:
        async for batch in awatch(
            *paths, stop_event=stop, recursive=recursive, watch_filter=None, debounce=400, step=30
        ):
            found = {Path(p) for _, p in batch if not only or Path(p).name in only}
            if found:
                queue.put_nowait(found)

    top = (BRAND_FILE, CLAIMS_FILE)  # in the project folder itself, only these are sources
    tasks = [asyncio.create_task(pump(project.root, recursive=False, only=top))]
    if sources(project):
        tasks.append(asyncio.create_task(pump(*sources(project), recursive=True)))
    waiter: asyncio.Task[Any] = asyncio.create_task(stop.wait())
    await asyncio.sleep(0)  # the watcher tasks start, and place their watches, right away
    if watching is not None:
        watching.set()
    try:
        while not stop.is_set():
            getter = asyncio.create_task(queue.get())
            done, _ = await asyncio.wait(
                {getter, waiter, *tasks}, return_when=asyncio.FIRST_COMPLETED
            )
            if getter in done:
                yield getter.result()
                continue
            getter.cancel()
            if _ended(done, tasks) or waiter in done:
                return
    finally:
        for task in (*tasks, waiter):
            task.cancel()


def _ended(done: set[asyncio.Task[Any]], watchers: list[asyncio.Task[None]]) -> bool:
    """Drop the watchers that stopped; raise what one failed with; True when none is left."""
    for task in [t for t in watchers if t in done]:
        watchers.remove(task)
        error = task.exception()
        if error is not None:
            raise error
    return not watchers
