"""The build pipeline: read and check everything, render, then write to out/."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import hashlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, content, markup, panels, resources
from .brand import Brand
from .brand import load as load_brand
from .checks import FAST, RENDERED
from .checks.settings import Settings
from .checks.settings import load as load_settings
from .content import Brochure
from .errors import BrochureError, SourceError
from .problems import Problem, first_error, plural
from .project import Project
from .render import Lead, Rendered, environment, render

if TYPE_CHECKING:
    from .checks.claims import Rule
    from .output import BuildState, Writer
    from .pdf import Log, PageFacts, Renderer

SOURCE_DIR = Path(__file__).parent
PRESS_DIR = "press"  # out/press/<slug>.pdf: the print shop's files
PRESS_STYLES = ("press",)  # styles/press.css: the bleed


@dataclass
class Result:
    """One brochure rendered to PDF (not yet written)."""

    brochure: Brochure
    pdf: bytes
    pages: int
    preview: str
    static: set[str]
    problems: list[Problem] = field(default_factory=list)
    facts: list[PageFacts] = field(default_factory=list)  # per page: text, lines, fill
    log: Log | None = None  # what WeasyPrint logged
    fallback: dict[str, str] = field(default_factory=dict)  # non-brand font -> characters
    overfull: dict[str, int] = field(default_factory=dict)  # trifold panel -> lines too many
    thumbnail: bytes = b""  # a PNG of the first page, for the catalog


@dataclass
class Outcome:
    """What happened to one brochure in a build."""

    slug: str
    status: str  # built, skipped or failed (or previewed: HTML preview only)
    pages: int = 0
    problems: list[Problem] = field(default_factory=list)
    error: str = ""
    written: list[str] = field(default_factory=list)  # the PDFs written, relative to out/


def _files(folder: Path) -> Iterable[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def shared_fingerprint(project: Project) -> hashlib._Hash:
    """Hash every input all brochures share: brand, templates, styles, assets, this code."""
    digest = hashlib.sha256(__version__.encode())
    sources = [project.brand_path]
    if project.claims_path.is_file():  # the clinic's own claim rules change what fails
        sources.append(project.claims_path)
    for folder in (project.templates_dir, project.styles_dir, project.assets_dir, SOURCE_DIR):
        if folder.is_dir():
            sources.extend(_files(folder))
    for path in sources:
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest


def fingerprint(shared: hashlib._Hash, path: Path) -> str:
    """Hash one brochure's own file on top of the shared inputs."""
    digest = shared.copy()
    digest.update(path.read_bytes())
    return digest.hexdigest()


class Pipeline:
    """Load a project's shared parts once, then check and render brochures."""

    def __init__(self, project: Project, today: dt.date | None = None) -> None:
        self.project = project
        self.layouts = project.layouts()
        self.today = today
        self.checks: list[Callable[[Pipeline, Brochure], list[Problem]]] = [
            check_references,
            check_panels,
            *FAST,
        ]
        self.render_checks: list[Callable[[Pipeline, Result], list[Problem]]] = [
            check_panel_overflow,
            *RENDERED,
        ]

    @cached_property
    def _settings(self) -> tuple[Settings, list[Problem]]:
        return load_settings(self.project, self.today)

    @property
    def settings(self) -> Settings:
        """The check settings from `defaults: brochure:` in the brand file."""
        return self._settings[0]

    @cached_property
    def claim_rules(self) -> list[Rule]:
        """The claims rules: the shipped list, changed by the project's claims.yml."""
        from .checks.claims import RulesError, load_rules

        try:
            return load_rules(self.project.root)
        except RulesError as exc:
            raise SourceError(
                self.project.claims_path, str(exc), line=exc.line, hint=exc.hint
            ) from None

    def project_problems(self) -> list[Problem]:
        """Check what every brochure shares: the check settings and the brand's own text."""
        from .checks.brand import check_brand

        return self._settings[1] + check_brand(self)

    @cached_property
    def brand(self) -> Brand:
        return load_brand(self.project)

    @cached_property
    def env(self):
        return environment(self.project)

    @cached_property
    def renderer(self) -> Renderer:
        from .pdf import Renderer  # WeasyPrint takes ~0.4 s to import: only when rendering

        return Renderer(self.project)

    def read(self, path: Path, checks: bool = True) -> tuple[Brochure | None, list[Problem]]:
        """Read one brochure and run the fast checks on it (unless `checks` is False)."""
        brochure, problems = content.read(path, self.layouts)
        if brochure is not None and checks:
            for check in self.checks:
                problems.extend(check(self, brochure))
        return brochure, problems

    def render(self, brochure: Brochure, lead: Lead | None = None, preview: bool = True) -> Result:
        """Render `brochure` to PDF bytes (and its HTML preview); run the render checks."""
        from .checks.disclaimer import MIN_TEXT_PT
        from .pdf import capture_log, fallback_glyphs, overfull_panels, page_facts

        rendered = render(self.project, self.brand, brochure, lead=lead, env=self.env)
        with capture_log() as log:
            document = self.renderer.layout(rendered.html, log)
            pdf = self.renderer.write(document)
        page = self.preview(brochure, lead) if preview else Rendered("")
        families = {f.family for f in self.brand.fonts}
        result = Result(
            brochure,
            pdf,
            len(document.pages),
            page.html,
            page.static,
            facts=page_facts(document, MIN_TEXT_PT),
            log=log,
            fallback=fallback_glyphs(document, families),
            overfull=overfull_panels(document),
        )
        for check in self.render_checks:
            result.problems.extend(check(self, result))
        return result

    def preview(self, brochure: Brochure, lead: Lead | None = None) -> Rendered:
        """Render the browser preview of `brochure` (fast: no PDF)."""
        return render(self.project, self.brand, brochure, lead=lead, env=self.env, mode="preview")

    def render_press(self, brochure: Brochure) -> Result:
        """Render the print shop's file (bleed, crop marks, whole fonts)."""
        from .checks.rendering import check_rendering
        from .pdf import capture_log, fallback_glyphs

        rendered = render(self.project, self.brand, brochure, env=self.env, styles=PRESS_STYLES)
        with capture_log() as log:
            document = self.renderer.layout(rendered.html, log, press=True)
            pdf = self.renderer.write_press(document)
        families = {f.family for f in self.brand.fonts}
        result = Result(
            brochure,
            pdf,
            len(document.pages),
            "",
            set(),
            log=log,
            fallback=fallback_glyphs(document, families),
        )
        result.problems = [
            dataclasses.replace(p, message=f"press file: {p.message}")
            for p in check_rendering(self, result)
        ]
        return result


