"""Copies stamped as incremental updates of the shared PDF (personalize/stamp.py): valid in
every reader, drawn exactly like a full render, and laid out by WeasyPrint when they must."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
from pypdf import PdfReader

from brochure.source.leads import LeadRow

from .conftest import invoke, pdf_text, replace_in, write
from .test_personalize import MARIA, assert_same_pixels_as_full_render, nfc, write_csv

ROWS = [
    'Maria,Gonzalez,maria@example.com,L-001,Ana Lopez,480 555 0100,"Tue 3 Dec, 2:30 pm"',
    "Chloé,Dubois-Núñez,chloe@example.com,L-002,,,",
    "Nguyễn,Thị Ánh,anh@example.com,L-003,Жанна Петрова,,",  # two scripts in one line
    "Ἀλέξανδρος,Smith,alex@example.com,L-004,,,",  # polytonic Greek: not in the subset
]


def updates(path: Path) -> int:
    """How many incremental updates a PDF file has (0: saved in one piece)."""
    return len(re.findall(rb"startxref\s+\d+\s+%%EOF", path.read_bytes())) - 1


def make(project: Path, tmp_path: Path, rows: list[str]) -> Path:
    leads = write_csv(tmp_path / "leads.csv", rows)
    out = tmp_path / "copies"
    result = invoke(project, "personalize", "conditions", "--leads", str(leads), "--out", str(out))
    assert result.exit_code == 0, result.output
    return out / "conditions"


def test_latin_names_are_updates_of_the_shared_pdf_valid_in_every_reader(
    tmp_path: Path, project: Path
) -> None:
    out = make(project, tmp_path, ROWS)
    maria, chloe = out / "Maria-Gonzalez.pdf", out / "Chloé-Dubois-Núñez.pdf"
    anh = out / "Nguyễn-Thị-Ánh.pdf"
    assert updates(maria) == updates(chloe) == updates(anh) == 1
    shared = maria.read_bytes().index(b"%%EOF")  # all start with the same shared bytes
    assert maria.read_bytes()[:shared] == chloe.read_bytes()[:shared] == anh.read_bytes()[:shared]
    assert updates(out / "Ἀλέξανδρος-Smith.pdf") == 0  # laid out by WeasyPrint, stamped
    for path in (maria, chloe, anh):
        with pikepdf.open(path) as pdf:
            assert pdf.check_pdf_syntax() == []
            assert len(pdf.pages) == 2
        reader = PdfReader(path, strict=True)
        assert reader.metadata["/leadid"] in ("L-001", "L-002", "L-003")
        first_page = pdfium.PdfDocument(path)[0].get_textpage().get_text_range()
        assert nfc(first_page).count("Prepared for") == 1
    assert "Prepared for Chloé Dubois-Núñez" in nfc(pdf_text(chloe))
    assert "Coordinator" not in pdf_text(chloe)
    assert "Prepared for Nguyễn Thị Ánh Coordinator: Жанна Петрова" in nfc(pdf_text(anh))
    row = LeadRow(4, 4, "Nguyễn", "Thị Ánh", "anh@example.com", "L-003", "Жанна Петрова")
    assert_same_pixels_as_full_render(project, anh, row)
    row = LeadRow(5, 5, "Ἀλέξανδρος", "Smith", "alex@example.com", "L-004")
    assert_same_pixels_as_full_render(project, out / "Ἀλέξανδρος-Smith.pdf", row)


def test_the_label_words_come_from_the_template(tmp_path: Path, project: Path) -> None:
    """The words are stamped as the template prints them (here from the project's strings)."""
    write(
        project,
        "locales/en.yml",
        'prepared_for: Preparado para\nvisit: "Visita:"\ncoordinator: "Coordinadora:"\n',
    )
    out = make(project, tmp_path, ROWS[:1])
    copy = out / "Maria-Gonzalez.pdf"
    assert updates(copy) == 1
    assert (
        "Preparado para Maria Gonzalez Coordinadora: Ana Lopez, 480 555 0100 · "
        "Visita: Tue 3 Dec, 2:30 pm"
    ) in pdf_text(copy)
    assert_same_pixels_as_full_render(project, copy, MARIA)


def test_a_name_too_long_for_its_line_is_laid_out_by_weasyprint(
    tmp_path: Path, project: Path
) -> None:
    long_name = "Maximiliana Alexandrina Wolfeschlegelsteinhausenbergerdorff-Featherstonehaugh"
    out = make(project, tmp_path, [f"{long_name},Smith,max@example.com,L-9,,,"])
    copy = next(out.glob("*.pdf"))
    assert updates(copy) == 0
    assert "Prepared for Maximiliana Alexandrina" in pdf_text(copy)


def test_fast_qr_symbols_are_segnos_module_for_module() -> None:
    """The fast QR encoder (render/qr.py) makes exactly segno's symbol, fixed mask."""
    from brochure.render.qr import fast_matrix, symbol

    base = "https://elixir-wellness.example/book?lead="
    ids = [f"L-{n:0{width}d}" for width in range(1, 200, 7) for n in (7, 123456)]
    for url in [base + lead_id for lead_id in ids] + ["HTTPS://X.EXAMPLE", "12345", base + "ü"]:
        assert fast_matrix(url) == tuple(bytes(row) for row in symbol(url).matrix), url


def test_a_style_the_fast_path_cannot_redo_goes_through_weasyprint(
    tmp_path: Path, project: Path
) -> None:
    """Letter spacing on the "Prepared for" lines: copies still look like a full render."""
    replace_in(
        project,
        "styles/common.css",
        "  line-height: 1.3;\n",
        "  line-height: 1.3;\n  letter-spacing: 0.04em;\n",
    )
    out = make(project, tmp_path, ROWS[1:2])
    copy = out / "Chloé-Dubois-Núñez.pdf"
    assert updates(copy) == 0
    row = LeadRow(2, 2, "Chloé", "Dubois-Núñez", "chloe@example.com", "L-002")
    assert_same_pixels_as_full_render(project, copy, row)
