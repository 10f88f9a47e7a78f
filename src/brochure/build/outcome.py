"""What happened to each brochure in a build: the record the catalog and serve read."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from brochure.problems import Problem, plural


class Status(StrEnum):
    """The end of one brochure's build."""

    BUILT = "built"
    SKIPPED = "skipped"  # its inputs did not change: the last outputs stand
    FAILED = "failed"
    PREVIEWED = "previewed"  # only its HTML preview was written (live preview)


@dataclass
class Outcome:
    """What happened to one brochure in a build."""

    slug: str
    status: Status
    pages: int = 0
    problems: list[Problem] = field(default_factory=list)  # findings that did not stop it
    error: Problem | None = None  # what stopped it (status FAILED)
    written: list[str] = field(default_factory=list)  # the PDFs written, relative to out/


def failed(slug: str, problems: list[Problem], error: Problem | None = None) -> Outcome:
    """Return a failed outcome: `error`, or else the first error among `problems`, stopped it."""
    first = next((p for p in problems if p.level == "error"), None)
    rest = [p for p in problems if p is not first]
    stop = error or first or Problem(None, None, "error", "failed")
    return Outcome(slug, Status.FAILED, problems=rest, error=stop)


def thumbnail_path(slug: str) -> str:
    """Return where the picture of a brochure's first page goes, relative to out/."""
    return f"thumbs/{slug}.png"


def summary(outcomes: list[Outcome]) -> str:
    """Return the closing line of a build."""
    counts = {s: sum(o.status == s for o in outcomes) for s in Status if s != Status.PREVIEWED}
    text = ", ".join(f"{n} {s}" for s, n in counts.items())
    return f"{text} ({plural(len(outcomes), 'brochure')})."
