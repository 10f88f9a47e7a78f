"""Read leads as exported by Excel or a CRM: one checked row at a time, with row numbers.

A CSV file (comma, semicolon or tab separated; UTF-8, UTF-16 or Windows-1252) or an Excel
workbook (`.xlsx`, its first sheet). Row numbers are the ones the spreadsheet shows.
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from brochure.errors import BrochureError
from brochure.problems import Problem

COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "lead_id",
    "coordinator",
    "coordinator_phone",
    "appointment",
    "coordinator_email",
    "language",
)
REQUIRED = ("first_name",)
EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")
ALIASES = {
    "e_mail": "email",
    "email_address": "email",
    "firstname": "first_name",
    "lastname": "last_name",
    "leadid": "lead_id",
    "id": "lead_id",
    "coordinator_e_mail": "coordinator_email",
    "preferred_language": "language",
    "lang": "language",
    "idioma": "language",
}
MAX_FIELD = 200  # characters: a longer name or note is a broken export, not a person
XLSX = "xlsx"  # the "encoding" of an Excel workbook
DELIMITERS = (",", ";", "\t")  # Excel writes ";" where the decimal comma is used
ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx file is a zip archive
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format

Record = tuple[int, int, list[str]]  # spreadsheet row, line of the file, cells


@dataclass(frozen=True)
class LeadRow:
    """One lead as read from the CSV, fields cleaned (whitespace folded)."""

    row: int  # spreadsheet row number: the header is row 1
    line: int  # line of the file where the row starts
    first_name: str
    last_name: str = ""
    email: str = ""
    lead_id: str = ""
    coordinator: str = ""
    coordinator_phone: str = ""
    appointment: str = ""
    coordinator_email: str = ""  # replies to a sent brochure go here (brochure send)
    language: str = ""  # as the spreadsheet says it: es, Spanish, Español (picks the edition)

    @property
    def name(self) -> str:
        """The full name as printed."""
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class RowProblem:
    """A row that cannot become a personalised copy, and why."""

    row: int
    line: int
    message: str
    hint: str

    def problem(self, path: Path) -> Problem:
        """Return it as a Problem at the row's line."""
        return Problem(
            path, self.line, "error", f"row {self.row}: {self.message}", self.hint, code="lead"
        )


@dataclass
class Leads:
    """An open leads file: its encoding (or XLSX) and its columns, read lazily."""

    path: Path
    encoding: str
    columns: list[str] = field(default_factory=list)
    delimiter: str = ","

    def rows(self) -> Iterator[LeadRow | RowProblem]:
        """Yield each data row as a LeadRow or a RowProblem (blank rows are left out)."""
        seen_ids: dict[str, int] = {}
        records = self.records()
        header = next(records, None)
        columns = [normalise_header(h) for h in header[2]] if header else []
        for row, line, record in records:
            if not any(cell.strip() for cell in record):
                continue
            extra = any(cell.strip() for cell in record[len(columns) :])
            yield check_row(row, line, dict(zip(columns, record, strict=False)), extra, seen_ids)

    def records(self) -> Generator[Record, None, None]:
        """Yield every row, the header first, as (row, line, cells)."""
        if self.encoding == XLSX:
            yield from _workbook_records(self.path)
            return
        with self.path.open(encoding=self.encoding, newline="") as handle:
            # strict: an unclosed quote is an error, not a name swallowing later rows
            reader = csv.reader(handle, delimiter=self.delimiter, strict=True)
            row, line = 0, 1
            while True:
                try:
                    record = next(reader, None)
                except csv.Error as exc:
                    raise BrochureError(
                        f"{self.path}:{line}: row {row + 1} is not valid CSV "
                        f"({exc}). Export the file again as CSV."
                    ) from None
                if record is None:
                    return
                row += 1
                start, line = line, reader.line_num + 1
                yield row, start, record

    def count(self) -> int:
        """Count the non-blank data rows: a quick first pass that also finds broken CSV."""
        return sum(1 for _ in self.rows())


def open_counted(path: Path, slugs: tuple[str, ...], command: str) -> tuple[Leads, int]:
    """Open the leads of a run and count them: a first pass that stops on a broken file
    before anything is written or sent. `command` names the run in the example."""
    if not slugs:
        raise BrochureError(
            f"Name at least one brochure, e.g. brochure {command} conditions --leads leads.csv."
        )
    leads = open_leads(path)
    count = leads.count()
    if count == 0:
        raise BrochureError(f"{path}: no leads below the header row. Add one lead a row.")
    return leads, count