def check_references(pipeline: Pipeline, brochure: Brochure) -> list[Problem]:
    """Check every image and link in the body."""
    refs = markup.references(brochure.body, brochure.body_line)
    return resources.check_references(pipeline.project, brochure.path, refs)


def check_panels(pipeline: Pipeline, brochure: Brochure) -> list[Problem]:
    """Check which `##` sections fill a trifold's panels."""
    return panels.check(brochure)


def check_panel_overflow(pipeline: Pipeline, result: Result) -> list[Problem]:
    """Report each trifold panel whose text does not fit it."""
    return panels.overflow_problems(result.brochure, result.overfull)


def thumbnail_path(slug: str) -> str:
    """Return where the picture of a brochure's first page goes, relative to out/."""
    return f"thumbs/{slug}.png"


def build(
    project: Project,
    slugs: tuple[str, ...] = (),
    *,
    force: bool = False,
    press: bool = False,
    echo: Callable[[str], None] = print,
    writer: Writer | None = None,
) -> list[Outcome]:
    """Build the brochures named by `slugs` (all by default) into out/.

    With `press`, also write out/press/<slug>.pdf for a print shop (see build_press).
    """
    from .output import BuildState, Writer

    paths = project.brochure_paths(slugs)
    state = BuildState(project.out_dir)
    shared = shared_fingerprint(project)
    writer = writer or Writer(project.out_dir)
    pipeline = Pipeline(project)
    outcomes: dict[str, Outcome] = {}
    keys: dict[str, str] = {}
    stale: list[Path] = []
    for path in paths:
        slug = path.stem
        keys[slug] = fingerprint(shared, path)
        outputs = [
            project.out_dir / name for name in (f"{slug}.pdf", f"{slug}.html", thumbnail_path(slug))
        ]
        if not force and state.fresh(slug, keys[slug], outputs):
            outcomes[slug] = Outcome(slug, "skipped")
        else:
            stale.append(path)
    shared_error = ""
    if stale:  # what all brochures share is checked only when something is rebuilt
        shared_error = _check_shared(pipeline, echo)
        if shared_error:  # every brochure fails, with this one message
            outcomes.update({p.stem: Outcome(p.stem, "failed", error=shared_error) for p in stale})
            stale = []
    todo: list[tuple[Brochure, list[Problem]]] = []
    for path in stale:
        slug = path.stem
        brochure, problems = pipeline.read(path)
        if brochure is None or first_error(problems):
            outcomes[slug] = _failed(slug, problems)
        else:
            todo.append((brochure, problems))
    results = render_all(pipeline, [b for b, _ in todo])
    for (brochure, problems), result in zip(todo, results, strict=True):
        outcomes[brochure.slug] = _write(pipeline, writer, brochure, problems, result)
    for slug, outcome in outcomes.items():
        if outcome.status != "skipped":
            facts = {"pages": outcome.pages, "problems": [p.to_state() for p in outcome.problems]}
            state.record(slug, keys[slug] if outcome.status == "built" else None, facts)
        for problem in outcome.problems:
            echo(problem.format())
        if outcome.error and outcome.error != shared_error:
            echo(f"Error: {outcome.error}")
    if press:
        build_press(pipeline, writer, state, outcomes, shared, force=force, echo=echo)
    state.save()
    return [outcomes[p.stem] for p in paths]


