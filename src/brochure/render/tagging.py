"""Finish WeasyPrint's tagged PDF for PDF/UA-1: what it leaves out or writes wrong.

WeasyPrint 70 tags headings, lists, tables and figures, but an audit of our PDFs found:
running elements (the footer, "Page X of Y") marked as content that no structure element
owns; Figure bounding boxes in CSS pixels from the top of the page; header cells with IDs
but no /IDTree in the structure root, and no /Scope; a captioned picture's Figure and
Caption in a NonStruct (no group). This pass, run on every tagged PDF the
tool writes, repairs those with pikepdf and changes nothing else of the pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

PX_TO_PT = 0.75
PAGINATION = Dictionary(Type=Name.Pagination)


def finish(pdf_bytes: bytes) -> bytes:
    """Return `pdf_bytes` with its structure repaired (unchanged if it is not tagged)."""
    with pikepdf.open(BytesIO(pdf_bytes)) as pdf:
        root: Any = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return pdf_bytes
        owned = _owned_content(pdf, root)
        matrices = {page.objgen: _page_matrix(page) for page in pdf.pages}
        for number, page in enumerate(pdf.pages):
            _mark_artifacts(pdf, page, owned.get(number, set()))
            space_line_ends(pdf, page)
        for element in _elements(root):
            _fix_figure_box(element, matrices)
            _add_scope(element)
            _group_caption(element)
        _add_id_tree(pdf, root)
        out = BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def _elements(root: Any) -> Iterator[Any]:
    """Yield every structure element below `root`, depth first."""
    stack = list(reversed(_kids(root)))
    while stack:
        element = stack.pop()
        if isinstance(element, Dictionary) and "/S" in element:
            yield element
            stack.extend(reversed(_kids(element)))


def _kids(element: Any) -> list[Any]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _group_caption(element: Any) -> None:
    """Make a picture's <figure> (tagged NonStruct, which readers skip) a Div, so its
    Figure and Caption are read as one group."""
    kinds = {str(kid.get("/S")) for kid in _kids(element) if isinstance(kid, Dictionary)}
    if str(element.S) == "/NonStruct" and {"/Figure", "/Caption"} <= kinds:
        element.S = Name.Div


def _owned_content(pdf: pikepdf.Pdf, root: Any) -> dict[int, set[int]]:
    """Return, per page number, the MCIDs that a structure element owns."""
    pages: dict[Any, int] = {page.objgen: number for number, page in enumerate(pdf.pages)}
    owned: dict[int, set[int]] = {}
    for element in _elements(root):
        page = element.get("/Pg")
        for kid in _kids(element):
            if isinstance(kid, int) and page is not None:
                owned.setdefault(pages[page.objgen], set()).add(kid)
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                where = kid.get("/Pg", page)
                owned.setdefault(pages[where.objgen], set()).add(int(kid.MCID))
    return owned


def _mark_artifacts(pdf: pikepdf.Pdf, page: pikepdf.Page, owned: set[int]) -> None:
    """Turn marked content no element owns (running footers, page numbers) into artifacts."""
    operations: list[Any] = list(pikepdf.parse_content_stream(page))
    changed = False
    for index, (operands, operator) in enumerate(operations):
        if str(operator) != "BDC" or len(operands) < 2:
            continue
        properties = operands[1]
        if (
            isinstance(properties, Dictionary)
            and "/MCID" in properties
            and int(properties.MCID) not in owned
        ):
            operations[index] = pikepdf.ContentStreamInstruction(
                [Name.Artifact, PAGINATION], operator
            )
            changed = True
    if changed:
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(operations))


def space_line_ends(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    """End each line of text with a space glyph, so text read in tag order keeps its words
    apart ("may help", not "mayhelp"). A space at the end of a line draws nothing."""
    resources: Any = page.obj.get("/Resources")
    fonts: Any = resources.get("/Font") if resources is not None else None
    codes = {str(name): _unicode_codes(font) for name, font in (fonts or {}).items()}
    operations: list[Any] = list(pikepdf.parse_content_stream(page))
    shows: list[tuple[int, float, str]] = []  # each TJ: its index, its line's y, its font
    font, y = "", 0.0
    for index, (operands, operator) in enumerate(operations):
        if str(operator) == "Tf":
            font = str(operands[0])
        elif str(operator) == "Tm":
            y = float(operands[5])
        elif str(operator) == "TJ":
            shows.append((index, y, font))
    changed = False
    for (index, y, font), following in zip(shows, [*shows[1:], None], strict=True):
        if following is not None and abs(following[1] - y) < 0.5:
            continue  # the line goes on, in another style
        space, ends = codes.get(font, (None, set()))
        array = operations[index].operands[0]
        last = next((item for item in reversed(list(array)) if isinstance(item, String)), None)
        if space is None or last is None or bytes(last)[-2:] in ends:
            continue
        array.append(String(space))
        changed = True
    if changed:
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(operations))


def _unicode_codes(font: Any) -> tuple[bytes | None, set[bytes]]:
    """Return a Type0 font's two-byte code for a space, and its codes for a space or a hyphen
    (a line that ends with one needs no space added)."""
    cmap = font.get("/ToUnicode")
    if cmap is None or font.get("/Subtype") != Name.Type0:
        return None, set()
    pairs = re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4})>", cmap.read_bytes())
    text = {bytes.fromhex(code.decode()): int(unicode, 16) for code, unicode in pairs}
    space = next((code for code, char in text.items() if char == 0x20), None)
    ends = {code for code, char in text.items() if chr(char) in " -\u00ad\u2010\u2011"}
    return space, ends


def _page_matrix(page: pikepdf.Page) -> tuple[float, float, float]:
    """Return (x offset, y offset, y sign) of the page's first `cm`: CSS px -> PDF points."""
    instructions: list[Any] = list(pikepdf.parse_content_stream(page))
    for operands, operator in instructions:
        if str(operator) == "cm":
            _a, _b, _c, d, e, f = (float(v) for v in operands)
            return e, f, d / abs(d) if d else 1.0
        if str(operator) in ("BT", "Do", "re", "BDC"):
            break
    return 0.0, 0.0, 1.0


