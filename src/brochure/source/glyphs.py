"""Which characters the bundled fonts can draw (read from the font files' cmaps)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=8)
def coverage(paths: tuple[Path, ...]) -> frozenset[int]:
    """Return the code points that at least one of the font files has a glyph for."""
    from fontTools.ttLib import TTFont  # installed with WeasyPrint

    points: set[int] = set()
    for path in paths:
        with TTFont(path, lazy=True) as font:
            points.update(font.getBestCmap() or {})
    return frozenset(points)


def missing(text: str, fonts: Iterable[Path]) -> str:
    """Return the characters of `text` (in order, once each) that no font in `fonts` has."""
    covered = coverage(tuple(sorted(fonts)))
    seen: dict[str, None] = {}
    for ch in text:
        if not ch.isspace() and ord(ch) not in covered:
            seen[ch] = None
    return "".join(seen)
