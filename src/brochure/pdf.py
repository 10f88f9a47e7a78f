"""The PDF stage: the only module that imports WeasyPrint.

Rendering reads files only from inside the project (and `data:` URLs), never the network,
and turns what WeasyPrint merely logs (missing images, bad CSS) into findings.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .project import Project

PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True, "custom_metadata": True}


class RefusedResource(ValueError):
    """A resource outside the project or on the network was asked for."""


class ProjectFetcher(URLFetcher):
    """Fetch `data:` URLs and files inside the project; refuse everything else."""

    def __init__(self, project: Project) -> None:
        super().__init__(allowed_protocols={"file", "data"}, timeout=1)
        self.project = project
        self.refused: list[str] = []
        self._cache: dict[Path, bytes] = {}

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme == "file" and parts.netloc in ("", "localhost"):
            path = Path(unquote(parts.path)).resolve()
            if self.project.contains(path):
                if path not in self._cache:
                    self._cache[path] = path.read_bytes()
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(path.as_uri(), self._cache[path],
                                          {"Content-Type": mime})
        self.refused.append(url)
        raise RefusedResource(f"refused {url}: only files inside the project may be used")


@dataclass
class Log:
    """What WeasyPrint logged during one render."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Collect(logging.Handler):
    def __init__(self, log: Log) -> None:
        super().__init__(logging.WARNING)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().splitlines()[0]
        (self.log.errors if record.levelno >= logging.ERROR else self.log.warnings).append(
            message)


@contextmanager
def capture_log() -> Iterator[Log]:
    """Collect WeasyPrint's log records instead of printing them."""
    log = Log()
    logger = logging.getLogger("weasyprint")
    handler = _Collect(log)
    saved = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield log
    finally:
        logger.removeHandler(handler)
        logger.propagate = saved


class Renderer:
    """Render HTML strings of one project to PDF, sharing fonts and fetched files."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.fetcher = ProjectFetcher(project)
        self.font_config = FontConfiguration()
        self.base_url = project.root.as_uri() + "/"

    def layout(self, html: str, log: Log) -> Document:
        """Lay out `html` into pages; problems go to `log`."""
        self.fetcher.refused.clear()
        document = HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
            font_config=self.font_config, **PDF_OPTIONS)
        refused = list(dict.fromkeys(self.fetcher.refused))
        if refused:  # say it once, plainly, instead of WeasyPrint's loading errors
            log.errors[:] = [f"refused to load {url}: it is outside the project"
                             for url in refused] + [
                e for e in log.errors if not any(url in e for url in refused)]
        return document

    def write(self, document: Document, **options: object) -> bytes:
        """Serialise a laid-out document to PDF bytes."""
        return document.write_pdf(**{**PDF_OPTIONS, **options})


def user_css(text: str, renderer: Renderer) -> CSS:
    """Compile extra CSS with the renderer's fonts and fetcher."""
    return CSS(string=text, base_url=renderer.base_url, url_fetcher=renderer.fetcher,
               font_config=renderer.font_config)


@dataclass(frozen=True)
class PageFacts:
    """What one laid-out page holds: its readable text, lines and how full it is."""

    text: str  # readable text (visible, not tiny), lines joined by spaces
    lines: int  # text lines in the page area (not the margins)
    fill: float  # share of the page area's height the content uses, 0 to 1
    used: float  # height the content uses, in CSS px


def _lines(box: object) -> int:
    from weasyprint.formatting_structure.boxes import LineBox, MarginBox

    if isinstance(box, LineBox):
        return 1
    if isinstance(box, MarginBox):
        return 0
    return sum(_lines(child) for child in getattr(box, "children", []) or [])


def _text(box: object, out: list[str], min_px: float) -> None:
    from weasyprint.formatting_structure.boxes import LineBox, TextBox

    if isinstance(box, TextBox):
        style = box.style
        if (style["visibility"] == "visible" and style["font_size"] >= min_px
                and style["color"].alpha > 0 and style["opacity"] > 0):
            out.append(box.text)
        return
    for child in getattr(box, "children", []) or []:
        _text(child, out, min_px)
    if isinstance(box, LineBox):
        out.append(" ")


def page_facts(document: Document, min_pt: float = 6) -> list[PageFacts]:
    """Return the readable text (visible, `min_pt` or larger), lines and fill of every page."""
    from weasyprint.formatting_structure.boxes import MarginBox

    facts = []
    for page in document.pages:
        box = page._page_box
        top, height = box.content_box_y(), box.height
        bottom = top
        words: list[str] = []
        for child in box.children:
            _text(child, words, min_pt * 4 / 3)
            if not isinstance(child, MarginBox):
                bottom = max(bottom, child.position_y + child.margin_height())
        used = max(0.0, bottom - top)
        fill = min(1.0, used / height) if height else 0.0
        facts.append(PageFacts(" ".join("".join(words).split()), _lines(box), fill, used))
    return facts


def fallback_glyphs(document: Document, families: set[str]) -> dict[str, str]:
    """Return, per font family outside `families`, the characters printed with it.

    Call after `write()`: WeasyPrint only lists the fonts it used while drawing.
    """
    out: dict[str, str] = {}
    for font in document.fonts.values():
        if font.family not in families:
            chars = "".join(sorted(set("".join(font.to_unicode.values()))))
            if chars.strip():
                out[font.family] = "".join(dict.fromkeys(out.get(font.family, "") + chars))
    return out
