"""How a language denies a claim, reports a rule and breaks a clause: the patterns the claims
lint uses to let "no está aprobado por la FDA" through. English is in `claims`; Spanish here.

Spanish patterns are written without accents: the text is matched with its accents folded
(`Grammar.fold`), so "curacion" and "curación" read the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Grammar:
    """One language's patterns for the exemptions of the claims lint."""

    negation: re.Pattern[str]  # a word that denies what follows
    clause_break: re.Pattern[str]  # where a denial stops
    negated_subject: re.Pattern[str]  # a clause whose subject is denied ("No product is ...")
    attribution: re.Pattern[str]  # who says it ("according to the FDA")
    requirement: re.Pattern[str]  # a rule stated as a requirement, just before the phrase
    fold: dict[int, int]  # str.translate table applied to text and phrases alike
    next_word_only: frozenset[str]  # denials of the word right after them only


# Letters with and without their accent; ñ stays (año is not ano). One letter for one
# letter, so every place found in the folded text is the same place in the text.
SPANISH_FOLD = str.maketrans("áéíóúüÁÉÍÓÚÜ", "aeiouuAEIOUU")

_NEGATION_ES = re.compile(
    r"\b(?:no|nunca|jamas|ni|sin|ningun|ninguna|ninguno|ningunos|ningunas|tampoco|nada|nadie)\b"
    r"(?!\s+(?:solo|solamente|dude|duda|cabe\s+duda|deje|olvide)\b)",  # "no dude en llamar"
    re.IGNORECASE,
)
_CLAUSE_BREAK_ES = re.compile(r"[.;:!?¡¿,()]|\b(?:y|e|pero|sino|aunque)\b|\n\s*\n", re.IGNORECASE)
_NEGATED_SUBJECT_ES = re.compile(
    r"^\s*(?:ningun|ninguna|ninguno|ni)\s+(?:[\w'’-]+\s+){0,5}?"
    r"(?:es|son|esta|estan|fue|fueron|ha|han|puede|pueden|tiene|tienen|cuenta|cuentan|se)\b",
    re.IGNORECASE,
)
_AUTHORITY_ES = (
    r"(?:la\s+)?(?:FDA|Administracion\s+de\s+Alimentos\s+y\s+Medicamentos(?:\s+\(FDA\))?"
    r"|ley(?:\s+federal)?)"
)
_ATTRIBUTION_ES = re.compile(
    rf"\bsegun\s+{_AUTHORITY_ES}|\bde\s+acuerdo\s+con\s+{_AUTHORITY_ES}"
    rf"|\b(?:bajo|conforme\s+a)\s+(?:las\s+(?:normas|reglas)\s+de\s+)?{_AUTHORITY_ES}"
    rf"|\b{_AUTHORITY_ES}\s+(?:dice|dijo|afirma|indica|se[ñn]ala|advierte|advirtio|exige|"
    r"requiere|explica|considera|aclara|establece|define|recomienda|informa)\b",
    re.IGNORECASE,
)
_REQUIREMENT_ES = re.compile(
    r"\b(?:(?:debe|deben|debera|deberan|tiene\s+que|tienen\s+que|necesita|necesitan|ha\s+de|"
    r"han\s+de)\s+(?:primero\s+)?(?:ser|estar)\s+(?:[\w-]+\s+(?:y|o)\s+)?"
    r"|(?:requiere|requieren|necesita|necesitan|exige|exigen|(?:debe|deben|tiene\s+que|"
    r"tienen\s+que)\s+(?:tener|contar\s+con|recibir|obtener))\s+(?:primero\s+)?(?:la\s+)?)$",
    re.IGNORECASE,
)

SPANISH = Grammar(
    _NEGATION_ES,
    _CLAUSE_BREAK_ES,
    _NEGATED_SUBJECT_ES,
    _ATTRIBUTION_ES,
    _REQUIREMENT_ES,
    SPANISH_FOLD,
    # "sin garantía" denies, but "piel sin manchas garantizada" promises: sin is a preposition
    frozenset({"sin"}),
)
