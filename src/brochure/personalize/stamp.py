"""Stamp a small per-lead overlay onto a brochure's shared pages, at the PDF level (pikepdf).

The shared pages are rendered once with empty room for the per-lead parts; each copy opens
them, draws the overlay's pages on top as form XObjects, tags what it drew in the brochure's
structure tree (so screen readers read the "Prepared for" line and the QR code's alt text),
copies the overlay's links, points the booking links at the lead's URL and sets the lead id
in the document info. Nothing else in the brochure changes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from brochure.errors import BrochureError
from brochure.personalize.glyphs_draw import CannotDraw, DrawFont, show
from brochure.personalize.incremental import (
    Update,
    marker,
    marker_stream,
    pdf_string,
    prepared,
    record,
)
from brochure.personalize.lines import (
    MARKERS,
    PANGO_SCALE,
    Line,
    Link,
    Run,
    marker_lead,
    read_lines,
    variant,
)
from brochure.render.html import Lead
from brochure.render.pdf import PX_TO_PT
from brochure.render.tagging import space_line_ends

LEAD_ID_KEY = "/leadid"  # what WeasyPrint makes of <meta name="lead-id">
FONT_FILES = ("/FontFile2", "/FontFile3", "/FontFile")


@dataclass(frozen=True)
class Square:
    """Where to draw on the shared pages: page (from 0), top left and size in CSS px."""

    page: int
    x: float
    y: float
    size: float


def stamp(
    base: bytes,
    overlay: bytes,
    page: int,
    qr: Square | None,
    *,
    color: str,
    booking_url: str,
    lead_url: str,
    lead_id: str,
) -> bytes:
    """Return the brochure `base` with the overlay's first page drawn on `page` (tagged as a
    paragraph) and, at `qr`, a QR code for `lead_url` in `color` (tagged as the figure)."""
    with pikepdf.open(BytesIO(base)) as pdf, pikepdf.open(BytesIO(overlay)) as over:
        tree = _Tree(pdf)
        source = over.pages[0]
        space_line_ends(over, source)  # the lines of the overlay read apart, as the page's do
        form = pdf.copy_foreign(source.as_form_xobject())
        _retag_subsets(form)
        wrapped: set[int] = set()
        name = pdf.pages[page].add_resource(form, Name.XObject, Name("/Lead"))  # no random name
        element, mcid = tree.add(page, "P", booking_url, lead_url)
        _draw(
            pdf, page, wrapped, b"/P <</MCID %d>> BDC q %s Do Q EMC\n" % (mcid, str(name).encode())
        )
        for annot in source.obj.get("/Annots", []):
            tree.add_link(page, element, _copy_annot(pdf, annot))
        if qr is not None:
            _, mcid = tree.add(qr.page, "Figure", booking_url, lead_url)
            height = float(pdf.pages[qr.page].mediabox[3])
            ops = qr_operators(lead_url, color, qr, height)
            _draw(pdf, qr.page, wrapped, b"/Figure <</MCID %d>> BDC %s EMC\n" % (mcid, ops))
        for each in pdf.pages:
            for annot in each.obj.get("/Annots", []):
                action = annot.get("/A")
                if action is not None and str(action.get("/URI", "")) == booking_url:
                    action.URI = String(lead_url)
                    annot.Contents = String(lead_url)  # what a reader says for the link
        if lead_id:
            pdf.docinfo[Name(LEAD_ID_KEY)] = String(lead_id)
        out = BytesIO()
        pdf.save(out, deterministic_id=True)  # the same copy makes the same file
        return out.getvalue()


def _retag_subsets(form: Any) -> None:
    """Give the overlay's font subsets tags of their own (ISO 32000-1, 9.6.4).

    The overlay's subsets carry the same `ABCDEF+Name` as the brochure's, but hold other
    glyphs: printers that cache fonts by name could print wrong letters. The new tag is
    derived from the subset's own bytes, so the same copy always gets the same file.
    """
    fonts = form.get("/Resources", {}).get("/Font", {})
    for font in fonts.values():
        for each in [font, *font.get("/DescendantFonts", [])]:
            descriptor = each.get("/FontDescriptor")
            if descriptor is None or "/FontName" not in descriptor:
                continue
            data = next((descriptor[k] for k in FONT_FILES if k in descriptor), None)
            digest = hashlib.sha256(data.read_raw_bytes() if data is not None else b"").digest()
            tag = "".join(chr(ord("A") + b % 26) for b in digest[:6])
            name = Name("/" + tag + str(descriptor.FontName)[7:])
            descriptor.FontName = name
            if "/BaseFont" in each and str(each.BaseFont)[7:8] == "+":
                each.BaseFont = name
        if "/BaseFont" in font and str(font.BaseFont)[7:8] == "+":
            font.BaseFont = Name("/" + str(font.get("/DescendantFonts", [font])[0].BaseFont)[1:])


def _draw(pdf: pikepdf.Pdf, number: int, wrapped: set[int], operators: bytes) -> None:
    """Append `operators` to a page, after restoring the graphics state it started with."""
    page = pdf.pages[number]
    if number not in wrapped:
        page.contents_add(b"q\n", prepend=True)
        page.contents_add(b"\nQ\n")
        wrapped.add(number)
    page.contents_add(operators)


def qr_operators(url: str, color: str, where: Square, page_height: float) -> bytes:
    """Draw the QR code for `url` as one path of filled vector squares (the same symbol
    the full render's SVG shows: qr.symbol)."""
    from brochure.render.qr import path_operators

    path, count = path_operators(url)
    module = where.size * PX_TO_PT / count
    red, green, blue = rgb(color)
    head = (
        f"q {red:.4f} {green:.4f} {blue:.4f} rg {module:.6f} 0 0 {-module:.6f} "
        f"{where.x * PX_TO_PT:.4f} {page_height - where.y * PX_TO_PT:.4f} cm\n"
    )
    return head.encode() + path + b" Q"


def rgb(color: str) -> tuple[float, float, float]:
    """Turn `#rgb` or `#rrggbb` into fractions; ValueError for anything else."""
    digits = color.strip().lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    if not color.strip().startswith("#") or len(digits) != 6:
        raise ValueError(f"not a hex colour: {color}")
    red, green, blue = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return red, green, blue


def _copy_annot(pdf: pikepdf.Pdf, annot: Any) -> Any:
    for key in ("/P", "/StructParent"):  # the overlay's page and tree stay behind
        if key in annot:
            del annot[key]
    copied = pdf.copy_foreign(annot)
    return copied if copied.is_indirect else pdf.make_indirect(copied)


class _Tree:
    """The brochure's structure tree: add elements for stamped content and links."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        # pikepdf types every value as Object: these are a Dictionary and an Array.
        self.root: Any = pdf.Root.get("/StructTreeRoot")
        self.nums: Any = self.root.ParentTree.Nums if self.root is not None else None

    def _page_array(self, page: int) -> pikepdf.Array:
        key = int(self.pdf.pages[page].obj.StructParents)
        for i in range(0, len(self.nums), 2):
            if int(self.nums[i]) == key:
                return self.nums[i + 1]
        raise KeyError(key)

    def _masthead(self) -> tuple[Any, int]:
        """Where a "Prepared for" line goes: at the end of the masthead (the H1's parent)."""
        document = self.root.K[0] if isinstance(self.root.K, Array) else self.root.K
        for parent, _index, element in _walk(document):
            if element.get("/S") == Name.H1:
                return parent, len(parent.K)
        return document, len(document.K)

    def _figure(self, url: str) -> pikepdf.Dictionary | None:
        """The figure whose alt text names `url` (the hidden shared QR code)."""
        document = self.root.K[0] if isinstance(self.root.K, Array) else self.root.K
        for _parent, _index, element in _walk(document):
            if element.get("/S") == Name.Figure and url in str(element.get("/Alt", "")):
                return element
        return None

    def add(
        self, page: int, tag: str, booking_url: str, lead_url: str
    ) -> tuple[pikepdf.Dictionary | None, int]:
        """Tag new content on `page` as `tag`; return its element and MCID.

        A P is added at the end of the masthead; a Figure reuses the hidden shared QR
        code's element, its alt text now naming the lead's URL.
        """
        if self.root is None:  # an untagged brochure: nothing to add to
            return None, 0
        array = self._page_array(page)
        mcid = len(array)
        figure = self._figure(booking_url) if tag == "Figure" else None
        if figure is not None:
            figure.K = Array([*figure.K, mcid]) if isinstance(figure.K, Array) else Array([mcid])
            figure.Alt = String(str(figure.Alt).replace(booking_url, lead_url))
            array.append(figure)
            return figure, mcid
        parent, index = self._masthead()
        element = self.pdf.make_indirect(
            Dictionary(
                Type=Name.StructElem,
                S=Name("/" + tag),
                P=parent,
                Pg=self.pdf.pages[page].obj,
                K=Array([mcid]),
            )
        )
        parent.K.insert(index, element)
        array.append(element)
        return element, mcid

    def add_link(
        self, page: int, parent: pikepdf.Dictionary | None, annot: pikepdf.Dictionary
    ) -> None:
        """Add a link annotation to `page`, tagged as a Link inside `parent`."""
        page_obj = self.pdf.pages[page].obj
        if "/Annots" not in page_obj:
            page_obj.Annots = Array()
        page_obj.Annots.append(annot)
        if parent is None:
            return
        key = max(int(self.nums[i]) for i in range(0, len(self.nums), 2)) + 1
        link = self.pdf.make_indirect(
            Dictionary(
                Type=Name.StructElem,
                S=Name.Link,
                P=parent,
                Pg=page_obj,
                K=Array([Dictionary(Type=Name.OBJR, Obj=annot, Pg=page_obj)]),
            )
        )
        parent.K.append(link)
        annot.StructParent = key
        self.nums.extend([key, link])
        if "/ParentTreeNextKey" in self.root:
            self.root.ParentTreeNextKey = key + 1


def _walk(element: Any) -> Iterator[tuple[Any, int, Any]]:
    """Yield (parent, index, child) for every structure element below `element`."""
    kids = element.get("/K")
    if not isinstance(kids, Array):
        return
    for index, kid in enumerate(kids):
        if isinstance(kid, Dictionary) and kid.get("/Type") == Name.StructElem:
            yield element, index, kid
            yield from _walk(kid)


# ---- The fast path: each copy an incremental update of the shared PDF ------------------

Layout = Callable[[Lead], tuple[Any, float]]  # a lead's overlay: its document, block height


@dataclass(frozen=True)
class _Variant:
    """What copies whose leads fill in the same fields share: lines, objects, numbers."""

    lines: tuple[Line, ...]
    links: tuple[Link, ...]
    update: Update
    text_mcid: int
    qr_mcid: int
    alt: str  # the QR code's alt text, naming the shared booking URL


class Stamper:
    """Stamps copies of one brochure as incremental updates of its shared PDF.

    Made once per brochure: embeds the fonts the "Prepared for" block uses in the shared
    PDF (a subset of each: Latin, Greek, Cyrillic), then works out, once per combination
    of filled-in fields, the block's lines and the objects a copy rewrites. `copy` returns
    None for a lead it cannot draw exactly (letters outside the subset, a line too long for
    the room, a template it cannot redo): that copy is laid out by WeasyPrint instead.
    """

    def __init__(
        self,
        shared_pdf: bytes,
        slot: tuple[int, float],
        qr: Square | None,
        layout: Layout,
        fonts: dict[tuple[str, int, str], Path],
        *,
        color: str,
        booking_url: str,
    ) -> None:
        (self.page, self.room), self.qr, self.layout = slot, qr, layout
        self.font_files, self.color, self.booking_url = fonts, color, booking_url
        self.variants: dict[tuple[bool, ...], _Variant | None] = {}
        self.fonts: dict[Path, tuple[DrawFont, bytes]] = {}  # font, resource name
        self.base, self.height = b"", 0.0  # the shared PDF prepared, its pages' height
        full = Lead("name", "id", "coordinator", "phone", "tel:1", "appointment")
        found = self._lines(full)
        if found is not None:
            self.base = self._prepare(shared_pdf, {run.font for ln in found[0] for run in ln.runs})

    def _prepare(self, shared_pdf: bytes, files: set[Path]) -> bytes:
        """The shared PDF with the block's fonts on its page, its pages' graphics state
        saved and restored (so that what a copy adds starts from the default)."""
        with pikepdf.open(BytesIO(shared_pdf)) as pdf:
            self.height = float(pdf.pages[self.page].mediabox[3])
            for number, path in enumerate(sorted(files)):
                font = DrawFont(path)
                name = Name(f"/LeadF{number}")
                pdf.pages[self.page].add_resource(font.embed(pdf), Name.Font, name)
                self.fonts[path] = (font, str(name).encode())
            for page in {self.page, *([self.qr.page] if self.qr else [])}:
                pdf.pages[page].contents_add(b"q\n", prepend=True)
                pdf.pages[page].contents_add(b"\nQ\n")
            return prepared(pdf)

    def _lines(self, lead: Lead) -> tuple[tuple[Line, ...], tuple[Link, ...]] | None:
        """The block's lines for leads like `lead`, if they fit its room and can be redrawn
        (a template that fails to render fails each copy, on the way that says so)."""
        try:
            document, height = self.layout(marker_lead(lead))
        except BrochureError:
            return None
        found = read_lines(document, "prepared-for", self.font_files)
        if found is None or found[0] != self.page or height > self.room + 0.5:
            return None
        return tuple(found[1]), tuple(found[2])

    def copy(self, lead: Lead, lead_url: str) -> bytes | None:
        """The copy for `lead` (its booking URL `lead_url`), or None: lay it out instead."""
        if not self.base:
            return None
        key = (*variant(lead), bool(lead.lead_id))
        if key not in self.variants:
            self.variants[key] = self._variant(lead)
        found = self.variants[key]
        if found is None:
            return None
        try:
            text, rects = self._text(found, lead)
        except CannotDraw:
            return None
        values = {
            "LEADURL": pdf_string(lead_url),
            "LEADID": pdf_string(lead.lead_id),
            "ALT": pdf_string(found.alt.replace(self.booking_url, lead_url)),
        }
        for i, (link, rect) in enumerate(zip(found.links, rects, strict=True)):
            values[f"HREF{i}"] = pdf_string(_uri(_fill(link.href, lead)))
            values[f"RECT{i}"] = b"[ %s ]" % b" ".join(b"%.6f" % v for v in rect)
        streams = {"TEXT": text}
        if self.qr is not None:
            ops = qr_operators(lead_url, self.color, self.qr, self.height)
            streams["QR"] = b"/Figure <</MCID %d>> BDC\n%s\nEMC\n" % (found.qr_mcid, ops)
        return found.update.write(values, streams)

    def _variant(self, lead: Lead) -> _Variant | None:
        """Lay out the block for leads like `lead` and record the objects a copy rewrites."""
        found = self._lines(lead)
        if found is None or not all(self._same_width(r) for ln in found[0] for r in ln.runs):
            return None
        lines, links = found
        numbers: dict[str, Any] = {}

        def edit(pdf: pikepdf.Pdf) -> None:
            tree = _Tree(pdf)
            element, numbers["text"] = tree.add(self.page, "P", self.booking_url, "")
            pdf.pages[self.page].contents_add(marker_stream("TEXT"))
            for i in range(len(links)):
                annot = pdf.make_indirect(
                    Dictionary(
                        Type=Name.Annot,
                        Subtype=Name.Link,
                        Rect=marker(f"RECT{i}"),
                        BS=Dictionary(W=0),
                        A=Dictionary(Type=Name.Action, S=Name.URI, URI=marker(f"HREF{i}")),
                    )
                )
                tree.add_link(self.page, element, annot)
            numbers["qr"], numbers["alt"] = 0, ""
            if self.qr is not None:
                figure, numbers["qr"] = tree.add(
                    self.qr.page, "Figure", self.booking_url, self.booking_url
                )
                if figure is not None:
                    numbers["alt"] = str(figure.get("/Alt", ""))
                    figure.Alt = marker("ALT")
                pdf.pages[self.qr.page].contents_add(marker_stream("QR"))
            _point_booking_links(pdf, self.booking_url, marker("LEADURL"))
            if lead.lead_id:
                pdf.docinfo[Name(LEAD_ID_KEY)] = marker("LEADID")

        update = record(self.base, edit)
        return _Variant(lines, links, update, numbers["text"], numbers["qr"], numbers["alt"])

    def _same_width(self, run: Run) -> bool:
        """Whether shaping `run` here measures it exactly as WeasyPrint laid it out (the
        right font file, no letter spacing or features this shaping does not know)."""
        if run.font not in self.fonts:
            return False
        try:
            shaped = self.fonts[run.font][0].shape(run.text, run.size, run.language)
        except CannotDraw:
            return False
        return abs(shaped.width - run.width) < 1e-6

    def _text(self, found: _Variant, lead: Lead) -> tuple[bytes, list[tuple[float, ...]]]:
        """The content stream drawing the block for `lead`, and its links' rectangles."""
        ops = [
            b"/P <</MCID %d>> BDC" % found.text_mcid,
            b"q 1 0 0 -1 0 %f cm 0.75 0 0 0.75 0 0 cm BT" % self.height,
        ]
        spans: dict[int, list[float]] = {}
        for line in found.lines:
            shaped = [
                self.fonts[r.font][0].shape(_fill(r.text, lead), r.size, r.language)
                for r in line.runs
            ]
            width = sum(s.width for s in shaped)
            if width > line.right - line.left:  # WeasyPrint would wrap it
                raise CannotDraw(line)
            x = line.start(width)
            for index, (run, glyphs) in enumerate(zip(line.runs, shaped, strict=True)):
                font, name = self.fonts[run.font]
                last = index == len(line.runs) - 1
                ops.append(b"%f %f %f rg %s %f Tf" % (*run.color, name, run.size / PANGO_SCALE))
                ops.append(b"1 0 0 -1 %f %f Tm" % (x, line.baseline))
                ops.append(show(glyphs, font.space if last else None))
                if run.link is not None:
                    span = spans.setdefault(run.link, [x, x + glyphs.width])
                    span[:] = [min(span[0], x), max(span[1], x + glyphs.width)]
                x += glyphs.width
        ops.append(b"ET Q EMC\n")
        rects: list[tuple[float, ...]] = [
            (
                spans[i][0] * PX_TO_PT,
                self.height - link.top * PX_TO_PT,
                spans[i][1] * PX_TO_PT,
                self.height - link.bottom * PX_TO_PT,
            )
            for i, link in enumerate(found.links)
        ]
        return b"\n".join(ops), rects


def _point_booking_links(pdf: pikepdf.Pdf, booking_url: str, lead_url: Any) -> None:
    """Point every link to the shared booking URL at the lead's (and say so to readers)."""
    for each in pdf.pages:
        for annot in each.obj.get("/Annots", []):
            action = annot.get("/A")
            if action is not None and str(action.get("/URI", "")) == booking_url:
                action.URI = lead_url
                annot.Contents = lead_url


WHITESPACE = re.compile(r"[ \t\n\r\f]+")  # what HTML folds into one space


def _fill(text: str, lead: Lead) -> str:
    """`text` with its marker words replaced by the lead's fields, spaces folded as HTML
    does; CannotDraw for a field that starts or ends with a space (folded differently)."""
    for key, word in MARKERS.items():
        if word in text:
            value = WHITESPACE.sub(" ", getattr(lead, key))
            if value != value.strip(" "):
                raise CannotDraw(value)
            text = text.replace(word, value)
    return text


def _uri(href: str) -> str:
    """`href` as WeasyPrint writes a link's target (only what no URI may hold %-encoded)."""
    from urllib.parse import quote

    return quote(href.encode(), safe=b"/:?#[]@!$&'()*+,;=~%")
