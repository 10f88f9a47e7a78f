"""Pure transform: Brochure + Brand -> HTML, with Jinja2 templates and the project's CSS."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import jinja2
from markupsafe import Markup, escape

from brochure.errors import SourceError
from brochure.render import markup
from brochure.source import locales
from brochure.source.brand import Brand, css_string
from brochure.source.content import Brochure
from brochure.source.editions import static_prefix
from brochure.source.frontmatter import read_text
from brochure.source.locales import Strings
from brochure.source.project import Project
from brochure.source.urls import stylesheet_problem

# How resource URLs are written: "pdf" keeps project-relative paths (the PDF stage resolves
# them against the project root); "preview" points into out/static/, which the writer fills.
Mode = Literal["pdf", "preview"]
STATIC_PREFIX: dict[Mode, str] = {"pdf": "", "preview": "static/"}


@dataclass(frozen=True)
class Lead:
    """The per-lead details a personalised copy prints (empty for the shared brochure)."""

    name: str
    lead_id: str = ""
    coordinator: str = ""
    coordinator_phone: str = ""
    coordinator_phone_href: str = ""
    appointment: str = ""


@dataclass
class HtmlPage:
    """A rendered HTML document and the project files it uses."""

    html: str
    static: set[str] = field(default_factory=set)


def environment(project: Project) -> jinja2.Environment:
    """Return the Jinja2 environment for the project's templates (autoescaped, strict)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(project.templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def booking_url(brand: Brand, lead: Lead | None) -> str:
    """Return the booking URL, tagged with the lead id for a personalised copy."""
    if lead is None or not lead.lead_id:
        return brand.booking_url
    from urllib.parse import quote

    joiner = "&" if "?" in brand.booking_url else "?"
    return f"{brand.booking_url}{joiner}lead={quote(lead.lead_id, safe='')}"


def qr_data_uri(url: str, dark: str) -> str:
    """Return a vector (SVG) QR code for `url` as a data: URI."""
    from brochure.render.qr import symbol

    return symbol(url).svg_data_uri(dark=dark, light=None, border=0, scale=1, omitsize=True)


def stylesheet(
    project: Project,
    brand: Brand,
    names: tuple[str, ...],
    static: Callable[[str], str],
    common: bool = True,
    strings: Strings | None = None,
) -> str:
    """Assemble the CSS: brand fonts and variables, common.css, then styles/NAME.css by name.

    Pages that are not brochures (the catalog) pass `common=False` to skip the print rules.
    `strings` words the page numbers (set after common.css, so a layout may hide them).
    """
    faces = [
        "@font-face {\n"
        f"  font-family: {css_string(f.family)};\n"
        f"  src: url({css_string(static(f.path))});\n"
        f"  font-weight: {f.weight};\n"
        f"  font-style: {f.style};\n"
        "}"
        for f in brand.fonts
    ]
    parts = [*faces, brand.css_variables()]
    for name in ("common", *names) if common else names:
        path = project.styles_dir / f"{name}.css"
        if path.is_file():
            css = read_text(path)
            problem = stylesheet_problem(project, css)
            if problem:  # previews are web pages: nothing may load from elsewhere
                raise SourceError(path, problem[1], line=problem[0], hint=problem[2])
            parts.append(f"/* {path.name} */\n" + css)
        if name == "common" and strings is not None:
            parts.append(f"@page multi {{ @bottom-right {{ content: {strings.page_css()}; }} }}")
    return "\n\n".join(parts)


def render_html(
    project: Project,
    brand: Brand,
    brochure: Brochure,
    *,
    mode: Mode = "pdf",
    lead: Lead | None = None,
    env: jinja2.Environment | None = None,
    styles: tuple[str, ...] = (),
    context: dict[str, Any] | None = None,
    strings: Strings | None = None,
) -> HtmlPage:
    """Render one brochure to an HTML string, in its language's `strings` (loaded if None)."""
    used: set[str] = set()
    prefix = STATIC_PREFIX[mode]
    if mode == "preview":  # out/es/conditions.html reaches out/static/ as ../static/
        prefix = static_prefix(brochure.slug) + prefix
    strings = strings or locales.load(project, brochure.lang, brand)
    brand = strings.brand(brand)

    def static(rel: str) -> str:
        used.add(rel)
        return prefix + rel

    def content_url(url: str) -> str:
        # Markdown paths are relative to the brochure file; make them project-relative.
        if ":" in url.split("/")[0] or url.startswith(("#", "/")):
            return url
        target = (brochure.path.parent / url).resolve()
        if not project.contains(target):
            return url
        return static(target.relative_to(project.root).as_posix())

    body = markup.split_sections(brochure.body, brochure.body_line, content_url)
    env = env or environment(project)
    book = booking_url(brand, lead)
    html = render_template(
        project,
        env,
        f"{brochure.layout}.html",
        brochure=brochure,
        brand=brand,
        body=body,
        extra=brochure.extra,
        lead=lead,
        booking_url=book,
        qr=qr_data_uri(book, brand.colors.get("dark", "#000")),
        logo=brand_logo(project, brand, static),
        css=Markup(
            stylesheet(
                project, brand, layout_styles(project, brochure, styles), static, strings=strings
            )
        ),
        md=lambda text: markup.inline_html(text, content_url),
        static=static,
        t=strings,
        reviewed=strings.date(brochure.reviewed),
        preview=mode == "preview",
        **(context or {}),
    )
    return HtmlPage(html=html, static=used)


