"""Pictures as the PDFs embed them: a copy made for the size each one prints at.

How the printed size is known: from the laid-out pages. A picture prints as wide as its
column, card or panel (or half of it, see styles/common.css), so after WeasyPrint lays the
brochure out, each picture's box says how many inches it covers. Before the PDF is written
each picture is swapped for a copy with just the pixels that size needs (200 dpi for the
office/email PDF, 300 for the print shop's), upright (EXIF orientation applied) and in sRGB
(CMYK and colour profiles converted), saved as JPEG for photos or PNG for flat art and
pictures with transparency. The layout does not change: the box stays where it is.

Copies are kept in out/.cache/pictures/, named by the hash of the original and the size
made, so a rebuild reuses them (and is byte for byte the same) without decoding the original.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from brochure.source.pictures import OFFICE_DPI, PRESS_DPI
from brochure.source.project import Project

CACHE_DIR = Path(".cache") / "pictures"  # under out/
JPEG_QUALITY = {OFFICE_DPI: 82, PRESS_DPI: 92}
ORIENTATION = 0x0112  # the EXIF tag that says how to turn a photo upright
FLAT_COLOURS = 256  # a picture with at most this many colours is flat art: PNG


@dataclass(frozen=True)
class Placed:
    """One picture as laid out: its file, page, printed box (CSS px) and its pixels."""

    src: str  # project-relative path, as in the HTML
    page: int  # from 0
    width: float  # printed width and height, CSS px (1/96 in)
    height: float
    pixels: tuple[int, int]  # the original's width and height, upright

    @property
    def dpi(self) -> float:
        """The original's resolution at its printed size (the lower of both directions)."""
        return min(self.pixels[0] / (self.width / 96), self.pixels[1] / (self.height / 96))


class PictureCache:
    """Copies of pictures sized for print, on disk under `folder` (out/.cache/pictures)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made = 0  # copies made (not found on disk) by this cache
        self._hashes: dict[tuple[Path, int, int], str] = {}

    def digest(self, path: Path) -> str:
        """Return the content hash of a file (remembered while it stays unchanged)."""
        stat = path.stat()
        key = (path, stat.st_mtime_ns, stat.st_size)
        if key not in self._hashes:
            self._hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:24]
        return self._hashes[key]

    def copy(self, path: Path, size: tuple[int, int], dpi: int) -> bytes:
        """Return `path` resized to `size` (upright, sRGB, recompressed): cached on disk."""
        stem = f"{self.digest(path)}-{size[0]}x{size[1]}-{dpi}"
        for suffix in (".jpg", ".png"):
            cached = self.folder / f"{stem}{suffix}"
            if cached.is_file():
                return cached.read_bytes()
        data, suffix = prepare(path.read_bytes(), size, JPEG_QUALITY.get(dpi, 85))
        self.made += 1
        from brochure.build.output import atomic_write

        with contextlib.suppress(OSError):  # out/ read-only or full: this PDF still has it
            atomic_write(self.folder / f"{stem}{suffix}", data, sync=False)
        return data


def prepare(data: bytes, size: tuple[int, int], quality: int) -> tuple[bytes, str]:
    """Return the picture `data` upright, in sRGB, at `size`, as JPEG or PNG bytes."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as original:
        if original.format == "JPEG":  # decode at 1/2, 1/4 or 1/8 when that is enough
            turned = original.getexif().get(ORIENTATION, 1) in (5, 6, 7, 8)
            original.draft(original.mode, size[::-1] if turned else size)
        image = ImageOps.exif_transpose(original)
        image = to_srgb(image)
        if image.size != size:
            image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        out = io.BytesIO()
        if _flat(image, original.format):
            image.save(out, format="PNG", optimize=True)
            return out.getvalue(), ".png"
        image.convert("RGB").save(out, format="JPEG", quality=quality, optimize=True)
        return out.getvalue(), ".jpg"


def to_srgb(image: Any) -> Any:
    """Convert a picture to sRGB (RGB or RGBA): its colour profile applied if it has one."""
    from PIL import ImageCms

    alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if alpha else "RGB"
    profile = image.info.get("icc_profile")
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            srgb = ImageCms.createProfile("sRGB")
            if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
                image = image.convert(mode)
            converted = ImageCms.profileToProfile(image, source, srgb, outputMode=mode)
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: plain conversion below
    return image if image.mode == mode else image.convert(mode)


def _flat(image: Any, source_format: str | None) -> bool:
    """Tell whether a picture is flat art (or has transparency): kept as PNG, not JPEG."""
    if image.mode == "RGBA":
        return True
    if source_format == "JPEG":
        return False
    return image.getcolors(FLAT_COLOURS) is not None


def target_size(pixels: tuple[int, int], width: float, height: float, dpi: int) -> tuple[int, int]:
    """Return the pixels a picture printed `width` x `height` CSS px needs at `dpi`, never
    more than the original has, keeping its proportions."""
    scale = min(1.0, max(width * dpi / 96 / pixels[0], height * dpi / 96 / pixels[1]))
    return max(1, math.ceil(pixels[0] * scale)), max(1, math.ceil(pixels[1] * scale))


def fit(document: Any, project: Project, cache: PictureCache | None, dpi: int) -> list[Placed]:
    """List the raster pictures of a laid-out document and, with a `cache`, give each box a
    copy made for its printed size at `dpi` (before the PDF is written). Only files inside
    the project are read, as the fetcher that loaded them allows."""
    from weasyprint.images import RasterImage

    placed: list[Placed] = []
    for number, page in enumerate(document.pages):
        for box in _picture_boxes(page._page_box):
            image, src = box.replacement, _project_path(box.element.get("src") or "")
            if not isinstance(image, RasterImage) or src is None or box.width <= 0:
                continue
            placed.append(Placed(src, number, box.width, box.height, (image.width, image.height)))
            path = project.root / src
            if cache is not None and project.contains(path) and path.is_file():
                box.replacement = _swapped(image, path, cache, placed[-1], dpi)
    return placed


def _swapped(image: Any, path: Path, cache: PictureCache, place: Placed, dpi: int) -> Any:
    """Return a WeasyPrint image of the copy of `path` for `place` (or `image` itself when
    the original is already what the PDF needs)."""
    from PIL import Image
    from weasyprint import DEFAULT_OPTIONS
    from weasyprint.images import RasterImage

    size = target_size(place.pixels, place.width, place.height, dpi)
    data = cache.copy(path, size, dpi)
    key = hashlib.md5(data, usedforsecurity=False).hexdigest()
    return RasterImage(Image.open(io.BytesIO(data)), key, data, options=DEFAULT_OPTIONS)


def _project_path(src: str) -> str | None:
    """Return the project-relative path an `<img src>` of the PDF's HTML names, or None."""
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or not parts.path or src.startswith(("/", "\\")):
        return None
    path = unquote(parts.path)
    return None if ".." in Path(path).parts else path


def _picture_boxes(box: Any) -> list[Any]:
    """Return the replaced boxes (pictures) under `box`, in page order."""
    from weasyprint.formatting_structure.boxes import ReplacedBox

    found: list[Any] = []
    stack = [box]
    while stack:
        current = stack.pop()
        if isinstance(current, ReplacedBox) and getattr(current, "element_tag", "") == "img":
            found.append(current)
        stack.extend(reversed(getattr(current, "children", None) or []))
    return found
