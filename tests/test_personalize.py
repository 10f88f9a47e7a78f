"""`brochure personalize`: one PDF per lead from an awkward CSV, checked on the real output."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from brochure.personalize.filenames import UniqueNames, safe_name
from brochure.source.leads import LeadRow, normalise_header

from .conftest import invoke, pdf_text

BOOK = "https://elixir-wellness.example/book"
HEADER = "\ufeffFirst Name,Last Name,E-mail,Lead ID,Coordinator,Coordinator Phone,Appointment"
ROWS = [
    'Maria,Gonzalez,maria@example.com,L-001,Ana Lopez,480 555 0100,"Tue 3 Dec, 2:30 pm"',
    '"<b>Ana</b>",Smith,ana@example.com,L-002,,,',
    "../../etc/passwd,Doe,,L 003/x,,,",
    "Maria,Gonzalez,maria.g@example.com,L-004,,,",
    ",Nobody,nobody@example.com,L-005,,,",
    "Ivan,Petrov,not-an-email,L-006,,,",
    'Nguyễn,Thị Ánh,anh@example.com,L-007,,,"Thursday\r\nafternoon"',
    "Жанна,Петрова,zhanna@example.com,L-008,,,",
    "Wang,王小明,wang@example.com,L-009,,,",
]
# (lead id, printed name, file) of the rows that make copies, in CSV order
GOOD = [
    ("L-001", "Maria Gonzalez", "conditions/Maria-Gonzalez.pdf"),
    ("L-002", "<b>Ana</b> Smith", "conditions/b-Ana-b-Smith.pdf"),
    ("L 003/x", "../../etc/passwd Doe", "conditions/etc-passwd-Doe.pdf"),
    ("L-004", "Maria Gonzalez", "conditions/Maria-Gonzalez-2.pdf"),
    ("L-007", "Nguyễn Thị Ánh", "conditions/Nguyễn-Thị-Ánh.pdf"),
    ("L-008", "Жанна Петрова", "conditions/Жанна-Петрова.pdf"),
]


# The first row of ROWS as read (row 2 of the sheet: the header is row 1).
MARIA = LeadRow(
    2,
    2,
    "Maria",
    "Gonzalez",
    "maria@example.com",
    "L-001",
    "Ana Lopez",
    "480 555 0100",
    "Tue 3 Dec, 2:30 pm",
)


def write_csv(path: Path, rows: list[str], encoding: str = "utf-8") -> Path:
    header = HEADER if encoding == "utf-8" else HEADER.lstrip("\ufeff")
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """The awkward CSV personalised once with two worker processes (shared, read-only)."""
    from .conftest import copy_project

    root = copy_project(tmp_path_factory.mktemp("leads") / "project")
    leads = write_csv(root / "leads.csv", ROWS)
    result = invoke(root, "personalize", "conditions", "--leads", str(leads), "--jobs", "2")
    return root, result


def manifest(root: Path) -> list[dict[str, str]]:
    with (root / "out/leads/manifest.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def test_exactly_the_expected_files_and_manifest(batch: tuple[Path, object]) -> None:
    root, _ = batch
    out = root / "out/leads"
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf"))
    assert files == sorted(f for _, _, f in GOOD)
    rows = manifest(root)
    assert [(r["lead_id"], r["name"], r["file"]) for r in rows] == GOOD
    assert [r["row"] for r in rows] == ["2", "3", "4", "5", "8", "9"]
    assert [r["email"] for r in rows][:2] == ["maria@example.com", "ana@example.com"]
    for row in rows:
        path = out / row["file"]
        assert row["brochure"] == "conditions"
        assert int(row["bytes"]) == path.stat().st_size
        assert int(row["pages"]) == len(PdfReader(path).pages) == 2
    assert not list(out.rglob("*.tmp"))


def test_bad_rows_reported_with_row_numbers_and_exit_1(batch: tuple[Path, object]) -> None:
    _, result = batch
    leads = "leads.csv"  # shown relative to the folder brochure runs in (the project)
    assert result.exit_code == 1
    assert (
        f"{leads}:6: error: row 6: first_name is empty "
        "(Fill in the lead's first name, or delete the row)"
    ) in result.output
    assert f"{leads}:7: error: row 7: email 'not-an-email' is not an email address" in result.output
    # row 10 starts on line 11: row 8 has a line break inside a quoted cell
    assert (
        f"{leads}:11: error: row 10: the brochure fonts have no letters for '王小明' "
        "(in name 'Wang 王小明')" in result.output
    )
    assert (
        "3 leads failed (rows 6, 7 and 10), 6 copies written, 0 skipped (9 leads x 1 brochure)."
        in result.output
    )
    assert "Traceback" not in result.output


def test_each_copy_names_its_own_lead_only(batch: tuple[Path, object]) -> None:
    root, _ = batch
    names = {name for _, name, _ in GOOD}
    for _, name, file in GOOD:
        text = nfc(pdf_text(root / "out/leads" / file))
        assert f"Prepared for {name}" in text, file
        for other in names - {name}:
            assert other not in text, (file, other)
    maria = nfc(pdf_text(root / "out/leads" / GOOD[0][2]))
    assert (
        "Prepared for Maria Gonzalez Coordinator: Ana Lopez, 480 555 0100 · "
        "Visit: Tue 3 Dec, 2:30 pm"
    ) in maria
    assert "Thursday afternoon" in nfc(pdf_text(root / "out/leads" / GOOD[4][2]))


def test_links_qr_and_metadata_carry_the_lead_id(batch: tuple[Path, object]) -> None:
    import zxingcpp

    root, _ = batch
    for lead_id, _, file in GOOD:
        path = root / "out/leads" / file
        reader = PdfReader(path)
        uris = [
            a.get_object()["/A"]["/URI"] for page in reader.pages for a in page.get("/Annots") or []
        ]
        expected = f"{BOOK}?lead={lead_id.replace(' ', '%20').replace('/', '%2F')}"
        assert expected in uris
        assert BOOK not in uris  # the shared booking link is gone
        assert reader.metadata["/leadid"] == lead_id
        page = pdfium.PdfDocument(path)[1].render(scale=2).to_pil()
        assert [b.text for b in zxingcpp.read_barcodes(page)] == [expected]
    first = PdfReader(root / "out/leads" / GOOD[0][2])
    assert "tel:+14805550100" in [
        a.get_object()["/A"]["/URI"] for a in first.pages[0].get("/Annots")
    ]


def assert_same_pixels_as_full_render(
    root: Path, copy: Path, row: LeadRow, source: str = "conditions.md"
) -> None:
    """The copy draws the same pixels as rendering its brochure (brochures/`source`) from
    scratch with its lead."""
    from PIL import ImageChops

    from brochure.build.pipeline import Pipeline
    from brochure.personalize.run import lead_for
    from brochure.source.project import Project

    pipeline = Pipeline(Project.at(root))
    brochure, _ = pipeline.read(root / "brochures" / source)
    full = pdfium.PdfDocument(pipeline.render(brochure, lead=lead_for(row), preview=False).pdf)
    fast = pdfium.PdfDocument(copy)
    assert len(full) == len(fast)
    for i in range(len(full)):
        a = full[i].render(scale=1.5).to_pil().convert("RGB")
        b = fast[i].render(scale=1.5).to_pil().convert("RGB")
        # the stamped QR code is drawn as squares, the full render's as SVG lines: their
        # anti-aliased edges may differ by one grey level, nothing more
        worst = max(high for _, high in ImageChops.difference(a, b).getextrema())
        assert worst <= 2, f"page {i + 1} differs"


def test_stamped_copy_looks_exactly_like_a_full_render(batch: tuple[Path, object]) -> None:
    root, _ = batch
    assert_same_pixels_as_full_render(root, root / "out/leads" / GOOD[0][2], MARIA)


def test_rerun_skips_up_to_date_copies_and_redoes_changed_ones(
    tmp_path: Path, project: Path
) -> None:
    leads = write_csv(tmp_path / "leads.csv", [ROWS[0], ROWS[1]])
    first = invoke(project, "personalize", "conditions", "--leads", str(leads), "--jobs", "1")
    assert first.exit_code == 0, first.output
    assert "2 copies written, 0 skipped (2 leads x 1 brochure)." in first.output
    again = invoke(project, "personalize", "conditions", "--leads", str(leads), "--jobs", "1")
    assert "0 copies written, 2 skipped (2 leads x 1 brochure)." in again.output
    assert len(manifest(project)) == 2
    write_csv(leads, [ROWS[0].replace("Ana Lopez", "Beth Ray"), ROWS[1]])
    changed = invoke(project, "personalize", "conditions", "--leads", str(leads), "--jobs", "1")
    assert "1 copy written, 1 skipped (2 leads x 1 brochure)." in changed.output
    assert "Coordinator: Beth Ray" in pdf_text(project / "out/leads/conditions/Maria-Gonzalez.pdf")


def test_windows_1252_csv_and_a_name_too_long_for_one_line(tmp_path: Path, project: Path) -> None:
    """Excel's "CSV" is Windows-1252; a line too long for the room is rendered in full."""
    long_visit = "Thursday 5 December at 2:30 pm, second floor, ask for the consultation room"
    leads = write_csv(
        tmp_path / "leads.csv",
        [
            "José,Müller,jose@example.com,L-1,,,",
            f'Zoë,Brontë-Fitzgerald,zoe@example.com,L-2,Ana Lopez,480 555 0100,"{long_visit}"',
        ],
        encoding="cp1252",
    )
    out = tmp_path / "copies"
    result = invoke(
        project,
        "personalize",
        "conditions",
        "--leads",
        str(leads),
        "--out",
        str(out),
        "--jobs",
        "1",
    )
    assert result.exit_code == 0, result.output
    assert "Prepared for José Müller" in pdf_text(out / "conditions/José-Müller.pdf")
    text = pdf_text(out / "conditions/Zoë-Brontë-Fitzgerald.pdf")
    assert "Prepared for Zoë Brontë-Fitzgerald Coordinator: Ana Lopez" in text
    assert "second floor" in text
    row = LeadRow(
        3,
        3,
        "Zoë",
        "Brontë-Fitzgerald",
        "zoe@example.com",
        "L-2",
        "Ana Lopez",
        "480 555 0100",
        long_visit,
    )
    assert_same_pixels_as_full_render(project, out / "conditions/Zoë-Brontë-Fitzgerald.pdf", row)