def open_leads(path: Path) -> Leads:
    """Open a leads CSV or workbook: detect its format and check its header row."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
        encoding = XLSX if magic == ZIP_MAGIC else detect_encoding(path)
    except OSError as exc:
        raise BrochureError(f"{path}: cannot read the leads file ({exc.strerror}).") from None
    if magic == OLE_MAGIC:
        raise BrochureError(
            f"{path}: this is the old Excel .xls format. "
            "Save it as Excel Workbook (.xlsx) or CSV UTF-8 and use that file."
        )
    delimiter = "," if encoding == XLSX else _delimiter(path, encoding)
    leads = Leads(path, encoding, delimiter=delimiter)
    records = leads.records()
    try:
        header = next(records, None)
    finally:
        records.close()  # a workbook is closed at once
    columns = [normalise_header(h) for h in (header[2] if header else [])]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        found = ", ".join(c for c in columns if c) or "nothing"
        raise BrochureError(
            f"{path}:1: the header row has no {missing[0]} column (found: {found}). "
            f"Add a header row naming the columns, with at least First Name."
        )
    leads.columns = columns
    return leads


def _delimiter(path: Path, encoding: str) -> str:
    """Tell which of `,` `;` and tab separates the header row's cells (`,` when unsure)."""
    with path.open(encoding=encoding, newline="") as handle:
        header = handle.readline()
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])  # the first of equals: the comma
    return best if counts[best] else ","


def _workbook_records(path: Path) -> Iterator[Record]:
    """Yield the rows of a workbook's first sheet; row numbers as Excel shows them."""
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        raise BrochureError(
            f"{path}: cannot open it as an Excel workbook. "
            "Save it again from Excel as .xlsx, or export it as CSV UTF-8."
        ) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # CRMs often write a wrong size: read every row there is
        for cells in sheet.iter_rows():
            numbers = [c.row for c in cells if getattr(c, "row", None)]
            if not numbers:
                continue  # an empty row: no cell says its number
            yield numbers[0], numbers[0], [_cell_text(c.value) for c in cells]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """A workbook cell as the text Excel shows for it (roughly: numbers without `.0`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() != time(0):
        return f"{_cell_text(value.date())}, {_cell_text(value.time())}"
    if isinstance(value, date):
        return f"{value:%a} {value.day} {value:%b %Y}"  # Thu 3 Dec 2026
    if isinstance(value, time):
        return f"{value.hour % 12 or 12}:{value:%M} {'pm' if value.hour >= 12 else 'am'}"
    return str(value)


def detect_encoding(path: Path) -> str:
    """Tell UTF-8 (with or without BOM), UTF-16 and Windows-1252 apart, reading in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        first = handle.read(65536)
        if first.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"  # Excel's "Unicode text"; the codec reads the byte order mark
        if first[1:2] == b"\x00" and first[:1] != b"\x00":
            return "utf-16-le"  # UTF-16 without its mark: every other byte of ASCII is zero
        if first[:1] == b"\x00" and first[1:2] not in (b"", b"\x00"):
            return "utf-16-be"
        chunk = first
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = handle.read(65536)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return _cp1252_or_fail(path)
    return "utf-8"


def _cp1252_or_fail(path: Path) -> str:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                raw.decode("cp1252")
            except UnicodeDecodeError:
                raise BrochureError(
                    f"{path}:{number}: the leads file is neither UTF-8 nor Windows-1252 text. "
                    "Export it again as CSV UTF-8."
                ) from None
    return "cp1252"


def normalise_header(text: str) -> str:
    """`First Name`, `first-name` and `FIRST_NAME` all become `first_name`."""
    name = re.sub(r"[\s_-]+", "_", text.strip().lstrip("\ufeff").casefold()).strip("_")
    return ALIASES.get(name, name)


def clean(text: str) -> str:
    """Fold whitespace (including newlines inside quoted cells) and normalise to NFC."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _cell_problem(column: str, value: str) -> tuple[str, str] | None:
    """Return (problem, what to do) for a cell no copy can print, else None."""
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") for ch in value):
        return f"{column} contains control or invisible characters", (
            "Retype the value in your spreadsheet"
        )
    if len(value) > MAX_FIELD:
        return f"{column} is {len(value)} characters long", f"Keep it under {MAX_FIELD} characters"
    return None


def check_row(
    row: int, line: int, cells: dict[str, str], extra_cells: bool, seen_ids: dict[str, int]
) -> LeadRow | RowProblem:
    """Validate one row; return the lead or the first problem found."""
    values = {c: clean(cells.get(c) or "") for c in COLUMNS}
    if not values["first_name"]:
        return RowProblem(
            row, line, "first_name is empty", "Fill in the lead's first name, or delete the row"
        )
    for column, value in values.items():
        wrong = _cell_problem(column, value)
        if wrong:
            return RowProblem(row, line, *wrong)
    for column in ("email", "coordinator_email"):
        if values[column] and not EMAIL.match(values[column]):
            return RowProblem(
                row,
                line,
                f"{column} {values[column]!r} is not an email address",
                "Correct it (name@example.com), or leave the cell empty",
            )
    if values["coordinator_phone"] and not re.search(r"\d", values["coordinator_phone"]):
        return RowProblem(
            row,
            line,
            f"coordinator_phone {values['coordinator_phone']!r} has no digits",
            "Write the direct line as digits, e.g. 480 555 0100",
        )
    lead_id = values["lead_id"]
    if lead_id:
        if lead_id in seen_ids:
            return RowProblem(
                row,
                line,
                f"lead_id {lead_id!r} is already used by row {seen_ids[lead_id]}",
                "Give every lead its own lead_id",
            )
        seen_ids[lead_id] = row
    if extra_cells:
        return RowProblem(
            row,
            line,
            "the row has more cells than the header has columns",
            "Check for an unquoted comma in this row",
        )
    return LeadRow(row=row, line=line, **values)
