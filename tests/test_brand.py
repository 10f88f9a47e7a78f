"""The brand file: facts and colours reach the page, text stays legible in grayscale."""

from __future__ import annotations

from pathlib import Path

import pytest

from brochure.errors import SourceError
from brochure.source.brand import load, tel_href
from brochure.source.project import Project

from .conftest import ROOT, replace_in


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


def test_brand_facts(project: Path) -> None:
    brand = load(Project.at(project))
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


def test_roles_may_name_palette_colours_and_base_may_be_a_family(project: Path) -> None:
    replace_in(
        project,
        "_brand.yml",
        "  base:\n    family: Noto Sans\n    size: 10.5pt\n    line-height: 1.45\n",
        "  base: Noto Sans\n",
    )
    replace_in(project, "_brand.yml", "  primary: teal", "  primary: sand")
    brand = load(Project.at(project))
    assert brand.colors["primary"] == brand.colors["sand"]
    assert brand.base_family == "Noto Sans" and brand.base_size == "10.5pt"


def test_unknown_section_names_its_line(project: Path) -> None:
    replace_in(project, "_brand.yml", "\ncolor:\n", "\ncolour:\n")
    with pytest.raises(SourceError) as caught:
        load(Project.at(project))
    assert caught.value.line == 27
    assert caught.value.message.endswith(":27: unknown section `colour`. Did you mean `color`?")


def test_check_validates_the_whole_brand_yml_format(project: Path, run) -> None:
    replace_in(project, "_brand.yml", "typography:\n", "typography:\n  bogus: 1\n")
    assert run(project, "build", "conditions").exit_code == 0  # the build reads what it prints
    result = run(project, "check", "--strict")
    assert result.exit_code == 1
    assert (
        "_brand.yml:43: error: `typography.bogus` does not follow the brand.yml format: "
        "Extra inputs are not permitted" in result.output
    )
