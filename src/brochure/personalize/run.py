"""Personalised copies: one PDF per lead and brochure, fast.

Each brochure is rendered once with hidden room for the per-lead parts (the "Prepared for"
lines and the booking QR code). Each copy is then, in worker processes, the shared PDF's
bytes with an incremental update appended: its "Prepared for" lines shaped and drawn
directly, its QR code, links, tags and lead id (stamp.Stamper). A copy it cannot draw
exactly (letters outside the embedded fonts) lays out its lines with WeasyPrint on an
otherwise empty page and stamps them (stamp.stamp); one whose lines need more room than was
kept (very long texts) is rendered in full. Never wrong, at worst slower.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brochure.build.fingerprint import fingerprint, shared_fingerprint
from brochure.build.output import Writer, write_problem
from brochure.build.pipeline import Pipeline
from brochure.build.workers import parallel_map
from brochure.errors import BrochureError, SourceError, display_path
from brochure.personalize.filenames import UniqueNames, safe_name
from brochure.personalize.ledger import MANIFEST, Ledger, journal, locked
from brochure.problems import first_error, names, plural
from brochure.render.html import (
    SLOT_CSS,
    Lead,
    booking_url,
    overlay,
    overlay_css,
    overlay_template,
)
from brochure.source import editions, glyphs, locales
from brochure.source.brand import tel_href
from brochure.source.content import Brochure
from brochure.source.leads import LeadRow, RowProblem, open_counted
from brochure.source.locales import ENGLISH
from brochure.source.project import Project

if TYPE_CHECKING:
    from brochure.personalize.stamp import Stamper
    from brochure.render.pdf import Place

WORKER_TIMEOUT = 60  # seconds to wait for any one copy before the run is given up
MAX_ROWS_SHOWN = 10  # failed rows named in the closing line
PREPARED_FOR, QR = "prepared-for", "qr"  # the HTML classes of the room kept per lead
SLOT_LEAD = Lead(name="\u2014")  # what the shared pages keep room for (drawn hidden)


@dataclass(frozen=True)
class Shared:
    """One brochure rendered once for all its copies."""

    slug: str
    path: Path
    pdf: bytes
    pages: int
    size: tuple[float, float]
    slot: Place | None  # the room kept for the "Prepared for" line
    qr: Place | None  # the room kept for the booking QR code
    key: str  # fingerprint of everything the copies share


@dataclass(frozen=True)
class Task:
    """One copy to make: a lead and a brochure, to a file below the output folder."""

    lead: LeadRow
    slug: str
    file: str
    key: str


class CopyStatus(StrEnum):
    """The end of one copy."""

    WRITTEN = "written"
    SKIPPED = "skipped"  # up to date from an earlier run
    FAILED = "failed"


@dataclass
class Copy:
    """What happened to one copy: written, skipped (up to date) or failed."""

    row: int
    slug: str
    status: CopyStatus
    file: str = ""
    pages: int = 0
    size: int = 0
    error: str = ""  # the report line: place, row and reason
    lead: LeadRow | None = None
    key: str = ""
    halt: str = ""  # why nothing more can be written (the disk is full), if that is why
    reason: str = ""  # why it failed, in plain words (no file or row)

    def facts(self) -> dict[str, object]:
        """What the manifest says about this copy."""
        lead = self.lead
        assert lead is not None
        return {
            "lead_id": lead.lead_id,
            "name": lead.name,
            "email": lead.email,
            "brochure": self.slug,
            "pages": self.pages,
            "bytes": self.size,
            "row": self.row,
        }


@dataclass
class Summary:
    """The counts a run ends with: copies by what happened to them, and the leads that failed."""

    leads: int = 0
    brochures: int = 0
    counts: dict[CopyStatus, int] = field(default_factory=lambda: dict.fromkeys(CopyStatus, 0))
    failed_rows: set[int] = field(default_factory=set)
    manifest: Path | None = None

    @property
    def failed(self) -> bool:
        return self.counts[CopyStatus.FAILED] > 0

    def add(self, copy: Copy) -> None:
        """Count one copy."""
        self.counts[copy.status] += 1
        if copy.status == CopyStatus.FAILED:
            self.failed_rows.add(copy.row)

    def line(self) -> str:
        """Return the closing line of a run, e.g. `2 leads failed (rows 9 and 11), 20 copies
        written, 0 skipped (12 leads x 2 brochures).`"""
        written, skipped = self.counts[CopyStatus.WRITTEN], self.counts[CopyStatus.SKIPPED]
        text = f"{copies(written)} written, {skipped} skipped"
        if self.failed_rows:
            rows = sorted(self.failed_rows)
            shown = [str(r) for r in rows[:MAX_ROWS_SHOWN]]
            if len(rows) > MAX_ROWS_SHOWN:
                shown.append(f"{len(rows) - MAX_ROWS_SHOWN} more")
            listed = names(shown)
            word = "row" if len(rows) == 1 else "rows"
            text = f"{plural(len(rows), 'lead')} failed ({word} {listed}), {text}"
        return f"{text} ({plural(self.leads, 'lead')} x {plural(self.brochures, 'brochure')})."


def copies(n: int) -> str:
    """Return `1 copy`, `2 copies`."""
    return f"{n} {'copy' if n == 1 else 'copies'}"


def personalize(
    project: Project,
    slugs: tuple[str, ...],
    leads_path: Path,
    out_dir: Path,
    *,
    jobs: int = 0,
    force: bool = False,
    echo: Callable[[str], None] = print,
    progress: Callable[[int], None] | None = None,
    total: Callable[[int], None] | None = None,
) -> Summary:
    """Write one PDF per lead and brochure into `out_dir`, plus manifest.csv.

    Each copy is recorded as it is written (ledger.py), so a run that is stopped or that
    fills the disk keeps everything it made, and the next run skips it.
    """
    leads, rows = open_counted(leads_path, slugs, "personalize")
    copies = Copies(
        project,
        slugs,
        out_dir,
        leads_path,
        jobs=jobs,
        force=force,
        languages="language" in leads.columns,
        echo=echo,
    )
    total_copies = rows * len(copies.shared)
    if total:
        total(total_copies)
    summary = Summary(leads=rows, brochures=len(copies.shared))
    try:
        with closing(copies.make(leads.rows())) as made:
            for copy in made:
                summary.add(copy)
                if copy.error:
                    echo(copy.error)
                if progress:
                    progress(1)
    except DiskFull as full:  # what was written is kept and listed, as far as the disk allows
        summary.counts[CopyStatus.WRITTEN] = full.written
        listed = copies.manifest is not None
        raise BrochureError(_halted(out_dir, full.why, summary, total_copies, listed)) from None
    summary.manifest = copies.manifest
    return summary


class DiskFull(BrochureError):
    """Nothing more can be written below the output folder (full, read-only)."""

    def __init__(self, out_dir: Path, why: str, written: int) -> None:
        super().__init__(f"{display_path(out_dir)}/: {why}. Free some space, then try again.")
        self.why = why
        self.written = written  # copies written in this run, all kept


class Copies:
    """The copies of some brochures for a stream of leads: what `personalize` and `send` use.

    Creating it renders each brochure's shared pages once (errors stop here, before any
    writing); `make` then turns lead rows into copies below `out_dir`, in order, each
    recorded in the folder's ledger as it is written, and listed in its manifest.csv.
    """

    def __init__(
        self,
        project: Project,
        slugs: tuple[str, ...],
        out_dir: Path,
        leads_path: Path,
        *,
        jobs: int = 0,
        force: bool = False,
        languages: bool = False,
        echo: Callable[[str], None] = print,
    ) -> None:
        self.project = project
        self.pipeline = Pipeline(project)
        self.shared = [prepare(self.pipeline, path) for path in project.brochure_paths(slugs)]
        # With a Language column, each lead gets the edition in its language where there is one.
        self.editions = _editions(self.pipeline, self.shared) if languages else {}
        self.echo = echo
        self.out_dir = out_dir
        self.leads_path = leads_path
        self.jobs = jobs
        self.force = force
        self.manifest: Path | None = None  # manifest.csv, once `make` has written it

    def make(self, rows: Iterable[LeadRow | RowProblem]) -> Generator[Copy, None, None]:
        """Yield one Copy per row and brochure, in row order (bad rows come out failed).

        Up-to-date copies are skipped. Every copy is recorded as it is written, so a run
        that is stopped (or stops early) keeps what it made and a re-run skips it. Raises
        DiskFull when nothing more can be written.
        """
        brand = self.pipeline.brand
        fonts = tuple(
            self.project.root / f.path for f in brand.fonts if f.family == brand.base_family
        )
        with locked(self.out_dir):
            ledger = Ledger(self.out_dir)
            _save(ledger, self.out_dir, "")  # take in what a stopped run had finished
            chooser = Editions(self.editions, self.leads_path, self.echo)
            tasks = _tasks(rows, self.shared, ledger, chooser, fonts, self.force)
            every = [*self.shared, *self.editions.values()]
            maker = Maker(self.project, every, self.out_dir, self.leads_path)
            halt = ""
            try:
                for copy in _run(maker, tasks, self.jobs):
                    if copy.halt:
                        halt = copy.halt
                        break
                    if copy.lead is not None and copy.status != CopyStatus.FAILED:
                        ledger.record(copy.file, copy.key, copy.facts())
                    yield copy
            finally:  # even when interrupted: a re-run then skips what was written
                written = _save(ledger, self.out_dir, halt)
            # The manifest lists every copy in the folder (a full disk: as far as it can).
            self.manifest = _write_manifest(ledger, self.out_dir, halt)
            if halt:
                raise DiskFull(self.out_dir, halt, written)


def _save(ledger: Ledger, out_dir: Path, halt: str) -> int:
    """Save the ledger; return how many copies were written since the last save.

    When it cannot be saved and the run was not already stopped by a full disk, say why.
    """
    try:
        ledger.save()
    except OSError as exc:
        if halt:  # said once, with the rest
            return ledger.journalled
        raise BrochureError(
            f"{display_path(out_dir)}/: {write_problem(exc)}: cannot save which copies are "
            "made. Free some space (or pick another --out folder) and run the same command "
            "again."
        ) from None
    return ledger.journalled


def _write_manifest(ledger: Ledger, out_dir: Path, halt: str) -> Path | None:
    """Write the manifest; None when it could not be written (then the old one is kept)."""
    try:
        return ledger.write_manifest(Writer(out_dir))
    except OSError as exc:
        if halt:
            return None
        raise BrochureError(
            f"{display_path(out_dir)}/: {write_problem(exc)}: {MANIFEST} was not updated "
            "(the copies are all written). Free some space and run the same command again."
        ) from None


def _halted(out_dir: Path, halt: str, summary: Summary, total: int, listed: bool) -> str:
    """The one line that says a run stopped because nothing more could be written."""
    written = summary.counts[CopyStatus.WRITTEN]
    left = total - sum(summary.counts.values())
    where = f"listed in {MANIFEST}" if listed else f"{MANIFEST} could not be updated either"
    return (
        f"{display_path(out_dir)}/: {halt}. {copies(written)} written and kept ({where}), "
        f"{left} not made. Free some space, then run the same command again: it skips the "
        "copies already made."
    )


def prepare(pipeline: Pipeline, path: Path) -> Shared:
    """Render the shared pages of one brochure, with hidden room for the per-lead parts."""
    brochure, problems = pipeline.read(path)
    error = first_error(problems)
    if error is not None or brochure is None:
        raise (error.to_error() if error else SourceError(path, "cannot read the brochure"))
    result = pipeline.render(
        brochure,
        lead=SLOT_LEAD,
        preview=False,
        extra_css=SLOT_CSS,
        places=(PREPARED_FOR, QR),
    )
    error = first_error(result.problems)
    if error is not None:
        raise error.to_error()
    key = fingerprint(shared_fingerprint(pipeline.project), path)
    return Shared(
        brochure.slug,
        path,
        result.pdf,
        result.pages,
        result.size,
        result.places.get(PREPARED_FOR),
        result.places.get(QR),
        key,
    )


def _editions(pipeline: Pipeline, shared: list[Shared]) -> dict[tuple[str, str], Shared]:
    """Render the editions of the brochures in `shared`: (original slug, language) -> pages."""
    originals = {editions.name_of(each.path): each.slug for each in shared}
    found = {}
    for path in pipeline.project.brochure_paths():
        edition = editions.name_of(path)
        if edition.language and edition.source in originals:
            found[(originals[edition.source], edition.language)] = prepare(pipeline, path)
    return found


class Editions:
    """Choose each lead's edition from its Language cell; say when there is none."""

    def __init__(
        self,
        found: dict[tuple[str, str], Shared],
        leads_path: Path,
        echo: Callable[[str], None],
    ) -> None:
        self.found = found
        self.leads_path = leads_path
        self.echo = echo
        self.known = tuple(sorted({ENGLISH, *(language for _, language in found)}))

    def choose(self, row: LeadRow, shared: Shared) -> Shared:
        """Return the edition of `shared` in the row's language, or `shared` itself."""
        if not row.language:
            return shared
        code = locales.code_for(row.language, self.known)
        edition = self.found.get((shared.slug, code or ""))
        if edition is None and code != ENGLISH:
            what = locales.language_name(code) if code else f"“{row.language}”"
            message = f"there is no {what} edition of {shared.slug}: the copy is in English"
            hint = (
                f"Add brochures/{shared.slug}.{code}.md"
                if code
                else f"Write one of {', '.join(self.known)} or the language's name"
            )
            warning = RowProblem(row.row, row.line, message, hint).problem(self.leads_path)
            self.echo(dataclasses.replace(warning, level="warning").format())
        return edition or shared


