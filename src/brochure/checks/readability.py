"""Reading level: the Flesch-Kincaid grade of a brochure's running text (pyphen syllables)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pyphen

from brochure.checks.context import CheckContext
from brochure.checks.text import Span, spans
from brochure.problems import Problem
from brochure.source.content import Brochure

WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,:]\d+)*")
SENTENCE_RE = re.compile(r"\S.*?(?:[.!?]+[\"'”’)]*(?=\s|$)|$)", re.DOTALL)
HARDEST = 3  # how many hard sentences a warning lists
SHOWN_CHARS = 70  # how much of a hard sentence the warning quotes


@dataclass(frozen=True)
class Sentence:
    """One sentence of running text, its counts and where it starts."""

    text: str
    words: int
    syllables: int
    line: int | None
    col: int | None

    @property
    def grade(self) -> float:
        """Return the sentence's own Flesch-Kincaid grade."""
        return grade(self.words, 1, self.syllables)


def grade(words: int, sentences: int, syllables: int) -> float:
    """Return the Flesch-Kincaid grade level for the counts."""
    if not words or not sentences:
        return 0.0
    return 0.39 * words / sentences + 11.8 * syllables / words - 15.59


@cache
def _dictionary(lang: str) -> pyphen.Pyphen:
    found = pyphen.language_fallback(lang.replace("-", "_")) or "en_US"
    return pyphen.Pyphen(lang=found, left=1, right=1)


def syllables(word: str, lang: str = "en-US") -> int:
    """Count the syllables of a word with pyphen's hyphenation points (numbers count 1)."""
    if word[0].isdigit():
        return 1
    dictionary = _dictionary(lang)
    return sum(len(dictionary.positions(part)) + 1 for part in re.split(r"[-]", word) if part)


def sentences(span: Span, lang: str = "en-US") -> list[Sentence]:
    """Split a span of running text into sentences with their counts."""
    out = []
    for match in SENTENCE_RE.finditer(span.text):
        words = WORD_RE.findall(match.group())
        if not words:
            continue
        line, col = span.place(match.start())
        out.append(
            Sentence(
                " ".join(match.group().split()),
                len(words),
                sum(syllables(w, lang) for w in words),
                line,
                col,
            )
        )
    return out


def measure(brochure: Brochure) -> tuple[float, list[Sentence]]:
    """Return the grade of the brochure's running text and its sentences."""
    found = [s for span in spans(brochure) if span.prose for s in sentences(span, brochure.lang)]
    total = grade(sum(s.words for s in found), len(found), sum(s.syllables for s in found))
    return total, found


def _short(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS].rsplit(" ", 1)[0] + " …"


def check_reading_level(context: CheckContext, brochure: Brochure) -> list[Problem]:
    """Warn when the running text reads above the target grade; name the hardest sentences."""
    if not brochure.lang.lower().startswith("en"):
        return []  # the Flesch-Kincaid formula is for English
    target = context.settings.reading_grade
    level, found = measure(brochure)
    if level <= target:
        return []
    problems = [
        Problem(
            brochure.path,
            found[0].line if found else brochure.body_line,
            "warning",
            f"the text reads at grade {level:.1f}, above the target of grade {target:g}",
            "Use shorter sentences and shorter words; start with the hard sentences listed",
            code="reading-level",
        )
    ]
    hardest = sorted((s for s in found if s.grade > target), key=lambda s: -s.grade)[:HARDEST]
    problems += [
        Problem(
            brochure.path,
            s.line,
            "warning",
            f"hard sentence (grade {s.grade:.1f}): “{_short(s.text)}”",
            "Split it in two, or use shorter words",
            col=s.col,
            code="reading-level/sentence",
        )
        for s in sorted(hardest, key=lambda s: (s.line or 0, s.col or 0))
    ]
    return problems