def layout_styles(
    project: Project, brochure: Brochure, extra: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """Return the stylesheets a brochure uses after common.css: its layout's, then `extra`."""
    return (*project.layouts()[brochure.layout].styles, *extra)


def brand_logo(
    project: Project, brand: Brand, static: Callable[[str], str] | None = None
) -> Callable[..., Markup]:
    """Return `logo(color=primary, on_dark=False)`: the brand's logo, ready to inline.

    An SVG logo is rebuilt with nothing that could run or load (see render/svg.py) and
    painted in one colour; its title is its alternative text. A PNG or JPEG logo is an
    `<img>` whose `alt` is the clinic's name (a Figure's /Alt in the PDF's tags), its `src`
    given by `static` (a data: URL where there is none). `on_dark` picks the brand's
    variant for dark backgrounds, when it has one.
    """
    made: dict[str, Markup] = {}

    def logo(color: str = brand.colors["primary"], on_dark: bool = False) -> Markup:
        rel = brand.logo_dark if on_dark and brand.logo_dark else brand.logo
        if rel not in made:
            made[rel] = (
                _svg_logo(project, brand, rel)
                if rel.lower().endswith(".svg")
                else _raster_logo(project, brand, rel, static)
            )
        # WeasyPrint draws an inline SVG's currentColor as black: paint it in a brand colour.
        return Markup(made[rel].replace("currentColor", color))

    return logo


def _svg_logo(project: Project, brand: Brand, rel: str) -> Markup:
    from brochure.render.svg import LogoError, clean_svg

    path = project.root / rel
    try:
        svg = clean_svg(read_text(path))
    except LogoError as exc:
        raise SourceError(
            path, f"the logo cannot be used: {exc}", hint="Save it again as a plain SVG drawing"
        ) from None
    title = f"<title>{escape(brand.name)}</title>"
    return Markup(re.sub(r"(<svg\b[^>]*>)", lambda m: m[1] + title, svg, count=1))


def _raster_logo(
    project: Project, brand: Brand, rel: str, static: Callable[[str], str] | None
) -> Markup:
    if static is not None:
        src = static(rel)
    else:
        import base64

        kind = "png" if rel.lower().endswith(".png") else "jpeg"
        data = base64.b64encode((project.root / rel).read_bytes()).decode()
        src = f"data:image/{kind};base64,{data}"
    return Markup('<img class="logo-picture" src="{}" alt="{}">').format(src, brand.name)


def render_template(project: Project, env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render the template `name`; template mistakes become errors at their file and line."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise SourceError(
            Path(exc.filename or project.templates_dir),
            exc.message or "syntax error",
            line=exc.lineno,
            hint="Fix the template syntax",
        ) from None
    except jinja2.TemplateError as exc:
        line, where = _template_place(exc)
        raise SourceError(
            project.templates_dir / (where or name),
            f"template error: {exc}",
            line=line,
            hint="Check the names the template uses",
        ) from None


OVERLAY = """<!doctype html>
<html lang="{{ lang }}">
<head><meta charset="utf-8"><title>{{ lead.name }}</title></head>
<body class="lead-overlay">
<div class="lead-slot" style="left: {{ place.x }}px; top: {{ place.y }}px;
 width: {{ place.width }}px">
{% include "_prepared_for.html" %}
</div>
</body>
</html>
"""

MARGIN_BOXES = (
    "top-left-corner",
    "top-left",
    "top-center",
    "top-right",
    "top-right-corner",
    "bottom-left-corner",
    "bottom-left",
    "bottom-center",
    "bottom-right",
    "bottom-right-corner",
    "left-top",
    "left-middle",
    "left-bottom",
    "right-top",
    "right-middle",
    "right-bottom",
)


def overlay_css(width: float, height: float) -> str:
    """CSS set after the brochure's own for an overlay: a bare page of the brochure's size
    (no margins, margin boxes or background) with the slot placed absolutely."""
    boxes = " ".join(f"@{box} {{ content: none; }}" for box in MARGIN_BOXES)
    return (
        f"@page {{ size: {width}px {height}px; margin: 0; background: none; {boxes} }}\n"
        "html, body { background: none; }\n"
        ".lead-slot { position: absolute; margin: 0; padding: 0; }\n"
        ".lead-slot > * { margin: 0; }\n"
    )


# Set after the brochure's own CSS for the shared pages: keep the boxes, draw nothing.
SLOT_CSS = ".prepared-for, .cta .qr { visibility: hidden; }"


def overlay_template(env: jinja2.Environment) -> jinja2.Template:
    """Compile the per-lead overlay: the "Prepared for" line alone, placed absolutely."""
    return env.from_string(OVERLAY)


def overlay(
    template: jinja2.Template, brochure: Brochure, lead: Lead, place: Any, strings: Strings
) -> str:
    """Render one lead's overlay, its "Prepared for" line where the shared pages keep room."""
    return template.render(lang=brochure.lang, lead=lead, place=place, t=strings)


def _template_place(exc: BaseException) -> tuple[int | None, str]:
    """Find the template file and line in a Jinja2 error's traceback."""
    tb = exc.__traceback__
    place: tuple[int | None, str] = (None, "")
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".html"):
            place = (tb.tb_lineno, Path(filename).name)
        tb = tb.tb_next
    return place
