"""Problems WeasyPrint only logs (bad CSS, missing files, missing glyphs), made findings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from brochure.checks.context import CheckContext
from brochure.checks.pictures import picture_lines, unloadable
from brochure.checks.text import spans
from brochure.problems import Problem
from brochure.render.result import RenderResult
from brochure.source.content import Brochure
from brochure.source.glyphs import coverage

if TYPE_CHECKING:
    from brochure.render.pdf import Log

NOTDEF_RE = re.compile(r'\.notdef glyph rendered for Unicode string unsupported by fonts: "(.+?)"')


def where(brochure: Brochure, char: str) -> tuple[int | None, int | None]:
    """Return the line and column of the first `char` in the brochure's text."""
    for span in spans(brochure):
        index = span.text.find(char)
        if index >= 0:
            return span.place(index)
    return None, None


def _char(char: str) -> str:
    return f"“{char}” (U+{ord(char):04X})"


def check_rendering(context: CheckContext, result: RenderResult) -> list[Problem]:
    """Turn WeasyPrint's log and the fonts it fell back to into problems."""
    files = [context.project.root / f.path for f in context.brand.fonts]
    covered = coverage(tuple(sorted(files)))
    root = context.project.root.as_uri() + "/"
    lines = picture_lines(context, result.brochure)
    problems = _logged(result.brochure, result.log, root, lines, context.project.root)
    for family, chars in result.fallback.items():
        problems += _fallback(result.brochure, family, chars, covered)
    return problems


def _logged(
    brochure: Brochure,
    log: Log | None,
    root: str,
    pictures: dict[str, tuple[str, int]],
    folder: Path,
) -> list[Problem]:
    """Errors WeasyPrint logged; its warnings, a missing glyph among them.

    File URLs in its messages are shown from the project folder (`root`), never as the
    machine's paths; a picture that failed to load is named as written, at its line.
    """
    path = brochure.path
    problems = [
        unloadable(path, message.replace(root, ""), pictures, folder)
        or Problem(
            path,
            None,
            "error",
            f"rendering failed: {message.replace(root, '')}",
            "Check the file names of images and fonts",
            code="render",
        )
        for message in (log.errors if log else [])
    ]
    for message in log.warnings if log else []:
        missing = NOTDEF_RE.search(message)
        if missing is None:
            problems.append(
                Problem(
                    path,
                    None,
                    "warning",
                    f"rendering: {message.replace(root, '')}",
                    "Check the CSS in styles/",
                    code="render",
                )
            )
            continue
        line, col = where(brochure, missing.group(1))
        problems.append(
            Problem(
                path,
                line,
                "error",
                f"no font has the character {_char(missing.group(1))}: it prints as an empty box",
                "Remove it or write it in words",
                col=col,
                code="render/glyph",
            )
        )
    return problems


def _fallback(
    brochure: Brochure, family: str, chars: str, covered: frozenset[int]
) -> list[Problem]:
    """Text set in a font the brand lacks: a style asked for it, or the brand lacks a glyph."""
    problems = []
    if any(ord(c) in covered for c in chars if not c.isspace()):
        problems.append(
            Problem(
                brochure.path,
                None,
                "error",
                f"some text is set in `{family}`, a font that is not in _brand.yml",
                "A style asks for a font family the brand has no files for: use "
                "var(--font-body) or var(--font-heading)",
                code="font",
            )
        )
    for char in (c for c in chars if ord(c) not in covered and not c.isspace()):
        line, col = where(brochure, char)
        problems.append(
            Problem(
                brochure.path,
                line,
                "error",
                f"the brand fonts lack {_char(char)}: it would print in the computer's "
                f"{family} font",
                "Replace it (or write it in words), or add a font that has it under "
                "typography.fonts in _brand.yml",
                col=col,
                code="render/glyph",
            )
        )
    return problems
