"""One brochure at a time: read and check it, render it to PDF and preview, run the checks."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from brochure.checks import FAST, RENDERED, panels
from brochure.checks.settings import Settings
from brochure.checks.settings import load as load_settings
from brochure.errors import SourceError
from brochure.problems import Problem
from brochure.render import markup
from brochure.render.html import Lead, Rendered, environment, render
from brochure.source import content, limits, resources
from brochure.source.brand import Brand
from brochure.source.brand import load as load_brand
from brochure.source.content import Brochure
from brochure.source.project import Project

if TYPE_CHECKING:
    from brochure.checks.claims import Rule
    from brochure.render.pdf import Log, PageFacts, Renderer


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


class Pipeline:
    """Load a project's shared parts once, then check and render brochures."""

    def __init__(self, project: Project, today: dt.date | None = None) -> None:
        self.project = project
        self.layouts = project.layouts()
        self.today = today
        self.checks: list[Callable[[Pipeline, Brochure], list[Problem]]] = [
            check_nesting,
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
        from brochure.checks.claims import RulesError, load_rules

        try:
            return load_rules(self.project.root)
        except RulesError as exc:
            raise SourceError(
                self.project.claims_path, str(exc), line=exc.line, hint=exc.hint
            ) from None

    def project_problems(self) -> list[Problem]:
        """Check what every brochure shares: the check settings and the brand's own text."""
        from brochure.checks.brand_text import check_brand

        return self._settings[1] + check_brand(self)

    @cached_property
    def brand(self) -> Brand:
        return load_brand(self.project)

    @cached_property
    def env(self):
        return environment(self.project)

    @cached_property
    def renderer(self) -> Renderer:
        from brochure.render.pdf import Renderer

        return Renderer(self.project)

    def read(self, path: Path, checks: bool = True) -> tuple[Brochure | None, list[Problem]]:
        """Read one brochure and run the fast checks on it (unless `checks` is False).

        A brochure file that is a link to a file outside the project is refused.
        """
        if not self.project.contains(path):
            return None, [
                Problem(
                    path,
                    None,
                    "error",
                    "the file is a link to a file outside the project",
                    "Copy the file into brochures/ instead of linking to it",
                    code="reference",
                )
            ]
        brochure, problems = content.read(path, self.layouts)
        if brochure is not None and checks:
            for check in self.checks:
                problems.extend(check(self, brochure))
        return brochure, problems

    def render(self, brochure: Brochure, lead: Lead | None = None, preview: bool = True) -> Result:
        """Render `brochure` to PDF bytes (and its HTML preview); run the render checks."""
        from brochure.checks.disclaimer import MIN_TEXT_PT
        from brochure.render.pdf import capture_log, fallback_glyphs, overfull_panels, page_facts

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
        from brochure.checks.printing import check_rendering
        from brochure.render.pdf import capture_log, fallback_glyphs

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


def check_nesting(pipeline: Pipeline, brochure: Brochure) -> list[Problem]:
    """Refuse text nested deeper than a page can lay out (quotes in quotes, lists in lists)
    or made of more elements than a brochure has (layout time grows with them)."""
    found = limits.shape(markup.written_html(brochure.body))
    if not found.too_big:
        return []
    line = _deep_paragraph(brochure) if found.depth > limits.MAX_DEPTH else brochure.body_line
    return [limits.shape_problem(brochure.path, found, line)]


def _deep_paragraph(brochure: Brochure) -> int:
    """Return the line of the first paragraph nested too deeply on its own, else the line
    where the text starts."""
    lines = brochure.body.split("\n")
    start: int | None = None
    for index, text in enumerate([*lines, ""]):
        if text.strip() and start is None:
            start = index
        elif not text.strip() and start is not None:
            html = markup.written_html("\n".join(lines[start:index]))
            if limits.shape(html).depth > limits.MAX_DEPTH:
                return brochure.body_line + start
            start = None
    return brochure.body_line


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


def crash_problem(path: Path, exc: Exception) -> Problem:
    """Turn an unexpected exception while making one brochure into its error."""
    if isinstance(exc, RecursionError):
        message = "the text is nested too deeply to lay out"
        hint = "Flatten it: fewer `>` quotes, list levels or HTML blocks inside each other"
    elif isinstance(exc, OSError):
        from brochure.source.frontmatter import OS_HINT, unreadable

        name = Path(exc.filename).name if exc.filename else "a file"
        message, hint = f"cannot read {name}: {unreadable(exc)}", OS_HINT
    else:
        detail = (str(exc).splitlines() or [""])[0][:200]
        message = f"could not be built ({type(exc).__name__}: {detail})"
        hint = "This is a bug in brochure: please report it with this file"
    return Problem(path, None, "error", message, hint, code="crash")


def crash_message(path: Path, exc: Exception) -> str:
    """Return the one-line error for an unexpected exception (see crash_problem)."""
    return crash_problem(path, exc).to_error().message
