"""Draw short lines of text straight into PDF content: HarfBuzz shaping, an embedded subset.

One `DrawFont` per font file: a subset of it (the Latin letters and punctuation lead names
use, glyph ids kept) is embedded once in the shared PDF as an Identity-H CID font whose
ToUnicode names every glyph it holds, so the text drawn with it extracts as written. Text
is shaped with HarfBuzz at the size Pango uses and positioned the way WeasyPrint writes it
(font widths in thousandths of the em, per-glyph adjustments truncated to whole numbers),
so a stamped line draws the same pixels as the full render's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from io import BytesIO
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

PANGO_SCALE = 1024  # Pango units in a CSS px
LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "DSIG")  # shaped already
# The letters a stamped line may hold: Latin (ASCII, Latin-1, Extended-A, B and Additional:
# Romanian, Vietnamese...), modern Greek, Cyrillic and common punctuation; no controls, no
# soft hyphen (Pango hides it), no combining marks. Other text is laid out by WeasyPrint.
CHARSET = frozenset(
    chr(c)
    for c in [
        *range(0x20, 0x7F),
        *range(0xA0, 0x250),
        *range(0x370, 0x3D0),
        *range(0x400, 0x530),
        *range(0x1E00, 0x1F00),
        *range(0x2010, 0x2028),
        0x2030,
        0x20AC,
    ]
    if c != 0xAD
)


class CannotDraw(Exception):
    """This text needs more than the embedded subset or plain positioning can give."""


@dataclass(frozen=True)
class Shaped:
    """A run of text shaped at one size: its glyphs and how WeasyPrint would write them."""

    glyphs: tuple[int, ...]
    adjust: tuple[int, ...]  # the TJ adjustment after each glyph (thousandths of the em)
    width: float  # in CSS px, as Pango measures it


class DrawFont:
    """One font file: shaping with HarfBuzz, and its subset as PDF font objects."""

    def __init__(self, path: Path) -> None:
        import uharfbuzz as hb

        self.path = path
        self.data = path.read_bytes()
        self.face = hb.Face(hb.Blob(self.data))  # shaped with the full font, as Pango does
        self.upem = self.face.upem
        self.fonts: dict[int, Any] = {}  # a HarfBuzz font per size in Pango units

    @cached_property
    def subset(self) -> tuple[bytes, dict[int, str], dict[int, int], Any]:
        """The subset to embed, the text of each glyph it draws, their widths (thousandths
        of the em) and the subset as a fontTools font (glyph ids as in the full font)."""
        import uharfbuzz as hb
        from fontTools.ttLib import TTFont

        first = _subset(self.face, (), hb.SubsetFlags.RETAIN_GIDS, unicodes=CHARSET)
        with_layout = TTFont(BytesIO(first))
        cmap = with_layout.getBestCmap()
        texts = _glyph_texts(with_layout, cmap)
        metrics, order = with_layout["hmtx"].metrics, with_layout.getGlyphOrder()
        ids = {with_layout.getGlyphID(name): text for name, text in texts.items()}
        widths = {gid: round(metrics[order[gid]][0] * 1000 / self.upem) for gid in ids}
        # As WeasyPrint embeds fonts: no hinting, no empty glyphs after the last one kept
        # (so that they draw alike), no layout tables (the PDF is shaped already).
        flags = hb.SubsetFlags.NO_HINTING
        embedded = _subset(hb.Face(hb.Blob(first)), LAYOUT_TABLES, flags, glyphs=max(ids) + 1)
        return embedded, ids, widths, with_layout

    def shape(self, text: str, size: int, language: str = "") -> Shaped:
        """Shape `text` at `size` Pango units (CSS px x 1024) in `language`, each script
        apart as Pango does; CannotDraw if it needs letters or positioning the embedded
        subset does not have."""
        if not CHARSET.issuperset(text):
            raise CannotDraw(text)
        glyphs: list[int] = []
        adjust: list[int] = []
        total = 0
        for part in _script_runs(text):
            total += self._shape(part, size, language, glyphs, adjust)
        return Shaped(tuple(glyphs), tuple(adjust), total / PANGO_SCALE)

    def _shape(
        self, text: str, size: int, language: str, glyphs: list[int], adjust: list[int]
    ) -> int:
        """Shape one script's run onto `glyphs` and `adjust`; return its width."""
        import uharfbuzz as hb

        font = self.fonts.get(size)
        if font is None:
            font = self.fonts[size] = hb.Font(self.face)
            font.scale = (size, size)
        buffer = hb.Buffer()
        buffer.add_str(text)
        if language:
            buffer.language = language
        buffer.guess_segment_properties()
        hb.shape(font, buffer, {})
        _, texts, widths, _ = self.subset
        total = 0
        for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
            if info.codepoint not in texts or pos.x_offset or pos.y_offset:
                raise CannotDraw(text)
            glyphs.append(info.codepoint)
            # WeasyPrint: kerning = logical width - Pango width * 1000 / font size, int()
            adjust.append(int(widths[info.codepoint] - pos.x_advance * 1000 / size))
            total += pos.x_advance
        return total

    @cached_property
    def space(self) -> int:
        """The glyph of a space (ends a line, so text read aloud keeps its words apart)."""
        font = self.subset[3]
        return int(font.getGlyphID(font.getBestCmap()[32]))

    def embed(self, pdf: pikepdf.Pdf) -> pikepdf.Object:
        """Add the subset to `pdf` as an Identity-H Type0 font; return the font object."""
        data, texts, widths, font = self.subset
        tag = "".join(chr(ord("A") + b % 26) for b in hashlib.sha256(data).digest()[:6])
        name = Name("/" + tag + "+" + _postscript_name(font))
        head, hhea, os2 = font["head"], font["hhea"], font.get("OS/2")
        scale = 1000 / self.upem
        descriptor = Dictionary(
            Type=Name.FontDescriptor,
            FontName=name,
            Flags=4 | (64 if font["post"].italicAngle else 0),
            FontBBox=Array(
                [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
            ),
            ItalicAngle=float(font["post"].italicAngle),
            Ascent=round(hhea.ascent * scale),
            Descent=round(hhea.descent * scale),
            CapHeight=round(getattr(os2, "sCapHeight", hhea.ascent) * scale),
            StemV=80,
            FontFile2=pdf.make_stream(data),
        )
        cid = Dictionary(
            Type=Name.Font,
            Subtype=Name.CIDFontType2,
            BaseFont=name,
            CIDSystemInfo=Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
            FontDescriptor=pdf.make_indirect(descriptor),
            W=Array(_widths_array(widths)),
            CIDToGIDMap=Name.Identity,
        )
        return pdf.make_indirect(
            Dictionary(
                Type=Name.Font,
                Subtype=Name.Type0,
                BaseFont=name,
                Encoding=Name("/Identity-H"),
                DescendantFonts=Array([pdf.make_indirect(cid)]),
                ToUnicode=pdf.make_stream(to_unicode_cmap(texts)),
            )
        )


def _script(letter: str) -> str:
    """Greek, Cyrillic or Latin, for a letter of CHARSET."""
    code = ord(letter)
    return "greek" if 0x370 <= code < 0x400 else "cyrillic" if 0x400 <= code < 0x530 else "latin"


def _script_runs(text: str) -> list[str]:
    """`text` cut where the script of its letters changes (spaces and punctuation go with
    the letters before them), as Pango itemizes it."""
    runs, start, current = [], 0, ""
    for index, char in enumerate(text):
        if not char.isalpha():
            continue
        script = _script(char)
        if current and script != current:
            runs.append(text[start:index])
            start = index
        current = script
    runs.append(text[start:])
    return runs


def _subset(
    face: Any,
    drop: tuple[str, ...],
    flags: Any,
    unicodes: frozenset[str] = frozenset(),
    glyphs: int = 0,
) -> bytes:
    """`face` cut down to `unicodes` (and what shaping them needs) or its first `glyphs`."""
    import uharfbuzz as hb

    wanted = hb.SubsetInput()
    wanted.drop_table_tag_set.update(int.from_bytes(tag.encode(), "big") for tag in drop)
    wanted.unicode_set.update(ord(c) for c in unicodes)
    wanted.glyph_set.update(range(glyphs))
    wanted.flags = flags
    return bytes(hb.subset(face, wanted).blob.data)


def show(shaped: Shaped, end_space: int | None = None) -> bytes:
    """The TJ operator drawing `shaped` (and an invisible space at the end, if given)."""
    text = b"".join(
        b"%04x>%d<" % (glyph, adjust) if adjust else b"%04x" % glyph
        for glyph, adjust in zip(shaped.glyphs, shaped.adjust, strict=True)
    )
    if end_space is not None:
        text += b"%04x" % end_space
    return b"[<" + text + b">] TJ"


def _glyph_texts(font: Any, cmap: dict[int, str]) -> dict[str, str]:
    """The text each glyph of CHARSET stands for, and ligatures of those."""
    texts: dict[str, str] = {}
    for code, name in sorted(cmap.items()):
        if chr(code) in CHARSET:
            texts.setdefault(name, chr(code))
    gsub = font["GSUB"].table if "GSUB" in font else None
    for lookup in gsub.LookupList.Lookup if gsub and gsub.LookupList else []:
        for table in lookup.SubTable:
            table = table.ExtSubTable if lookup.LookupType == 7 else table
            for first, ligatures in getattr(table, "ligatures", {}).items():
                for ligature in ligatures:
                    parts = [first, *ligature.Component]
                    if all(p in texts for p in parts):
                        texts.setdefault(ligature.LigGlyph, "".join(texts[p] for p in parts))
    return texts


def _widths_array(widths: dict[int, int]) -> list[Any]:
    """The CID font's /W array: `first [w1 w2 ...]` for each run of consecutive glyphs."""
    out: list[Any] = []
    run: list[int] = []
    start = previous = -2
    for gid, width in sorted(widths.items()):
        if gid != previous + 1 and run:
            out += [start, Array(run)]
            run = []
        if not run:
            start = gid
        run.append(width)
        previous = gid
    if run:
        out += [start, Array(run)]
    return out


def to_unicode_cmap(texts: dict[int, str]) -> bytes:
    """A ToUnicode CMap naming the text of every glyph (ISO 32000-1, 9.10.3)."""
    lines = []
    items = sorted(texts.items())
    for start in range(0, len(items), 100):  # at most 100 entries a block
        chunk = items[start : start + 100]
        lines.append(b"%d beginbfchar" % len(chunk))
        for gid, text in chunk:
            lines.append(b"<%04x> <%s>" % (gid, text.encode("utf-16-be").hex().encode()))
        lines.append(b"endbfchar")
    return b"\n".join(
        [
            b"/CIDInit /ProcSet findresource begin",
            b"12 dict begin",
            b"begincmap",
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            b"/CMapName /Adobe-Identity-UCS def",
            b"/CMapType 2 def",
            b"1 begincodespacerange",
            b"<0000> <ffff>",
            b"endcodespacerange",
            *lines,
            b"endcmap",
            b"CMapName currentdict /CMap defineresource pop",
            b"end",
            b"end",
        ]
    )


def _postscript_name(font: Any) -> str:
    name = font["name"].getDebugName(6) or ""
    return "".join(c for c in name if c.isalnum() or c in "-_") or "Font"
