"""`brochure check`: a corpus of broken brochures, risky and safe sentences, and the shipped
brochures, checked with the real renderer."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from brochure.checks.claims import find
from brochure.checks.readability import grade, syllables

from .conftest import (
    FALLBACK,
    TEST_FONTS,
    claim_corpus,
    invoke,
    invoke_with_fonts,
    replace_in,
    write,
)

CORPUS = Path(__file__).parent / "corpus"
TODAY = "2026-11-27"
SHIPPED = ["conditions", "exosomes-vs-prp", "results-timeline"]

# corpus file -> (exit code, the lines reported after `path:`); each file has one problem
BROKEN = {
    "yaml-error": (
        1,
        [
            "3: error: the value has a colon followed by a space, which starts a new field (Put "
            'the whole value in double quotes: subtitle: "What to know: before your first visit")'
        ],
    ),
    "missing-field": (
        1,
        [
            "2: error: missing required field `description` (Add `description:` to the front "
            "matter (One sentence; shown in the catalog and PDF metadata))"
        ],
    ),
    "unknown-key": (1, ["9: error: unknown field `keyword` (Did you mean `keywords`?)"]),
    "wrong-type": (
        1,
        [
            "5: error: `pages` must be a whole number of 1 or more, got 'one' "
            "(For example: pages: 1)"
        ],
    ),
    "unknown-layout": (1, ["4: error: unknown layout `sheets` (Did you mean `sheet`?)"]),
    "bad-lang": (
        1,
        ["6: error: unknown language `xx` (Use en-US for American English or es for Spanish)"],
    ),
    "impossible-date": (
        1,
        ["8: error: `reviewed: 2026-02-30` is not a real date (Check the month and the day)"],
    ),
    "future-review": (
        1,
        [
            "8: error: `reviewed: 2027-01-15` is in the future (today is 2026-11-27) "
            "(Write the date the text was last reviewed)"
        ],
    ),
    "old-review": (
        0,
        [
            "8: warning: the text was last reviewed on 2025-06-01, more than 12 months ago "
            "(Have it reviewed again, then set `reviewed: 2026-11-27`)"
        ],
    ),
    "overflow": (
        1,
        [
            r"5: error: the brochure runs to \d pages but its budget is `pages: 1`: about (\d+) "
            r"lines of body text too long \(Cut about \1 lines of text, or raise `pages:`\)"
        ],
    ),
    "nearly-empty": (
        0,
        [
            r"5: warning: the last page is nearly empty: only \d+% of it is used \(Cut about \d+ "
            r"lines to fit on 1 page and set `pages: 1`, or add content\)"
        ],
    ),
    "missing-image": (
        1,
        [
            "14: error: image `../assets/room.jpg` not found (Check the file name; paths are "
            "relative to the brochure file, e.g. ../assets/photo.jpg)"
        ],
    ),
    "network-image": (
        1,
        [
            "14: error: image `https://example.com/room.jpg` is on the network; brochures never "
            "download anything (Save the file in assets/ and refer to it as ../assets/NAME)"
        ],
    ),
    "outside-image": (
        1,
        [
            "14: error: image `../../room.jpg` is outside the project (Put the file in assets/ "
            "and refer to it as ../assets/NAME)"
        ],
    ),
    "bad-tel": (
        1,
        [
            "16: error: malformed phone link `tel:480-590`: the number has 6 digits; a phone "
            "number with its country code has 7 to 15 (Write it as tel:+14805905693 (country "
            "code, then the digits))"
        ],
    ),
    "dead-link": (
        1,
        [
            "16: error: link `aftercare.md` points to a file that does not exist (Check the "
            "spelling of the path (it is relative to this file))"
        ],
    ),
    "claim-body": (
        1,
        [
            "12:5: error: risky claim “FDA-approved”: no exosome product is FDA-approved to "
            "treat any condition (Instead, leave the FDA out, or keep the clinic's disclaimer "
            'wording ("not FDA-approved"))'
        ],
    ),
    "claim-front-matter": (
        1,
        [
            "3:27: error: risky claim “cures”: promises a cure (Instead, say what it may help "
            'with, e.g. "may help soften the look of fine lines")'
        ],
    ),
    "claim-warning": (
        0,
        [
            "12:9: warning: risky claim “miracle”: is hype a patient may read as a promise "
            "(Instead, describe what the treatment does in plain words)"
        ],
    ),
    "hard-reading": (
        0,
        [
            "11: warning: the text reads at grade 17.4, above the target of grade 8 (Use shorter "
            "sentences and shorter words; start with the hard sentences listed)",
            "12:1: warning: hard sentence (grade 40.4): “Extracellular vesicles facilitate "
            "intercellular communication, …” (Split it in two, or use shorter words)",
        ],
    ),
    "missing-glyph": (
        1,
        [
            "17:35: error: no font has the character “\ue000” (U+E000): it prints as an empty "
            "box (Remove it or write it in words)"
        ],
    ),
}


class Run:
    """A CLI run with the paths in its output made relative to the project."""

    def __init__(self, root: Path, *args: str) -> None:
        result = invoke(root, *args)
        self.exit_code = result.exit_code
        self.output = result.output.replace(f"{root.resolve()}/", "")


def check(root: Path, *args: str) -> Run:
    return Run(root, "check", "--today", TODAY, *args)


def reported(output: str, rel: str) -> list[str]:
    """Return the problem lines about the file `rel`, without its name."""
    prefix = f"{rel}:"
    return [line[len(prefix) :] for line in output.splitlines() if line.startswith(prefix)]


@pytest.fixture
def corpus_project(project: Path) -> Path:
    """The test project with the broken brochures added."""
    for path in (CORPUS / "broken").glob("*.md"):
        shutil.copy(path, project / "brochures" / path.name)
    return project


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_brochure(corpus_project: Path, name: str) -> None:
    code, expected = BROKEN[name]
    result = check(corpus_project, name)
    lines = reported(result.output, f"brochures/{name}.md")
    assert len(lines) == len(expected), result.output
    for line, pattern in zip(lines, expected, strict=True):
        if name in ("overflow", "nearly-empty"):
            assert re.fullmatch(pattern, line), line
        else:
            assert line == pattern
    assert result.exit_code == code, result.output
    strict = check(corpus_project, "--strict", name)
    assert strict.exit_code == 1


def test_corpus_base_is_clean(corpus_project: Path) -> None:
    result = check(corpus_project, "--strict", "ok")
    assert result.exit_code == 0, result.output
    assert result.output == "OK: 1 brochure checked, 0 errors, 0 warnings.\n"


def test_test_brochures_pass_strict(project: Path) -> None:
    result = check(project, "--strict")
    assert result.exit_code == 0, result.output
    shipped = len(list((project / "brochures").glob("*.md")))
    assert shipped >= 4
    assert result.output == f"OK: {shipped} brochures checked, 0 errors, 0 warnings.\n"
    assert not (project / "out").exists()  # check writes nothing


def test_report_groups_by_file_and_json(corpus_project: Path) -> None:
    text = check(corpus_project, "claim-body", "old-review", "ok")
    assert text.output.splitlines()[0] == "brochures/claim-body.md (1 error, 0 warnings)"
    assert "\n\nbrochures/old-review.md (0 errors, 1 warning)\n" in text.output
    assert text.output.endswith("FAILED: 3 brochures checked, 1 error, 1 warning.\n")
    assert text.exit_code == 1
    data = json.loads(check(corpus_project, "--format", "json", "claim-body", "ok").output)
    assert data["ok"] is False and data["errors"] == 1 and data["warnings"] == 0
    assert data["checked"] == ["claim-body", "ok"]
    assert data["problems"][0] | {"file": None} == {
        "file": None,
        "line": 12,
        "column": 5,
        "level": "error",
        "code": "claim/fda",
        "message": "risky claim “FDA-approved”: no exosome product is FDA-approved to treat "
        "any condition",
        "hint": "Instead, leave the FDA out, or keep the clinic's disclaimer wording "
        '("not FDA-approved")',
    }


def test_strict_fails_on_warnings(corpus_project: Path) -> None:
    result = check(corpus_project, "--strict", "old-review")
    assert result.exit_code == 1
    assert result.output.endswith(
        "FAILED: 1 brochure checked, 0 errors, 1 warning (--strict fails on warnings).\n"
    )


def test_build_refuses_errors_and_prints_warnings(corpus_project: Path) -> None:
    result = Run(corpus_project, "build", "claim-body", "claim-warning")
    assert result.exit_code == 1
    assert "claim-warning.md:12:9: warning: risky claim “miracle”" in result.output
    assert "Error: brochures/claim-body.md:12: risky claim “FDA-approved”" in result.output
    assert not (corpus_project / "out" / "claim-body.pdf").exists()
    assert (corpus_project / "out" / "claim-warning.pdf").is_file()


def test_review_cycle_follows_today(project: Path) -> None:
    result = Run(project, "check", "--today", "2027-11-28", "--strict", "conditions")
    assert result.exit_code == 1
    assert "more than 12 months ago" in result.output


def test_settings_in_brand_file(project: Path) -> None:
    replace_in(project, "_brand.yml", "reading_grade: 8", "reading_grade: 3")
    result = check(project, "conditions")
    assert result.exit_code == 0
    assert "warning: the text reads at grade 4.8, above the target of grade 3" in result.output
    assert result.output.count("warning: hard sentence (grade") == 3
    replace_in(project, "_brand.yml", "review_months: 12", "review_months: twelve")
    result = check(project, "conditions")
    brand = (project / "_brand.yml").read_text()
    line = next(i for i, text in enumerate(brand.splitlines(), 1) if "review_months" in text)
    assert (
        f"_brand.yml:{line}: error: `review_months` must be a whole number of months such as "
        "12, got 'twelve' (For example: review_months: 12)" in result.output
    )
    assert result.exit_code == 1


def test_project_claims_file_extends_and_overrides(project: Path) -> None:
    write(
        project,
        "claims.yml",
        "rules:\n  - id: downtime\n    phrases: [little downtime]\n"
        "    level: warning\n    message: we promise nothing about downtime\n"
        "  - id: fda\n    level: off\n",
    )
    replace_in(
        project,
        "brochures/results-timeline.md",
        "Results build slowly",
        "Our FDA-approved facial has results that build slowly",
    )
    result = check(project, "exosomes-vs-prp", "results-timeline")
    assert "risky claim “little downtime”: we promise nothing about downtime" in result.output
    assert "FDA" not in result.output
    assert result.exit_code == 0
    write(project, "claims.yml", "rules:\n  - id: hype\n    level: loud\n")
    result = check(project, "conditions")
    assert result.exit_code == 1
    assert "claims.yml:2: error: rule `hype`: level must be error, warning or off" in result.output


def test_brand_phone_and_disclaimer_are_checked(project: Path) -> None:
    replace_in(project, "_brand.yml", "phone: 480 590 5693", "phone: 480 590 569")
    replace_in(project, "_brand.yml", "are not FDA-approved", "are FDA-approved")
    result = check(project, "conditions")
    assert (
        "_brand.yml:12: error: the phone number `480 590 569` has 9 digits after +1; a US "
        "or Canadian number has 10" in result.output
    )
    assert "_brand.yml:17:" in result.output and "risky claim “FDA-approved”" in result.output
    assert result.exit_code == 1


def test_disclaimer_must_be_on_the_page(project: Path) -> None:
    replace_in(project, "styles/common.css", ".disclaimer {", ".disclaimer { display: none;")
    result = check(project, "results-timeline")
    assert (
        "brochures/results-timeline.md: error: the clinic's disclaimer is not readable on the "
        "printed pages" in result.output
    )
    assert result.exit_code == 1
    replace_in(project, "styles/common.css", "display: none;", "")
    write(
        project,
        "styles/common.css",
        (project / "styles/common.css").read_text() + "\n.disclaimer p { font-size: 4pt; }\n",
    )
    assert "disclaimer is not readable" in check(project, "results-timeline").output


def test_css_problems_are_reported(project: Path) -> None:
    write(
        project,
        "styles/timeline.css",
        (project / "styles/timeline.css").read_text() + "\n.phase { colr: red; }\n",
    )
    result = check(project, "--strict", "results-timeline")
    assert "results-timeline.md: warning: rendering: Ignored `colr: red`" in result.output
    assert result.exit_code == 1


GLYPH_TIP = "(Remove it or write it in words)"


@pytest.mark.parametrize(
    ("fonts", "expected"),
    [
        (  # the computer has a font with ✓: it would print in that font, not the brand's
            [TEST_FONTS],
            "error: the brand fonts lack “✓” (U+2713): it would print in the computer's "
            f"{FALLBACK} font (Replace it (or write it in words), or add a font that has it "
            "under typography.fonts in _brand.yml)",
        ),
        (  # no font on the computer has it: an empty box
            [],
            f"error: no font has the character “✓” (U+2713): it prints as an empty box {GLYPH_TIP}",
        ),
    ],
    ids=["computer-font", "no-font"],
)
def test_glyph_the_brand_fonts_lack_is_reported(
    project: Path, fonts: list[Path], expected: str
) -> None:
    path = replace_in(
        project, "brochures/results-timeline.md", "- Avoid smoking.", "- Avoid smoking ✓"
    )
    line = path.read_text(encoding="utf-8").split("\n").index("- Avoid smoking ✓") + 1
    result = invoke_with_fonts(project, fonts, "check", "--today", TODAY, "results-timeline")
    assert result.returncode == 1, result.stdout + result.stderr
    assert reported(result.stdout, "brochures/results-timeline.md") == [f"{line}:17: {expected}"]


def test_text_in_a_font_the_brand_lacks(project: Path) -> None:
    with (project / "styles" / "common.css").open("a") as css:
        css.write('\n.intro { font-family: "Arial", sans-serif; }\n')
    # The computer's only font stands in for Arial; its letters are the brand's letters too.
    result = invoke_with_fonts(project, [TEST_FONTS], "check", "--today", TODAY, "exosomes-vs-prp")
    assert result.returncode == 1, result.stdout + result.stderr
    assert reported(result.stdout, "brochures/exosomes-vs-prp.md") == [
        f" error: some text is set in `{FALLBACK}`, a font that is not in _brand.yml (A style "
        "asks for a font family the brand has no files for: use var(--font-body) or "
        "var(--font-heading))"
    ]


# -- claims: the sentence corpus --------------------------------------------------------------


@pytest.mark.parametrize("line", claim_corpus("risky.txt"))
def test_risky_sentence_is_flagged(rules, line: str) -> None:
    rule_id, _, sentence = line.partition(" | ")
    hits = find(sentence, rules)
    assert hits and hits[0].rule.id == rule_id, [h.rule.id for h in hits]


@pytest.mark.parametrize("sentence", claim_corpus("safe.txt"))
def test_safe_sentence_is_not_flagged(rules, sentence: str) -> None:
    assert find(sentence, rules) == []


def test_shipped_disclaimer_is_not_flagged(rules) -> None:
    import yaml

    brand = yaml.safe_load((Path(__file__).parent.parent / "_brand.yml").read_text())
    assert "not FDA-approved to treat any condition" in brand["meta"]["disclaimer"]
    assert find(brand["meta"]["disclaimer"], rules) == []


def test_reading_level_counts() -> None:
    assert [syllables(w) for w in ("skin", "redness", "collagen", "3")] == [1, 2, 3, 1]
    assert grade(100, 10, 130) == pytest.approx(0.39 * 10 + 11.8 * 1.3 - 15.59)


def test_safety_sheet_may_report_what_the_fda_says(project: Path) -> None:
    ok = (CORPUS / "broken" / "ok.md").read_text(encoding="utf-8")
    safety = (
        "\n## What the FDA says\n\nA drug must be reviewed and approved by the FDA before it "
        "can be sold. The FDA says that a product used to treat a disease is a drug. No "
        "exosome product is FDA-approved for treating disease.\n"
    )
    write(project, "brochures/safety.md", ok + safety)
    assert check(project, "safety").exit_code == 0
    write(project, "brochures/safety.md", ok + safety + "\nOur facial may help treat acne.\n")
    result = check(project, "safety")
    assert reported(result.output, "brochures/safety.md") == [
        f"{len((ok + safety).splitlines()) + 2}:21: error: risky claim “treat acne”: claims to "
        'treat or prevent a disease, which makes it a drug claim (Instead, say it "may help '
        'improve the look of" the concern (e.g. "may help reduce the look of acne scars"); to '
        'explain the rules, say who makes them ("the FDA says ..."))'
    ]