def test_missing_first_name_column_stops_before_writing(tmp_path: Path, project: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("Name,Email\nMaria,maria@example.com\n", encoding="utf-8")
    result = invoke(project, "personalize", "conditions", "--leads", str(leads))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {leads}:1: the header row has no first_name column (found: name, email). "
        "Add a header row naming the columns, with at least First Name.\n"
    )
    assert not (project / "out/leads").exists()


def test_unknown_brochure_is_an_error(tmp_path: Path, project: Path) -> None:
    leads = write_csv(tmp_path / "leads.csv", [ROWS[0]])
    result = invoke(project, "personalize", "nope", "--leads", str(leads))
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert not (project / "out/leads").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("a/b\\c", "a-b-c"),
        ("..", "lead"),
        (".hidden", "hidden"),
        ("Ana\x00\x1b[31m", "Ana-31m"),
        ("<b>Ana</b> Smith", "b-Ana-b-Smith"),
        ("Nguyễn Thị Ánh", "Nguyễn-Thị-Ánh"),
        ("CON", "lead-CON"),
        ("x" * 300, "x" * 80),
    ],
)
def test_safe_name(text: str, expected: str) -> None:
    assert safe_name(text) == expected


def test_safe_name_bounds_bytes_and_unique_names_never_collide() -> None:
    assert len(safe_name("Ж" * 200).encode()) <= 160
    names = UniqueNames()
    assert [names.claim(s) for s in ("Ana", "ana", "Ana", "Ana-2")] == [
        "Ana.pdf",
        "ana-2.pdf",
        "Ana-3.pdf",
        "Ana-2-2.pdf",
    ]


