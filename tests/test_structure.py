"""PDF/UA-1 structure of every layout and of a personalised copy (rules in tests/pdfua.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pytest

from .conftest import invoke
from .pdfua import RULES, audit, elements, tag_order_text

LAYOUTS = ["conditions", "exosomes-vs-prp", "results-timeline", "overview"]


# A Latin (or Greek, Cyrillic...) name is drawn straight into an incremental update of the
# shared PDF (personalize/stamp.py); polytonic Greek is laid out by WeasyPrint and stamped.
@pytest.fixture(scope="module", params=["Ἀλέξανδρος", "María"])
def copy(built: Path, tmp_path_factory: pytest.TempPathFactory, request: Any) -> Path:
    """A personalised copy of the two-page conditions brochure."""
    leads = tmp_path_factory.mktemp("leads") / "leads.csv"
    leads.write_text(
        f"First Name,Last Name,Lead ID,Coordinator,Coordinator Phone\n"
        f"{request.param},Gonzalez,L-7,Ana Lopez,480 555 0100\n",
        encoding="utf-8",
    )
    out = tmp_path_factory.mktemp("copies")
    result = invoke(built, "personalize", "conditions", "--leads", str(leads), "--out", str(out))
    assert result.exit_code == 0, result.output
    return out / "conditions" / f"{request.param}-Gonzalez.pdf"


@pytest.mark.parametrize("slug", LAYOUTS)
def test_every_layout_passes_the_structure_rules(built: Path, slug: str) -> None:
    with pikepdf.open(built / "out" / f"{slug}.pdf") as pdf:
        assert audit(pdf) == []


def test_a_personalised_copy_passes_the_structure_rules(copy: Path) -> None:
    with pikepdf.open(copy) as pdf:
        assert audit(pdf) == []
        links = [a for page in pdf.pages for a in page.obj.get("/Annots", [])]
        booking = [a for a in links if "lead=" in str(a.A.get("/URI", ""))]
        assert booking, "the copy has no booking link with its lead id"
        assert all(str(a.Contents) == str(a.A.URI) for a in booking)


def test_every_figure_names_what_it_shows(built: Path) -> None:
    with pikepdf.open(built / "out" / "conditions.pdf") as pdf:
        alts = sorted(str(e.Alt) for _, e in elements(pdf) if e.S == "/Figure")
    assert alts == [
        "Elixir and Wellness",
        "QR code that opens our booking page, https://elixir-wellness.example/book",
    ]


def test_the_qr_figure_box_is_where_the_code_is_drawn(built: Path) -> None:
    """Its /BBox, read in PDF points from the bottom, frames the dark modules of the code."""
    path = built / "out" / "results-timeline.pdf"
    with pikepdf.open(path) as pdf:
        box = next(
            [float(v) for v in e.A.BBox]
            for _, e in elements(pdf)
            if e.S == "/Figure" and "QR" in str(e.get("/Alt", ""))
        )
        height = float(pdf.pages[0].MediaBox[3])
    scale = 2
    image = pdfium.PdfDocument(path)[0].render(scale=scale).to_pil().convert("L")
    left, top = box[0] * scale, (height - box[3]) * scale
    right, bottom = box[2] * scale, (height - box[1]) * scale
    inside = image.crop((int(left) + 2, int(top) + 2, int(right) - 2, int(bottom) - 2))
    dark = sum(value < 128 for value in inside.tobytes()) / (inside.width * inside.height)
    assert 0.3 < dark < 0.7, f"{dark:.0%} dark: the box does not frame the QR code"
    beside = image.crop((int(left) - 40, int(top), int(left) - 4, int(bottom)))
    assert min(beside.tobytes()) > 128, "the box starts right of the code's left edge"


def test_the_table_caption_comes_first_and_stays_out_of_the_cells(built: Path) -> None:
    with pikepdf.open(built / "out" / "exosomes-vs-prp.pdf") as pdf:
        tables = [e for _, e in elements(pdf) if e.S == "/Table"]
        assert [str(kid.S) for kid in tables[0].K] == ["/Caption", "/THead", "/TBody"]


PLAIN = """<html lang="en"><head><meta name="viewport" content="x"><title>t</title>
<style>@page { @bottom-left { content: element(f) } }
caption { position: absolute; width: 1px; height: 1px; overflow: hidden }</style></head>
<body><p style="position: running(f)">footer</p>
<svg width="500" height="500" style="margin-left: 500px"><rect width="9" height="9"/></svg>
<table><caption>c</caption><thead><tr><th scope="col">a</th><th scope="col">b</th></tr></thead>
<tbody><tr><th scope="row">r</th><td>d</td></tr></tbody></table></body></html>"""


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_each_rule_can_fail(rule: object, tmp_path: Path) -> None:
    """A plain WeasyPrint PDF, without this project's repairs, breaks every rule."""
    from weasyprint import HTML

    path = tmp_path / "plain.pdf"
    HTML(string=PLAIN).write_pdf(path, pdf_variant="pdf/ua-1", pdf_tags=True, custom_metadata=True)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        if getattr(rule, "__name__", "") == "shared_subset_names":  # as the overlay of a copy did
            descriptor = next(o for o in pdf.objects if o.get("/Type") == "/FontDescriptor")
            other = pikepdf.Dictionary({k: descriptor[k] for k in descriptor.keys()})  # noqa: SIM118
            other.FontFile2 = pdf.make_stream(b"other glyphs")
            pdf.Root.Extra = pdf.make_indirect(other)
            pdf.save(path)
    with pikepdf.open(path) as pdf:
        assert rule(pdf), "the rule finds nothing wrong in a plain WeasyPrint PDF"  # type: ignore[operator]


@pytest.mark.parametrize("slug", LAYOUTS)
def test_words_at_line_ends_stay_apart_in_tag_order(built: Path, slug: str) -> None:
    """Read in tag order (as a screen reader does), no two words run together at a line end:
    every word is one the page shows (pypdf's reading by position breaks lines itself)."""
    from pypdf import PdfReader

    path = built / "out" / f"{slug}.pdf"
    shown = set(" ".join(page.extract_text() for page in PdfReader(path).pages).split())
    read = tag_order_text(path).split()
    # A word hyphenated at a line end is one word again: "short-" and "term".
    joined = [
        w
        for w in read
        if w not in shown and not all(part in shown for part in re.split(r"(?<=-)", w))
    ]
    assert joined == [], f"words run together in tag order: {joined[:5]}"


def test_a_copys_stamped_lines_read_apart(copy: Path) -> None:
    name = copy.stem.split("-")[0]
    assert f"Prepared for {name} Gonzalez Coordinator: Ana Lopez, 480 555 0100 " in (
        tag_order_text(copy) + " "
    )
