"""Copies as incremental updates: the shared PDF's bytes, then the few objects a copy changes.

`record` makes the changes once with pikepdf, on a copy of the shared PDF, with marker
strings (`(@@NAME@@)`) and marker streams (`@@NAME@@`) where each copy puts its own values,
and keeps the objects that changed or were added, as bytes. `Update.write` then appends
those objects with the copy's values, a cross-reference section and a trailer pointing back
at the shared one (ISO 32000-1, 7.5.6): no parsing, no object graph, a few hundred bytes.
The file ID is derived from the content, so the same copy is always the same file.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from io import BytesIO

import pikepdf

MARKER = re.compile(rb"\(@@([A-Z0-9_]+)@@\)")  # a marker string as pikepdf writes it
STREAM_MARKER = re.compile(rb"@@([A-Z0-9_]+)@@")  # the whole data of a marker stream
STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


def marker(key: str) -> pikepdf.String:
    """The string an object holds where each copy writes its own value for `key`."""
    return pikepdf.String(f"@@{key}@@")


def marker_stream(key: str) -> bytes:
    """The data of a stream each copy writes for itself, as `key`."""
    return f"@@{key}@@".encode()


@dataclass(frozen=True)
class Update:
    """The objects one copy writes over the shared PDF, with its values left open."""

    base: bytes
    objects: tuple[tuple[int, int, tuple[bytes | str, ...]], ...]  # number, generation, parts
    streams: tuple[tuple[int, int, str], ...]  # number, generation, key
    trailer: bytes  # /Size /Root /Info /Prev, and the shared /ID's first half

    def write(self, values: Mapping[str, bytes], streams: Mapping[str, bytes]) -> bytes:
        """The copy: the shared bytes, then these objects with `values` (PDF tokens, see
        `pdf_string`) and the data of `streams`, a cross-reference table and the trailer."""
        out = bytearray(self.base)
        offsets: dict[int, tuple[int, int]] = {}
        for number, generation, parts in self.objects:
            offsets[number] = (len(out), generation)
            out += b"%d %d obj\n" % (number, generation)
            out += b"".join(p if isinstance(p, bytes) else values[p] for p in parts)
            out += b"\nendobj\n"
        for number, generation, key in self.streams:
            offsets[number] = (len(out), generation)
            data = zlib.compress(streams[key])
            out += b"%d %d obj\n<< /Filter /FlateDecode /Length %d >>\nstream\n" % (
                number,
                generation,
                len(data),
            )
            out += data + b"\nendstream\nendobj\n"
        digest = hashlib.md5(out[len(self.base) :], usedforsecurity=False).hexdigest()
        xref = len(out)
        out += b"xref\n" + _sections(offsets)
        out += b"trailer\n<< %s %s> ] >>\n" % (self.trailer, digest.encode())
        out += b"startxref\n%d\n%%%%EOF\n" % xref
        return bytes(out)


def _sections(offsets: dict[int, tuple[int, int]]) -> bytes:
    """The cross-reference subsections: one per run of consecutive object numbers."""
    out = bytearray()
    numbers = sorted(offsets)
    start = 0
    for i in range(1, len(numbers) + 1):
        if i == len(numbers) or numbers[i] != numbers[i - 1] + 1:
            run = numbers[start:i]
            out += b"%d %d\n" % (run[0], len(run))
            for number in run:
                out += b"%010d %05d n\r\n" % offsets[number]
            start = i
    return bytes(out)


def prepared(pdf: pikepdf.Pdf) -> bytes:
    """Save `pdf` as a base for updates: a plain cross-reference table, no object streams
    (so that every object a copy rewrites stands on its own), a deterministic ID."""
    out = BytesIO()
    pdf.save(
        out,
        deterministic_id=True,
        object_stream_mode=pikepdf.ObjectStreamMode.disable,
        compress_streams=True,
    )
    return out.getvalue()


def record(base: bytes, edit: Callable[[pikepdf.Pdf], None]) -> Update:
    """Make the changes `edit` makes to `base` (a `prepared` PDF) into an `Update`."""
    found = STARTXREF.search(base[-64:])
    if found is None:
        raise ValueError("the shared PDF does not end with startxref")
    with pikepdf.open(BytesIO(base)) as pdf:
        before = {o.objgen: _bytes(o) for o in pdf.objects if o.objgen != (0, 0)}
        edit(pdf)
        objects, streams = [], []
        for obj in pdf.objects:
            number, generation = obj.objgen
            if number == 0 or before.get(obj.objgen) == _bytes(obj):
                continue
            if isinstance(obj, pikepdf.Stream):
                key = STREAM_MARKER.fullmatch(obj.read_raw_bytes())
                if key is None or obj.objgen in before:
                    raise ValueError(f"a stream changed: {obj.objgen}")
                streams.append((number, generation, key.group(1).decode()))
            else:
                objects.append((number, generation, _parts(_bytes(obj))))
        trailer = pdf.trailer
        first = bytes(trailer.ID[0]).hex().encode()
        info = b"/Info %d %d R " % trailer.Info.objgen if "/Info" in trailer else b""
        size = max(int(trailer.Size), *(o.objgen[0] + 1 for o in pdf.objects))
        head = b"/Size %d /Root %d %d R %s/Prev %s /ID [ <%s> <" % (
            size,
            *pdf.Root.objgen,
            info,
            found.group(1),
            first,
        )
    return Update(base, tuple(objects), tuple(streams), head)


def _bytes(obj: pikepdf.Object) -> bytes:
    if isinstance(obj, pikepdf.Stream):
        return b"stream " + obj.stream_dict.unparse(resolved=True)
    return bytes(obj.unparse(resolved=True))


def _parts(data: bytes) -> tuple[bytes | str, ...]:
    """Split an object's bytes around its marker strings: literal bytes and marker keys."""
    pieces = MARKER.split(data)
    return tuple(p if i % 2 == 0 else p.decode() for i, p in enumerate(pieces))


def pdf_string(text: str) -> bytes:
    """`text` as a PDF string token: literal if plain ASCII, else UTF-16BE hex."""
    if text.isascii() and text.isprintable():
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode() + b")"
    return b"<feff" + text.encode("utf-16-be").hex().encode() + b">"