def test_header_names_are_forgiving() -> None:
    assert [
        normalise_header(h)
        for h in ("\ufeffFirst Name", "LAST-NAME", " e-mail ", "Lead ID", "coordinator  phone")
    ] == ["first_name", "last_name", "email", "lead_id", "coordinator_phone"]


def test_two_brochures_and_a_line_too_long_for_a_one_page_brochure(
    tmp_path: Path, project: Path
) -> None:
    visit = (
        "Thursday 5 December at 2:30 pm, second floor, ask for the consultation room; "
        "please bring your list of skin products and arrive ten minutes early to fill in "
        "the intake form at the desk"
    )
    coordinator = "Anastasia Maximiliana Bartholomew-Featherstonehaugh of the front desk team"
    leads = write_csv(
        tmp_path / "leads.csv",
        [ROWS[1], f'Zoë,Brontë,zoe@example.com,L-2,{coordinator},480 555 0100,"{visit}"'],
    )
    result = invoke(project, "personalize", "conditions", "exosomes-vs-prp", "--leads", str(leads))
    assert result.exit_code == 1
    assert (
        f"{leads.name}:3: error: row 3: the Prepared for lines make the brochure run to 2 pages "
        "(its budget is 1) in the exosomes-vs-prp brochure (Shorten the coordinator or "
        "appointment text)"
    ) in result.output
    assert (
        "1 lead failed (row 3), 3 copies written, 0 skipped (2 leads x 2 brochures)."
        in result.output
    )
    assert [(r["brochure"], r["file"]) for r in manifest(project)] == [
        ("conditions", "conditions/b-Ana-b-Smith.pdf"),
        ("exosomes-vs-prp", "exosomes-vs-prp/b-Ana-b-Smith.pdf"),
        ("conditions", "conditions/Zoë-Brontë.pdf"),
    ]
    one_page = project / "out/leads/exosomes-vs-prp/b-Ana-b-Smith.pdf"
    assert len(PdfReader(one_page).pages) == 1
    assert "Prepared for <b>Ana</b> Smith" in pdf_text(one_page)


