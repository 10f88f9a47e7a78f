"""The PDF stage: the only module that imports WeasyPrint.

Rendering reads files only from inside the project (and `data:` URLs), never the network,
and turns what WeasyPrint merely logs (missing images, bad CSS) into findings.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pydyf
from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from brochure.errors import BrochureError
from brochure.render import tagging
from brochure.render.pictures import CACHE_DIR, PictureCache, Placed, fit
from brochure.source.pictures import OFFICE_DPI, PRESS_DPI
from brochure.source.project import Project

PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True, "custom_metadata": True}
# Press files embed whole fonts and declare their RGB colours as sRGB (an output intent).
PRESS_OPTIONS = {"full_fonts": True, "output_intent": "srgb"}
SUBSET_TAG = re.compile(rb"^/[A-Z]{6}\+")
PANEL_ATTRIBUTE = "data-panel"  # marks a box whose content must fit inside it
PX_TO_PT = 0.75


@dataclass(frozen=True)
class Marks:
    """Where printer's marks go, in points measured from the edge of the bleed."""

    gap: float = 3  # between the bleed and the start of a mark
    length: float = 18
    margin: float = 6  # beyond the end of a mark, to the edge of the sheet
    width: float = 0.25


# For overlays stamped onto a tagged brochure: no tags or metadata of their own.
PLAIN_OPTIONS: dict[str, object] = {
    "pdf_variant": None,
    "pdf_tags": False,
    "custom_metadata": False,
}


class RefusedResource(BrochureError):
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
                return URLFetcherResponse(path.as_uri(), self._cache[path], {"Content-Type": mime})
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
        (self.log.errors if record.levelno >= logging.ERROR else self.log.warnings).append(message)


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


@dataclass
class Typeset:
    """A laid-out document, its PDF bytes and what WeasyPrint logged making them."""

    document: Document
    pdf: bytes
    log: Log
    pictures: list[Placed] = field(default_factory=list)  # as laid out, before resizing


_FONTS: dict[tuple[object, ...], FontConfiguration] = {}  # the one kept, by its font files


def font_configuration(project: Project) -> FontConfiguration:
    """Return the font configuration for `project`, made once while its fonts stay the same.

    Each FontConfiguration costs about 220 KB of memory that is never given back (Fontconfig
    and Pango), so a long-running `serve` that made one a rebuild grew without bound. One is
    kept and reused until the brand's font files change (a changed font file gets a new one:
    WeasyPrint would keep the old letters), or the run's temporary folder (brochure.scratch)
    that holds its copies of the fonts.
    """
    from brochure.source.brand import load

    try:
        fonts = sorted({project.root / f.path for f in load(project).fonts})
        files = ((p, p.stat().st_mtime_ns, p.stat().st_size) for p in fonts)
        key = (project.root, tempfile.gettempdir(), *files)  # its font copies live there
    except Exception:  # a broken brand is reported where it is read
        return FontConfiguration()
    if key not in _FONTS:
        _FONTS.clear()
        _FONTS[key] = FontConfiguration()
    return _FONTS[key]


