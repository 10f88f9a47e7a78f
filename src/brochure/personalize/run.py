"""Personalised copies: one PDF per lead and brochure, fast.

Each brochure is rendered once with hidden room for the per-lead parts (the "Prepared for"
lines and the booking QR code). Each copy then only lays out its "Prepared for" lines on an
otherwise empty page and stamps them, with its own QR code and links, onto the shared pages
(stamp.py), in worker processes. A copy whose lines need more room than was kept (very long
texts) is rendered in full instead, so it is never wrong, only slower.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brochure.build.fingerprint import fingerprint, shared_fingerprint
from brochure.build.output import BuildState, Writer
from brochure.build.pipeline import Pipeline
from brochure.errors import BrochureError, SourceError
from brochure.personalize.filenames import UniqueNames, safe_name
from brochure.problems import first_error, plural
from brochure.render.html import (
    SLOT_CSS,
    Lead,
    booking_url,
    overlay,
    overlay_css,
    overlay_template,
    render,
)
from brochure.source import glyphs
from brochure.source.brand import tel_href
from brochure.source.content import Brochure
from brochure.source.leads import LeadRow, RowProblem, open_leads
from brochure.source.project import Project

if TYPE_CHECKING:
    from brochure.render.pdf import Place

STATE_FILE = ".personalize-state.json"
MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ("lead_id", "name", "email", "brochure", "file", "pages", "bytes", "row")
WORKER_TIMEOUT = 60  # seconds, plus 2 s a copy, before a batch is given up
BATCH = 128  # copies handed to the workers at a time: memory stays flat however long the CSV
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


@dataclass
class Copy:
    """What happened to one copy: written, skipped (up to date) or failed."""

    row: int
    slug: str
    status: str
    file: str = ""
    pages: int = 0
    size: int = 0
    error: str = ""  # the report line: place, row and reason
    lead: LeadRow | None = None
    key: str = ""
    reason: str = ""  # why it failed, in plain words (no file or row)


@dataclass
class Summary:
    """The counts a run ends with."""

    leads: int = 0
    brochures: int = 0
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("written", "skipped", "failed"), 0)
    )
    manifest: Path | None = None

    @property
    def failed(self) -> bool:
        return self.counts["failed"] > 0

    def line(self) -> str:
        """Return the closing line of a run."""
        text = ", ".join(f"{n} {status}" for status, n in self.counts.items())
        return f"{text} ({plural(self.leads, 'lead')} x {plural(self.brochures, 'brochure')})."


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
    """Write one PDF per lead and brochure into `out_dir`, plus manifest.csv."""
    if not slugs:
        raise BrochureError(
            "Name at least one brochure, e.g. brochure personalize conditions --leads leads.csv."
        )
    leads = open_leads(leads_path)
    rows = leads.count()  # a first pass that also stops on broken CSV before any writing
    if rows == 0:
        raise BrochureError(f"{leads_path}: no leads below the header row. Add one lead a row.")
    copies = Copies(project, slugs, out_dir, leads_path, jobs=jobs, force=force)
    if total:
        total(rows * len(copies.shared))
    summary = Summary(leads=rows, brochures=len(copies.shared))
    writer = Writer(out_dir)
    with writer.open(MANIFEST) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        manifest = csv.writer(text)
        manifest.writerow(MANIFEST_COLUMNS)
        with closing(copies.make(leads.rows())) as made:
            for copy in made:
                summary.counts[copy.status] += 1
                if copy.error:
                    echo(copy.error)
                if copy.lead is not None and copy.status != "failed":
                    manifest.writerow(_manifest_row(copy, copy.lead))
                if progress:
                    progress(1)
        text.flush()
        text.detach()
    summary.manifest = out_dir / MANIFEST
    return summary


class Copies:
    """The copies of some brochures for a stream of leads: what `personalize` and `send` use.

    Creating it renders each brochure's shared pages once (errors stop here, before any
    writing); `make` then turns lead rows into copies below `out_dir`, in order.
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
        background: bool = False,
    ) -> None:
        self.project = project
        self.pipeline = Pipeline(project)
        self.shared = [prepare(self.pipeline, path) for path in project.brochure_paths(slugs)]
        self.out_dir = out_dir
        self.leads_path = leads_path
        self.jobs = jobs
        self.force = force
        self.background = background  # the caller is busy per copy: workers make them all

    def make(self, rows: Iterable[LeadRow | RowProblem]) -> Iterator[Copy]:
        """Yield one Copy per row and brochure, in row order (bad rows come out failed).

        Up-to-date copies are skipped; the state is saved even when the caller stops early
        or the run is interrupted, so a re-run skips what was written.
        """
        state = BuildState(self.out_dir, STATE_FILE)
        brand = self.pipeline.brand
        fonts = tuple(
            self.project.root / f.path for f in brand.fonts if f.family == brand.base_family
        )
        tasks = _tasks(rows, self.shared, state, self.leads_path, fonts, self.force)
        try:
            for copy in _run(
                self.project,
                self.shared,
                self.out_dir,
                self.leads_path,
                tasks,
                self.jobs,
                self.background,
            ):
                if copy.status == "written":
                    state.record(copy.file, copy.key)
                yield copy
        finally:
            state.save()


