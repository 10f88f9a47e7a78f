"""What happened to each brochure in a build: the record the catalog and serve read."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from brochure.problems import Problem, names, plural


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
    blocked: str = ""  # why out/ could not be written (the disk is full), if that is why
    missing: str = ""  # what of a written brochure that kept out, e.g. "its preview page"


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


def blocked_message(out: str, why: str, outcomes: list[Outcome], lost: str = "") -> str:
    """Say once that out/ could not be written, and what was and was not written."""
    from brochure.build.output import DISK_FULL

    built = [
        f"{o.slug}.pdf" + (f" (without {o.missing})" if o.missing else "")
        for o in outcomes
        if o.status == Status.BUILT or o.written
    ]
    kept = [o.missing or f"{o.slug}.pdf" for o in outcomes if o.blocked and not o.written]
    parts = []
    if built:
        parts.append(f"{names(built)} {'was' if len(built) == 1 else 'were'} written")
    if kept:
        last = "its last good PDF is" if len(kept) == 1 else "their last good PDFs are"
        verb = "was" if len(kept) == 1 else "were"
        parts.append(f"{names(kept)} {verb} not{'' if built else ' written'} ({last} kept)")
    if not parts:
        parts.append("no brochure was rebuilt")
    todo = "Free some space" if why == DISK_FULL else "Make the folder writable"
    return f"{out}/: {why}: {', '.join(parts)}{lost}. {todo}, then build again."
