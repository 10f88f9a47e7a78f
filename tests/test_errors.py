"""Bad input: one clear `Error:` line naming the file and line, exit 1, out/ untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import invoke, replace_in, write

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
            "Error: brochures/bad.md:6: invalid YAML in the front matter: mapping values are not "
            "allowed here. Check the indentation and put text that contains a colon in quotes.",
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


def test_page_budget_says_how_much_to_cut(project: Path) -> None:
    write(project, "brochures/bad.md", sheet("Text.\n\n" + "A line of words. " * 400 + "\n"))
    error = build_error(project, "bad")
    assert "about " in error and " lines too long. Cut about " in error


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
    with (project / "styles" / "common.css").open("a") as css:
        css.write('\nbody { background: url("file:///etc/hostname"); }\n')
    error = build_error(project, "exosomes-vs-prp")
    assert error.startswith(
        "Error: styles/common.css:133: the styles load `file:///etc/hostname`, which is not a "
        "file in the project."
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
    error = build_error(project, "exosomes-vs-prp")
    assert error.startswith("Error: brochures/exosomes-vs-prp.md: some text is set in `")
    assert "a font that is not in _brand.yml" in error


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
        "    why: we do not promise a glow\n    instead: say what may change\n",
    )
    result = invoke(project, "build")
    assert result.exit_code == 1, result.output
    assert "risky claim “glow”" in result.output