def _manifest_row(copy: Copy, lead: LeadRow) -> tuple[object, ...]:
    return (
        _cell(lead.lead_id),
        _cell(lead.name),
        _cell(lead.email),
        copy.slug,
        _cell(copy.file),
        copy.pages,
        copy.size,
        copy.row,
    )


def _cell(text: str) -> str:
    """Keep a spreadsheet from running lead text as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def prepare(pipeline: Pipeline, path: Path) -> Shared:
    """Render the shared pages of one brochure, with hidden room for the per-lead parts."""
    from brochure.render.pdf import capture_log, find_places, page_size, user_css

    brochure, problems = pipeline.read(path)
    error = first_error(problems)
    if error is not None or brochure is None:
        raise (error.to_error() if error else SourceError(path, "cannot read the brochure"))
    renderer = pipeline.renderer
    html = render(pipeline.project, pipeline.brand, brochure, lead=SLOT_LEAD, env=pipeline.env).html
    with capture_log() as log:
        document = renderer.layout(html, log, stylesheets=(user_css(SLOT_CSS, renderer),))
        pdf = renderer.write(document)
    if log.errors:
        raise SourceError(
            path,
            f"rendering failed: {log.errors[0]}",
            hint="Run brochure build to see every problem",
        )
    if len(document.pages) > brochure.pages:
        raise SourceError(
            path,
            f"the brochure runs to {len(document.pages)} pages but its "
            f"budget is `pages: {brochure.pages}`",
            line=brochure.line_of("pages"),
            hint="Run brochure build and shorten it first",
        )
    places = find_places(document, ("prepared-for", "qr"))
    key = fingerprint(shared_fingerprint(pipeline.project), path)
    return Shared(
        path.stem,
        path,
        pdf,
        len(document.pages),
        page_size(document),
        places.get("prepared-for"),
        places.get("qr"),
        key,
    )


def _tasks(
    rows: Iterable[LeadRow | RowProblem],
    shared: list[Shared],
    state: BuildState,
    leads_path: Path,
    fonts: tuple[Path, ...],
    force: bool,
) -> Iterator[Task | Copy]:
    """Turn rows into copies to make; bad rows and up-to-date copies come out as Copy."""
    names = {s.slug: UniqueNames() for s in shared}
    for row in rows:
        if isinstance(row, LeadRow):
            problem = _glyph_problem(row, fonts)
            row = problem or row
        if isinstance(row, RowProblem):
            message = row.problem(leads_path).format()
            reason = plain_reason(row.message, row.hint)
            for s in shared:  # one failed copy per brochure, reported once
                yield Copy(row.row, s.slug, "failed", error=message, reason=reason)
                message = ""
            continue
        stem = safe_name(row.name)
        for s in shared:
            file = f"{s.slug}/{names[s.slug].claim(stem)}"
            key = _copy_key(s, row, file)
            target = state.path.parent / file
            if not force and state.fresh(file, key, [target]):
                yield Copy(
                    row.row, s.slug, "skipped", file, s.pages, target.stat().st_size, lead=row
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
    unprinted = ("row", "line", "coordinator_email")
    fields = {k: v for k, v in asdict(row).items() if k not in unprinted}
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


def _run(
    project: Project,
    shared: list[Shared],
    out_dir: Path,
    leads_path: Path,
    items: Iterator[Task | Copy],
    jobs: int,
    background: bool = False,
) -> Iterator[Copy]:
    """Make the copies in `jobs` processes; yield them in CSV order.

    By default this process is one of the workers: it starts `jobs - 1` more and, batch by
    batch, makes every `jobs`-th copy itself while they make the others. With `background`
    (for a caller with work of its own per copy, such as sending it), `jobs` workers make
    every copy. Either way the workers start on the next batch before this one is yielded.
    """
    jobs = jobs or os.cpu_count() or 1
    _init(project.root, shared, out_dir, leads_path)
    if jobs == 1 and not background:
        yield from (item if isinstance(item, Copy) else _make(item) for item in items)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    workers, share = (jobs, 0) if background else (jobs - 1, jobs)
    with context.Pool(workers, _init, (project.root, shared, out_dir, leads_path)) as pool:
        batches = _batches(items, BATCH)
        current = _submit(pool, next(batches, None), share)
        while current is not None:
            batch, ours, theirs, pending = current
            made = {id(t): _make(t) for t in ours}
            try:
                done = pending.get(timeout=WORKER_TIMEOUT + 2 * len(theirs))
            except multiprocessing.TimeoutError:
                raise BrochureError(
                    "a worker process stopped answering. Run the same command again: "
                    "copies already written are kept."
                ) from None
            made.update(zip(map(id, theirs), done, strict=True))
            current = _submit(pool, next(batches, None), share)  # on while we yield
            for item in batch:
                yield item if isinstance(item, Copy) else made[id(item)]


def _submit(pool: Any, batch: list[Task | Copy] | None, share: int) -> tuple[Any, ...] | None:
    """Hand a batch's copies to the workers, but every `share`-th (0: none) kept for us."""
    if batch is None:
        return None
    tasks = [item for item in batch if isinstance(item, Task)]
    ours = tasks[::share] if share else []
    theirs = [t for i, t in enumerate(tasks) if i % share] if share else tasks
    return batch, ours, theirs, pool.map_async(_make, theirs, chunksize=2)


