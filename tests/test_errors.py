"""Bad input: one clear `Error:` line naming the file and line, exit 1, out/ untouched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import Result
from pypdf import PdfReader

from .conftest import FALLBACK, TEST_FONTS, invoke, invoke_with_fonts, replace_in, write

HEADER = """---
title: Test sheet
subtitle: A sheet for tests
layout: sheet
pages: 1
lang: en-US
description: A brochure used by the tests.
reviewed: 2026-11-01
---
"""


def sheet(body: str = "Some text.\n", header: str = HEADER) -> str:
    return header + "\n" + body


def build_error(project: Path, *slugs: str) -> str:
    """Build and return the single `Error:` line; assert exit 1 and no traceback."""
    result = invoke(project, "build", *slugs)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    return errors[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            sheet(header=HEADER.replace("pages: 1", "pages: 1\n  oops: [")),
            "Error: brochures/bad.md:6: this line is indented more than the line above. Indent "
            "the fields of one level with the same number of spaces as the lines above.",
        ),
        (
            sheet(header=HEADER.replace("subtitle: A sheet for tests\n", "")),
            "Error: brochures/bad.md:2: missing required field `subtitle`. Add `subtitle:` to the "
            "front matter (One line under the title).",
        ),
        (
            sheet(header=HEADER.replace("layout: sheet", "layout: shet")),
            "Error: brochures/bad.md:4: unknown layout `shet`. Did you mean `sheet`?",
        ),
        (
            sheet(header=HEADER.replace("pages: 1", "pages: one")),
            "Error: brochures/bad.md:5: `pages` must be a whole number of 1 or more, got 'one'. "
            "For example: pages: 1.",
        ),
        (
            sheet(header=HEADER.replace("reviewed: 2026-11-01", "reviewed: last week")),
            "Error: brochures/bad.md:8: `reviewed` must be a date written YYYY-MM-DD, got "
            "'last week'. For example: reviewed: 2026-11-27.",
        ),
        (
            sheet(header=HEADER.replace("lang: en-US", "lang: English")),
            "Error: brochures/bad.md:6: `lang` must be a language tag such as en-US or es, got "
            "'English'. Use en-US for American English.",
        ),
        (
            sheet(header=HEADER.replace("pages: 1", "pages: 1\ntitel: Oops")),
            "Error: brochures/bad.md:6: unknown field `titel`. Did you mean `title`?",
        ),
        (
            sheet("Text.\n\n![Our clinic](../assets/missing.jpg)\n"),
            "Error: brochures/bad.md:13: image `../assets/missing.jpg` not found. Check the file "
            "name; paths are relative to the brochure file, e.g. ../assets/photo.jpg.",
        ),
        (
            sheet("Text.\n\n" + "Long paragraph of text that goes on. " * 400 + "\n"),
            "Error: brochures/bad.md:5: the brochure runs to 6 pages but its budget is `pages: 1`",
        ),
        (
            "no front matter\n",
            "Error: brochures/bad.md:1: the file does not start with front matter.",
        ),
    ],
    ids=[
        "yaml",
        "missing-field",
        "unknown-layout",
        "pages-type",
        "date",
        "lang",
        "unknown-key",
        "missing-image",
        "page-budget",
        "no-front-matter",
    ],
)
def test_bad_brochure(project: Path, text: str, expected: str) -> None:
    write(project, "brochures/bad.md", text)
    assert build_error(project, "bad").startswith(expected)
    assert not (project / "out" / "bad.pdf").exists()


def lines_of_text(count: int) -> str:
    """A paragraph of `count` short lines of body text, each ended by a line break."""
    return "".join(f"Line {i + 1} of the text, a short one.  \n" for i in range(count))


@pytest.mark.parametrize("count", [31, 45])
def test_page_budget_says_how_many_lines_to_cut(project: Path, count: int) -> None:
    # Cutting the lines it names makes the brochure fit; cutting one fewer does not.
    def build(lines: int) -> Result:
        body = f"Intro.\n\n## Part\n\n{lines_of_text(lines)}\nThe end.\n"
        write(project, "brochures/long.md", sheet(body))
        return invoke(project, "build", "long")

    error = build(count).output
    match = re.search(
        r"Error: brochures/long\.md:5: the brochure runs to 2 pages but its budget is "
        r"`pages: 1`: about (\d+) lines of body text too long\. Cut about \1 lines of text, "
        r"or raise `pages:`\.",
        error,
    )
    assert match, error
    cut = int(match.group(1))
    assert build(count - cut + 1).exit_code == 1
    fits = build(count - cut)
    assert fits.exit_code == 0, fits.output
    assert len(PdfReader(project / "out" / "long.pdf").pages) == 1


def test_failure_keeps_last_good_pdf_and_other_brochures_build(project: Path) -> None:
    assert invoke(project, "build").exit_code == 0
    good = (project / "out" / "exosomes-vs-prp.pdf").read_bytes()
    replace_in(project, "brochures/exosomes-vs-prp.md", "layout: comparison", "layout: nope")
    replace_in(project, "brochures/conditions.md", "## Rosacea", "## Rosacea and redness")
    result = invoke(project, "build")
    assert result.exit_code == 1
    assert "1 built, 2 skipped, 1 failed" in result.output
    assert result.output.count("exosomes-vs-prp.md") == 1, result.output
    assert (project / "out" / "exosomes-vs-prp.pdf").read_bytes() == good
    assert not list((project / "out").glob(".*.tmp"))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/hostname", "image `file:///etc/hostname` is outside the project"),
        ("../../outside.png", "image `../../outside.png` is outside the project"),
        (
            "https://example.com/a.png",
            "image `https://example.com/a.png` is on the network; brochures never download",
        ),
        ("/etc/hostname", "image `/etc/hostname` is outside the project"),
    ],
)
def test_content_cannot_reach_outside(project: Path, url: str, message: str) -> None:
    (project.parent / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    write(project, "brochures/bad.md", sheet(f"Text.\n\n![A picture]({url})\n"))
    assert message in build_error(project, "bad")


def test_raw_html_attachment_is_refused(project: Path) -> None:
    write(
        project,
        "brochures/bad.md",
        sheet('Text.\n\n<link rel="attachment" href="file:///etc/hostname">\n'),
    )
    assert "raw HTML `<link>` is not allowed in a brochure" in build_error(project, "bad")


def test_stylesheet_cannot_reach_outside(project: Path) -> None:
    path = project / "styles" / "common.css"
    line = len(path.read_text(encoding="utf-8").splitlines()) + 2  # after a blank line
    with path.open("a") as css:
        css.write('\nbody { background: url("file:///etc/hostname"); }\n')
    error = build_error(project, "exosomes-vs-prp")
    assert error.startswith(
        f"Error: styles/common.css:{line}: the styles load `file:///etc/hostname`, which is "
        "not a file in the project."
    )


def test_missing_font_file(project: Path) -> None:
    (project / "styles" / "fonts" / "NotoSans-Bold.ttf").unlink()
    assert build_error(project, "conditions") == (
        "Error: _brand.yml:53: font file `styles/fonts/NotoSans-Bold.ttf` not found in the "
        "project. Put the font file in styles/fonts/ and check the path."
    )


def test_system_fonts_are_refused(project: Path) -> None:
    replace_in(
        project,
        "_brand.yml",
        "- family: Noto Sans\n      source: file",
        "- family: Noto Sans\n      source: system",
    )
    error = build_error(project, "conditions")
    assert error.startswith("Error: _brand.yml:45: font `Noto Sans` has source `system`")


def test_template_error_names_the_template(project: Path) -> None:
    replace_in(
        project,
        "templates/sheet.html",
        "{% for section in body.sections %}",
        "{% for section in body.sections %}{{ no_such_thing.x }}",
    )
    write(project, "brochures/ok.md", sheet("Intro.\n\n## Part\n\nText.\n"))
    error = build_error(project, "ok")
    assert error.startswith("Error: templates/sheet.html:")
    assert "no_such_thing" in error


def test_unknown_slug(project: Path) -> None:
    result = invoke(project, "build", "condition")
    assert result.exit_code == 1
    assert (
        "Error: no brochure named `condition` in brochures/. Did you mean `conditions`?"
        in result.output
    )


def test_text_in_a_font_the_brand_lacks_fails(project: Path) -> None:
    with (project / "styles" / "common.css").open("a") as css:
        css.write('\n.intro { font-family: "Arial", sans-serif; }\n')
    result = invoke_with_fonts(project, [TEST_FONTS], "build", "exosomes-vs-prp")
    assert result.returncode == 1, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert [line for line in output.splitlines() if line.startswith("Error:")] == [
        f"Error: brochures/exosomes-vs-prp.md: some text is set in `{FALLBACK}`, a font that "
        "is not in _brand.yml. A style asks for a font family the brand has no files for: use "
        "var(--font-body) or var(--font-heading)."
    ]
    assert not (project / "out" / "exosomes-vs-prp.pdf").exists()


def test_a_computer_without_fonts_prints_in_the_brand_fonts(project: Path) -> None:
    # Nothing to fall back to: text asked in Arial prints in a brand font, which is fine.
    with (project / "styles" / "common.css").open("a") as css:
        css.write('\n.intro { font-family: "Arial", sans-serif; }\n')
    result = invoke_with_fonts(project, [], "build", "exosomes-vs-prp")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.endswith("1 built, 0 skipped, 0 failed (1 brochure).\n")


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("<script>alert(1)</script>", "raw HTML `<script>` is not allowed in a brochure"),
        (
            '<img src="../assets/logo.svg" onerror="alert(1)" alt="">',
            "raw HTML the attribute `onerror` on <img> is not allowed in a brochure",
        ),
        ("<iframe></iframe>", "raw HTML `<iframe>` is not allowed in a brochure"),
        (
            '<svg><a href="javascript:alert(1)"><text>x</text></a></svg>',
            "raw HTML `<svg>` is not allowed in a brochure",
        ),
        (
            '<a href="javascript:alert(1)">x</a>',
            "raw HTML the attribute `href` on <a> is not allowed in a brochure",
        ),
    ],
)
def test_active_html_is_refused(project: Path, html: str, message: str) -> None:
    write(project, "brochures/bad.md", sheet(f"Text.\n\n{html}\n"))
    assert build_error(project, "bad").startswith(f"Error: brochures/bad.md:13: {message}")


def test_layout_must_be_text(project: Path) -> None:
    write(
        project,
        "brochures/bad.md",
        sheet(header=HEADER.replace("layout: sheet", "layout: [sheet]")),
    )
    assert build_error(project, "bad") == (
        "Error: brochures/bad.md:4: `layout` must be text. Write the text after the colon."
    )


def test_brochure_saved_with_a_bom_builds(project: Path) -> None:
    (project / "brochures" / "bom.md").write_bytes(b"\xef\xbb\xbf" + sheet().encode())
    result = invoke(project, "build", "bom")
    assert result.exit_code == 0, result.output


def test_brochure_not_utf8(project: Path) -> None:
    (project / "brochures" / "bad.md").write_bytes(sheet("Caf\xe9 au lait.\n").encode("cp1252"))
    assert build_error(project, "bad") == (
        "Error: brochures/bad.md: the file is not UTF-8 text. Save it as UTF-8 in your editor."
    )


def test_brand_not_utf8(project: Path) -> None:
    brand = project / "_brand.yml"
    brand.write_bytes(brand.read_bytes().replace(b"Anytown", "Ánytown".encode("cp1252")))
    assert build_error(project, "conditions") == (
        "Error: _brand.yml: the file is not UTF-8 text. Save it as UTF-8 in your editor."
    )


def test_brand_colour_must_be_hex(project: Path) -> None:
    replace_in(project, "_brand.yml", 'ink: "#1E2A2E"', 'ink: "rgb(30, 42, 46)"')
    assert build_error(project, "conditions").startswith(
        "Error: _brand.yml:32: colour `ink` is `rgb(30, 42, 46)`, not a hex colour."
    )


def test_comparison_needs_one_cell_per_column(project: Path) -> None:
    path = project / "brochures" / "exosomes-vs-prp.md"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    first_prp_cell = next(i for i, line in enumerate(lines) if "Made from your own blood" in line)
    del lines[first_prp_cell]
    path.write_text("".join(lines), encoding="utf-8")
    assert build_error(project, "exosomes-vs-prp") == (
        "Error: brochures/exosomes-vs-prp.md:17: row 1 has 1 cell but there are 2 columns. "
        "Give one cell per column, in the order of `columns`."
    )


def test_project_claims_file_counts_as_an_input(project: Path) -> None:
    assert invoke(project, "build").exit_code == 0
    write(
        project,
        "claims.yml",
        "rules:\n  - id: no-glow\n    phrases: [glow]\n    level: error\n"
        "    message: we do not promise a glow\n    instead: say what may change\n",
    )
    result = invoke(project, "build")
    assert result.exit_code == 1, result.output
    assert "risky claim “glow”" in result.output


def test_stylesheet_not_utf8(project: Path) -> None:
    css = project / "styles" / "common.css"
    css.write_bytes(css.read_bytes() + "/* café */\n".encode("cp1252"))
    assert build_error(project, "conditions") == (
        "Error: styles/common.css: the file is not UTF-8 text. Save it as UTF-8 in your editor."
    )
    assert not (project / "out" / "conditions.pdf").exists()


def test_folder_named_like_a_brochure_is_not_a_brochure(project: Path) -> None:
    (project / "brochures" / "notes.md").mkdir()
    write(project, "brochures/notes.md/draft.md", sheet())
    result = invoke(project, "list")
    assert result.exit_code == 0, result.output
    assert "notes" not in result.output


def test_broken_shortcut_in_brochures_fails_alone(project: Path) -> None:
    (project / "brochures" / "old.md").symlink_to("deleted.md")
    result = invoke(project, "build", "old", "exosomes-vs-prp")
    assert result.exit_code == 1, result.output
    assert (
        "Error: brochures/old.md: `old.md` is a shortcut to a file that is not there. "
        "Put the brochure file itself in brochures/, or delete this one.\n"
    ) in result.output
    assert result.output.endswith("1 built, 0 skipped, 1 failed (2 brochures).\n")


SUBTITLE = "subtitle: A sheet for tests"
PLAIN = "Put the whole value in double quotes"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (  # what Word and macOS type
            "subtitle: “Before and after: what to expect”",
            "3: curly quotes (“ ” or ‘ ’) do not count as quotes in this file. Type straight "
            'quotes (") instead: subtitle: "Before and after: what to expect".',
        ),
        (
            "subtitle: Before and after: what to expect",
            "3: the value has a colon followed by a space, which starts a new field. "
            f'{PLAIN}: subtitle: "Before and after: what to expect".',
        ),
        (
            "subtitle:\tTwo ways",
            "3: there is a tab character at column 10. Use spaces instead of tabs to indent or "
            "separate words.",
        ),
        (
            "subtitle: #1 choice",
            "3: `subtitle` is empty: a `#` right after the colon starts a comment, so `#1 choice` "
            'is not read. Put the value in double quotes: subtitle: "#1 choice".',
        ),
        (
            "subtitle Two ways",
            "3: this line is not a `field: value` line (the colon and space are missing). Write "
            "the field name, a colon and a space, then the value; or indent a line that "
            "continues the text above it.",
        ),
        (
            'subtitle: "Two ways',
            '3: a quote (") opens here but is never closed. Add the closing quote at the end of '
            "the value.",
        ),
        (
            'subtitle: "Two" ways',
            "3: there is more text after a closing quote or bracket. Put quotes around the whole "
            "value, or take out the quotes or brackets in it.",
        ),
        (
            "subtitle: *new* facial",
            f'3: a value cannot start with *. {PLAIN}: subtitle: "*new* facial".',
        ),
        (
            "subtitle: @home care",
            f'3: a value cannot start with @. {PLAIN}: subtitle: "@home care".',
        ),
        (
            "subtitle: x\n   keywords: [a]",
            "4: this line is indented more than the line above. Indent the fields of one level "
            "with the same number of spaces as the lines above.",
        ),
        (
            "subtitle: x\nkeywords: [a, b\n",
            "4: a list in [brackets] or {braces} is not closed properly. Close it on the same "
            "line, and put items that contain a comma or colon in quotes.",
        ),
        (
            'subtitle: "C:\\Docs"',
            "3: a backslash (\\) inside double quotes starts a special character. Use single "
            "quotes around this value, or type the backslash twice (\\\\).",
        ),
    ],
    ids=[
        "curly",
        "colon",
        "tab",
        "hash",
        "no-colon",
        "open-quote",
        "after-quote",
        "star",
        "at",
        "indent",
        "list",
        "backslash",
    ],
)
def test_yaml_mistakes_in_plain_words(project: Path, line: str, expected: str) -> None:
    write(project, "brochures/bad.md", sheet(header=HEADER.replace(SUBTITLE, line)))
    assert build_error(project, "bad") == f"Error: brochures/bad.md:{expected}"


def test_curly_quotes_around_a_whole_value_warn(project: Path) -> None:
    write(
        project,
        "brochures/curly.md",
        sheet(header=HEADER.replace(SUBTITLE, "subtitle: “Two ways”")),
    )
    result = invoke(project, "build", "curly")
    assert result.exit_code == 0, result.output
    assert (
        "brochures/curly.md:3: warning: “Two ways” is in curly quotes, which print on the page "
        'as they are (Take them out, or type straight quotes (") if the value contains a colon)\n'
    ) in result.output


def test_unquoted_brand_colour_says_hash_starts_a_comment(project: Path) -> None:
    replace_in(project, "_brand.yml", 'teal: "#1D4F5C"', "teal: #1D4F5C")
    line = (project / "_brand.yml").read_text().splitlines().index("    teal: #1D4F5C") + 1
    assert build_error(project, "conditions") == (
        f"Error: _brand.yml:{line}: `teal` is empty: a `#` right after the colon starts a "
        'comment, so `#1D4F5C` is not read. Put the value in double quotes: teal: "#1D4F5C".'
    )


def test_empty_brand_colour(project: Path) -> None:
    replace_in(project, "_brand.yml", 'teal: "#1D4F5C"', "teal:")
    line = (project / "_brand.yml").read_text().splitlines().index("    teal:") + 1
    assert build_error(project, "conditions") == (
        f'Error: _brand.yml:{line}: colour `teal` is empty. Write it in quotes, e.g. "#1D4F5C".'
    )


def test_tab_in_the_brand_file(project: Path) -> None:
    replace_in(project, "_brand.yml", "  phone: 480", "\tphone: 480")
    line = (project / "_brand.yml").read_text().splitlines().index("\tphone: 480 590 5693") + 1
    assert build_error(project, "conditions") == (
        f"Error: _brand.yml:{line}: there is a tab character at column 1. Use spaces instead "
        "of tabs to indent or separate words."
    )


def test_yaml_mistake_in_claims_file(project: Path) -> None:
    write(project, "claims.yml", "rules:\n  - id: glow\n    message: results: vary\n")
    assert build_error(project, "conditions") == (
        "Error: claims.yml:3: the value has a colon followed by a space, which starts a new "
        'field. Put the whole value in double quotes: message: "results: vary".'
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "rules:\n  - id: glow\n    phrases: [glow]\n    levle: warning\n",
            "claims.yml:4: unknown field `levle` in rule `glow`. Did you mean `level`?",
        ),
        (
            "rules:\n  - id: glow\n    phrases: [glow]\n    mesage: results vary\n",
            "claims.yml:4: unknown field `mesage` in rule `glow`. Did you mean `message`?",
        ),
        (
            "rules:\n  - phrases: [glow]\n    why: results vary\n",
            "claims.yml:3: unknown field `why` in rule 1. Allowed: id, phrases, pattern, level, "
            "message, instead, negatable, lang.",
        ),
        (
            "rule:\n  - id: glow\n    phrases: [glow]\n",
            "claims.yml:1: unknown field `rule`. Did you mean `rules`?",
        ),
    ],
    ids=["levle", "mesage", "why", "rule"],
)
def test_unknown_field_in_claims_file(project: Path, text: str, expected: str) -> None:
    write(project, "claims.yml", text)
    assert build_error(project, "conditions") == f"Error: {expected}"


def test_curly_quotes_around_a_brand_value_warn(project: Path) -> None:
    brand = replace_in(
        project,
        "_brand.yml",
        "call_to_action: Book your free discovery call",
        "call_to_action: “Book your free discovery call”",
    )
    line = next(
        i
        for i, text in enumerate(brand.read_text(encoding="utf-8").splitlines(), 1)
        if "“Book" in text
    )
    result = invoke(project, "build", "exosomes-vs-prp")
    assert result.exit_code == 0, result.output
    assert (
        f"_brand.yml:{line}: warning: “Book your free discovery call” is in curly quotes, "
        'which print on the page as they are (Take them out, or type straight quotes (") if '
        "the value contains a colon)\n"
    ) in result.output
