"""The build pipeline: read and check everything, render, then write to out/."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, content, markup, resources
from .brand import Brand
from .brand import load as load_brand
from .checks import FAST, RENDERED
from .checks.settings import Settings
from .checks.settings import load as load_settings
from .content import Brochure
from .errors import BrochureError, SourceError
from .problems import Problem, first_error
from .project import Project
from .render import Lead, environment, render

if TYPE_CHECKING:
    from .checks.claims import Rule
    from .output import Writer
    from .pdf import Log, PageFacts, Renderer

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
    facts: list[PageFacts] = field(default_factory=list)  # per page: text, lines, fill
    log: Log | None = None  # what WeasyPrint logged
    fallback: dict[str, str] = field(default_factory=dict)  # non-brand font -> characters


@dataclass
class Outcome:
    """What happened to one brochure in a build."""

    slug: str
    status: str  # built, skipped or failed
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

    def __init__(self, project: Project, today: dt.date | None = None) -> None:
        self.project = project
        self.layouts = project.layouts()
        self.today = today
        self.checks: list[Callable[[Pipeline, Brochure], list[Problem]]] = [
            check_references, *FAST]
        self.render_checks: list[Callable[[Pipeline, Result], list[Problem]]] = list(RENDERED)

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
        from .checks.claims import PROJECT_FILE, RulesError, load_rules

        try:
            return load_rules(self.project.root)
        except RulesError as exc:
            raise SourceError(self.project.root / PROJECT_FILE, str(exc), line=exc.line,
                              hint=exc.hint) from None

    def project_problems(self) -> list[Problem]:
        """Check what every brochure shares: the check settings and the brand's own text."""
        from .checks.brand import check_brand

        return self._settings[1] + check_brand(self)

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
        """Render `brochure` to PDF bytes (and its HTML preview); run the render checks."""
        from .checks.disclaimer import MIN_TEXT_PT
        from .pdf import capture_log, fallback_glyphs, page_facts

        rendered = render(self.project, self.brand, brochure, lead=lead, env=self.env)
        with capture_log() as log:
            document = self.renderer.layout(rendered.html, log)
            pdf = self.renderer.write(document)
        html, static = "", set()
        if preview:
            page = render(self.project, self.brand, brochure, lead=lead, env=self.env,
                          mode="preview")
            html, static = page.html, page.static
        families = {f.family for f in self.brand.fonts}
        result = Result(brochure, pdf, len(document.pages), html, static,
                        facts=page_facts(document, MIN_TEXT_PT), log=log,
                        fallback=fallback_glyphs(document, families))
        for check in self.render_checks:
            result.problems.extend(check(self, result))
        return result


def check_references(pipeline: Pipeline, brochure: Brochure) -> list[Problem]:
    """Check every image and link in the body."""
    refs = markup.references(brochure.body, brochure.body_line)
    return resources.check_references(pipeline.project, brochure.path, refs)


def build(project: Project, slugs: tuple[str, ...] = (), *, force: bool = False,
          echo: Callable[[str], None] = print) -> list[Outcome]:
    """Build the brochures named by `slugs` (all by default) into out/."""
    from .output import BuildState, Writer

    paths = project.brochure_paths(slugs)
    state = BuildState(project.out_dir)
    shared = shared_fingerprint(project)
    writer = Writer(project.out_dir)
    pipeline = Pipeline(project)
    shared_problems = pipeline.project_problems()
    error = first_error(shared_problems)
    for problem in shared_problems:
        if problem is not error:
            echo(problem.format())
    if error is not None:
        raise error.to_error()
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
        return Outcome(slug, "built", pages=result.pages, problems=problems)
    except BrochureError as exc:
        return Outcome(slug, "failed", error=exc.message)


def summary(outcomes: list[Outcome]) -> str:
    """Return the closing line of a build."""
    counts = {s: sum(o.status == s for o in outcomes) for s in ("built", "skipped", "failed")}
    text = ", ".join(f"{n} {s}" for s, n in counts.items())
    return f"{text} ({len(outcomes)} brochure{'s' if len(outcomes) != 1 else ''})."
