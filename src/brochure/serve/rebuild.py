"""Rebuild what a change affects, for `serve`: previews first, then PDFs and the catalog.

It remembers what failed, so the server can show the error in place of a page until a
fix brings the page back, and it reports which pages changed so browsers can reload them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from brochure.build import catalog
from brochure.build.outcome import Outcome, Status
from brochure.build.output import Writer
from brochure.build.run import build, preview
from brochure.errors import BrochureError, error_line
from brochure.source.editions import slug_of
from brochure.source.project import Project


@dataclass(frozen=True)
class Failure:
    """Why a page could not be built: lines of (level, text), the error first."""

    lines: tuple[tuple[str, str], ...]


@dataclass
class Rebuilder:
    """Rebuild a project's outputs and keep track of the pages that failed."""

    project: Project
    echo: Callable[[str], None] = print
    failures: dict[str, Failure] = field(default_factory=dict)  # page name -> failure

    def run(self, slugs: set[str] | None = None, pdf: bool = True) -> set[str]:
        """Rebuild `slugs` (None: every brochure) and the catalog; return the changed pages.

        With `pdf` False only the HTML previews are written (fast); the PDFs follow later.
        """
        start = time.monotonic()
        writer = Writer(self.project.out_dir)
        existing = {slug_of(p) for p in self.project.brochure_paths()}
        failures = {  # a deleted brochure's page is gone, and so is its failure
            page: failure
            for page, failure in self.failures.items()
            if page == catalog.PAGE or page.removesuffix(".html") in existing
        }
        names = tuple(sorted(existing if slugs is None else slugs & existing))
        outcomes = self._outputs(names, writer, pdf)
        for outcome in outcomes:
            page = f"{outcome.slug}.html"
            failures.pop(page, None)
            if outcome.error is not None:
                failures[page] = Failure(
                    (
                        ("error", outcome.error.error_message()),
                        *((p.level, p.format()) for p in outcome.problems),
                    )
                )
        try:
            catalog.write(self.project, outcomes, writer=writer)
            failures.pop(catalog.PAGE, None)
        except BrochureError as exc:
            failures[catalog.PAGE] = Failure((("error", exc.message),))
        changed = self._changed(writer, failures)
        self.failures = failures
        done = [o.slug for o in outcomes if o.status in (Status.BUILT, Status.PREVIEWED)]
        if done:
            what = "previews" if not pdf else "built"
            self.echo(f"{what:<8} {', '.join(done)} ({time.monotonic() - start:.1f} s)")
        return changed

    def _outputs(self, names: tuple[str, ...], writer: Writer, pdf: bool) -> list[Outcome]:
        """Write the PDFs and previews of `names` (only the previews unless `pdf`)."""
        if not names:
            return []
        if not pdf:
            return preview(self.project, names, writer=writer)
        try:
            return build(self.project, names, writer=writer)
        except BrochureError as exc:  # out/ full or read-only: the PDFs are written
            self.echo(error_line(exc.message))
            return []

    def _changed(self, writer: Writer, failures: dict[str, Failure]) -> set[str]:
        """Return the pages written anew or whose failure changed; say each new error once."""
        changed = {
            p.relative_to(writer.root.resolve()).as_posix()
            for p in writer.changed
            if p.suffix == ".html"
        }
        changed |= {
            p
            for p in failures.keys() | self.failures.keys()
            if failures.get(p) != self.failures.get(p)
        }
        new = [failures[page].lines[0][1] for page in sorted(changed & failures.keys())]
        for message in dict.fromkeys(new):  # each new error once, not at each step
            self.echo(error_line(message))
        return changed
