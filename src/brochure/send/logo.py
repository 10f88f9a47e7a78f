"""The clinic's logo as a small PNG for email (mail programs do not show SVG)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from brochure.build.pipeline import Pipeline

SIZE = 48  # CSS pixels in the email; drawn at 3x for sharp high-density screens


def logo_png(pipeline: Pipeline, size: int = SIZE) -> bytes:
    """Draw the brand's SVG logo (in the primary colour) to PNG bytes, `3 * size` pixels."""
    from brochure.render.pdf import capture_log
    from brochure.render.thumbnail import first_page_png

    brand = pipeline.brand
    if not brand.logo.lower().endswith(".svg"):
        return _raster_png(pipeline.project.root / brand.logo, 3 * size)
    svg = (pipeline.project.root / brand.logo).read_text(encoding="utf-8")
    svg = svg.replace("currentColor", brand.colors["primary"])
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    html = (
        f"<style>@page {{ size: {size}px {size}px; margin: 0 }} body {{ margin: 0 }}</style>"
        f'<img src="{uri}" style="display: block; width: {size}px; height: {size}px">'
    )
    with capture_log() as log:
        document = pipeline.renderer.layout(html, log)
        pdf = pipeline.renderer.write(document)
    return first_page_png(pdf, width=3 * size)


def _raster_png(path: Path, pixels: int) -> bytes:
    """Return a PNG or JPEG logo as a PNG at most `pixels` square, proportions kept."""
    from PIL import Image, ImageOps

    from brochure.render.pictures import to_srgb

    with Image.open(path) as original:
        image = to_srgb(ImageOps.exif_transpose(original))
        image.thumbnail((pixels, pixels), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
