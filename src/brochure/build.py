"""The build pipeline: read and check everything, render, then write to out/."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, content, markup, panels, resources
from .brand import Brand
from .brand import load as load_brand
from .content import Brochure
from .errors import BrochureError, BuildFailed
from .problems import Problem, first_error
from .project import Project
from .render import Lead, environment, render

if TYPE_CHECKING:
    from .output import BuildState, Writer
    from .pdf import Log, Renderer

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


@dataclass
class Outcome:
    """What happened to one brochure in a build."""

    slug: str
    status: str  # built, skipped or failed
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

    def __init__(self, project: Project) -> None:
        self.project = project
        self.layouts = project.layouts()
        self.checks: list[Callable[[Pipeline, Brochure], list[Problem]]] = [
            check_references, check_panels]

    @cached_property
    def brand(self) -> Brand:
        return load_brand(self.project)

    @cached_property
    def env(self):  # noqa: ANN201 - jinja2.Environment
        return environment(self.project)

    @cached_property
    def renderer(self) -> Renderer:
        from .pdf import Renderer  # WeasyPrint takes ~0.4 s to import: only when rendering

        return Renderer(self.project)

    def read(self, path: Path) -> tuple[Brochure | None, list[Problem]]:
        """Read one brochure and run the fast checks on it."""
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            return None, [Problem(path, None, "error", "the file is not UTF-8 text",
                                  "Save it as UTF-8 in your editor")]
        brochure, problems = content.parse(path, text, self.layouts)
        if brochure is not None:
            for check in self.checks:
                problems.extend(check(self, brochure))
        return brochure, problems

    def render(self, brochure: Brochure, lead: Lead | None = None,
               preview: bool = True) -> Result:
        """Render `brochure` to PDF bytes (and its HTML preview); collect problems."""
        from .pdf import capture_log, overflow_lines, overfull_panels

        rendered = render(self.project, self.brand, brochure, lead=lead, env=self.env)
        with capture_log() as log:
            document = self.renderer.layout(rendered.html, log)
            pdf = self.renderer.write(document)
        problems = log_problems(brochure, log)
        overfull = panels.overflow_problems(brochure, overfull_panels(document))
        problems += overfull
        pages = len(document.pages)
        if pages > brochure.pages and not overfull:  # a full panel says more than pages
            lines = overflow_lines(document, brochure.pages)
            problems.append(Problem(
                brochure.path, brochure.line_of("pages"), "error",
                f"the brochure runs to {pages} pages but its budget is `pages: "
                f"{brochure.pages}`: about {lines} lines too long",
                f"Cut about {lines} lines of text, or raise `pages:`", code="page-budget"))
        html, static = "", set()
        if preview:
            page = render(self.project, self.brand, brochure, lead=lead, env=self.env,
                          mode="preview")
            html, static = page.html, page.static
        return Result(brochure, pdf, pages, html, static, problems)

    def render_press(self, brochure: Brochure) -> tuple[bytes, int, list[Problem]]:
        """Render the print shop's file (bleed, crop marks, whole fonts); count pages."""
        from .pdf import capture_log

        rendered = render(self.project, self.brand, brochure, env=self.env,
                          styles=PRESS_STYLES)
        with capture_log() as log:
            document = self.renderer.layout(rendered.html, log, press=True)
            pdf = self.renderer.write_press(document)
        return pdf, len(document.pages), log_problems(brochure, log)


def log_problems(brochure: Brochure, log: Log) -> list[Problem]:
    """Turn what WeasyPrint logged while rendering `brochure` into problems."""
    problems = [Problem(brochure.path, None, "error", f"rendering failed: {m}",
                        "Check the file names of images and fonts", code="render")
                for m in log.errors]
    problems += [Problem(brochure.path, None, "warning", f"rendering: {m}",
                         "Check the CSS in styles/", code="render") for m in log.warnings]
    return problems


def check_references(pipeline: Pipeline, brochure: Brochure) -> list[Problem]:
    """Check every image and link in the body."""
    refs = markup.references(brochure.body, brochure.body_line)
    return resources.check_references(pipeline.project, brochure.path, refs)


