"""What rendering one brochure gives: PDF bytes, page facts and the browser preview."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from brochure.problems import Problem
from brochure.source.content import Brochure

if TYPE_CHECKING:
    from brochure.render.pdf import Log, PageFacts, Place
    from brochure.render.pictures import Placed

MIN_TEXT_PT = 6  # text set smaller does not count as readable on paper (page facts skip it)


@dataclass
class RenderResult:
    """One brochure rendered to PDF (not yet written)."""

    brochure: Brochure
    pdf: bytes
    pages: int
    preview: str
    static: set[str]
    problems: list[Problem] = field(default_factory=list)
    facts: list[PageFacts] = field(default_factory=list)  # per page: text, lines, fill
    log: Log | None = None  # what WeasyPrint logged
    fallback: dict[str, str] = field(default_factory=dict)  # non-brand font -> characters
    overfull: dict[str, int] = field(default_factory=dict)  # trifold panel -> lines too many
    size: tuple[float, float] = (0, 0)  # the first page's width and height, in CSS px
    places: dict[str, Place] = field(default_factory=dict)  # boxes asked for by class
    thumbnail: bytes = b""  # a PNG of the first page, for the catalog
    pictures: list[Placed] = field(default_factory=list)  # raster pictures as laid out
