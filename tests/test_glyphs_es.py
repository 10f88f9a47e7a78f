"""Spanish letters and marks (ñ, á, ¿, ¡) the brand fonts lack get the missing-glyph error."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from .conftest import FALLBACK, TEST_FONTS, invoke_with_fonts
from .spanish import REL, SLUG, write_spanish
from .test_check import GLYPH_TIP, TODAY, reported


def drop_from_brand_fonts(project: Path, chars: str) -> None:
    """Take `chars` out of every brand font of the project (their cmaps), as if the font had
    never had them."""
    for path in (project / "styles" / "fonts").glob("*.ttf"):
        font = TTFont(path)
        for table in font["cmap"].tables:
            for char in chars:
                table.cmap.pop(ord(char), None)
        font.save(path)


@pytest.mark.parametrize(
    ("fonts", "problem"),
    [
        (  # Fallback Test Sans has Latin-1: the marks would print in it, not the brand's font
            [TEST_FONTS],
            "error: the brand fonts lack “{char}” (U+{code}): it would print in the computer's "
            f"{FALLBACK} font (Replace it (or write it in words), or add a font that has it "
            "under typography.fonts in _brand.yml)",
        ),
        (
            [],
            "error: no font has the character “{char}” (U+{code}): it prints as an empty box "
            f"{GLYPH_TIP}",
        ),
    ],
    ids=["computer-font", "no-font"],
)
def test_spanish_marks_the_brand_fonts_lack(project: Path, fonts: list[Path], problem: str) -> None:
    drop_from_brand_fonts(project, "¿¡")
    line = write_spanish(project, "¿Tiene preguntas? ¡Llámenos hoy!\n")
    result = invoke_with_fonts(project, fonts, "check", "--today", TODAY, SLUG)
    assert reported(result.stdout, REL) == [
        f"{line}:{col}: {problem.format(char=char, code=f'{ord(char):04X}')}"
        for col, char in ((1, "¿"), (19, "¡"))
    ]
    assert result.returncode == 1, result.stdout + result.stderr


def test_spanish_text_in_the_shipped_fonts_passes(project: Path) -> None:
    write_spanish(project, "¿Tiene preguntas? ¡Llámenos hoy! Años, señal, pingüino.\n")
    result = invoke_with_fonts(project, [], "check", "--today", TODAY, "--strict", SLUG)
    assert result.returncode == 0, result.stdout + result.stderr
