"""What a picture file really is: its format from its first bytes, whether it is whole,
its size in pixels, and the printing rules every picture and raster logo follows.

Pure facts read from bytes (or a file's start and end); the checks turn them into messages
and render/pictures.py makes the copies the PDFs embed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PRINTABLE = frozenset({"JPEG", "PNG", "SVG"})  # what a brochure may print
OFFICE_DPI = 200  # the office/email PDF's copies: sharp on an office printer, small to send
PRESS_DPI = 300  # the print shop's file keeps at least this
MIN_DPI = 150  # below this a picture prints soft (a warning for the office, an error for press)
LARGE_FILE = 20 * 1024 * 1024  # bytes: a picture this big is resized, but slows everything
HEAD = 64  # bytes read to name a format
TAIL = 1024  # bytes read to see that a JPEG or PNG is whole

# ISO media files (HEIC, AVIF) name their kind in the `ftyp` box at bytes 8-12.
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
AVIF_BRANDS = {b"avif", b"avis"}
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"8BPS", "Photoshop (PSD)"),
    (b"%PDF", "PDF"),
    (b"\x00\x00\x01\x00", "ICO"),
)
SVG_RE = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?<svg\b", re.S)


def sniff(head: bytes) -> str:
    """Name the format of a file from its first bytes: "JPEG", "PNG", "HEIC"... or ""."""
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in AVIF_BRANDS:
            return "AVIF"
        if brand in HEIF_BRANDS:
            return "HEIC"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    for signature, name in SIGNATURES:
        if head.startswith(signature):
            return name
    if SVG_RE.match(head.lstrip(b"\xef\xbb\xbf")):
        return "SVG"
    return ""


def is_whole(kind: str, tail: bytes) -> bool:
    """Tell whether a JPEG or PNG ends as it should (a cut-short copy does not)."""
    if kind == "JPEG":
        return b"\xff\xd9" in tail  # end of image (a camera may pad after it)
    if kind == "PNG":
        return b"IEND" in tail[-64:]
    return True


@dataclass(frozen=True)
class PictureFile:
    """A picture file as found on disk: its format, whether whole, size and pixels."""

    kind: str  # from sniff(); "" when no known format
    whole: bool
    size: int  # bytes
    pixels: tuple[int, int] | None  # width, height (None for SVG or an unreadable file)


def examine(path: Path) -> PictureFile:
    """Read a picture's format and size from its first and last bytes (cheap for any size)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(max(HEAD, 1))
        handle.seek(max(0, size - TAIL))
        tail = handle.read()
    kind = sniff(head if len(head) >= 12 else head + b"\0" * 12)
    return PictureFile(kind, is_whole(kind, tail), size, _pixels(path, kind))


def _pixels(path: Path, kind: str) -> tuple[int, int] | None:
    """Return the picture's width and height as printed (EXIF rotation applied)."""
    if kind not in ("JPEG", "PNG"):
        return None
    from PIL import Image

    try:
        with Image.open(path) as image:
            width, height = image.size
            orientation = image.getexif().get(0x0112, 1)
    except Exception:  # a damaged file: reported from `whole`/`kind`
        return None
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def effective_dpi(pixels: int, printed_px: float) -> float:
    """Return the dots per inch of `pixels` printed `printed_px` CSS px (1/96 in) wide."""
    return pixels / (printed_px / 96) if printed_px > 0 else 0.0


def suggested_alt(url: str) -> str:
    """Guess a description from a file name for a hint: `treatment-room.jpg` -> `Treatment room`."""
    stem = Path(url.split("?")[0]).stem
    words = re.sub(r"[-_.\s]+", " ", re.sub(r"(?i)^(img|dsc|photo)[-_]?\d*", "", stem)).strip()
    if not words or words.isdigit():
        return "What the picture shows"
    return words[0].upper() + words[1:]


def megabytes(size: int) -> str:
    """Return a byte count as people say it: `35 MB`."""
    return f"{size / (1024 * 1024):.0f} MB"
