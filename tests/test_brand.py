"""The brand file: facts and colours reach the page, text stays legible in grayscale."""

from __future__ import annotations

from pathlib import Path

import pytest

from brochure.brand import load, tel_href
from brochure.project import Project

from .conftest import ROOT


def luminance(hex_colour: str) -> float:
    """WCAG relative luminance of #RRGGBB."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("text", ["foreground", "primary", "secondary", "muted", "dark"])
@pytest.mark.parametrize("ground", ["background", "light"])
def test_text_colours_stay_legible_in_grayscale(text: str, ground: str) -> None:
    # Luminance contrast is what survives a grayscale printer: WCAG AA asks 4.5:1.
    colors = load(Project.at(ROOT)).colors
    assert contrast(colors[text], colors[ground]) >= 4.5, (text, ground)


def test_brand_facts() -> None:
    brand = load(Project.at(ROOT))
    assert brand.name == "Elixir and Wellness"
    assert brand.phone_href == "tel:+14805905693"
    assert brand.booking_url.startswith("https://") and ".example" in brand.booking_url
    assert "not FDA-approved" in brand.disclaimer


@pytest.mark.parametrize(
    ("phone", "href"),
    [
        ("480 590 5693", "tel:+14805905693"),
        ("(480) 590-5693", "tel:+14805905693"),
        ("+44 20 7946 0958", "tel:+442079460958"),
    ],
)
def test_tel_href(phone: str, href: str) -> None:
    assert tel_href(phone) == href


def test_logo_is_painted_in_the_primary_colour(built: Path) -> None:
    # WeasyPrint draws currentColor as black: the inlined logo must carry the brand colour.
    assert "currentColor" in (built / "assets" / "logo.svg").read_text()
    primary = load(Project.at(built)).colors["primary"]
    html = (built / "out" / "conditions.html").read_text()
    logo = html[html.index('<span class="logo">') :][:1500]
    assert f'fill="{primary}"' in logo and "currentColor" not in logo