def _tasks(
    rows: Iterable[LeadRow | RowProblem],
    shared: list[Shared],
    ledger: Ledger,
    chooser: Editions,
    fonts: tuple[Path, ...],
    force: bool,
) -> Iterator[Task | Copy]:
    """Turn rows into copies to make; bad rows and up-to-date copies come out as Copy."""
    leads_path = chooser.leads_path
    names: dict[str, UniqueNames] = defaultdict(UniqueNames)
    for row in rows:
        if isinstance(row, LeadRow):
            problem = _glyph_problem(row, fonts)
            row = problem or row
        if isinstance(row, RowProblem):
            message = row.problem(leads_path).format()
            reason = plain_reason(row.message, row.hint)
            for s in shared:  # one failed copy per brochure, reported once
                yield Copy(row.row, s.slug, CopyStatus.FAILED, error=message, reason=reason)
                message = ""
            continue
        stem = safe_name(row.name)
        for s in (chooser.choose(row, original) for original in shared):
            file = f"{s.slug}/{names[s.slug].claim(stem)}"
            key = _copy_key(s, row, file)
            if not force and ledger.fresh(file, key):
                size = (ledger.out_dir / file).stat().st_size
                yield Copy(
                    row.row, s.slug, CopyStatus.SKIPPED, file, s.pages, size, lead=row, key=key
                )
            else:
                yield Task(row, s.slug, file, key)