def _check_shared(pipeline: Pipeline, echo: Callable[[str], None]) -> str:
    """Check the brand file and check settings; show findings, return the error if any."""
    try:
        problems = pipeline.project_problems()
    except BrochureError as exc:
        echo(f"Error: {exc.message}")
        return exc.message
    error = first_error(problems)
    for problem in problems:
        if problem is not error:
            echo(problem.format())
    if error is None:
        return ""
    message = error.to_error().message
    echo(f"Error: {message}")
    return message


def _failed(slug: str, problems: list[Problem], error: str = "") -> Outcome:
    first = first_error(problems)
    message = error or (first.to_error().message if first else "failed")
    return Outcome(slug, "failed", problems=[p for p in problems if p is not first], error=message)


def _write_preview(pipeline: Pipeline, writer: Writer, slug: str, page: Rendered) -> None:
    """Write a brochure's HTML preview and the project files it shows."""
    for rel in sorted(page.static):
        writer.copy(pipeline.project.root / rel, Path("static") / rel)
    writer.write(f"{slug}.html", page.html)


def preview(
    project: Project, slugs: tuple[str, ...] = (), *, writer: Writer | None = None
) -> list[Outcome]:
    """Write only the HTML previews of `slugs` (all by default): quick, for live preview.

    A preview is `previewed` or `failed`; the PDFs and the build state are left alone.
    """
    from .output import Writer

    writer = writer or Writer(project.out_dir)
    pipeline = Pipeline(project)
    outcomes = []
    for path in project.brochure_paths(slugs):
        brochure, problems = pipeline.read(path)
        if brochure is None or first_error(problems):
            outcomes.append(_failed(path.stem, problems))
            continue
        try:
            _write_preview(pipeline, writer, brochure.slug, pipeline.preview(brochure))
        except BrochureError as exc:
            outcomes.append(_failed(brochure.slug, problems, exc.message))
            continue
        outcomes.append(Outcome(brochure.slug, "previewed", problems=problems))
    return outcomes


def _write(
    pipeline: Pipeline,
    writer: Writer,
    brochure: Brochure,
    problems: list[Problem],
    result: Result | str,
) -> Outcome:
    """Write one rendered brochure to out/, unless rendering found an error."""

    if isinstance(result, str):
        return _failed(brochure.slug, problems, result)
    problems = problems + result.problems
    if first_error(problems):
        return _failed(brochure.slug, problems)
    try:
        _write_preview(pipeline, writer, brochure.slug, Rendered(result.preview, result.static))
        writer.write(f"{brochure.slug}.pdf", result.pdf)
        writer.write(thumbnail_path(brochure.slug), result.thumbnail)
    except (BrochureError, OSError) as exc:
        return _failed(brochure.slug, problems, getattr(exc, "message", str(exc)))
    return Outcome(
        brochure.slug,
        "built",
        pages=result.pages,
        problems=problems,
        written=[f"{brochure.slug}.pdf"],
    )


_WORKER: Pipeline | None = None


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _render_in_worker(brochure: Brochure) -> Result | str:
    assert _WORKER is not None
    return _render_or_error(_WORKER, brochure)


def _render_or_error(pipeline: Pipeline, brochure: Brochure) -> Result | str:
    from .thumbnail import first_page_png

    try:
        result = pipeline.render(brochure)
        if not first_error(result.problems):  # the catalog's picture, made in the worker too
            result.thumbnail = first_page_png(result.pdf)
        return result
    except BrochureError as exc:  # sent back as text: exceptions with context do not pickle
        return exc.message


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
        state.record(job, None if error else key)
        if error:  # the office PDF, if just written, is still reported
            outcomes[slug] = dataclasses.replace(outcome, status="failed", error=error)
            echo(f"Error: {error}")
            continue
        outcomes[slug] = dataclasses.replace(
            outcome, status="built", pages=press.pages, written=[*outcome.written, rel]
        )


def summary(outcomes: list[Outcome]) -> str:
    """Return the closing line of a build."""
    counts = {s: sum(o.status == s for o in outcomes) for s in ("built", "skipped", "failed")}
    text = ", ".join(f"{n} {s}" for s, n in counts.items())
    return f"{text} ({plural(len(outcomes), 'brochure')})."
