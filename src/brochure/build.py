"""The build pipeline: read and check everything, render, then write to out/."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, content, markup, resources
from .brand import Brand
from .brand import load as load_brand
from .content import Brochure
from .errors import BrochureError, BuildFailed
from .problems import Problem, first_error
from .project import Project
from .render import Lead, Rendered, environment, render

if TYPE_CHECKING:
    from .output import Writer
    from .pdf import Renderer

SOURCE_DIR = Path(__file__).parent


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
    status: str  # built, skipped or failed (or previewed: HTML preview only)
    pages: int = 0
    problems: list[Problem] = field(default_factory=list)
    error: str = ""


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
        self.checks: list[Callable[[Pipeline, Brochure], list[Problem]]] = [check_references]

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
        from .pdf import capture_log, overflow_lines

        rendered = render(self.project, self.brand, brochure, lead=lead, env=self.env)
        with capture_log() as log:
            document = self.renderer.layout(rendered.html, log)
            pdf = self.renderer.write(document)
        problems = [Problem(brochure.path, None, "error", f"rendering failed: {m}",
                            "Check the file names of images and fonts", code="render")
                    for m in log.errors]
        problems += [Problem(brochure.path, None, "warning", f"rendering: {m}",
                             "Check the CSS in styles/", code="render") for m in log.warnings]
        pages = len(document.pages)
        if pages > brochure.pages:
            lines = overflow_lines(document, brochure.pages)
            problems.append(Problem(
                brochure.path, brochure.line_of("pages"), "error",
                f"the brochure runs to {pages} pages but its budget is `pages: "
                f"{brochure.pages}`: about {lines} lines too long",
                f"Cut about {lines} lines of text, or raise `pages:`", code="page-budget"))
        page = self.preview(brochure, lead) if preview else Rendered("")
        return Result(brochure, pdf, pages, page.html, page.static, problems)

    def preview(self, brochure: Brochure, lead: Lead | None = None) -> Rendered:
        """Render the browser preview of `brochure` (fast: no PDF)."""
        return render(self.project, self.brand, brochure, lead=lead, env=self.env,
                      mode="preview")


def check_references(pipeline: Pipeline, brochure: Brochure) -> list[Problem]:
    """Check every image and link in the body."""
    refs = markup.references(brochure.body, brochure.body_line)
    return resources.check_references(pipeline.project, brochure.path, refs)


def thumbnail_path(slug: str) -> str:
    """Return where the picture of a brochure's first page goes, relative to out/."""
    return f"thumbs/{slug}.png"


def build(project: Project, slugs: tuple[str, ...] = (), *, force: bool = False,
          echo: Callable[[str], None] = print, writer: Writer | None = None) -> list[Outcome]:
    """Build the brochures named by `slugs` (all by default) into out/."""
    from .output import BuildState, Writer

    paths = project.brochure_paths(slugs)
    state = BuildState(project.out_dir)
    shared = shared_fingerprint(project)
    writer = writer or Writer(project.out_dir)
    pipeline = Pipeline(project)
    outcomes = []
    for path in paths:
        slug = path.stem
        key = fingerprint(shared, path)
        outputs = [project.out_dir / name
                   for name in (f"{slug}.pdf", f"{slug}.html", thumbnail_path(slug))]
        if not force and state.fresh(slug, key, outputs):
            outcomes.append(Outcome(slug, "skipped"))
            continue
        outcome = _build_one(pipeline, writer, path)
        facts = {"pages": outcome.pages, "problems": [p.to_state() for p in outcome.problems]}
        state.record(slug, key if outcome.status == "built" else None, facts)
        outcomes.append(outcome)
        for problem in outcome.problems:
            echo(problem.format())
        if outcome.error:
            echo(f"Error: {outcome.error}")
    state.save()
    return outcomes


def preview(project: Project, slugs: tuple[str, ...] = (), *,
            writer: Writer | None = None) -> list[Outcome]:
    """Write only the HTML previews of `slugs` (all by default): quick, for live preview.

    A preview is `previewed` or `failed`; the PDFs and the build state are left alone.
    """
    from .output import Writer

    writer = writer or Writer(project.out_dir)
    pipeline = Pipeline(project)
    return [_build_one(pipeline, writer, path, pdf=False)
            for path in project.brochure_paths(slugs)]


def _build_one(pipeline: Pipeline, writer: Writer, path: Path, pdf: bool = True) -> Outcome:
    from .thumbnail import first_page_png

    slug = path.stem
    try:
        brochure, problems = pipeline.read(path)
        error = first_error(problems)
        if error is None and brochure is not None:
            if pdf:
                result = pipeline.render(brochure)
                problems += result.problems
                page = Rendered(result.preview, result.static)
            else:
                page = pipeline.preview(brochure)
            error = first_error(problems)
        if error is not None:
            return Outcome(slug, "failed", problems=[p for p in problems if p is not error],
                           error=error.to_error().message)
        for rel in sorted(page.static):
            writer.copy(pipeline.project.root / rel, Path("static") / rel)
        writer.write(f"{slug}.html", page.html)
        if not pdf:
            return Outcome(slug, "previewed", problems=problems)
        writer.write(f"{slug}.pdf", result.pdf)
        writer.write(thumbnail_path(slug), first_page_png(result.pdf))
        return Outcome(slug, "built", pages=result.pages, problems=problems)
    except BrochureError as exc:
        return Outcome(slug, "failed", error=exc.message)


def summary(outcomes: list[Outcome]) -> str:
    """Return the closing line of a build."""
    counts = {s: sum(o.status == s for o in outcomes) for s in ("built", "skipped", "failed")}
    text = ", ".join(f"{n} {s}" for s, n in counts.items())
    return f"{text} ({len(outcomes)} brochure{'s' if len(outcomes) != 1 else ''})."
