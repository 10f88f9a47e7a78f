"""The claims lint in Spanish: rules for `lang: es` brochures, Spanish denials and sources,
accents optional, and no English rule on Spanish text nor Spanish rule on English text."""

from __future__ import annotations

from pathlib import Path

import pytest

from brochure.checks.claims import find

from .conftest import claim_corpus, replace_in, write
from .spanish import REL, SLUG, write_spanish
from .test_check import CORPUS, check, reported

CURE_TIP = (
    '(Instead, say what it may help with, e.g. "puede ayudar a suavizar el aspecto de las '
    'líneas finas")'
)


def test_corpus_is_large_enough() -> None:
    assert len(claim_corpus("risky-es.txt")) >= 30 and len(claim_corpus("safe-es.txt")) >= 30


@pytest.mark.parametrize("line", claim_corpus("risky-es.txt"))
def test_risky_spanish_sentence_is_flagged(rules, line: str) -> None:
    rule_id, _, sentence = line.partition(" | ")
    hits = find(sentence, rules, "es-US")
    assert hits and hits[0].rule.id == rule_id, [h.rule.id for h in hits]
    assert find(sentence, rules, "en-US") == []  # no English rule reads Spanish


@pytest.mark.parametrize("sentence", claim_corpus("safe-es.txt"))
def test_safe_spanish_sentence_is_not_flagged(rules, sentence: str) -> None:
    assert find(sentence, rules, "es-US") == []


@pytest.mark.parametrize("line", claim_corpus("risky.txt"))
def test_no_spanish_rule_reads_english(rules, line: str) -> None:
    sentence = line.partition(" | ")[2]
    assert find(sentence, rules, "es") == []
    assert find(sentence, rules, "en-US")  # while the English rules flag it


@pytest.mark.parametrize(
    ("sentence", "phrase"),
    [
        ("Una curacion para su piel.", "curacion"),
        ("Una curación para su piel.", "curación"),
        ("Resultados GARANTIZADOS.", "GARANTIZADOS"),
        ("Una piel nueva, garantizada.", "garantizada"),
        ("Los resultados están garantizados.", "garantizados"),
        ("Las mejoras están garantizadas.", "garantizadas"),
        ("Esta aprobado por la FDA.", "aprobado por la FDA"),
        ("Está aprobada por la FDA.", "aprobada por la FDA"),
        ("Son clinicamente probados.", "clinicamente probados"),
    ],
)
def test_accents_case_gender_and_number_are_optional(rules, sentence: str, phrase: str) -> None:
    assert [h.phrase for h in find(sentence, rules, "es")] == [phrase]


def test_check_prints_spanish_claims_at_their_place(project: Path) -> None:
    extra = (
        "Nuestro facial es una cura para la piel apagada.\n"
        "No está aprobado por la FDA.\n"
        "Ningún producto de exosomas está aprobado por la FDA.\n"
        "Ofrecemos un facial sin riesgos y un suero milagroso.\n"
        "Results are guaranteed and permanent.\n"
    )
    line = write_spanish(project, extra)
    result = check(project, SLUG)
    assert reported(result.output, REL) == [
        f"{line}:23: error: risky claim “cura”: promises a cure {CURE_TIP}",
        f"{line + 3}:21: error: risky claim “sin riesgos”: every treatment has some risk "
        '(Instead, say "como todo tratamiento, tiene algunos riesgos" and suggest talking with '
        "a provider)",
        f"{line + 3}:44: warning: risky claim “milagroso”: is hype a patient may read as a "
        "promise (Instead, describe what the treatment does in plain words)",
    ]
    assert result.exit_code == 1


def test_english_brochure_is_not_read_with_spanish_rules(project: Path) -> None:
    replace_in(
        project,
        "brochures/results-timeline.md",
        "Results build slowly",
        "Ask for Dr. Cura, whose results are garantizados. Results build slowly",
    )
    assert check(project, "--strict", "results-timeline").exit_code == 0


def test_project_claims_file_adds_and_changes_spanish_rules(project: Path) -> None:
    write(
        project,
        "claims.yml",
        "rules:\n"
        "  - id: downtime\n    lang: es\n    phrases: [sin tiempo de recuperacion]\n"
        "    level: warning\n    message: downtime varies from person to person\n"
        '    instead: say "la mayoría de las personas se recupera pronto"\n'
        "  - id: miracle\n    lang: es-US\n    level: error\n",
    )
    line = write_spanish(project, "Un facial milagroso, sin tiempo de recuperación.\n")
    result = check(project, SLUG)
    assert reported(result.output, REL) == [
        f"{line}:11: error: risky claim “milagroso”: is hype a patient may read as a promise "
        "(Instead, describe what the treatment does in plain words)",
        f"{line}:22: warning: risky claim “sin tiempo de recuperación”: downtime varies from "
        'person to person (Instead, say "la mayoría de las personas se recupera pronto")',
    ]
    # The English `miracle` rule is a separate rule: still a warning.
    english = write(
        project, "brochures/en.md", (CORPUS / "broken" / "claim-warning.md").read_text()
    )
    assert "warning: risky claim “miracle”" in check(project, english.stem).output


def test_rule_for_a_language_without_rules_is_an_error(project: Path) -> None:
    write(project, "claims.yml", "rules:\n  - id: cure\n    lang: fr\n    phrases: [guérir]\n")
    result = check(project, "conditions")
    assert (
        "claims.yml:2: error: rule `cure`: lang must be en or es, got 'fr' (For example: "
        "lang: es (for Spanish brochures))" in result.output
    )
    assert result.exit_code == 1
