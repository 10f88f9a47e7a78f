"""The lines of the "Prepared for" block, read from the template's own layout.

The overlay template is laid out once (per combination of filled-in fields) for a lead whose
fields are marker words; its lines come back as runs of text (with the markers), each with
its font file, size, colour and place. The label words ("Prepared for", "Coordinator:"...)
are whatever the template printed, in whatever language. A copy then only swaps the markers
for its lead's words and shapes the runs again (stamp.py). Anything this simple model
cannot redo exactly (letter spacing, underlines, transformed text, inline blocks...) makes
`read_lines` return None, and the copy is laid out by WeasyPrint as before.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from brochure.render.html import Lead

# Marker words standing for the lead's fields (Latin capitals: in every brand font).
MARKERS = {
    "name": "QZXQN",
    "coordinator": "QZXQC",
    "coordinator_phone": "QZXQP",
    "appointment": "QZXQA",
    "coordinator_phone_href": "tel:QZXQH",
}
PANGO_SCALE = 1024


@dataclass(frozen=True)
class Run:
    """Text drawn in one style, its lead fields as marker words."""

    text: str
    font: Path
    size: int  # in Pango units (1/1024 CSS px), as WeasyPrint asks Pango for it
    color: tuple[float, float, float]
    width: float  # in CSS px, with the markers
    link: int | None = None  # which of the block's links this run's text is
    language: str = ""  # the language it is set in (shaping may depend on it)


@dataclass(frozen=True)
class Line:
    """One line of the block: its runs, where it is anchored and how wide it may run."""

    runs: tuple[Run, ...]
    align: str  # left, right or center
    left: float  # in CSS px from the page's top left
    right: float
    baseline: float

    def start(self, width: float) -> float:
        """Where a line `width` px wide starts, aligned as this one."""
        if self.align == "right":
            return self.right - width
        if self.align == "center":
            return self.left + (self.right - self.left - width) / 2
        return self.left


@dataclass(frozen=True)
class Link:
    """A link in the block: its target (with markers) and its box's top and bottom."""

    href: str
    top: float
    bottom: float


def marker_lead(lead: Lead) -> Lead:
    """A lead with the same fields filled in as `lead`, each one its marker word."""
    values = {key: marker if getattr(lead, key) else "" for key, marker in MARKERS.items()}
    return replace(lead, **values)


def variant(lead: Lead) -> tuple[bool, ...]:
    """Which printed fields `lead` fills in (leads alike here lay out alike)."""
    return tuple(bool(getattr(lead, key)) for key in MARKERS)


def read_lines(
    document: Any, block_class: str, fonts: dict[tuple[str, int, str], Path]
) -> tuple[int, list[Line], list[Link]] | None:
    """The page and lines of the block with HTML class `block_class`, and its links.

    `fonts` maps (family, weight, style) to font files. None when the block is not found or
    holds anything `Line`s cannot redraw exactly.
    """
    for number, page in enumerate(document.pages):
        block = _find(page._page_box, block_class)
        if block is None:
            continue
        links = [
            (box, Link(target, rect[1], rect[3]))
            for kind, target, rect, box in page.links
            if kind == "external"
        ]
        lines = []
        for line_box, parent in _line_boxes(block):
            line = _line(line_box, parent, fonts, [box for box, _ in links])
            if line is None:
                return None
            lines.append(line)
        return number, lines, [link for _, link in links]
    return None


def _find(box: Any, name: str) -> Any:
    element = getattr(box, "element", None)
    if element is not None and name in (element.get("class") or "").split():
        return box
    for child in getattr(box, "children", None) or []:
        found = _find(child, name)
        if found is not None:
            return found
    return None


def _line_boxes(box: Any) -> list[tuple[Any, Any]]:
    """The line boxes below `box`, each with the block it is a line of."""
    found = []
    for child in getattr(box, "children", None) or []:
        if type(child).__name__ == "LineBox":
            found.append((child, box))
        else:
            found += _line_boxes(child)
    return found


def _line(
    box: Any, block: Any, fonts: dict[tuple[str, int, str], Path], links: list[Any]
) -> Line | None:
    align = str(box.style["text_align_all"])
    align = {"start": "left", "end": "right"}.get(align, align)
    texts = list(_texts(box, None, links))
    if align not in ("left", "right", "center") or not texts or None in texts:
        return None
    runs: list[Run] = []
    x = box.position_x
    for text, link in texts:
        run = _run(text, link, fonts)
        if run is None or abs(text.position_x - x) > 1e-6:  # margins, padding...
            return None
        runs.append(run)
        x += text.width
    first = texts[0][0]
    left = block.content_box_x()
    line = Line(tuple(runs), align, left, left + block.width, first.position_y + first.baseline)
    return line if abs(line.start(box.width) - box.position_x) < 1e-6 else None


def _texts(box: Any, link: int | None, links: list[Any]) -> Any:
    """The text boxes of a line in order, each with the link it is in; None for a box
    that is neither text nor a plain inline box."""
    for child in box.children:
        kind = type(child).__name__
        if kind == "TextBox":
            yield child, link
        elif kind == "InlineBox" and _plain(child):
            inner = links.index(child) if child in links else link
            yield from _texts(child, inner, links)
        else:
            yield None


def _plain(box: Any) -> bool:
    """No margin, border or padding left or right: the text runs on as if unstyled."""
    edges = (
        *("margin_left", "margin_right", "padding_left", "padding_right"),
        *("border_left_width", "border_right_width"),
    )
    return not any(getattr(box, edge, 0) for edge in edges)


def _run(box: Any, link: int | None, fonts: dict[tuple[str, int, str], Path]) -> Run | None:
    style = box.style
    if (
        style["letter_spacing"] != "normal"
        or style["word_spacing"] != 0
        or style["text_transform"] != "none"
        or style["text_decoration_line"] not in ("none", set(), frozenset())
        or style["font_feature_settings"] != "normal"
        or style["font_variant_caps"] != "normal"
        or style["direction"] != "ltr"
    ):
        return None
    color = style["color"]
    if color.alpha != 1:
        return None
    key = (str(style["font_weight"]), str(style["font_style"]))
    font = next(
        (
            fonts[(family, int(key[0]), key[1])]
            for family in style["font_family"]
            if (family, int(key[0]) if key[0].isdigit() else 0, key[1]) in fonts
        ),
        None,
    )
    if font is None:
        return None
    red, green, blue = (float(c) for c in color.to("srgb").coordinates)
    size = int(style["font_size"] * PANGO_SCALE)
    language = str(style["lang"] or "")
    return Run(box.text, font, size, (red, green, blue), box.width, link, language)
