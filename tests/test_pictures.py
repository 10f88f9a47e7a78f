"""Pictures in brochures: they fit their column, and a broken one is named plainly."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from .conftest import invoke
from .test_errors import build_error, sheet

RIGHT_MARGIN = 0.65 * 72  # styles/common.css: @page margin


def test_a_wide_picture_stays_inside_its_column(project: Path) -> None:
    Image.new("RGB", (2400, 600), (40, 110, 120)).save(project / "assets" / "wide.png")
    body = "Before the picture.\n\n![The treatment room](../assets/wide.png)\n\nAfter it.\n"
    (project / "brochures" / "wide.md").write_text(sheet(body), encoding="utf-8")
    result = invoke(project, "build", "wide")
    assert result.exit_code == 0, result.output
    page = pdfium.PdfDocument(project / "out" / "wide.pdf")[0]
    width = page.get_width()
    images = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
    assert len(images) == 1
    left, bottom, right, top = images[0].get_bounds()
    assert left >= RIGHT_MARGIN - 1 and right <= width - RIGHT_MARGIN + 1, (left, right, width)
    assert abs((right - left) / (top - bottom) - 4) < 0.05  # its proportions kept


def test_a_broken_picture_is_named_without_machine_paths(project: Path) -> None:
    (project / "assets" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    body = "![Our clinic](../assets/photo.png)\n"
    (project / "brochures" / "photo.md").write_text(sheet(body), encoding="utf-8")
    error = build_error(project, "photo")
    assert error.startswith("Error: brochures/photo.md: rendering failed: "), error
    assert "assets/photo.png" in error
    assert "file://" not in error and str(project) not in error
