"""Pure Markdown transforms: body -> intro and `##` sections of HTML, resource references."""

from __future__ import annotations

import functools
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
    alt: str | None = None  # a picture's description as written (None: no `alt` at all)


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


PICTURE_SIZES = ("full", "half", "cover")  # {.half} after a picture; full is the default


class _Figures(Treeprocessor):
    """Make a paragraph that holds only a picture a `<figure class="picture picture-SIZE">`, with a
    caption from the picture's title (`![alt](file "caption")`) or from an `*emphasised*`
    line written right under it."""

    def run(self, root: Element) -> None:
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                figure = _figure(child) if child.tag == "p" else None
                if figure is not None:
                    figure.tail = child.tail
                    parent[index] = figure


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def _figure(paragraph: Element) -> Element | None:
    """Return the figure a paragraph of one picture (and its caption) makes, or None."""
    children = list(paragraph)
    if not children or children[0].tag != "img" or not _blank(paragraph.text):
        return None
    img, rest = children[0], children[1:]
    if len(rest) > 1 or (rest and rest[0].tag != "em") or not _blank(img.tail):
        return None
    if rest and not _blank(rest[0].tail):
        return None
    classes = (img.get("class") or "").split()
    size = next((c for c in classes if c in PICTURE_SIZES), "full")
    rest_classes = " ".join(c for c in classes if c not in PICTURE_SIZES)
    if rest_classes:
        img.set("class", rest_classes)
    else:
        img.attrib.pop("class", None)
    figure = Element("figure", {"class": f"picture picture-{size}"})
    img.tail = None
    figure.append(img)
    caption = rest[0] if rest else None
    if caption is None and img.get("title"):
        caption = Element("span")
        caption.text = img.attrib.pop("title")
    if caption is not None:
        figcaption = Element("figcaption")
        figcaption.text, caption.tail = caption.text, None
        figcaption.extend(list(caption))
        figure.append(figcaption)
    return figure


def _markdown(text: str, url_for: UrlMap | None = None) -> str:
    """Convert Markdown to HTML as written, raw HTML included (not yet safe to show)."""
    md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
    md.treeprocessors.register(_Figures(md), "figures", 1)
    if url_for is not None:
        md.treeprocessors.register(_RewriteUrls(md, url_for), "rewrite-urls", 0)
    return md.convert(text)


@functools.lru_cache(maxsize=16)
def written_html(body: str) -> str:
    """Return the HTML of a Markdown body as written, not yet safe to show (for the checks,
    which run on it one after another: converted once)."""
    return _markdown(body)


def to_html(text: str, url_for: UrlMap | None = None) -> Markup:
    """Convert Markdown to safe HTML (typographic quotes, tables, attribute lists)."""
    return sanitize(_markdown(text, url_for))


# What brochure text may hold once it is HTML: text, headings, lists, tables, quotes,
# pictures and links. Everything else (scripts, frames, forms, SVG, styles that load files,
# event attributes) is removed by a real HTML5 parser (ammonia, via nh3), which reads the
# markup as a browser does; `references` below reports what was written, so it is fixed.
ALLOWED_TAGS = frozenset(
    {
        *("a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup"),
        *("dd", "del", "div", "dl", "dt", "em", "figcaption", "figure", "hr", "i", "img"),
        *("ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong"),
        *("sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul"),
        *(f"h{level}" for level in range(1, 7)),
    }
)
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir", "style"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "type"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
}
URL_SCHEMES = frozenset({"https", "mailto", "tel"})  # and relative paths (project files)
# CSS in a style attribute that could load something or hide what it does.
UNSAFE_CSS = re.compile(
    r"url\s*\(|image(?:-set)?\s*\(|@import|expression\s*\(|\\|behavior|binding", re.IGNORECASE
)


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "style" and UNSAFE_CSS.search(value):
        return None
    if name == "src" and (":" in value.split("/")[0] or value.startswith(("/", "\\"))):
        return None  # pictures are project files: never the network or the whole disk
    return value


def sanitize(html: str) -> Markup:
    """Keep only the allowed tags, attributes and link schemes of `html`; drop comments."""
    import nh3

    return Markup(
        nh3.clean(
            html,
            tags=set(ALLOWED_TAGS),
            attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
            url_schemes=set(URL_SCHEMES),
            attribute_filter=_keep_attribute,
            strip_comments=True,
            link_rel=None,
        )
    )


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


class _RefCollector(HTMLParser):
    """Collect URLs and what sanitizing would remove: tags and attributes not allowed,
    comments and declarations that hide markup."""

    ATTRS = frozenset({"src", "href", "data", "poster", "srcset", "background"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str, int, str | None]] = []

    def _active(self, what: str, tag: str) -> None:
        self.refs.append((what, tag, "active", self.getpos()[0], None))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self._active(f"<{tag}", tag)
        allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            scripted = (value or "").strip().lower().startswith(("javascript:", "vbscript:"))
            if tag in ALLOWED_TAGS and (name not in allowed or scripted):
                self._active(name, tag)
            elif name == "style" and UNSAFE_CSS.search(value or ""):
                self.refs.append((value or "", tag, "css", self.getpos()[0], None))
            elif name in self.ATTRS and value:
                alt = dict(attrs).get("alt") if tag == "img" else None
                self.refs.append((value.strip(), tag, name, self.getpos()[0], alt))

    def handle_comment(self, data: str) -> None:
        if "<" in data or ">" in data or data.startswith("-"):
            self._active("<!--", "!--")

    def unknown_decl(self, data: str) -> None:
        self._active("<!", "!")

    def handle_decl(self, decl: str) -> None:
        self._active("<!", "!")

    def handle_pi(self, data: str) -> None:
        self._active("<?", "?")


def references(body: str, first_line: int) -> list[Reference]:
    """Return every URL the Markdown body refers to, with the file line it is written on."""
    collector = _RefCollector()
    collector.feed(written_html(body))
    collector.close()
    lines = body.splitlines()

    def line_of(url: str) -> int:
        for offset, line in enumerate(lines):
            if url and url in line:
                return first_line + offset
        return first_line

    return [
        Reference(url, tag, attr, line_of(url), alt) for url, tag, attr, _, alt in collector.refs
    ]
