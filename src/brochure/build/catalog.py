"""What the project holds: rows for `brochure list`, and the catalog page (out/index.html).

The catalog page shows each brochure as a card: first-page picture, title, description,
layout, pages, reviewed date, its problems and links to its PDF and preview. It is written
by `brochure build` and `brochure serve`, and works when opened straight from the folder.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from brochure.build.outcome import Outcome, Status, thumbnail_path
from brochure.errors import BrochureError, SourceError
from brochure.problems import Problem, first_error
from brochure.source.content import Brochure
from brochure.source.editions import name_of, slug_of
from brochure.source.project import Project

if TYPE_CHECKING:
    from brochure.build.output import BuildState, Writer
    from brochure.source.content import Brochure

PAGE = "index.html"
TEMPLATE = "_catalog.html"
STATE_KEY = ":catalog"  # cannot clash with a brochure slug (file names never hold a colon)
# Other outputs a card links to when they exist: (label, file name pattern).
EXTRA_LINKS = (("Press PDF", "press/{slug}.pdf"),)


def rows(project: Project) -> list[tuple[str, str, str, str]]:
    """Return a header and one row per brochure: slug, title, layout, page budget."""
    from brochure.build.pipeline import Pipeline

    pipeline = Pipeline(project)
    table = [("SLUG", "TITLE", "LAYOUT", "PAGES")]
    for path in project.brochure_paths():
        brochure, problems = pipeline.read(path, checks=False)
        error = first_error(problems)
        if brochure is None:
            if error is None:
                raise BrochureError(f"{path}: cannot be read")
            table.append((slug_of(path), f"(error: {error.message})", "-", "-"))
        else:
            table.append((brochure.slug, brochure.title, brochure.layout, str(brochure.pages)))
    return table


@dataclass
class Card:
    """One brochure on the catalog page."""

    slug: str
    title: str
    description: str = ""
    layout: str = ""
    pages: int | None = None
    reviewed: str = ""
    error: str = ""  # why the last build failed (its outputs, if any, are older)
    problems: list[Problem] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, out/-relative URL)
    thumbnail: str = ""
    language: str = ""  # es; the language filter shows the cards of one language
    source_title: str = ""  # an edition's: the title of the brochure it translates

    @property
    def pdf(self) -> str:
        """Return the URL of the PDF, or ''."""
        return dict(self.links).get("PDF", "")

    @property
    def errors(self) -> int:
        return bool(self.error) + sum(p.level == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.level == "warning" for p in self.problems)


def cards(
    project: Project,
    outcomes: Sequence[Outcome] = (),
    checks: Mapping[str, list[Problem]] | None = None,
) -> list[Card]:
    """Describe every brochure for the catalog.

    `outcomes` are this run's build results (brochures not in them show what the last build
    recorded); `checks` adds problems per slug found by other commands (`brochure check`).
    """
    from brochure.build.output import BuildState
    from brochure.build.pipeline import Pipeline

    pipeline = Pipeline(project)
    state = BuildState(project.out_dir)
    done = {o.slug: o for o in outcomes}
    result = []
    titles: dict[str, str] = {}
    for path in project.brochure_paths():  # each source comes before its editions
        slug = slug_of(path)
        outcome = done.get(slug) or Outcome(slug, Status.SKIPPED)
        facts = state.facts(slug)
        brochure, _ = pipeline.read(path, checks=False)  # the checks ran when it was built
        if outcome.status == Status.SKIPPED:
            problems = [Problem.from_state(p) for p in facts.get("problems", [])]
        else:
            problems = list(outcome.problems)
        problems += (checks or {}).get(slug, [])
        card = Card(
            slug,
            brochure.title if brochure else slug,
            error=outcome.error.error_message() if outcome.error else "",
            problems=_unique(problems),
            pages=outcome.pages or facts.get("pages") or None,
        )
        _describe(card, brochure)
        name = name_of(path)
        card.source_title = titles.get(name.source.slug, "") if name.language else ""
        titles[slug] = card.title
        _link(card, project.out_dir)
        result.append(card)
    return result


def _describe(card: Card, brochure: Brochure | None) -> None:
    """Fill in what the brochure's front matter says (nothing when it cannot be read)."""
    from brochure.source.locales import language_of, month_year

    if brochure is not None:
        card.description, card.layout = brochure.description, brochure.layout
        card.reviewed = month_year(brochure.reviewed)
        card.language = language_of(brochure.lang)