def _batches(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


_maker: Maker | None = None


def _init(root: Path, shared: list[Shared], out_dir: Path, leads_path: Path) -> None:
    global _maker
    if _maker is None or _maker.shared_list is not shared:  # a forked worker reuses ours
        _maker = Maker(Project(root), shared, out_dir, leads_path)


def _make(task: Task) -> Copy:
    assert _maker is not None
    return _maker.make(task)


class Maker:
    """Makes copies in one process: lays out overlays, stamps them, writes the files."""

    def __init__(
        self, project: Project, shared: list[Shared], out_dir: Path, leads_path: Path
    ) -> None:
        from brochure.render.pdf import user_css

        self.leads_path = leads_path
        self.shared_list = shared
        self.pipeline = Pipeline(project)
        self.shared = {s.slug: s for s in shared}
        self.writer = Writer(out_dir)
        self.brochures: dict[str, Brochure] = {}
        renderer = self.pipeline.renderer
        self.css = {}
        self.template = overlay_template(self.pipeline.env)
        self.color = self.pipeline.brand.colors.get("dark", "#000")
        self.fast = {s.slug: s.slot is not None for s in shared}
        for s in shared:
            brochure, _ = self.pipeline.read(s.path)
            assert brochure is not None  # checked by prepare()
            self.brochures[s.slug] = brochure
            self.css[s.slug] = (
                user_css(stylesheet_for(self.pipeline, brochure), renderer),
                user_css(overlay_css(*s.size), renderer),
            )

    def make(self, task: Task) -> Copy:
        """Make one copy and write it; failures come back as a failed Copy."""
        row = task.lead
        try:
            pdf, pages = self.render(task.slug, lead_for(row, self.pipeline.brand.phone_country))
            self.writer.write(task.file, pdf, sync=False)
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
        return Copy(
            row.row, task.slug, "written", task.file, pages, len(pdf), lead=row, key=task.key
        )

    def render(self, slug: str, lead: Lead) -> tuple[bytes, int]:
        """Return one copy's PDF bytes and page count (stamped, or in full if need be)."""
        from brochure.personalize.stamp import Square, stamp
        from brochure.render.pdf import PLAIN_OPTIONS, capture_log, find_places

        shared, brochure = self.shared[slug], self.brochures[slug]
        if not self.fast[slug]:
            return self.full(brochure, lead)
        brand = self.pipeline.brand
        html = overlay(self.template, brochure, lead, shared.slot)
        with capture_log() as log:
            document = self.pipeline.renderer.layout(
                html, log, stylesheets=self.css[slug], options=PLAIN_OPTIONS
            )
            layer = self.pipeline.renderer.write(document, **PLAIN_OPTIONS)
        if log.errors:
            raise SourceError(brochure.path, f"rendering the copy failed: {log.errors[0]}")
        drawn = find_places(document, ("prepared-for",)).get("prepared-for")
        if drawn is None or drawn.height > shared.slot.height + 0.5:
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
            lead_url=booking_url(brand, lead),
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
        return Copy(row.row, task.slug, "failed", error=problem.format(), reason=reason)


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
    from brochure.render.html import stylesheet

    return stylesheet(pipeline.project, pipeline.brand, brochure.layout, lambda rel: rel)
