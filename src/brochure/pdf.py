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
# For overlays stamped onto a tagged brochure: no tags or metadata of their own.
PLAIN_OPTIONS = {"pdf_variant": None, "pdf_tags": False, "custom_metadata": False}


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

    def layout(self, html: str, log: Log, stylesheets: tuple[CSS, ...] = (),
               options: dict[str, object] | None = None) -> Document:
        """Lay out `html` into pages (with extra `stylesheets`); problems go to `log`."""
        self.fetcher.refused.clear()
        document = HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
            font_config=self.font_config, stylesheets=list(stylesheets),
            **(PDF_OPTIONS if options is None else options))
        log.errors.extend(f"refused to load {url}: it is outside the project"
                          for url in self.fetcher.refused)
        return document

    def write(self, document: Document, **options: object) -> bytes:
        """Serialise a laid-out document to PDF bytes."""
        return document.write_pdf(**{**PDF_OPTIONS, **options})


def user_css(text: str, renderer: Renderer) -> CSS:
    """Compile extra CSS with the renderer's fonts and fetcher."""
    return CSS(string=text, base_url=renderer.base_url, url_fetcher=renderer.fetcher,
               font_config=renderer.font_config)


@dataclass(frozen=True)
class Place:
    """Where a box sits: its page (from 0) and border box, in CSS px from the top left."""

    page: int
    x: float
    y: float
    width: float
    height: float


def find_places(document: Document, classes: tuple[str, ...]) -> dict[str, Place]:
    """Find the first box carrying each HTML class in `classes`."""
    found: dict[str, Place] = {}

    def visit(box: object, number: int) -> None:
        element = getattr(box, "element", None)
        if element is not None and hasattr(box, "border_box_x"):
            for name in set((element.get("class") or "").split()) & set(classes):
                found.setdefault(name, Place(number, box.border_box_x(), box.border_box_y(),
                                             box.border_width(), box.border_height()))
        for child in getattr(box, "children", []) or []:
            visit(child, number)

    for number, page in enumerate(document.pages):
        visit(page._page_box, number)
    return found


def page_size(document: Document) -> tuple[float, float]:
    """Return the first page's width and height in CSS px."""
    return document.pages[0].width, document.pages[0].height


def overflow_lines(document: Document, budget: int) -> int:
    """Count the text lines laid out on pages past the `budget`."""
    from weasyprint.formatting_structure.boxes import LineBox
    from weasyprint.formatting_structure.boxes import MarginBox

    def lines(box: object) -> int:
        if isinstance(box, LineBox):
            return 1
        if isinstance(box, MarginBox):
            return 0
        return sum(lines(child) for child in getattr(box, "children", []) or [])

    return sum(lines(page._page_box) for page in document.pages[budget:])