class Renderer:
    """Render HTML strings of one project to PDF, sharing fonts and fetched files."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.fetcher = ProjectFetcher(project)
        self.font_config = font_configuration(project)
        self.base_url = project.root.as_uri() + "/"
        self.pictures = PictureCache(project.out_dir / CACHE_DIR)

    def layout(
        self,
        html: str,
        log: Log,
        *,
        press: bool = False,
        stylesheets: tuple[CSS, ...] = (),
        options: dict[str, object] | None = None,
    ) -> Document:
        """Lay out `html` into pages; problems go to `log`.

        `press` lays out a print shop's file; `stylesheets` add CSS; `options` replace the
        PDF options (a personalised overlay has no tags of its own).
        """
        self.fetcher.refused.clear()
        if options is None:
            options = {**PDF_OPTIONS, **(PRESS_OPTIONS if press else {})}
        document = HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
            font_config=self.font_config, stylesheets=list(stylesheets), **options
        )
        refused = list(dict.fromkeys(self.fetcher.refused))
        if refused:  # say it once, plainly, instead of WeasyPrint's loading errors
            log.errors[:] = [
                f"refused to load {url}: it is outside the project" for url in refused
            ] + [e for e in log.errors if not any(url in e for url in refused)]
        return document

    def write(self, document: Document, **options: object) -> bytes:
        """Serialise a laid-out document to PDF bytes."""
        return document.write_pdf(**{**PDF_OPTIONS, **options})

    def typeset(
        self,
        html: str,
        *,
        press: bool = False,
        stylesheets: tuple[CSS, ...] = (),
        options: dict[str, object] | None = None,
    ) -> Typeset:
        """Lay out `html` and write it to PDF bytes, collecting what WeasyPrint logs.

        The one way every brochure, press file, shared page and overlay is made (the
        arguments are those of `layout`).
        """
        with capture_log() as log:
            document = self.layout(html, log, press=press, stylesheets=stylesheets, options=options)
            dpi = PRESS_DPI if press else OFFICE_DPI
            placed = fit(document, self.project, self.pictures, dpi)
            pdf = self.write_press(document) if press else self.write(document, **(options or {}))
        if options is None:  # tagged: finish the structure WeasyPrint leaves incomplete
            pdf = tagging.finish(pdf)
        return Typeset(document, pdf, log, placed)

    def write_press(self, document: Document, marks: Marks | None = None) -> bytes:
        """Serialise a document laid out (press=True) with a CSS `bleed` for a print shop.

        Every page gets a BleedBox as wide as the CSS bleed, crop marks (and fold marks where
        the panels of a folded layout meet) outside it, and a MediaBox around the marks.
        """
        marks = marks or Marks()

        def finish(doc: Document, pdf: pydyf.PDF) -> None:
            add_marks(doc, pdf, marks)
            untag_fonts(pdf)

        return self.write(document, finisher=finish, **PRESS_OPTIONS)


def user_css(text: str, renderer: Renderer) -> CSS:
    """Compile extra CSS with the renderer's fonts and fetcher."""
    return CSS(
        string=text,
        base_url=renderer.base_url,
        url_fetcher=renderer.fetcher,
        font_config=renderer.font_config,
    )


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

    def visit(box: Any, number: int) -> None:
        element = getattr(box, "element", None)
        if element is not None and hasattr(box, "border_box_x"):
            for name in set((element.get("class") or "").split()) & set(classes):
                found.setdefault(
                    name,
                    Place(
                        number,
                        box.border_box_x(),
                        box.border_box_y(),
                        box.border_width(),
                        box.border_height(),
                    ),
                )
        for child in getattr(box, "children", []) or []:
            visit(child, number)

    for number, page in enumerate(document.pages):
        visit(page._page_box, number)
    return found


def page_size(document: Document) -> tuple[float, float]:
    """Return the first page's width and height in CSS px."""
    return document.pages[0].width, document.pages[0].height


@dataclass(frozen=True)
class PageFacts:
    """What one laid-out page holds: its readable text, lines and how full it is."""

    text: str  # readable text (visible, not tiny), lines joined by spaces
    lines: int  # text lines in the page area (not the margins)
    fill: float  # share of the page area's height the content uses, 0 to 1
    used: float  # height the content uses, in CSS px
    ink: float = 0.0  # from the top of the page area to the last thing printed, in CSS px
    height: float = 0.0  # height of the page area, in CSS px


def _text(box: Any, out: list[str], min_px: float) -> None:
    from weasyprint.formatting_structure.boxes import LineBox, TextBox

    if isinstance(box, TextBox):
        style = box.style
        if (
            style["visibility"] == "visible"
            and style["font_size"] >= min_px
            and style["color"].alpha > 0
            and style["opacity"] > 0
        ):
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
        lines = sum(1 for _ in line_boxes(box))
        ink = _ink_bottom(box, top) - top
        facts.append(PageFacts(" ".join("".join(words).split()), lines, fill, used, ink, height))
    return facts


def _ink_bottom(box: object, bottom: float) -> float:
    """Return the lowest edge of what `box` prints: text lines, pictures and boxes with a
    border or background (not the page margins, nor html/body, which fill every page)."""
    from weasyprint.formatting_structure.boxes import LineBox, MarginBox, ReplacedBox

    if isinstance(box, MarginBox):
        return bottom
    if isinstance(box, (LineBox, ReplacedBox)):
        return max(bottom, box.border_box_y() + box.border_height())
    style = getattr(box, "style", None)
    if (
        style is not None
        and getattr(box, "element_tag", None) not in ("html", "body")
        and (box.border_bottom_width or style["background_color"].alpha > 0)  # type: ignore[attr-defined]
    ):
        bottom = max(bottom, box.border_box_y() + box.border_height())  # type: ignore[attr-defined]
    for child in getattr(box, "children", None) or []:
        bottom = _ink_bottom(child, bottom)
    return bottom


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


def _page_dicts(pdf: pydyf.PDF) -> list[pydyf.Dictionary]:
    return [pdf.objects[number] for number in pdf.pages["Kids"][::3]]


def untag_fonts(pdf: pydyf.PDF) -> None:
    """Drop the `ABCDEF+` subset tag WeasyPrint gives even whole embedded fonts.

    Preflight tools read the tag as "subset"; a press file embeds whole fonts.
    """
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") in ("/Font", "/FontDescriptor"):
            for key in ("BaseFont", "FontName"):
                name = obj.get(key)
                if isinstance(name, bytes) and SUBSET_TAG.match(name):
                    obj[key] = b"/" + name[8:]