def test_stamped_parts_are_tagged_for_screen_readers(batch: tuple[Path, object]) -> None:
    """Every marked content piece (including the stamped ones) has its structure element."""
    import pikepdf

    root, _ = batch
    with pikepdf.open(root / "out/leads" / GOOD[0][2]) as pdf:
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for page in pdf.pages:
            mcids = [
                int(operands[1].MCID)
                for operands, op in pikepdf.parse_content_stream(page)
                if str(op) == "BDC" and "/MCID" in operands[1]
            ]
            elements = tree[int(page.obj.StructParents)]
            assert len(set(mcids)) == len(mcids)
            assert all(isinstance(elements[mcid], pikepdf.Dictionary) for mcid in mcids)
            for annot in page.obj.Annots:
                assert str(tree[int(annot.StructParent)].S) == "/Link"
        figures = [e for e in tree[1] if e.get("/S") == pikepdf.Name.Figure]
        assert str(figures[0].Alt).endswith(f"{BOOK}?lead=L-001")


def test_an_unclosed_quote_stops_the_run_with_its_row(tmp_path: Path, project: Path) -> None:
    # Without strict quoting, the open quote would swallow every later row into one name.
    leads = write_csv(tmp_path / "leads.csv", ['"Bob,Smith,,L-1,,,', "Alice,Jones,,L-2,,,"])
    result = invoke(project, "personalize", "conditions", "--leads", str(leads))
    assert result.exit_code == 1
    assert "leads.csv:2: row 2 is not valid CSV" in result.output
    assert not list((project / "out" / "leads").rglob("*.pdf"))


def test_manifest_cells_never_run_as_formulas(tmp_path: Path, project: Path) -> None:
    leads = write_csv(tmp_path / "leads.csv", ['=HYPERLINK("http://x.example"),Smith,,@L-9,,,'])
    result = invoke(project, "personalize", "conditions", "--leads", str(leads))
    assert result.exit_code == 0, result.output
    (row,) = manifest(project)
    assert row["name"] == '\'=HYPERLINK("http://x.example") Smith'
    assert row["lead_id"] == "'@L-9"
    assert '=HYPERLINK("http://x.example") Smith' in pdf_text(project / "out/leads" / row["file"])


