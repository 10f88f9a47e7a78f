"""Pure: count the syllables of a Spanish word by its vowel nuclei (diphthongs and hiatus).

Spanish syllables follow the vowels: each group of vowels is one syllable, except where two
strong vowels meet (a, e, o, or an accented í or ú): that is a hiatus, two syllables
(le-er, dí-a, ba-úl). A weak vowel (i, u, ü) next to another vowel makes a diphthong
(piel, ciu-dad) or a triphthong (buey). The u of que, qui, gue, gui is silent; a final y
after a vowel is a vowel (hay, muy). Hyphenation dictionaries (pyphen) are no help: they
leave out the breaks a line should not end on (aé-reo, oí-do, poe-ta, exoso-mas).
"""

from __future__ import annotations

import re

_STRONG = set("aeoáéóíú")  # an accented i or u is as strong as a, e, o: it breaks a diphthong
_VOWELS = _STRONG | set("iuüy")
_SILENT_U = re.compile(r"(?<=q)u|(?<=g)u(?=[eiéí])")
_CONSONANT_Y = re.compile(r"y(?=[aeiouáéíóúü])")  # y before a vowel is a consonant (ayuda)


def _hiatus(first: str, second: str) -> bool:
    """Tell whether two vowels side by side belong to two syllables."""
    return (first in _STRONG and second in _STRONG) or (first == second and first in "iu")


def count(word: str) -> int:
    """Return the number of syllables of a Spanish word (at least 1; digits count as 1)."""
    letters = _CONSONANT_Y.sub("j", _SILENT_U.sub("", word.lower()))
    total = 0
    previous = ""
    for char in letters:
        if char not in _VOWELS:
            previous = ""
            continue
        if not previous or _hiatus(previous, char):
            total += 1
        previous = char
    return max(total, 1)