def check_panels(pipeline: Pipeline, brochure: Brochure) -> list[Problem]:
    """Check which `##` sections fill a trifold's panels."""
    return panels.check(brochure)


def build(project: Project, slugs: tuple[str, ...] = (), *, force: bool = False,
          press: bool = False, echo: Callable[[str], None] = print) -> list[Outcome]:
    """Build the brochures named by `slugs` (all by default) into out/.

    With `press`, also write out/press/<slug>.pdf for a print shop (see build_press).
    """
    from .output import BuildState, Writer

    paths = project.brochure_paths(slugs)
    state = BuildState(project.out_dir)
    shared = shared_fingerprint(project)
    writer = Writer(project.out_dir)
    pipeline = Pipeline(project)
    outcomes = []
    for path in paths:
        slug = path.stem
        key = fingerprint(shared, path)
        outputs = [project.out_dir / f"{slug}.pdf", project.out_dir / f"{slug}.html"]
        if not force and state.fresh(slug, key, outputs):
            outcomes.append(Outcome(slug, "skipped"))
            continue
        outcome = _build_one(pipeline, writer, path)
        state.record(slug, key if outcome.status == "built" else None)
        outcomes.append(outcome)
        for problem in outcome.problems:
            echo(problem.format())
        if outcome.error:
            echo(f"Error: {outcome.error}")
    if press:
        build_press(pipeline, writer, state, outcomes, shared, force=force, echo=echo)
    state.save()
    return outcomes


def _build_one(pipeline: Pipeline, writer: Writer, path: Path) -> Outcome:
    slug = path.stem
    try:
        brochure, problems = pipeline.read(path)
        error = first_error(problems)
        if error is None and brochure is not None:
            result = pipeline.render(brochure)
            problems += result.problems
            error = first_error(problems)
        if error is not None:
            return Outcome(slug, "failed", problems=[p for p in problems if p is not error],
                           error=error.to_error().message)
        for rel in sorted(result.static):
            writer.copy(pipeline.project.root / rel, Path("static") / rel)
        writer.write(f"{slug}.html", result.preview)
        writer.write(f"{slug}.pdf", result.pdf)
        return Outcome(slug, "built", pages=result.pages, problems=problems,
                       written=[f"{slug}.pdf"])
    except BrochureError as exc:
        return Outcome(slug, "failed", error=exc.message)


def build_press(pipeline: Pipeline, writer: Writer, state: BuildState,
                outcomes: list[Outcome], shared: hashlib._Hash, *, force: bool = False,
                echo: Callable[[str], None] = print) -> None:
    """Write out/press/<slug>.pdf for each brochure whose office build did not fail.

    Each press file is skipped when its inputs are unchanged (state key `press/<slug>`).
    """
    for index, outcome in enumerate(outcomes):
        if outcome.status == "failed":
            continue
        path = pipeline.project.brochures_dir / f"{outcome.slug}.md"
        job, rel = f"{PRESS_DIR}/{outcome.slug}", f"{PRESS_DIR}/{outcome.slug}.pdf"
        key = fingerprint(shared, path)
        if not force and state.fresh(job, key, [pipeline.project.out_dir / rel]):
            continue
        try:
            brochure, problems = pipeline.read(path)
            if brochure is not None and first_error(problems) is None:
                pdf, pages, problems = pipeline.render_press(brochure)
            error = first_error(problems)
            if error is None:
                writer.write(rel, pdf)
        except BrochureError as exc:
            error = Problem(path, None, "error", exc.message)
        state.record(job, None if error else key)
        if error is not None:
            outcomes[index] = Outcome(outcome.slug, "failed", error=error.to_error().message)
            echo(f"Error: {outcomes[index].error}")
            continue
        outcomes[index] = Outcome(outcome.slug, "built", pages=pages,
                                  problems=outcome.problems,
                                  written=[*outcome.written, rel])


def summary(outcomes: list[Outcome]) -> str:
    """Return the closing line of a build."""
    counts = {s: sum(o.status == s for o in outcomes) for s in ("built", "skipped", "failed")}
    text = ", ".join(f"{n} {s}" for s, n in counts.items())
    return f"{text} ({len(outcomes)} brochure{'s' if len(outcomes) != 1 else ''})."
