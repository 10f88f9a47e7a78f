"""One brochure at a time: read and check it, render it to PDF and preview, run the checks."""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from brochure.checks import RENDERED, SOURCE
from brochure.checks.settings import Settings
from brochure.checks.settings import load as load_settings
from brochure.errors import SourceError
from brochure.problems import Problem
from brochure.render.html import HtmlPage, Lead, environment, render_html
from brochure.render.result import MIN_TEXT_PT, RenderResult
from brochure.source import content, editions, locales
from brochure.source.brand import Brand
from brochure.source.brand import load as load_brand
from brochure.source.content import Brochure
from brochure.source.frontmatter import read_text, split
from brochure.source.locales import Strings
from brochure.source.project import Project

if TYPE_CHECKING:
    from weasyprint import CSS, Document

    from brochure.checks.claims import Rule
    from brochure.render.pdf import Renderer, Typeset


PRESS_STYLES = ("press",)  # styles/press.css: the bleed


class Pipeline:
    """Load a project's shared parts once, then check and render brochures.

    It is the `CheckContext` the checks read (project, brand, settings, claim rules).
    """

    def __init__(self, project: Project, today: dt.date | None = None) -> None:
        self.project = project
        self.layouts = project.layouts()
        self.today = today
        self._strings: dict[str, Strings] = {}

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
            raise exc.at(self.project.claims_path) from None

    def project_problems(self) -> list[Problem]:
        """Check what every brochure shares: the check settings and the brand's own text."""
        from brochure.checks.brand_text import check_brand
        from brochure.checks.translation import check_editions

        return self._settings[1] + check_brand(self) + check_editions(self)

    @cached_property
    def brand(self) -> Brand:
        return load_brand(self.project)

    def strings(self, lang: str) -> Strings:
        """The words the templates print in the language of `lang` (SourceError if missing)."""
        language = locales.language_of(lang)
        if language not in self._strings:
            self._strings[language] = locales.load(self.project, language, self.brand)
        return self._strings[language]

    def brand_for(self, lang: str) -> Brand:
        """The brand as printed in the language of `lang`: its call to action, disclaimer."""
        return self.strings(lang).brand(self.brand)

    @cached_property
    def env(self) -> jinja2.Environment:
        return environment(self.project)

    @cached_property
    def renderer(self) -> Renderer:
        from brochure.render.pdf import Renderer  # WeasyPrint takes ~0.4 s to import

        return Renderer(self.project)

    def read(self, path: Path, checks: bool = True) -> tuple[Brochure | None, list[Problem]]:
        """Read one brochure and run the source checks on it (unless `checks` is False).

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
        inherited, missing = self._source_fields(path)
        if missing:
            return None, [missing]
        brochure, problems = content.read(path, self.layouts, inherited)
        if brochure is not None:
            try:
                self.strings(brochure.lang)
            except SourceError as exc:
                return None, [*problems, Problem.from_error(exc)]
        if brochure is not None and checks:
            for check in SOURCE:
                problems.extend(check(self, brochure))
        return brochure, problems

    def _source_fields(self, path: Path) -> tuple[dict[str, Any], Problem | None]:
        """What an edition takes from its source (layout, pages); a problem if there is none."""
        name = editions.name_of(path)
        if not name.language:
            return {}, None
        source = self.project.brochure_path(name.source)
        if not source.is_file():
            language = locales.language_name(name.language)
            return {}, Problem(
                path,
                None,
                "error",
                f"this is the {language} edition of `{name.source.file}`, which is not in "
                "brochures/",
                f"Add `{name.source.file}`, or rename this file: a name ending in "
                f"`.{name.language}.md` marks a translation",
                code="edition",
            )
        try:
            data = split(read_text(source)).data
        except SourceError:
            return {}, None  # the source reports its own problems
        return {k: v for k, v in data.items() if k in editions.INHERITED}, None

    def render(
        self,
        brochure: Brochure,
        *,
        lead: Lead | None = None,
        preview: bool = True,
        extra_css: str = "",
        places: tuple[str, ...] = (),
    ) -> RenderResult:
        """Render `brochure` to PDF bytes (and its HTML preview); run the render checks.

        `extra_css` is added to the brochure's own; `places` names HTML classes whose boxes
        the result reports (personalised copies stamp into them).
        """
        from brochure.render.pdf import find_places, overfull_panels, page_facts, page_size

        stylesheets = (self._css(extra_css),) if extra_css else ()
        result = self._typeset(brochure, lead=lead, stylesheets=stylesheets)
        document = result.document
        rendered = RenderResult(
            brochure,
            result.pdf,
            len(document.pages),
            "",
            set(),
            facts=page_facts(document, MIN_TEXT_PT),
            log=result.log,
            fallback=self._fallback(document),
            overfull=overfull_panels(document),
            size=page_size(document),
            places=find_places(document, places) if places else {},
            pictures=result.pictures,
        )
        if preview:
            page = self.preview(brochure, lead)
            rendered.preview, rendered.static = page.html, page.static
        for check in RENDERED:
            rendered.problems.extend(check(self, rendered))
        return rendered

    def preview(self, brochure: Brochure, lead: Lead | None = None) -> HtmlPage:
        """Render the browser preview of `brochure` (fast: no PDF)."""
        return render_html(
            self.project,
            self.brand,
            brochure,
            lead=lead,
            env=self.env,
            mode="preview",
            strings=self.strings(brochure.lang),
        )

    def render_press(self, brochure: Brochure) -> RenderResult:
        """Render the print shop's file (bleed, crop marks, whole fonts)."""
        from brochure.checks.pictures import check_resolution
        from brochure.checks.printing import check_rendering

        result = self._typeset(brochure, press=True)
        rendered = RenderResult(
            brochure,
            result.pdf,
            len(result.document.pages),
            "",
            set(),
            log=result.log,
            fallback=self._fallback(result.document),
            pictures=result.pictures,
        )
        rendered.problems = [
            dataclasses.replace(p, message=f"press file: {p.message}")
            for p in check_rendering(self, rendered) + check_resolution(self, rendered, press=True)
        ]
        return rendered

    def _typeset(
        self,
        brochure: Brochure,
        *,
        lead: Lead | None = None,
        press: bool = False,
        stylesheets: tuple[CSS, ...] = (),
    ) -> Typeset:
        """Render the brochure's HTML for the PDF, then lay it out and write it."""
        styles = PRESS_STYLES if press else ()
        page = render_html(
            self.project,
            self.brand,
            brochure,
            lead=lead,
            env=self.env,
            styles=styles,
            strings=self.strings(brochure.lang),
        )
        return self.renderer.typeset(page.html, press=press, stylesheets=stylesheets)

    def _css(self, text: str) -> CSS:
        from brochure.render.pdf import user_css

        return user_css(text, self.renderer)

    def _fallback(self, document: Document) -> dict[str, str]:
        from brochure.render.pdf import fallback_glyphs

        return fallback_glyphs(document, {f.family for f in self.brand.fonts})


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
