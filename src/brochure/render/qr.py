"""The booking QR code: one symbol per URL, with a fixed mask, drawn as one PDF path.

segno picks the best of eight masks by scoring all of them (most of the time a QR code
takes); any mask reads the same, so every QR code here (full renders and stamped copies
alike) uses the same fixed one, and the two kinds of copy stay pixel for pixel alike.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
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
    matrix = fast_matrix(url)
    ops = [_rect(y, run.span()) for y, row in enumerate(matrix) for run in DARK_RUN.finditer(row)]
    ops.append(b"f")
    return b"\n".join(ops), len(matrix)


@functools.cache
def _rect(y: int, span: tuple[int, int]) -> bytes:
    """A run of dark modules in row `y`, as a rectangle (the same few come again and again)."""
    return b"%d %d %d 1 re" % (span[0], y, span[1] - span[0])


# ---- The same symbols, faster --------------------------------------------------------------
# segno spends most of a symbol's time placing bits one by one. For byte-mode data (URLs),
# everything but the data bits depends only on the data's length (through the version and
# error level segno picks), so a symbol of each length is made once with segno; then only
# the data and error correction codewords are worked out (big-integer arithmetic) and put
# where segno put them, with its mask. Tests compare every module with segno's own.


@dataclass(frozen=True)
class _Layout:
    """What all symbols of one data length share."""

    version: int
    capacity: int  # data codewords
    blocks: tuple[tuple[int, int], ...]  # (data codewords, error codewords) per block
    template: tuple[bytes, ...]  # a symbol of this length: function patterns, format...
    places: tuple[tuple[int, int, int], ...]  # (row, column, mask bit) of each message bit


_LAYOUTS: dict[int, _Layout] = {}
_REMAINDERS: dict[int, list[int]] = {}  # error codewords -> the generator, per feedback byte


def fast_matrix(url: str) -> tuple[bytes, ...]:
    """The rows of `url`'s symbol (as `symbol(url).matrix`), 1 for a dark module."""
    from segno import consts

    data = url.encode("latin-1", "replace")
    if not url.isascii() or all(c in consts.ALPHANUMERIC_CHARS for c in data):
        return tuple(bytes(row) for row in symbol(url).matrix)  # not byte mode: segno's way
    layout = _LAYOUTS.get(len(data)) or _LAYOUTS.setdefault(len(data), _layout(url))
    bits = _message(data, layout)
    rows = [bytearray(row) for row in layout.template]
    for (row, column, flip), bit in zip(layout.places, bits, strict=True):
        rows[row][column] = (bit == "1") ^ flip
    return tuple(bytes(row) for row in rows)


def _message(data: bytes, layout: _Layout) -> str:
    """The final message of a byte-mode symbol, as a string of bits (ISO/IEC 18004, 7.4-7.6)."""
    count_bits = 8 if layout.version <= 9 else 16
    value, length = (0b0100 << count_bits) | len(data), 4 + count_bits
    value, length = (value << 8 * len(data)) | int.from_bytes(data, "big"), length + 8 * len(data)
    room = layout.capacity * 8
    shift = min(4, room - length)  # terminator
    shift += (-(length + shift)) % 8  # to a whole codeword
    value, length = value << shift, length + shift
    words = value.to_bytes(length // 8, "big")
    words += bytes(0xEC if i % 2 == 0 else 0x11 for i in range(layout.capacity - len(words)))
    data_blocks, error_blocks, start = [], [], 0
    for size, errors in layout.blocks:
        block = words[start : start + size]
        start += size
        data_blocks.append(block)
        error_blocks.append(_error_words(block, errors))
    message = bytes(_interleave(data_blocks) + _interleave(error_blocks))
    bits = format(int.from_bytes(message, "big"), f"0{len(message) * 8}b")
    return bits + "0" * (len(layout.places) - len(bits))  # remainder bits


def _interleave(blocks: list[bytes]) -> list[int]:
    longest = max(len(b) for b in blocks)
    return [b[i] for i in range(longest) for b in blocks if i < len(b)]


def _error_words(block: bytes, errors: int) -> bytes:
    """The Reed-Solomon error correction codewords of `block` (the remainder of its
    division by the generator polynomial), with the register as one big integer."""
    table = _REMAINDERS.get(errors) or _REMAINDERS.setdefault(errors, _generator_rows(errors))
    full, top = (1 << 8 * errors) - 1, 8 * (errors - 1)
    register = 0
    for byte in block:
        register = ((register << 8) & full) ^ table[byte ^ (register >> top)]
    return register.to_bytes(errors, "big")


def _generator_rows(errors: int) -> list[int]:
    """For each feedback byte, the generator polynomial times it (as segno computes it)."""
    from segno import consts

    gen, log, exp = consts.GEN_POLY[errors], consts.GALIOS_LOG, consts.GALIOS_EXP
    rows = [0]
    for feedback in range(1, 256):
        words = bytes(exp[log[feedback] + gen[n]] for n in range(errors))
        rows.append(int.from_bytes(words, "big"))
    return rows


def _layout(url: str) -> _Layout:
    """Make one symbol with segno and learn from it what all of its length share."""
    from segno import consts, encoder

    made = symbol(url)
    version, error = made._version, made._error  # segno's constants (the public ones are text)
    width = len(made.matrix)
    cells = [list(row) for row in encoder.make_matrix(width, width)]
    encoder.add_finder_patterns(cells, width, width)
    encoder.add_alignment_patterns(cells, width, width)
    free = sum(row.count(0x2) for row in cells)
    encoder.add_codewords(cells, list(range(1000, 1000 + free)), version)  # numbered bits
    order = sorted(
        (v - 1000, r, c) for r, row in enumerate(cells) for c, v in enumerate(row) if v >= 1000
    )
    table: Any = consts.ECC  # segno's table of error correction blocks
    infos = table[version][error]
    blocks = tuple(
        (info.num_data, info.num_total - info.num_data)
        for info in infos
        for _ in range(info.num_blocks)
    )
    capacity = sum(size for size, _ in blocks)
    shell = _Layout(version, capacity, blocks, (), tuple((r, c, 0) for _, r, c in order))
    bits = _message(url.encode("latin-1"), shell)
    places = tuple(
        (r, c, made.matrix[r][c] ^ (b == "1")) for (_, r, c), b in zip(order, bits, strict=True)
    )
    template = tuple(bytes(row) for row in made.matrix)
    return _Layout(version, capacity, blocks, template, places)
