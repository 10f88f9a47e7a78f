"""Read a leads CSV as exported by Excel or a CRM: one checked row at a time, with row numbers."""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
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
}
MAX_FIELD = 200  # characters: a longer name or note is a broken export, not a person


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
    """An open leads file: its encoding and its columns, read lazily."""

    path: Path
    encoding: str
    columns: list[str] = field(default_factory=list)

    def rows(self) -> Iterator[LeadRow | RowProblem]:
        """Yield each data row as a LeadRow or a RowProblem (blank rows are left out)."""
        seen_ids: dict[str, int] = {}
        with self.path.open(encoding=self.encoding, newline="") as handle:
            reader = csv.reader(handle, strict=True)  # an unclosed quote is an error
            header = next(reader, None)
            columns = [normalise_header(h) for h in header or []]
            row, line = 1, reader.line_num + 1
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
                if not any(cell.strip() for cell in record):
                    continue
                extra = any(cell.strip() for cell in record[len(columns) :])
                yield check_row(
                    row, start, dict(zip(columns, record, strict=False)), extra, seen_ids
                )

    def count(self) -> int:
        """Count the non-blank data rows: a quick first pass that also finds broken CSV."""
        return sum(1 for _ in self.rows())


def open_leads(path: Path) -> Leads:
    """Open a leads CSV: detect its encoding and check its header row."""
    try:
        encoding = detect_encoding(path)
    except OSError as exc:
        raise BrochureError(f"{path}: cannot read the leads file ({exc.strerror}).") from None
    with path.open(encoding=encoding, newline="") as handle:
        try:
            header = next(csv.reader(handle), None)
        except csv.Error as exc:
            raise BrochureError(f"{path}:1: the header row is not valid CSV ({exc}).") from None
    columns = [normalise_header(h) for h in header or []]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        found = ", ".join(c for c in columns if c) or "nothing"
        raise BrochureError(
            f"{path}:1: the header row has no {missing[0]} column (found: {found}). "
            f"Add a header row naming the columns, with at least First Name."
        )
    return Leads(path, encoding, columns)


def detect_encoding(path: Path) -> str:
    """Tell UTF-8 (with or without BOM) from Windows-1252, reading in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        first = handle.read(65536)
        if first.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
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
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") for ch in value):
            return RowProblem(
                row,
                line,
                f"{column} contains control or invisible characters",
                "Retype the value in your spreadsheet",
            )
        if len(value) > MAX_FIELD:
            return RowProblem(
                row,
                line,
                f"{column} is {len(value)} characters long",
                f"Keep it under {MAX_FIELD} characters",
            )
    if values["email"] and not EMAIL.match(values["email"]):
        return RowProblem(
            row,
            line,
            f"email {values['email']!r} is not an email address",
            "Correct it (name@example.com), or leave the cell empty",
        )
    if values["coordinator_email"] and not EMAIL.match(values["coordinator_email"]):
        return RowProblem(
            row,
            line,
            f"coordinator_email {values['coordinator_email']!r} is not an email address",
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
