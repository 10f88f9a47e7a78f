"""Hostile and broken input: refused with one located `Error:`, fast, and never a traceback.

One bad brochure fails alone: the others still build and the catalog is written.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from brochure.render import markup
from brochure.render.svg import clean_svg

from .conftest import invoke, replace_in, write
from .test_errors import build_error, sheet

BRAND = "_brand.yml"


def brand_line(project: Path, text: str) -> int:
    """Return the line of the brand file that holds `text`."""
    lines = (project / BRAND).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


# Markup a simple parser reads differently from a browser: inside these, a browser (which
# runs scripts) sees the <img> as a real element with its onerror.
MUTATIONS = [
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<xmp><p title="</xmp><img src=x onerror=alert(1)>"></xmp>',
    '<textarea><p title="</textarea><img src=x onerror=alert(1)>"></textarea>',
    '<noembed><p title="</noembed><img src=x onerror=alert(1)>"></noembed>',
    '<title><p title="</title><img src=x onerror=alert(1)>"></title>',
    "Text <!--><img src=x onerror=alert(1)>--> more",
]


@pytest.mark.parametrize("html", MUTATIONS)
def test_sanitized_html_keeps_no_script(html: str) -> None:
    safe = str(markup.to_html(f"Before.\n\n{html}\n\nAfter."))
    assert "onerror" not in safe
    assert not any(f"<{tag}" in safe for tag in ("noscript", "xmp", "textarea", "noembed"))
    assert "<p>Before.</p>" in safe and "<p>After.</p>" in safe


@pytest.mark.parametrize(
    ("html", "what"),
    [
        (MUTATIONS[0], "`<noscript>`"),
        (MUTATIONS[1], "`<xmp>`"),
        (MUTATIONS[2], "`<textarea>`"),
        (MUTATIONS[3], "`<noembed>`"),
        (MUTATIONS[4], "`<title>`"),
        (MUTATIONS[5], "comment `<!-- -->` holding markup"),
    ],
)
def test_markup_read_differently_by_browsers_is_refused(
    project: Path, html: str, what: str
) -> None:
    write(project, "brochures/bad.md", sheet(f"Text.\n\n{html}\n"))
    assert build_error(project, "bad") == (
        f"Error: brochures/bad.md:13: raw HTML {what} is not allowed in a brochure. "
        "Remove it: brochures hold text, pictures and links."
    )


@pytest.mark.parametrize(
    "style", ["-webkit-mask-image: url(//example.com/x)", "background: image-set(url(x.png) 1x)"]
)
def test_css_that_loads_files_is_refused_in_content(project: Path, style: str) -> None:
    write(project, "brochures/bad.md", sheet(f'Text.\n\n<p style="{style}">x</p>\n'))
    assert build_error(project, "bad") == (
        f"Error: brochures/bad.md:13: the style `{style}` on <p> could load a file or hide "
        "what it does. Remove the style; put pictures in the text as "
        "![what it shows](../assets/NAME)."
    )
    assert "url(" not in str(markup.to_html(f'<p style="{style}">x</p>'))


@pytest.mark.parametrize(
    ("css", "url"),
    [
        ("-webkit-mask-image: url(//example.com/x)", "//example.com/x"),
        ('background: image-set("https://example.com/y.png" 1x)', "https://example.com/y.png"),
        ("background: \\75 rl(https://example.com/z)", "https://example.com/z"),  # `url(`
    ],
)
def test_styles_that_browsers_would_load_from_elsewhere_are_refused(
    project: Path, css: str, url: str
) -> None:
    """WeasyPrint ignores these and only warns, but a browser showing a preview loads them."""
    with (project / "styles" / "sheet.css").open("a", encoding="utf-8") as styles:
        styles.write(f"\n.intro {{ {css}; }}\n")
    line = (project / "styles" / "sheet.css").read_text(encoding="utf-8").count("\n")
    write(project, "brochures/ok.md", sheet())
    assert build_error(project, "ok") == (
        f"Error: styles/sheet.css:{line}: the styles load `{url}`, which is not a file in the "
        "project. Put the file in the project and refer to it by its path from the project "
        "folder, e.g. assets/NAME."
    )


def test_table_alignment_styles_stay() -> None:
    html = str(markup.to_html("| a | b |\n|:--|--:|\n| 1 | 2 |\n"))
    assert '<td style="text-align: right;">2</td>' in html


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "size: 10.5pt",
            'size: "10.5pt;}</style><script>alert(1)</script><style>x{"',
            "`size` is `10.5pt;}</style><script>alert(1)</script`, not a size. Write a number "
            "and a unit, e.g. 10.5pt.",
        ),
        (
            "line-height: 1.45",
            'line-height: "1.45; x"',
            "`line-height` is `1.45; x`, not a line height. Write a number from 0.8 to 3, e.g. "
            "line-height: 1.45.",
        ),
        (
            "line-height: 1.45",
            "line-height: [1]",
            "`line-height` is `[1]`, not a line height. Write a number from 0.8 to 3, e.g. "
            "line-height: 1.45.",
        ),
        (
            "teal: ",
            '"te}al</style>": ',
            "the colour name `te}al</style>` may hold only letters, digits, - and _. Name "
            "colours with one word, e.g. teal or dark-sand.",
        ),
        (
            "- family: Noto Sans",
            '- family: "Noto Sans\\"; } </style>"',
            'the font family name `Noto Sans"; } </style>` may hold only letters, digits, '
            "spaces and . _ -. Write the family's name as the font calls it, e.g. Noto Sans.",
        ),
        (
            "booking: https://elixir-wellness.example/book",
            'booking: "javascript:alert(document.domain)"',
            "`meta.link.booking` is `javascript:alert(document.domain)`, not a web address "
            "starting with https://. Write the full address of the page, e.g. "
            "https://clinic.example/book.",
        ),
        (
            "booking: https://elixir-wellness.example/book",
            "booking: file:///etc/passwd",
            "`meta.link.booking` is `file:///etc/passwd`, not a web address starting with "
            "https://. Write the full address of the page, e.g. https://clinic.example/book.",
        ),
        (
            "home: https://elixir-wellness.example/",
            "home: http://elixir-wellness.example/",
            "`meta.link.home` is `http://elixir-wellness.example/`, not a web address starting "
            "with https://. Write the full address of the page, e.g. "
            "https://clinic.example/book.",
        ),
        (
            "review_months: 12",
            "review_months: 99999999999999",
            "`review_months` must be at most 120, got 99999999999999. For example: "
            "review_months: 12.",
        ),
        (
            "  small: mark\n  medium: mark",
            "  small: &m mark\n  medium: *m",
            "invalid YAML: a reference to another value (`*name`) is not allowed. Write the "
            "value out in full instead of `&name` and `*name`.",
        ),
    ],
)
def test_brand_values_are_data(project: Path, old: str, new: str, message: str) -> None:
    replace_in(project, BRAND, old, new)
    line = brand_line(project, new.splitlines()[-1].strip())
    assert build_error(project, "conditions") == f"Error: {BRAND}:{line}: {message}"
    index = project / "out" / "index.html"
    assert not index.exists() or "<script" not in index.read_text(encoding="utf-8")


def test_yaml_aliases_cannot_blow_up(project: Path) -> None:
    """Nine levels of aliases (700 bytes) used to keep `check` busy for minutes."""
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    with (project / BRAND).open("a", encoding="utf-8") as brand:
        brand.write("\n" + "\n".join(levels) + "\n")
    start = time.monotonic()
    result = invoke(project, "check")
    assert time.monotonic() - start < 20
    assert result.exit_code == 1
    assert "a reference to another value (`*name`) is not allowed" in result.output


@pytest.mark.parametrize(
    ("link", "message"),
    [
        (
            "[Book](http://example.com/book)",
            "link `http://example.com/book` uses `http:`, which anyone on the network can "
            "change. Use https://example.com/book (check that it opens).",
        ),
        (
            "[Book](file:///etc/passwd)",
            "link `file:///etc/passwd` uses `file:`. Use https:, mailto: or tel: links.",
        ),
        (
            "![A dot](data:image/png;base64,iVBORw0KGgo=)",
            "a picture or link written into the text as `data:` is not allowed. Save the "
            "picture in assets/ and refer to it as ../assets/NAME.",
        ),
    ],
)
def test_content_links_must_be_safe(project: Path, link: str, message: str) -> None:
    write(project, "brochures/bad.md", sheet(f"Text.\n\n{link}\n"))
    assert build_error(project, "bad") == f"Error: brochures/bad.md:13: {message}"


def test_big_data_url_is_refused_fast_and_not_repeated(project: Path) -> None:
    picture = "A" * 50_000
    write(
        project,
        "brochures/bad.md",
        sheet(f"Text.\n\n<img src='data:image/png;base64,{picture}'>\n"),
    )
    start = time.monotonic()
    error = build_error(project, "bad")
    assert time.monotonic() - start < 10
    assert error.startswith("Error: brochures/bad.md:13: a picture or link written into the text")
    assert len(error) < 300


def test_huge_data_url_is_refused_at_once(project: Path) -> None:
    """20 MB of `data:` picture used to take 51 s and 600 MB, and filled the error line."""
    picture = "A" * 20_000_000
    write(project, "brochures/bad.md", sheet(f"![Dot](data:image/png;base64,{picture})\n"))
    start = time.monotonic()
    assert build_error(project, "bad") == (
        "Error: brochures/bad.md: the file is 20000 KB, more than a brochure can hold (64 KB). "
        "Cut the text, and put pictures in assets/ instead of in the text."
    )
    assert time.monotonic() - start < 10


NESTED = {
    "quotes": (">" * 150 + " Deep.", "nested 151 levels deep"),
    "lists": ("\n".join("  " * i + "- item" for i in range(100)), "nested 100 levels deep"),
    "divs": ("<div>\n" * 200 + "x\n" + "</div>\n" * 200, "nested 200 levels deep"),
    "brackets": ("[" * 20_000 + "x" + "]" * 20_000, "more than 16 `[` brackets are open"),
    "stars": ("*" * 1000, "1000 characters stand without a space between them (at most 300)"),
    # Laid out in time growing with the square of its length: 4000 took 39 s.
    "marks": ("*a" * 4000, "8000 characters stand without a space between them"),
}


def test_deep_nesting_and_long_runs_fail_that_brochure_only(project: Path) -> None:
    for name, (body, _) in NESTED.items():
        write(project, f"brochures/{name}.md", sheet(f"Text.\n\n{body}\n"))
    start = time.monotonic()
    result = invoke(project, "build", *NESTED, "exosomes-vs-prp")
    assert time.monotonic() - start < 60
    assert "Traceback" not in result.output and result.exit_code == 1
    for name, (_, message) in NESTED.items():
        assert f"Error: brochures/{name}.md:13: " in result.output
        assert message in result.output
    assert "built   out/exosomes-vs-prp.pdf" in result.output
    assert (project / "out" / "index.html").is_file()
    assert "1 built, 0 skipped, 6 failed (7 brochures)." in result.output


def test_text_of_too_many_parts_is_refused(project: Path) -> None:
    """21,000 `code` marks in 64 KB took 13 s to lay out."""
    write(project, "brochures/bad.md", sheet("`a` " * 4500 + "\n"))
    assert build_error(project, "bad") == (
        "Error: brochures/bad.md:10: the text is made of 4501 parts (paragraphs, list items, "
        "bold or italic words, links...); a brochure has at most 4000. Cut the text, or use "
        "less bold, italic and code marking."
    )


def test_many_lines_are_refused(project: Path) -> None:
    write(project, "brochures/bad.md", sheet("- item\n" * 1000))
    assert build_error(project, "bad") == (
        "Error: brochures/bad.md: the file is 1011 lines long, more than a brochure can hold "
        "(1000). Cut the text, and put pictures in assets/ instead of in the text."
    )


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "title: Test\x00sheet",
            "invalid YAML in the front matter: a control character (code 0x00) is not allowed",
        ),
        (
            "keywords: " + "[" * 1000,
            "invalid YAML in the front matter: nested more than 20 levels deep",
        ),
        (
            "title: " + "x" * 400,
            "400 characters stand without a space between them (at most 300)",
        ),
        ("title: " + "word " * 4000, "the front matter is longer than 16 KB"),
    ],
)
def test_broken_front_matter_is_located(project: Path, header: str, message: str) -> None:
    text = sheet().replace("title: Test sheet", header)
    write(project, "brochures/bad.md", text)
    assert build_error(project, "bad").startswith(f"Error: brochures/bad.md:2: {message}")


def test_symlinked_brochure_outside_is_refused(project: Path, tmp_path: Path) -> None:
    outside = write(tmp_path, "elsewhere/secret.md", sheet("Secret text.\n"))
    (project / "brochures" / "linked.md").symlink_to(outside)
    result = invoke(project, "build", "linked", "exosomes-vs-prp")
    assert result.exit_code == 1
    assert (
        "Error: brochures/linked.md: the file is a link to a file outside the project. "
        "Copy the file into brochures/ instead of linking to it." in result.output
    )
    assert "built   out/exosomes-vs-prp.pdf" in result.output
    assert not (project / "out" / "linked.pdf").exists()


def test_symlinked_brochures_folder_outside_is_refused(project: Path, tmp_path: Path) -> None:
    (project / "brochures").rename(tmp_path / "elsewhere")
    (project / "brochures").symlink_to(tmp_path / "elsewhere")
    for command in ("build", "check", "list"):
        result = invoke(project, command)
        assert result.exit_code == 1
        assert result.output.strip().endswith(
            "Error: brochures: the folder is a link to a folder outside the project. Move the "
            "brochures into the project instead of linking to them."
        )


def test_unreadable_brochure_fails_alone(project: Path) -> None:
    (project / "brochures" / "gone.md").symlink_to("nowhere.md")  # cannot be read, even by root
    message = (
        "brochures/gone.md: `gone.md` is a shortcut to a file that is not there. Put the "
        "brochure file itself in brochures/, or delete this one."
    )
    result = invoke(project, "build", "gone", "exosomes-vs-prp")
    assert result.exit_code == 1 and f"Error: {message}" in result.output
    assert "built   out/exosomes-vs-prp.pdf" in result.output
    assert (project / "out" / "index.html").is_file()
    result = invoke(project, "check", "gone", "--format", "json")
    assert result.exit_code == 1 and "is a shortcut to a file that is not there" in result.output
    result = invoke(project, "list")
    assert "gone" in result.output and "is a shortcut to a file that is not there" in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_brochure_without_read_permission(project: Path) -> None:
    path = write(project, "brochures/private.md", sheet())
    path.chmod(0)
    try:
        assert build_error(project, "private") == (
            "Error: brochures/private.md: cannot read the file: permission denied. Check "
            "that it is a file you may read (its permissions), then try again."
        )
    finally:
        path.chmod(0o644)


@pytest.mark.parametrize("head", [b"", b"\x00\x01\x00\x00"])
def test_font_of_random_bytes(project: Path, head: bytes) -> None:
    (project / "styles/fonts/NotoSans-Bold.ttf").write_bytes(head + os.urandom(3000))
    line = brand_line(project, "NotoSans-Bold.ttf")
    assert build_error(project, "conditions") == (
        f"Error: {BRAND}:{line}: font file `styles/fonts/NotoSans-Bold.ttf` is not a font "
        "(TrueType, OpenType or WOFF). Download the font file again from its maker."
    )


def test_claim_patterns_cannot_backtrack(project: Path) -> None:
    write(project, "claims.yml", 'rules:\n  - id: trap\n    pattern: "(a+)+$"\n')
    write(project, "brochures/trap.md", sheet("a" * 250 + "b\n"))  # re: 20 s for 28 a
    start = time.monotonic()
    result = invoke(project, "check", "trap")
    assert time.monotonic() - start < 10
    assert result.exit_code == 0, result.output


def test_claim_pattern_re2_cannot_read_is_located(project: Path) -> None:
    write(project, "claims.yml", 'rules:\n  - id: trap\n    pattern: "(?<!not )cure"\n')
    result = invoke(project, "check")
    assert result.exit_code == 1
    assert "claims.yml:2: error: rule `trap`: bad pattern: " in result.output


def test_logo_is_rebuilt_without_script() -> None:
    svg = clean_svg(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' onload="alert(1)"><script>alert(2)</script>'
        '<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>'
        '<image href="https://example.com/x.png"/><use xlink:href="https://example.com/a#b"/>'
        '<rect fill="url(#g)" style="filter: url(https://example.com/f)"/>'
        "<style>@import url(https://example.com/s.css);</style>"
        '<circle r="2" fill="currentColor"/></svg>'
    )
    assert svg == (
        '<svg xmlns="http://www.w3.org/2000/svg"><use /><rect fill="url(#g)" />'
        '<circle r="2" fill="currentColor" /></svg>'
    )


def test_logo_with_entities_is_refused(project: Path) -> None:
    (project / "assets/logo.svg").write_text(
        '<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]><svg xmlns="http://www.w3.org/2000/svg">'
        "<text>&a;</text></svg>",
        encoding="utf-8",
    )
    assert build_error(project, "conditions") == (
        "Error: assets/logo.svg: the logo cannot be used: it declares entities (<!ENTITY>). "
        "Save it again as a plain SVG drawing."
    )


def test_serve_long_path_is_404_and_pages_carry_the_policy(project: Path) -> None:
    import http.client

    from .live import Server

    server = Server(project)
    try:
        assert server.get("/" + "a" * 300)[0] == 404
        assert server.get("/" + "b/" * 200 + "c.html")[0] == 404
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            for path, policy in (
                ("/", True),
                ("/static/styles/fonts/NotoSans-Regular.ttf", True),
                ("/x.pdf", False),
            ):
                conn.request("GET", path if path != "/x.pdf" else "/conditions.pdf")
                response = conn.getresponse()
                response.read()
                assert response.status == 200, path
                csp = response.getheader("Content-Security-Policy") or ""
                assert csp.startswith("default-src 'none'; script-src 'sha256-") is policy
        finally:
            conn.close()
    finally:
        server.stop()


def test_css_strings_cannot_end_the_string_rule_or_style() -> None:
    from brochure.source.brand import css_string

    assert css_string("Noto Sans") == '"Noto Sans"'
    assert css_string('a";}</style>\\') == '"a\\22 \\3b \\7d \\3c /style\\3e \\5c "'
