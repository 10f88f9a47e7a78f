"""Spanish reading level: a syllable counter by vowel nuclei, the INFLESZ score (and
Fernández-Huerta) against `reading_ease_es` in `_brand.yml`, never Flesch-Kincaid."""

from __future__ import annotations

from pathlib import Path

import pytest

from brochure.checks.readability import (
    fernandez_huerta,
    inflesz,
    inflesz_band,
    sentences,
    syllables,
)
from brochure.checks.syllables_es import count
from brochure.checks.text import Span

from .conftest import replace_in
from .spanish import REL, SLUG, write_spanish
from .test_check import check, reported

# word -> syllables, as a Spanish dictionary divides them
WORDS = {
    "piel": 1,  # ie: diphthong
    "salud": 2,
    "ciudad": 2,  # iu: two weak vowels, one syllable
    "cuidado": 3,
    "tratamiento": 4,
    "exosomas": 4,
    "enrojecimiento": 6,
    "inflamación": 4,
    "colágeno": 4,
    "día": 2,  # í: an accent breaks the diphthong
    "oído": 3,
    "reír": 2,
    "baúl": 2,
    "continúa": 4,
    "país": 2,
    "leer": 2,  # two strong vowels: hiatus
    "poeta": 3,
    "aéreo": 4,
    "rosácea": 4,
    "océano": 4,
    "caos": 2,
    "buey": 1,  # triphthong
    "Uruguay": 3,
    "averigüéis": 4,
    "que": 1,  # silent u
    "guerra": 2,
    "guitarra": 3,
    "quirúrgico": 4,
    "pingüino": 3,  # ü is heard
    "vergüenza": 3,
    "hay": 1,  # final y is a vowel
    "muy": 1,
    "y": 1,
    "ayuda": 3,  # y before a vowel is a consonant
    "acné": 2,
    "historia": 3,
}


@pytest.mark.parametrize(("word", "expected"), WORDS.items())
def test_spanish_syllables(word: str, expected: int) -> None:
    assert count(word) == expected
    assert syllables(word, "es-US") == expected


def test_spanish_words_are_not_counted_by_hyphenation() -> None:
    # pyphen's Spanish hyphenation keeps a hiatus together (aé-reo, oí-do, poe-ta, exoso-mas):
    # it would count 2, 2, 4
    assert [syllables(w, "es") for w in ("aéreo", "oído", "poeta-aéreo", "3")] == [4, 3, 7, 1]


def test_formulas_and_bands() -> None:
    assert inflesz(100, 5, 200) == pytest.approx(206.835 - 62.3 * 2 - 20)
    assert fernandez_huerta(100, 5, 200) == pytest.approx(206.84 - 0.60 * 200 - 1.02 * 5)
    bands = [inflesz_band(s) for s in (39.9, 40, 54.9, 55, 64.9, 65, 79.9, 80, 120)]
    assert bands == [
        "muy difícil",
        "algo difícil",
        "algo difícil",
        "normal",
        "normal",
        "bastante fácil",
        "bastante fácil",
        "muy fácil",
        "muy fácil",
    ]


def _scores(text: str) -> tuple[int, int, int, float, float]:
    found = sentences(Span(text, Path("x.md"), 1, 1, "paragraph"), "es")
    counts = (sum(s.words for s in found), len(found), sum(s.syllables for s in found))
    return (*counts, round(inflesz(*counts), 1), round(fernandez_huerta(*counts), 1))


def test_sample_texts_score_as_expected() -> None:
    plain = "Los exosomas son partículas muy pequeñas. Pueden ayudar a que su piel se vea suave."
    # 15 words, 2 sentences, 14 + 14 syllables (par-tí-cu-las, a-yu-dar, ve-a, sua-ve)
    assert _scores(plain) == (15, 2, 28, 83.0, 81.2)
    hard = (
        "La administración de exosomas derivados de células mesenquimales constituye una "
        "intervención terapéutica experimental cuya eficacia dermatológica permanece "
        "insuficientemente caracterizada en la literatura científica contemporánea."
    )
    assert _scores(hard) == (24, 1, 90, -50.8, -22.4)  # in-su-fi-cien-te-men-te: 7


HINT = "(Use shorter sentences and shorter words; start with the hard sentences listed)"
HARD = (
    "La administración de exosomas derivados de células mesenquimales constituye una "
    "intervención terapéutica experimental cuya eficacia dermatológica permanece "
    "insuficientemente caracterizada en la literatura científica contemporánea."
)


def test_hard_spanish_text_warns_with_its_hardest_sentence(project: Path) -> None:
    line = write_spanish(project, HARD + " Llámenos.\n")
    result = check(project, SLUG)
    assert reported(result.output, REL) == [
        # 61 words, 6 sentences, 157 syllables
        "11: warning: the text scores 36.3 on the INFLESZ scale (muy difícil; "
        f"Fernández-Huerta 42.4), below the target of 55 {HINT}",
        # "Llámenos." scores 19 on its own, but a three-word sentence is never the trouble
        f"{line}:1: warning: hard sentence (INFLESZ -50.8): “La administración de exosomas "
        "derivados de células mesenquimales …” (Split it in two, or use shorter words)",
    ]
    assert result.exit_code == 0
    assert "grade" not in result.output  # never Flesch-Kincaid on Spanish
    assert check(project, "--strict", SLUG).exit_code == 1


def test_spanish_target_comes_from_the_brand_file(project: Path) -> None:
    write_spanish(project, HARD + " Llámenos.\n")
    # the English target does not apply to Spanish
    replace_in(project, "_brand.yml", "reading_grade: 8", "reading_grade: 1")
    assert "INFLESZ" in check(project, SLUG).output
    replace_in(
        project, "_brand.yml", "reading_grade: 1", "reading_grade: 8\n    reading_ease_es: 30"
    )
    result = check(project, "--strict", SLUG)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "fácil",
            "`reading_ease_es` must be an INFLESZ score from 1 to 100 such as 55, got 'fácil' "
            "(For example: reading_ease_es: 55)",
        ),
        (
            "150",
            "`reading_ease_es` must be at most 100, got 150 (For example: reading_ease_es: 55)",
        ),
    ],
)
def test_spanish_target_is_validated(project: Path, value: str, expected: str) -> None:
    brand = replace_in(
        project, "_brand.yml", "reading_grade: 8", f"reading_grade: 8\n    reading_ease_es: {value}"
    )
    lines = brand.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "reading_ease_es" in text)
    write_spanish(project)
    result = check(project, SLUG)
    assert f"_brand.yml:{line}: error: {expected}" in result.output
    assert result.exit_code == 1


def test_easy_spanish_text_passes(project: Path) -> None:
    write_spanish(project)
    result = check(project, "--strict", SLUG)
    assert result.exit_code == 0, result.output
