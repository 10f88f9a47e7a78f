"""PDF/UA-1 structure rules that matter for our handouts, checked on real PDFs with pikepdf.

No free PDF/UA validator installs from our registries, so these are the rules an audit of our
own PDFs found broken (veraPDF's rule numbers in brackets). Each function returns a list of
what breaks the rule, empty when the file passes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pikepdf

TABLE_CHILDREN = {"/TR", "/THead", "/TBody", "/TFoot", "/Caption"}


def elements(pdf: pikepdf.Pdf) -> Iterator[tuple[Any, Any]]:
    """Yield (parent, element) for every structure element of the tree."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    stack: list[tuple[Any, Any]] = [(root, kid) for kid in _kids(root)]
    while stack:
        parent, element = stack.pop(0)
        if isinstance(element, pikepdf.Dictionary) and "/S" in element:
            yield parent, element
            stack.extend((element, kid) for kid in _kids(element))


def _kids(element: Any) -> list[Any]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def figures_without_alt(pdf: pikepdf.Pdf) -> list[str]:
    """Every Figure has alternative text [7.3-1]."""
    return [
        f"Figure {i}"
        for i, (_, e) in enumerate(elements(pdf))
        if e.S == "/Figure" and not str(e.get("/Alt", "")).strip() and "/ActualText" not in e
    ]


def bad_table_children(pdf: pikepdf.Pdf) -> list[str]:
    """A Table holds only TR, THead, TBody, TFoot and Caption [7.2-3]."""
    return [
        f"{e.S} in Table"
        for parent, e in elements(pdf)
        if isinstance(parent, pikepdf.Dictionary)
        and parent.get("/S") == "/Table"
        and str(e.S) not in TABLE_CHILDREN
    ]


def _marked(page: pikepdf.Page) -> Iterator[tuple[str, int | None]]:
    """Yield (tag, MCID or None) of each marked-content sequence on a page (top level)."""
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "BDC":
            tag = str(operands[0])
            props = operands[1] if len(operands) > 1 else None
            mcid = None
            if isinstance(props, pikepdf.Dictionary) and "/MCID" in props:
                mcid = int(props.MCID)
            yield tag, mcid


def orphan_content(pdf: pikepdf.Pdf) -> list[str]:
    """Every marked-content sequence is in the structure tree or is an artifact [7.1-2]."""
    referenced: dict[int, set[int]] = {}
    pages = {p.objgen: n for n, p in enumerate(pdf.pages)}
    for _, e in elements(pdf):
        page = e.get("/Pg")
        for kid in _kids(e):
            if isinstance(kid, int) and page is not None:
                referenced.setdefault(pages[page.objgen], set()).add(kid)
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                mcr_page = kid.get("/Pg", page)
                referenced.setdefault(pages[mcr_page.objgen], set()).add(int(kid.MCID))
    found = []
    for n, page in enumerate(pdf.pages):
        for tag, mcid in _marked(page):
            if tag == "/Artifact":
                continue
            if mcid is None or mcid not in referenced.get(n, set()):
                found.append(f"page {n + 1}: {tag} MCID {mcid} in no structure element")
    return found


def missing_id_tree(pdf: pikepdf.Pdf) -> list[str]:
    """Elements with /ID are listed in the root's /IDTree (ISO 32000-1, Table 322)."""
    ids = [str(e.ID) for _, e in elements(pdf) if "/ID" in e]
    if not ids:
        return []
    tree = pdf.Root.StructTreeRoot.get("/IDTree")
    if tree is None:
        return ["no /IDTree although elements have /ID"]
    names = tree.get("/Names")
    listed = {str(names[i]) for i in range(0, len(names), 2)} if names is not None else set()
    return [f"/ID {i} not in /IDTree" for i in ids if i not in listed]


def headers_without_scope(pdf: pikepdf.Pdf) -> list[str]:
    """Every TH says whether it heads a row or a column [7.5-1]."""
    out = []
    for _, e in elements(pdf):
        if e.S != "/TH":
            continue
        attrs = e.get("/A")
        attrs = list(attrs) if isinstance(attrs, pikepdf.Array) else [attrs]
        if not any(isinstance(a, pikepdf.Dictionary) and "/Scope" in a for a in attrs):
            out.append(f"TH {e.get('/ID', '')} has no /Scope")
    return out


