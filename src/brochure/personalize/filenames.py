"""File names made from user data: sanitised, bounded and never shared by two leads."""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 80
MAX_BYTES = 160  # well under the 255-byte limit of common file systems
WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


def safe_name(text: str, fallback: str = "lead") -> str:
    """Turn `text` into one safe file name part: letters, digits, `-`, `_` and `.` only.

    Path separators, `..`, control characters and everything else that is not a letter or
    digit in any script become single hyphens; the result is bounded in length.
    """
    text = unicodedata.normalize("NFC", text)
    kept = "".join(ch if _allowed(ch) else "-" for ch in text)
    name = re.sub(r"-{2,}", "-", re.sub(r"\.{2,}", "-", kept)).strip("-._ ")
    name = _bound(name).strip("-._ ")
    if not name or name.casefold().split(".")[0] in WINDOWS_RESERVED:
        name = f"{fallback}-{name}" if name else fallback
    return name


def _allowed(ch: str) -> bool:
    return ch in "-_." or unicodedata.category(ch)[0] in "LMN"


def _bound(name: str) -> str:
    name = name[:MAX_CHARS]
    while len(name.encode("utf-8")) > MAX_BYTES:
        name = name[:-1]
    return name


class UniqueNames:
    """Hand out file names, adding -2, -3... when a name (case-insensitively) is taken.

    Each name remembers the last number it handed out, so a name repeated n times costs
    O(1) a claim instead of retrying -2, -3... every time (40,000 "Ana"s in well under a
    second).
    """

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.last: dict[str, int] = {}  # casefolded stem -> the last N tried for it

    def claim(self, stem: str, suffix: str = ".pdf") -> str:
        """Return `stem + suffix`, or `stem-N + suffix` for the first free N."""
        key = stem.casefold()
        candidate, number = stem, self.last.get(key, 1)
        if number > 1 or (candidate + suffix).casefold() in self.taken:
            while True:
                number += 1
                candidate = f"{_bound(stem)[: MAX_CHARS - 6]}-{number}"
                if (candidate + suffix).casefold() not in self.taken:
                    break
        self.last[key] = number
        self.taken.add((candidate + suffix).casefold())
        return candidate + suffix