def _glyph_problem(row: LeadRow, fonts: tuple[Path, ...]) -> RowProblem | None:
    """Report a row whose printed text has letters the body font lacks (no boxes printed)."""
    printed = {
        "name": row.name,
        "coordinator": row.coordinator,
        "coordinator_phone": row.coordinator_phone,
        "appointment": row.appointment,
    }
    for label, value in printed.items():
        lacking = glyphs.missing(value, fonts)
        if lacking:
            return RowProblem(
                row.row,
                row.line,
                f"the brochure fonts have no letters for {lacking!r} (in {label} {value!r})",
                "Write it in Latin, Greek or Cyrillic letters, or add a font that has them "
                "to _brand.yml",
            )
    return None


def _copy_key(shared: Shared, row: LeadRow, file: str) -> str:
    fields = {k: v for k, v in asdict(row).items() if k not in ("row", "line")}
    text = json.dumps([shared.key, file, fields], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def lead_for(row: LeadRow, country: str = "+1") -> Lead:
    """The details a copy prints for `row`."""
    phone = row.coordinator_phone
    return Lead(
        name=row.name,
        lead_id=row.lead_id,
        coordinator=row.coordinator,
        coordinator_phone=phone,
        coordinator_phone_href=tel_href(phone, country) if phone else "",
        appointment=row.appointment,
    )


def _run(maker: Maker, items: Iterator[Task | Copy], jobs: int) -> Iterator[Copy]:
    """Make the copies in `jobs` worker processes; yield them in CSV order."""
    return parallel_map(maker.make, items, jobs=jobs, chunksize=2, timeout=WORKER_TIMEOUT)


class Maker:
    """Makes copies in one process: lays out overlays, stamps them, writes the files."""

    def __init__(
        self, project: Project, shared: list[Shared], out_dir: Path, leads_path: Path
    ) -> None:
        from brochure.render.pdf import user_css

        self.leads_path = leads_path
        self.pipeline = Pipeline(project)
        self.shared = {s.slug: s for s in shared}
        self.writer = Writer(out_dir)
        self.brochures: dict[str, Brochure] = {}
        renderer = self.pipeline.renderer
        self.css = {}
        self.template = overlay_template(self.pipeline.env)
        self.color = self.pipeline.brand.colors.get("dark", "#000")
        for s in shared:
            brochure, _ = self.pipeline.read(s.path, checks=False)
            assert brochure is not None  # checked by prepare()
            self.brochures[s.slug] = brochure
            self.css[s.slug] = (
                user_css(stylesheet_for(self.pipeline, brochure), renderer),
                user_css(overlay_css(*s.size), renderer),
            )
        self.stampers = {s.slug: self.stamper(s) for s in shared}

    def make(self, task: Task | Copy) -> Copy:
        """Make one copy and write it; failures come back as a failed Copy.

        A `Copy` (a bad row, an up-to-date copy) is passed through as it is.
        """
        if isinstance(task, Copy):
            return task
        row = task.lead
        try:
            pdf, pages = self.render(task.slug, lead_for(row, self.pipeline.brand.phone_country))
        except TooLong as exc:
            return self.failed(task, f"{exc.message} in the {task.slug} brochure", exc.hint)
        except BrochureError as exc:
            return self.failed(task, f"the {task.slug} copy failed: {exc.message}", "")
        except Exception as exc:  # a bug: report the row rather than lose the rest
            return self.failed(
                task,
                f"the {task.slug} copy failed ({type(exc).__name__}: {exc})",
                "This is a bug: please report it",
            )
        status = CopyStatus.WRITTEN
        copy = Copy(row.row, task.slug, status, task.file, pages, len(pdf), lead=row, key=task.key)
        try:  # the copy, then its line in the journal: a stopped run keeps it
            path = self.writer.write(task.file, pdf, sync=False)
        except OSError as exc:  # the disk is full (or read-only): no copy can be written
            return Copy(row.row, task.slug, CopyStatus.FAILED, halt=write_problem(exc))
        try:
            journal(self.writer.root, task.file, task.key, copy.facts())
        except OSError as exc:  # a copy not recorded is not kept: the folder stays as said
            path.unlink(missing_ok=True)
            return Copy(row.row, task.slug, CopyStatus.FAILED, halt=write_problem(exc))
        return copy

    def stamper(self, shared: Shared) -> Stamper | None:
        """The fast path for one brochure's copies (None for a brochure without the room)."""
        from brochure.personalize.stamp import Square, Stamper

        if shared.slot is None:
            return None
        brand, qr = self.pipeline.brand, shared.qr
        fonts = {
            (f.family, f.weight, f.style): self.pipeline.project.root / f.path for f in brand.fonts
        }
        return Stamper(
            shared.pdf,
            (shared.slot.page, shared.slot.height),
            Square(qr.page, qr.x, qr.y, qr.width) if qr else None,
            lambda lead: self.overlay(shared.slug, lead)[1:],
            fonts,
            color=self.color,
            booking_url=brand.booking_url,
        )

    def overlay(self, slug: str, lead: Lead) -> tuple[bytes, Any, float]:
        """Lay out one lead's "Prepared for" block alone: its PDF, layout and height."""
        from brochure.render.pdf import PLAIN_OPTIONS, find_places

        shared, brochure = self.shared[slug], self.brochures[slug]
        html = overlay(
            self.template, brochure, lead, shared.slot, self.pipeline.strings(brochure.lang)
        )
        made = self.pipeline.renderer.typeset(
            html, stylesheets=self.css[slug], options=PLAIN_OPTIONS
        )
        if made.log.errors:
            raise SourceError(brochure.path, f"rendering the copy failed: {made.log.errors[0]}")
        drawn = find_places(made.document, (PREPARED_FOR,)).get(PREPARED_FOR)
        return made.pdf, made.document, drawn.height if drawn else float("inf")

    def render(self, slug: str, lead: Lead) -> tuple[bytes, int]:
        """Return one copy's PDF bytes and page count (stamped, or in full if need be)."""
        from brochure.personalize.stamp import Square, stamp

        shared, brochure = self.shared[slug], self.brochures[slug]
        if shared.slot is None:
            return self.full(brochure, lead)
        brand = self.pipeline.brand
        lead_url = booking_url(brand, lead)
        stamper = self.stampers[slug]
        fast = stamper.copy(lead, lead_url) if stamper else None
        if fast is not None:
            return fast, shared.pages
        layer, _, height = self.overlay(slug, lead)
        if height > shared.slot.height + 0.5:
            return self.full(brochure, lead)  # the line needs more room than was kept
        qr = shared.qr
        square = Square(qr.page, qr.x, qr.y, qr.width) if qr else None
        pdf = stamp(
            shared.pdf,
            layer,
            shared.slot.page,
            square,
            color=self.color,
            booking_url=brand.booking_url,
            lead_url=lead_url,
            lead_id=lead.lead_id,
        )
        return pdf, shared.pages

    def full(self, brochure: Brochure, lead: Lead) -> tuple[bytes, int]:
        """Render a copy in full (when its "Prepared for" line needs more room)."""
        result = self.pipeline.render(brochure, lead=lead, preview=False)
        error = first_error(result.problems)
        if error is not None and error.code == "page-budget":
            raise TooLong(
                f"the Prepared for lines make the brochure run to {result.pages} "
                f"pages (its budget is {brochure.pages})",
                "Shorten the coordinator or appointment text",
            )
        if error is not None:
            raise error.to_error()
        return result.pdf, result.pages

    def failed(self, task: Task, message: str, hint: str) -> Copy:
        """A failed copy, reported at the lead's row."""
        row = task.lead
        problem = RowProblem(row.row, row.line, message, hint).problem(self.leads_path)
        reason = plain_reason(message, hint)
        return Copy(row.row, task.slug, CopyStatus.FAILED, error=problem.format(), reason=reason)


def plain_reason(message: str, hint: str) -> str:
    """Return `Message. Hint.`: why a copy failed and what to do, without file or row."""
    text = message.rstrip(".")
    text = text[:1].upper() + text[1:] + "."
    return f"{text} {hint.rstrip('.')}." if hint else text


class TooLong(BrochureError):
    """A copy's Prepared for lines push the brochure past its page budget."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def stylesheet_for(pipeline: Pipeline, brochure: Brochure) -> str:
    """The brochure's CSS as its PDF uses it (fonts, brand variables, common and layout)."""
    from brochure.render.html import layout_styles, stylesheet

    names = layout_styles(pipeline.project, brochure)
    return stylesheet(pipeline.project, pipeline.brand, names, lambda rel: rel)
