"""Pictures as they will print: a format the PDF can use, a whole file, a description for
screen readers, a sensible file size (from the file), and enough pixels for the size they
print at (from the laid-out pages)."""

from __future__ import annotations

import re
from pathlib import Path

from brochure.checks.context import CheckContext
from brochure.problems import Level, Problem, names
from brochure.render import markup
from brochure.render.markup import Reference
from brochure.render.result import RenderResult
from brochure.source import pictures
from brochure.source.content import Brochure
from brochure.source.urls import resolve, shown

FORMAT_NAMES = {"HEIC": "a HEIC photo (the iPhone's format)", "AVIF": "an AVIF picture"}
FAILED_RE = re.compile(r"^Failed to load image at '([^']+)'")
SAVE_AS = (
    "Open it and save it as JPEG or PNG, then use that file; an iPhone takes JPEG photos "
    "under Settings > Camera > Formats > Most Compatible"
)


def picture_problems(source: Path, ref: Reference, target: Path) -> list[Problem]:
    """Return what is wrong with the picture `ref` (an existing project file `target`)."""
    found: list[tuple[Level, str, str]] = []
    url = shown(ref.url)
    if not (ref.alt or "").strip():
        found.append(
            (
                "error",
                f"picture `{url}` has no description: patients using screen readers hear nothing",
                f"Write what it shows between the brackets: "
                f"![{pictures.suggested_alt(ref.url)}]({ref.url})",
            )
        )
    found += _file_problems(url, target)
    return [Problem(source, ref.line, level, m, h, code="picture") for level, m, h in found]


def _file_problems(url: str, target: Path) -> list[tuple[Level, str, str]]:
    """What the file itself says: its real format, whether it is whole, its size."""
    try:
        facts = pictures.examine(target)
    except OSError:
        return []  # unreadable: the renderer reports it
    if facts.kind not in pictures.PRINTABLE:
        if facts.kind:
            name = FORMAT_NAMES.get(facts.kind, f"a {facts.kind} file")
            named = _named(target, facts.kind)
            what = f"picture `{url}` is {name}{named}, which a PDF cannot show"
        else:
            what = f"picture `{url}` is not a JPEG, PNG or SVG picture (or it is damaged)"
        return [("error", what, SAVE_AS)]
    if not facts.whole:
        return [
            (
                "error",
                f"picture `{url}` is cut short: the file is incomplete, so part of it would "
                "print grey",
                "Copy or export it again from the original",
            )
        ]
    if facts.size > pictures.LARGE_FILE:
        return [
            (
                "warning",
                f"picture `{url}` is {pictures.megabytes(facts.size)}: the PDFs get a smaller "
                "copy, but a file this big slows every build",
                "It will be resized; to build faster, save a copy about 3,000 pixels across",
            )
        ]
    return []


def _named(target: Path, kind: str) -> str:
    """Say when the file's name claims another format (a HEIC renamed `.jpg`)."""
    suffix = target.suffix.lower()
    claims = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".svg": "SVG"}.get(suffix)
    return f" named `{suffix}`" if claims and claims != kind else ""


def resolution_problem(
    source: Path, line: int | None, url: str, dpi: float, *, press: bool
) -> Problem | None:
    """Return the problem of a picture printed at `dpi`, or None when it is sharp enough."""
    if dpi >= pictures.MIN_DPI:
        return None
    logo = source.suffix == ".yml"
    return Problem(
        source,
        line,
        "error" if press else "warning",
        f"{'logo' if logo else 'picture'} `{shown(url)}` prints at {dpi:.0f} dpi: it will look "
        f"soft or blocky (print needs at least {pictures.MIN_DPI} dpi, {pictures.PRESS_DPI} "
        "for a print shop)",
        "Ask your designer for the logo as SVG, or as a larger PNG"
        if logo
        else "Use a larger original, or print it smaller: {.half} after the picture makes it "
        "half width",
        code="picture/dpi",
    )


def picture_lines(context: CheckContext, brochure: Brochure) -> dict[str, tuple[str, int]]:
    """Map each picture of the body, by its path from the project folder, to the URL as
    written and the line it is written on."""
    found: dict[str, tuple[str, int]] = {}
    for ref in markup.references(brochure.body, brochure.body_line):
        target = resolve(context.project, brochure.path.parent, ref.url)
        if ref.tag == "img" and target is not None:
            rel = target.relative_to(context.project.root).as_posix()
            found.setdefault(rel, (ref.url, ref.line))
    return found


def check_resolution(
    context: CheckContext, result: RenderResult, *, press: bool = False
) -> list[Problem]:
    """Report each picture printed at under MIN_DPI (once per picture, its lowest)."""
    lowest: dict[str, float] = {}
    for place in result.pictures:
        lowest[place.src] = min(place.dpi, lowest.get(place.src, place.dpi))
    lines = picture_lines(context, result.brochure)
    logos = {context.brand.logo, context.brand.logo_dark} - {""}
    problems = []
    for src, dpi in lowest.items():
        url, line = lines.get(src, (src, None))
        source = context.project.brand_path if src in logos else result.brochure.path
        problem = resolution_problem(source, line, url, dpi, press=press)
        if problem is not None:
            problems.append(problem)
    return problems


def unloadable(
    source: Path, message: str, lines: dict[str, tuple[str, int]], root: Path
) -> Problem | None:
    """Turn WeasyPrint's "Failed to load image at '...'" for a project file that is there
    into the picture's own error."""
    found = FAILED_RE.match(message)
    if found is None or not (root / found.group(1)).is_file():
        return None
    url, line = lines.get(found.group(1), (found.group(1), None))
    return Problem(
        source,
        line,
        "error",
        f"picture `{shown(url)}` cannot be loaded: the file is damaged or not a picture",
        SAVE_AS,
        code="picture",
    )


def picture_room(
    context: CheckContext, result: RenderResult, pitch: float
) -> tuple[str, int] | None:
    """Return the pictures of a brochure (as written, joined) and the lines of text their
    printed height would hold, or None when it has none."""
    if not result.pictures:
        return None
    lines = picture_lines(context, result.brochure)
    written = [f"`{shown(lines.get(p.src, (p.src, 0))[0])}`" for p in result.pictures]
    height = sum(p.height for p in result.pictures)
    return names(list(dict.fromkeys(written))), round(height / pitch)
