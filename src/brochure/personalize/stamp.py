"""Stamp a small per-lead overlay onto a brochure's shared pages, at the PDF level (pikepdf).

The shared pages are rendered once with empty room for the per-lead parts; each copy opens
them, draws the overlay's pages on top as form XObjects, tags what it drew in the brochure's
structure tree (so screen readers read the "Prepared for" line and the QR code's alt text),
copies the overlay's links, points the booking links at the lead's URL and sets the lead id
in the document info. Nothing else in the brochure changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

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
    """Draw the QR code for `url` as filled vector squares (the same symbol the full
    render's SVG shows: segno, error level M, no quiet zone)."""
    import segno

    rows = [list(row) for row in segno.make(url, error="m", micro=False).matrix_iter(border=0)]
    module = where.size * PX_TO_PT / len(rows)
    red, green, blue = rgb(color)
    ops = [
        f"q {red:.4f} {green:.4f} {blue:.4f} rg {module:.6f} 0 0 {-module:.6f} "
        f"{where.x * PX_TO_PT:.4f} {page_height - where.y * PX_TO_PT:.4f} cm"
    ]
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                ops.append(f"{start} {y} {x - start} 1 re")
            else:
                x += 1
    ops.append("f Q")
    return "\n".join(ops).encode()


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