def add_marks(document: Document, pdf: pydyf.PDF, marks: Marks) -> None:
    """Set the boxes of every page and draw crop and fold marks outside the bleed."""
    for page, pdf_page in zip(document.pages, _page_dicts(pdf), strict=True):
        trim = [float(v) for v in pdf_page["TrimBox"]]
        # PDF y grows upwards: the low edge is the CSS bottom of the page.
        bleed = [page.bleed[side] * PX_TO_PT for side in ("left", "bottom", "right", "top")]
        bleed_box = _grow(trim, bleed)
        reach = marks.gap + marks.length + marks.margin
        pdf_page["BleedBox"] = pydyf.Array(bleed_box)
        pdf_page["MediaBox"] = pydyf.Array(_grow(bleed_box, [reach] * 4))
        stream = pydyf.Stream(compress=True)
        stream.begin_marked_content("Artifact")
        stream.push_state()
        stream.set_line_width(marks.width)
        stream.set_color_rgb(0, 0, 0, stroke=True)
        for x, y, dx, dy in _crop_mark_lines(trim, bleed_box, marks):
            stream.move_to(x, y)
            stream.line_to(x + dx, y + dy)
        stream.stroke()
        folds = _fold_positions(page)
        if folds:  # dashed, above and below each fold of a folded layout
            stream.set_dash([2, 2], 0)
            low, high = bleed_box[1] - marks.gap, bleed_box[3] + marks.gap
            for x in folds:
                x = trim[0] + x * PX_TO_PT
                stream.move_to(x, low)
                stream.line_to(x, low - marks.length)
                stream.move_to(x, high)
                stream.line_to(x, high + marks.length)
            stream.stroke()
        stream.pop_state()
        stream.end_marked_content()
        # Wrap the page's own content in q/Q so the marks start from a clean graphics state.
        save, restore = pydyf.Stream([b"q"]), pydyf.Stream([b"Q"])
        for extra in (save, restore, stream):
            pdf.add_object(extra)
        pdf_page["Contents"] = pydyf.Array(
            [save.reference, pdf_page["Contents"], restore.reference, stream.reference]
        )


def _grow(box: list[float], by: list[float]) -> list[float]:
    """Grow a PDF box [x0 y0 x1 y1] by [left bottom right top]."""
    return [box[0] - by[0], box[1] - by[1], box[2] + by[2], box[3] + by[3]]


def _crop_mark_lines(
    trim: list[float], bleed_box: list[float], marks: Marks
) -> list[tuple[float, float, float, float]]:
    """Return (x, y, dx, dy) of the eight crop marks: the trim lines continued outside."""
    lines: list[tuple[float, float, float, float]] = []
    for x, outer_x, sign_x in ((trim[0], bleed_box[0], -1), (trim[2], bleed_box[2], 1)):
        for y, outer_y, sign_y in ((trim[1], bleed_box[1], -1), (trim[3], bleed_box[3], 1)):
            lines.append((outer_x + sign_x * marks.gap, y, sign_x * marks.length, 0))
            lines.append((x, outer_y + sign_y * marks.gap, 0, sign_y * marks.length))
    return lines


def _fold_positions(page: Any) -> list[float]:
    """Return the x positions (CSS px from the left trim) where folded panels meet."""
    return sorted(
        {box.border_box_x() for box in panel_boxes(page._page_box) if box.border_box_x() > 0.5}
    )


def panel_boxes(root: Any) -> list[Any]:
    """Return the boxes of elements carrying PANEL_ATTRIBUTE (one per page fragment)."""
    found = []

    def walk(box: Any, parent_element: object) -> None:
        element = getattr(box, "element", None)
        if (
            element is not None
            and element is not parent_element
            and "::" not in box.element_tag
            and element.get(PANEL_ATTRIBUTE)
        ):
            found.append(box)
        for child in getattr(box, "children", []) or []:
            walk(child, element)

    walk(root, None)
    return found


def overfull_panels(document: Document) -> dict[str, int]:
    """Count, per panel, the text lines laid out below its box or on a later page."""
    over: dict[str, int] = {}
    seen: set[str] = set()
    for page in document.pages:
        for box in panel_boxes(page._page_box):
            name = box.element.get(PANEL_ATTRIBUTE)
            found = list(line_boxes(box))
            if name in seen:  # a continuation on another page: every line is too many
                count = len(found)
            else:
                limit = box.content_box_y() + box.height + 0.5
                count = sum(line.position_y + line.height > limit for line in found)
            seen.add(name)
            if count:
                over[name] = over.get(name, 0) + count
    return over


def line_boxes(box: Any) -> Iterator[Any]:
    """Yield the text lines laid out inside `box`, leaving out page margin boxes."""
    from weasyprint.formatting_structure.boxes import LineBox, MarginBox

    if isinstance(box, LineBox):
        yield box
    elif not isinstance(box, MarginBox):
        for child in getattr(box, "children", []) or []:
            yield from line_boxes(child)