def test_forty_thousand_leads_with_one_name_get_their_names_at_once() -> None:
    """Names are allocated in O(1): 40,000 "Ana"s took 341 s when each retried -2, -3..."""
    import time

    names = UniqueNames()
    start = time.perf_counter()
    claimed = [names.claim("Ana") for _ in range(40_000)]
    assert time.perf_counter() - start < 2
    assert claimed[:3] == ["Ana.pdf", "Ana-2.pdf", "Ana-3.pdf"]
    assert claimed[-1] == "Ana-40000.pdf"
    assert len(set(claimed)) == 40_000
    # a name that was handed out as a number is still never given twice
    assert [names.claim(s) for s in ("Ana-40001", "ana")] == ["Ana-40001.pdf", "ana-40002.pdf"]


def personalize_copies(project: Path, leads: Path, *brochures: str) -> object:
    return invoke(
        project, "personalize", *(brochures or ("conditions",)), "--leads", str(leads), "-j", "1"
    )


def test_semicolon_csv_from_european_excel(tmp_path: Path, project: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_bytes(
        "First Name;Last Name;E-mail;Lead ID\r\n"
        'José;"Müller; Sr.";jose@example.com;L-1\r\n'
        "Zoë;Brontë;not-an-email;L-2\r\n".encode("cp1252")
    )
    result = personalize_copies(project, leads)
    assert result.exit_code == 1
    assert "leads.csv:3: error: row 3: email 'not-an-email' is not an email address" in (
        result.output
    )
    assert "1 lead failed (row 3), 1 copy written, 0 skipped (2 leads x 1 brochure)." in (
        result.output
    )
    (row,) = manifest(project)
    assert (row["name"], row["email"], row["file"]) == (
        "José Müller; Sr.",
        "jose@example.com",
        "conditions/José-Müller-Sr.pdf",
    )
    assert "Prepared for José Müller; Sr." in pdf_text(project / "out/leads" / row["file"])


def test_utf16_unicode_text_export(tmp_path: Path, project: Path) -> None:
    """Excel's "Unicode text": UTF-16 with a byte order mark, cells separated by tabs."""
    leads = tmp_path / "leads.txt"
    text = "First Name\tLast Name\tLead ID\r\nNguyễn\tThị Ánh\tL-7\r\nЖанна\tПетрова\tL-8\r\n"
    leads.write_bytes(text.encode("utf-16"))
    result = personalize_copies(project, leads)
    assert result.exit_code == 0, result.output
    assert [(r["lead_id"], nfc(r["name"]), r["row"]) for r in manifest(project)] == [
        ("L-7", "Nguyễn Thị Ánh", "2"),
        ("L-8", "Жанна Петрова", "3"),
    ]
    assert "Prepared for Жанна Петрова" in pdf_text(
        project / "out/leads/conditions/Жанна-Петрова.pdf"
    )


def test_excel_workbook_first_sheet_with_excel_row_numbers(tmp_path: Path, project: Path) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["First Name", "Last Name", "Email", "Lead ID", "Phone", "Appointment"])
    sheet.append(
        ["Maria", "Gonzalez", "maria@example.com", 1001, 4805550100, None]
    )  # Phone: ignored
    sheet.append([])  # a blank row: later rows keep the numbers Excel shows
    sheet.append(["Ana", "Smith", "ana@", 1002, None, None])
    sheet.append(["Bo", "Lee", None, 1003.0, None, datetime(2026, 12, 3, 14, 30)])
    workbook.create_sheet("Notes").append(["First Name"])
    workbook["Notes"].append(["Not a lead"])
    leads = tmp_path / "leads.xlsx"
    workbook.save(leads)
    result = personalize_copies(project, leads)
    assert result.exit_code == 1
    assert "leads.xlsx:4: error: row 4: email 'ana@' is not an email address" in result.output
    rows = manifest(project)
    assert [(r["lead_id"], r["name"], r["row"]) for r in rows] == [
        ("1001", "Maria Gonzalez", "2"),
        ("1003", "Bo Lee", "5"),
    ]
    maria = pdf_text(project / "out/leads/conditions/Maria-Gonzalez.pdf")
    assert "Prepared for Maria Gonzalez" in maria
    assert "Not a lead" not in maria
    assert "Visit: Thu 3 Dec 2026, 2:30 pm" in pdf_text(project / "out/leads/conditions/Bo-Lee.pdf")