def _link(card: Card, out: Path) -> None:
    """Link the card to the outputs that exist: PDF, preview, press file, thumbnail."""
    slug = card.slug
    names = [
        ("PDF", f"{slug}.pdf"),
        ("HTML preview", f"{slug}.html"),
        *((label, name.format(slug=slug)) for label, name in EXTRA_LINKS),
    ]
    card.links = [(label, name) for label, name in names if (out / name).is_file()]
    thumb = out / thumbnail_path(slug)
    if thumb.is_file():  # the query changes with the picture, so browsers reload it
        card.thumbnail = f"{thumbnail_path(slug)}?v={thumb.stat().st_mtime_ns:x}"


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def page(project: Project, cards: list[Card]) -> tuple[str, set[str]]:
    """Render the catalog page in the clinic's brand; return its HTML and the files it uses."""
    from markupsafe import Markup

    from brochure.render.html import brand_logo, environment, render_template, stylesheet
    from brochure.source.brand import load as load_brand

    brand = load_brand(project)
    used: set[str] = set()

    def static(rel: str) -> str:
        used.add(rel)
        return "static/" + rel

    css = stylesheet(project, brand, (TEMPLATE.removesuffix(".html"),), static, common=False)
    html = render_template(
        project,
        environment(project),
        TEMPLATE,
        brand=brand,
        cards=cards,
        languages=languages(cards),
        logo=brand_logo(project, brand),
        css=Markup(css),
        place=lambda problem: _place(project, problem),
    )
    return html, used


def languages(cards: list[Card]) -> dict[str, str]:
    """Return the languages of the cards, English first: code -> `Spanish (español)`."""
    from brochure.source.locales import ENGLISH, language_name, native_name

    codes = sorted({c.language for c in cards if c.language}, key=lambda c: (c != ENGLISH, c))
    return {
        code: language_name(code)
        + (f" ({native_name(code)})" if native_name(code) != language_name(code) else "")
        for code in codes
    }


def _place(project: Project, problem: Problem) -> str:
    """Return `path:line` relative to the project root."""
    if problem.path is None:
        return ""
    try:
        where = problem.path.resolve().relative_to(project.root).as_posix()
    except ValueError:
        where = str(problem.path)
    return where + (f":{problem.line}" if problem.line else "")


def write(
    project: Project,
    outcomes: Sequence[Outcome] = (),
    *,
    checks: Mapping[str, list[Problem]] | None = None,
    writer: Writer | None = None,
) -> bool:
    """Write out/index.html (and the fonts it uses); return False when it was up to date.

    Raises BrochureError when the catalog cannot be made (a broken brand file or template).
    """
    from brochure.build.output import BuildState, Writer

    if (project.brochures_dir / "index.md").is_file():
        raise SourceError(
            project.brochures_dir / "index.md",
            "the name `index` is taken by the catalog page (out/index.html)",
            hint="Rename the brochure file",
        )
    state = BuildState(project.out_dir)
    key = _fingerprint(project, state, outcomes, checks)
    if key and state.data.get(STATE_KEY) == key and (project.out_dir / PAGE).is_file():
        return False
    html, static = page(project, cards(project, outcomes, checks))
    writer = writer or Writer(project.out_dir)
    for rel in sorted(static):
        writer.copy(project.root / rel, Path("static") / rel)
    writer.write(PAGE, html)
    state.record(STATE_KEY, key or None)
    state.save()
    return True


def _fingerprint(
    project: Project,
    state: BuildState,
    outcomes: Sequence[Outcome],
    checks: Mapping[str, list[Problem]] | None,
) -> str:
    """Hash what the catalog shows, when every brochure is built and unchanged ('' if not).

    Each brochure's build fingerprint already covers its file, the brand, the templates
    (this page's too), the styles and this code; a failed brochure has none.
    """
    slugs = [slug_of(p) for p in project.brochure_paths()]
    if not slugs or any(o.status not in (Status.BUILT, Status.SKIPPED) for o in outcomes):
        return ""
    prints = [state.data.get(s) for s in slugs]
    if None in prints:
        return ""
    facts = [state.facts(s) for s in slugs]
    out = project.out_dir
    extras = [(out / name.format(slug=s)).is_file() for s in slugs for _, name in EXTRA_LINKS]
    shown = {s: [p.to_state() for p in ps] for s, ps in (checks or {}).items()}
    data = json.dumps([slugs, prints, facts, extras, shown], sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()
