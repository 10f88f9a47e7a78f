"""The clinic's logo as a small PNG for email (mail programs do not show SVG)."""

from __future__ import annotations

import base64

from brochure.build.pipeline import Pipeline

SIZE = 48  # CSS pixels in the email; drawn at 3x for sharp high-density screens


def logo_png(pipeline: Pipeline, size: int = SIZE) -> bytes:
    """Draw the brand's SVG logo (in the primary colour) to PNG bytes, `3 * size` pixels."""
    from brochure.render.pdf import capture_log
    from brochure.render.thumbnail import first_page_png

    brand = pipeline.brand
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
