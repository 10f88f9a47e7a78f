"""The opt-out list: `unsubscribed.csv` beside _brand.yml (one email a line, or an Email column)."""

from __future__ import annotations

import csv
from pathlib import Path

from brochure.source.leads import EMAIL, detect_encoding, normalise_header

FILE = "unsubscribed.csv"


def read_optouts(path: Path) -> set[str]:
    """Return the opted-out addresses, case-folded (an absent file is an empty list)."""
    if not path.is_file():
        return set()
    with path.open(encoding=detect_encoding(path), newline="") as handle:
        rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    if not rows:
        return set()
    header = [normalise_header(cell) for cell in rows[0]]
    if "email" in header:  # a CSV export with an Email column
        column = header.index("email")
        cells = [row[column] for row in rows[1:] if len(row) > column]
    else:  # one address a line (the first cell that is an address)
        cells = [next((c for c in row if "@" in c), "") for row in rows]
    return {c.strip().casefold() for c in cells if EMAIL.match(c.strip())}