def test_old_xls_and_broken_workbooks_are_refused_plainly(tmp_path: Path, project: Path) -> None:
    old = tmp_path / "leads.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    result = personalize_copies(project, old)
    assert result.output == (
        f"Error: {old}: this is the old Excel .xls format. Save it as Excel Workbook (.xlsx) "
        "or CSV UTF-8 and use that file.\n"
    )
    broken = tmp_path / "leads.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    result = personalize_copies(project, broken)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {broken}: cannot open it as an Excel workbook. Save it again from Excel as "
        ".xlsx, or export it as CSV UTF-8.\n"
    )


def test_a_brochure_named_like_a_formula_is_escaped_in_the_manifest(
    tmp_path: Path, project: Path
) -> None:
    slug = '=HYPERLINK("http:x.example")'
    (project / "brochures/conditions.md").rename(project / f"brochures/{slug}.md")
    leads = write_csv(tmp_path / "leads.csv", [ROWS[0]])
    result = personalize_copies(project, leads, slug)
    assert result.exit_code == 0, result.output
    (row,) = manifest(project)
    assert row["brochure"] == f"'{slug}"
    assert row["file"] == f"'{slug}/Maria-Gonzalez.pdf"


def test_the_manifest_lists_every_copy_in_the_folder_across_runs(
    tmp_path: Path, project: Path
) -> None:
    leads = write_csv(tmp_path / "leads.csv", [ROWS[0], ROWS[1]])
    assert personalize_copies(project, leads, "conditions").exit_code == 0
    assert personalize_copies(project, leads, "exosomes-vs-prp").exit_code == 0
    again = invoke(project, "personalize", "conditions", "--leads", str(leads), "--force")
    assert "2 copies written, 0 skipped (2 leads x 1 brochure)." in again.output
    expected = [
        ("L-001", "conditions", "conditions/Maria-Gonzalez.pdf", "2"),
        ("L-001", "exosomes-vs-prp", "exosomes-vs-prp/Maria-Gonzalez.pdf", "2"),
        ("L-002", "conditions", "conditions/b-Ana-b-Smith.pdf", "3"),
        ("L-002", "exosomes-vs-prp", "exosomes-vs-prp/b-Ana-b-Smith.pdf", "3"),
    ]
    assert [(r["lead_id"], r["brochure"], r["file"], r["row"]) for r in manifest(project)] == (
        expected
    )
    for row in manifest(project):
        assert int(row["bytes"]) == (project / "out/leads" / row["file"]).stat().st_size
    # a copy deleted by hand leaves the manifest at the next run
    (project / "out/leads/exosomes-vs-prp/Maria-Gonzalez.pdf").unlink()
    assert personalize_copies(project, leads, "conditions").exit_code == 0
    kept = [file for _, _, file, _ in expected if file != "exosomes-vs-prp/Maria-Gonzalez.pdf"]
    assert [r["file"] for r in manifest(project)] == kept


def test_the_closing_line_names_at_most_ten_failed_rows() -> None:
    from brochure.personalize.run import Copy, Summary

    summary = Summary(leads=30, brochures=2)
    for row in range(2, 14):
        summary.add(Copy(row, "conditions", "failed"))
        summary.add(Copy(row, "exosomes-vs-prp", "failed"))
    for row in range(14, 32):
        summary.add(Copy(row, "conditions", "written"))
        summary.add(Copy(row, "exosomes-vs-prp", "skipped"))
    assert summary.line() == (
        "12 leads failed (rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 2 more), "
        "18 copies written, 18 skipped (30 leads x 2 brochures)."
    )


def test_the_same_copies_come_out_byte_for_byte(tmp_path: Path, project: Path) -> None:
    """Copies are reproducible, like every other output: no random names or file IDs."""
    leads = write_csv(tmp_path / "leads.csv", ROWS[:3])
    made = []
    for run in ("first", "second"):
        out = tmp_path / run
        result = invoke(
            project, "personalize", "conditions", "--leads", str(leads), "--out", str(out)
        )
        assert result.exit_code == 0, result.output
        made.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*.pdf"))})
    assert made[0] and made[0] == made[1]
