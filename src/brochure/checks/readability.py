"""Reading level of a brochure's running text: the Flesch-Kincaid grade for English (pyphen
syllables), the INFLESZ score for Spanish (syllables_es), never a formula on the wrong language."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import pyphen

from brochure.checks import syllables_es
from brochure.checks.context import CheckContext
from brochure.checks.text import Span, spans
from brochure.problems import Problem
from brochure.source.content import Brochure

WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,:]\d+)*")
SENTENCE_RE = re.compile(r"\S.*?(?:[.!?]+[\"'”’)]*(?=\s|$)|$)", re.DOTALL)
HARDEST = 3  # how many hard sentences a warning lists
HARD_WORDS_ES = 4  # a shorter Spanish sentence is never listed as hard ("Llámenos." scores 19)
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

    @property
    def inflesz(self) -> float:
        """Return the sentence's own INFLESZ score (Spanish)."""
        return inflesz(self.words, 1, self.syllables)


def grade(words: int, sentences: int, syllables: int) -> float:
    """Return the Flesch-Kincaid grade level for the counts."""
    if not words or not sentences:
        return 0.0
    return 0.39 * words / sentences + 11.8 * syllables / words - 15.59


def inflesz(words: int, sentences: int, syllables: int) -> float:
    """Return the Szigriszt-Pazos perspicuity of the counts, read on the INFLESZ scale."""
    if not words or not sentences:
        return 100.0
    return 206.835 - 62.3 * syllables / words - words / sentences


def fernandez_huerta(words: int, sentences: int, syllables: int) -> float:
    """Return the Fernández-Huerta reading ease of the counts (Spanish)."""
    if not words or not sentences:
        return 100.0
    return 206.84 - 60 * syllables / words - 102 * sentences / words


# INFLESZ bands (Barrio-Cantalejo et al. 2008): lowest score of each, hardest first
INFLESZ_SCALE = ((80, "muy fácil"), (65, "bastante fácil"), (55, "normal"), (40, "algo difícil"))


def inflesz_band(score: float) -> str:
    """Return the name of the INFLESZ band a score falls in."""
    return next((name for lowest, name in INFLESZ_SCALE if score >= lowest), "muy difícil")


def spanish(lang: str) -> bool:
    """Tell whether a language tag (es, es-US, ...) is Spanish."""
    return lang.lower().split("-")[0] == "es"


@cache
def _dictionary(lang: str) -> pyphen.Pyphen:
    found = pyphen.language_fallback(lang.replace("-", "_")) or "en_US"
    return pyphen.Pyphen(lang=found, left=1, right=1)


def syllables(word: str, lang: str = "en-US") -> int:
    """Count the syllables of a word: Spanish by its vowels, other languages with pyphen's
    hyphenation points (numbers count 1)."""
    if word[0].isdigit():
        return 1
    if spanish(lang):
        return sum(syllables_es.count(part) for part in word.split("-") if part)
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


def running_sentences(brochure: Brochure) -> list[Sentence]:
    """Return the sentences of the brochure's running text (not headings or labels)."""
    return [s for span in spans(brochure) if span.prose for s in sentences(span, brochure.lang)]


def measure(brochure: Brochure) -> tuple[float, list[Sentence]]:
    """Return the grade of the brochure's running text and its sentences."""
    found = running_sentences(brochure)
    total = grade(sum(s.words for s in found), len(found), sum(s.syllables for s in found))
    return total, found


def measure_es(brochure: Brochure) -> tuple[float, float, list[Sentence]]:
    """Return the INFLESZ and Fernández-Huerta scores of a Spanish brochure's running text,
    and its sentences."""
    found = running_sentences(brochure)
    counts = (sum(s.words for s in found), len(found), sum(s.syllables for s in found))
    return inflesz(*counts), fernandez_huerta(*counts), found


def _short(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS].rsplit(" ", 1)[0] + " …"


def check_reading_level(context: CheckContext, brochure: Brochure) -> list[Problem]:
    """Warn when the running text is harder to read than the target for its language (the
    Flesch-Kincaid grade in English, INFLESZ in Spanish); name the hardest sentences."""
    if spanish(brochure.lang):
        return _check_spanish(context, brochure)
    if not brochure.lang.lower().startswith("en"):
        return []  # no formula for this language
    target = context.settings.reading_grade
    level, found = measure(brochure)
    if level <= target:
        return []
    problem = Problem(
        brochure.path,
        found[0].line if found else brochure.body_line,
        "warning",
        f"the text reads at grade {level:.1f}, above the target of grade {target:g}",
        "Use shorter sentences and shorter words; start with the hard sentences listed",
        code="reading-level",
    )
    hardest = sorted((s for s in found if s.grade > target), key=lambda s: -s.grade)[:HARDEST]
    return [problem, *_hard(brochure, hardest, lambda s: f"grade {s.grade:.1f}")]


def _check_spanish(context: CheckContext, brochure: Brochure) -> list[Problem]:
    """Warn when a Spanish text scores below the INFLESZ target (a higher score is easier)."""
    target = context.settings.reading_ease_es
    score, huerta, found = measure_es(brochure)
    if score >= target:
        return []
    problem = Problem(
        brochure.path,
        found[0].line if found else brochure.body_line,
        "warning",
        f"the text scores {score:.1f} on the INFLESZ scale ({inflesz_band(score)}; "
        f"Fernández-Huerta {huerta:.1f}), below the target of {target:g}",
        "Use shorter sentences and shorter words; start with the hard sentences listed",
        code="reading-level",
    )
    hard = (s for s in found if s.inflesz < target and s.words >= HARD_WORDS_ES)
    hardest = sorted(hard, key=lambda s: s.inflesz)[:HARDEST]
    return [problem, *_hard(brochure, hardest, lambda s: f"INFLESZ {s.inflesz:.1f}")]


def _hard(
    brochure: Brochure, hardest: list[Sentence], score: Callable[[Sentence], str]
) -> list[Problem]:
    """One warning per hard sentence, in the order of the text."""
    return [
        Problem(
            brochure.path,
            s.line,
            "warning",
            f"hard sentence ({score(s)}): “{_short(s.text)}”",
            "Split it in two, or use shorter words",
            col=s.col,
            code="reading-level/sentence",
        )
        for s in sorted(hardest, key=lambda s: (s.line or 0, s.col or 0))
    ]
