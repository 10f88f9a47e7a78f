"""Pure Markdown transforms: body -> intro and `##` sections of HTML, resource references."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from xml.etree.ElementTree import Element

import markdown
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

EXTENSIONS = ["attr_list", "sane_lists", "smarty", "tables"]
HEADING_RE = re.compile(r"^##\s+(.+?)\s*#*\s*$")
FENCE_RE = re.compile(r"^(```|~~~)")


@dataclass(frozen=True)
class Section:
    """A `##` heading and the HTML below it."""

    title: Markup
    html: Markup
    line: int  # file line of the heading
    slug: str

    @property
    def has_list(self) -> bool:
        """Tell whether the section holds a bulleted or numbered list."""
        return "<ul>" in self.html or "<ol>" in self.html


@dataclass(frozen=True)
class Body:
    """A brochure body split at its `##` headings."""

    intro: Markup
    sections: tuple[Section, ...]

    def section(self, heading: str) -> Section | None:
        """Return the section whose heading matches `heading` (case and punctuation aside)."""
        slug = slugify(heading)
        return next((s for s in self.sections if s.slug == slug), None)


@dataclass(frozen=True)
class Reference:
    """A URL the body asks the renderer to load or link to."""

    url: str
    tag: str
    attr: str
    line: int


UrlMap = Callable[[str], str]


class _RewriteUrls(Treeprocessor):
    """Map every `src` attribute of the Markdown tree through a function."""

    def __init__(self, md: markdown.Markdown, url_for: UrlMap) -> None:
        super().__init__(md)
        self.url_for = url_for

    def run(self, root: Element) -> None:
        for element in root.iter():
            src = element.get("src")
            if src:
                element.set("src", self.url_for(src))


def to_html(text: str, url_for: UrlMap | None = None) -> Markup:
    """Convert Markdown to HTML (typographic quotes, tables, attribute lists)."""
    md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
    if url_for is not None:
        md.treeprocessors.register(_RewriteUrls(md, url_for), "rewrite-urls", 0)
    return Markup(md.convert(text))


def inline_html(text: str, url_for: UrlMap | None = None) -> Markup:
    """Convert one line of Markdown to HTML without the wrapping paragraph."""
    html = str(to_html(text, url_for))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


def slugify(text: str) -> str:
    """Make an id from a heading."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def split_sections(body: str, first_line: int, url_for: UrlMap | None = None) -> Body:
    """Split `body` (starting at file line `first_line`) at its `##` headings."""
    chunks: list[tuple[str | None, int, list[str]]] = [(None, first_line, [])]
    fenced = False
    for offset, line in enumerate(body.splitlines()):
        if FENCE_RE.match(line):
            fenced = not fenced
        match = None if fenced else HEADING_RE.match(line)
        if match:
            chunks.append((match.group(1), first_line + offset, []))
        else:
            chunks[-1][2].append(line)
    intro = to_html("\n".join(chunks[0][2]), url_for)
    sections = tuple(
        Section(
            title=inline_html(title),
            html=to_html("\n".join(lines), url_for),
            line=line,
            slug=slugify(title),
        )
        for title, line, lines in chunks[1:]
        if title is not None
    )
    return Body(intro=intro, sections=sections)


# Raw HTML that could run code or pull content in (inline SVG and MathML can carry scripts
# and links): brochures hold text, pictures (as files) and links only.
ACTIVE_TAGS = frozenset(
    {
        "script",
        "iframe",
        "object",
        "embed",
        "form",
        "base",
        "meta",
        "style",
        "frame",
        "frameset",
        "svg",
        "math",
        "link",
    }
)


class _RefCollector(HTMLParser):
    ATTRS = frozenset({"src", "href", "data", "poster", "srcset", "background"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ACTIVE_TAGS:
            self.refs.append((f"<{tag}", tag, "active", self.getpos()[0]))
        for name, value in attrs:
            scripted = (value or "").strip().lower().startswith(("javascript:", "vbscript:"))
            if name.startswith("on") or scripted:
                self.refs.append((name, tag, "active", self.getpos()[0]))
            elif name in self.ATTRS and value:
                self.refs.append((value.strip(), tag, name, self.getpos()[0]))


def references(body: str, first_line: int) -> list[Reference]:
    """Return every URL the Markdown body refers to, with the file line it is written on."""
    collector = _RefCollector()
    collector.feed(str(to_html(body)))
    collector.close()
    lines = body.splitlines()

    def line_of(url: str) -> int:
        for offset, line in enumerate(lines):
            if url and url in line:
                return first_line + offset
        return first_line

    return [Reference(url, tag, attr, line_of(url)) for url, tag, attr, _ in collector.refs]