def _fix_figure_box(element: Any, matrices: dict[Any, tuple[float, float, float]]) -> None:
    """Write a Figure's /BBox in PDF user space (WeasyPrint writes CSS px from the top)."""
    attributes = element.get("/A")
    if Name.Figure != element.S or not isinstance(attributes, Dictionary):
        return
    box = attributes.get("/BBox")
    if box is None:
        return
    x0, y0, x1, y1 = (float(v) * PX_TO_PT for v in box)
    page = element.get("/Pg")
    dx, dy, sign = matrices.get(page.objgen, (0.0, 0.0, 1.0)) if page is not None else (0, 0, 1)
    top, bottom = dy + sign * y0, dy + sign * y1
    attributes.BBox = Array(
        [round(v, 3) for v in (dx + x0, min(top, bottom), dx + x1, max(top, bottom))]
    )


def _add_scope(element: Any) -> None:
    """Say whether a TH heads a column (in THead) or a row (in TBody)."""
    if element.S != Name.TH:
        return
    row = element.get("/P")
    section = row.get("/P") if row is not None else None
    scope = Name.Column if section is not None and section.get("/S") == Name.THead else Name.Row
    attributes = element.get("/A")
    if isinstance(attributes, Dictionary) and attributes.get("/O") == Name.Table:
        attributes.Scope = scope
    else:
        table = Dictionary(O=Name.Table, Scope=scope)
        element.A = Array([attributes, table]) if attributes is not None else table


def _add_id_tree(pdf: pikepdf.Pdf, root: Any) -> None:
    """List every element that has an /ID in the root's /IDTree (a name tree)."""
    named = sorted(
        ((str(element.ID), element) for element in _elements(root) if "/ID" in element),
        key=lambda pair: pair[0].encode("utf-8"),
    )
    if not named:
        return
    names = Array()
    for key, element in named:
        names.extend([String(key), element if element.is_indirect else pdf.make_indirect(element)])
    root.IDTree = pdf.make_indirect(Dictionary(Names=names))