def bboxes_outside_pages(pdf: pikepdf.Pdf) -> list[str]:
    """Figure bounding boxes are in PDF user space, inside their page."""
    out = []
    for _, e in elements(pdf):
        attrs = e.get("/A")
        if e.S != "/Figure" or not isinstance(attrs, pikepdf.Dictionary) or "/BBox" not in attrs:
            continue
        page = e.get("/Pg") or pdf.pages[0].obj
        x0, y0, x1, y1 = (float(v) for v in page.MediaBox)
        box = [float(v) for v in attrs.BBox]
        if not (x0 <= box[0] < box[2] <= x1 and y0 <= box[1] < box[3] <= y1):
            out.append(f"Figure BBox {box} outside page {[x0, y0, x1, y1]}")
    return out


def shared_subset_names(pdf: pikepdf.Pdf) -> list[str]:
    """No two different font subsets carry the same name (ISO 32000-1, 9.6.4)."""
    seen: dict[str, set[tuple[int, int]]] = {}
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
            name = str(obj.FontName)
            if re.match(r"^/[A-Z]{6}\+", name):
                files = tuple(obj.get(k).objgen for k in ("/FontFile2", "/FontFile3") if k in obj)
                seen.setdefault(name, set()).add(files)
    return [f"{name} names {len(files)} subsets" for name, files in seen.items() if len(files) > 1]


def stray_info_keys(pdf: pikepdf.Pdf) -> list[str]:
    """The Info dictionary holds document metadata only (no `/viewport`)."""
    return [str(k) for k in pdf.docinfo if k in ("/viewport",)]


RULES = (
    figures_without_alt,
    bad_table_children,
    orphan_content,
    missing_id_tree,
    headers_without_scope,
    bboxes_outside_pages,
    shared_subset_names,
    stray_info_keys,
)


def audit(pdf: pikepdf.Pdf) -> list[str]:
    """Return every broken rule, one line each."""
    return [f"{rule.__name__}: {line}" for rule in RULES for line in rule(pdf)]


INLINE = {"/Span", "/Link", "/NonStruct", "/Quote", "/Note", "/Reference"}


def tag_order_text(path: object) -> str:
    """The text as a screen reader reads it: the structure tree in order, each marked-content
    sequence's glyphs as they are (no line breaks added), block elements set apart."""
    from pypdf import PdfReader

    texts: dict[tuple[int, int], str] = {}
    for number, page in enumerate(PdfReader(path).pages):
        _page_texts(page, number, texts)
    with pikepdf.open(path) as pdf:
        pages = {p.objgen: n for n, p in enumerate(pdf.pages)}
        parts: list[str] = []

        def walk(element: Any, page: int) -> None:
            if isinstance(element, int):
                parts.append(texts.get((page, element), ""))
                return
            if not isinstance(element, pikepdf.Dictionary):
                return
            where = element.get("/Pg")
            page = pages[where.objgen] if where is not None else page
            block = str(element.get("/S")) not in INLINE
            parts.append(" " if block else "")
            for kid in _kids(element):
                walk(kid, page)
            parts.append(" " if block else "")

        walk(pdf.Root.StructTreeRoot, 0)
    return " ".join("".join(parts).split())


def _page_texts(page: Any, number: int, texts: dict[tuple[int, int], str]) -> None:
    """Collect the glyphs of each marked-content sequence of one page, by MCID."""
    stack: list[int | None] = []

    def before(op: bytes, args: list, cm: object, tm: object) -> None:
        if op == b"BDC":
            props = args[1] if len(args) > 1 else None
            stack.append(props.get("/MCID") if hasattr(props, "get") else None)
        elif op == b"BMC":
            stack.append(None)
        elif op == b"EMC" and stack:
            stack.pop()

    def text(chunk: str, *_: object) -> None:
        mcid = next((m for m in reversed(stack) if m is not None), None)
        if mcid is not None and chunk != "\n":  # pypdf's own line breaks left out
            texts[number, int(mcid)] = texts.get((number, int(mcid)), "") + chunk

    page.extract_text(visitor_operand_before=before, visitor_text=text)
