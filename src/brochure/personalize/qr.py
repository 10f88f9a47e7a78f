"""The booking QR code: one symbol per URL, with a fixed mask, drawn as one PDF path.

segno picks the best of eight masks by scoring all of them (most of the time a QR code
takes); any mask reads the same, so every QR code here (full renders and stamped copies
alike) uses the same fixed one, and the two kinds of copy stay pixel for pixel alike.
"""

from __future__ import annotations

import re
from typing import Any

DARK_RUN = re.compile(b"\x01+")  # a run of dark modules in a row of the matrix
MASK = 0  # ISO/IEC 18004 data mask pattern 000: (row + column) mod 2 == 0


def symbol(url: str) -> Any:
    """The QR code for `url`: error level M, never a Micro QR, the fixed mask."""
    import segno

    return segno.make(url, error="m", micro=False, mask=MASK)


def path_operators(url: str) -> tuple[bytes, int]:
    """The dark modules of `url`'s symbol as one path of unit squares (no quiet zone),
    one `re` per run of dark modules in a row, filled once, and the symbol's width in
    modules. The caller sets the colour and scales the unit square to the module size."""
    matrix = symbol(url).matrix
    ops = [
        b"%d %d %d 1 re" % (run.start(), y, run.end() - run.start())
        for y, row in enumerate(matrix)
        for run in DARK_RUN.finditer(row)
    ]
    ops.append(b"f")
    return b"\n".join(ops), len(matrix)
