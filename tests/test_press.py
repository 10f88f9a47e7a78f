"""Press-ready files: bleed, page boxes, crop marks outside the bleed, whole fonts."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader

from .conftest import ROOT, copy_project, invoke, pdf_text

BLEED = 9  # points: 1/8 in
SCALE = 3  # pixels per point when rasterising
SLUGS = ["overview", "exosomes-vs-prp"]  # the trifold, and a portrait Letter sheet


@pytest.fixture(scope="module")
def pressed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project built with --press (office files too)."""
    root = copy_project(tmp_path_factory.mktemp("press") / "project")
    result = invoke(root, "build", "--press", *SLUGS)
    assert result.exit_code == 0, result.output
    assert "built   out/press/overview.pdf (2 pages)" in result.output
    return root


def boxes(path: Path) -> list[dict[str, list[float]]]:
    return [
        {
            name: [float(v) for v in getattr(page, name)]
            for name in ("mediabox", "bleedbox", "trimbox")
        }
        for page in PdfReader(path).pages
    ]


@pytest.mark.parametrize("slug", SLUGS)
def test_bleed_box_is_trim_plus_an_eighth_inch_inside_a_larger_media_box(
    pressed: Path, slug: str
) -> None:
    office = PdfReader(pressed / "out" / f"{slug}.pdf").pages
    press = boxes(pressed / "out" / "press" / f"{slug}.pdf")
    assert len(press) == len(office)
    for page, office_page in zip(press, office, strict=True):
        trim, bleed, media = page["trimbox"], page["bleedbox"], page["mediabox"]
        assert [trim[2] - trim[0], trim[3] - trim[1]] == [
            float(office_page.mediabox.width),
            float(office_page.mediabox.height),
        ]
        assert bleed == [trim[0] - BLEED, trim[1] - BLEED, trim[2] + BLEED, trim[3] + BLEED]
        assert media[0] < bleed[0] and media[1] < bleed[1]
        assert media[2] > bleed[2] and media[3] > bleed[3]


def is_mark(pixel: tuple[int, ...]) -> bool:
    """Tell a crop mark pixel: dark and grey (the artwork's dark colours are not grey)."""
    r, g, b = pixel[:3]
    return max(r, g, b) < 200 and max(r, g, b) - min(r, g, b) < 16


def count_marks(image: Image.Image, box: tuple[float, float, float, float]) -> int:
    data = image.crop(tuple(round(v) for v in box)).tobytes()  # RGB, 3 bytes a pixel
    return sum(is_mark(data[i : i + 3]) for i in range(0, len(data), 3))


def raster(path: Path, index: int) -> tuple[Image.Image, dict[str, list[float]]]:
    """Render a page and return it with its boxes in pixels (x0, y0 top, x1, y1 bottom)."""
    page_boxes = boxes(path)[index]
    mx0, _, _, my1 = page_boxes["mediabox"]
    image = pdfium.PdfDocument(path)[index].render(scale=SCALE).to_pil().convert("RGB")
    pixels = {
        name: [
            (b[0] - mx0) * SCALE,
            (my1 - b[3]) * SCALE,
            (b[2] - mx0) * SCALE,
            (my1 - b[1]) * SCALE,
        ]
        for name, b in page_boxes.items()
    }
    return image, pixels


@pytest.mark.parametrize("slug", SLUGS)
def test_crop_marks_in_every_corner_outside_the_bleed_and_none_inside(
    pressed: Path, slug: str
) -> None:
    path = pressed / "out" / "press" / f"{slug}.pdf"
    for index in range(len(PdfReader(path).pages)):
        image, px = raster(path, index)
        width, height = image.size
        bx0, by0, bx1, by1 = px["bleedbox"]
        tx0, ty0, tx1, ty1 = px["trimbox"]
        # Each corner of the sheet outside the BleedBox: the two marks of that corner.
        corners = [
            (0, 0, bx0, ty0 + 3),
            (0, 0, tx0 + 3, by0),  # top left
            (bx1, 0, width, ty0 + 3),
            (tx1 - 3, 0, width, by0),  # top right
            (0, ty1 - 3, bx0, height),
            (0, by1, tx0 + 3, height),  # bottom left
            (bx1, ty1 - 3, width, height),
            (tx1 - 3, by1, width, height),
        ]
        for corner in corners:
            assert count_marks(image, corner) > 0, (slug, index, corner)
        # Inside the BleedBox, the bleed strip all around holds artwork only, no marks.
        strips = [
            (bx0, by0, bx1, ty0),
            (bx0, ty1, bx1, by1),
            (bx0, ty0, tx0, ty1),
            (tx1, ty0, bx1, ty1),
        ]
        for strip in strips:
            assert count_marks(image, strip) == 0, (slug, index, strip)
        # ... and so do the corners of the page itself.
        inch = 72 * SCALE / 2
        for x, y in ((tx0, ty0), (tx1 - inch, ty0), (tx0, ty1 - inch), (tx1 - inch, ty1 - inch)):
            assert count_marks(image, (x, y, x + inch, y + inch)) == 0


def test_cover_background_extends_into_the_bleed(pressed: Path) -> None:
    image, px = raster(pressed / "out" / "press" / "overview.pdf", 0)
    _, ty0, tx1, ty1 = px["trimbox"]
    bx1 = px["bleedbox"][2]
    inside = image.getpixel((round(tx1 - 20), round((ty0 + ty1) / 2)))
    bleed = image.getpixel((round((tx1 + bx1) / 2), round((ty0 + ty1) / 2)))
    beyond = image.getpixel((round(bx1 + 6), round((ty0 + ty1) / 2)))
    assert inside == bleed != beyond  # the teal cover runs into the bleed, and stops there


def test_press_file_embeds_whole_fonts_and_declares_srgb(pressed: Path) -> None:
    sizes = {p.stat().st_size for p in (ROOT / "styles" / "fonts").glob("*.ttf")}
    reader = PdfReader(pressed / "out" / "press" / "overview.pdf")
    seen = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            data = descriptor["/FontFile2"].get_object().get_data()
            assert len(data) in sizes, font["/BaseFont"]  # the whole font file, not a subset
            assert "+" not in font["/BaseFont"]  # no subset tag either
            seen.add(str(font["/BaseFont"]))
    assert len(seen) >= 3
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert "sRGB" in str(intents[0].get_object()["/OutputConditionIdentifier"])
    assert "/OutputIntents" not in PdfReader(pressed / "out" / "overview.pdf").trailer["/Root"]


def test_office_file_stays_without_bleed_or_marks(pressed: Path) -> None:
    for page in boxes(pressed / "out" / "overview.pdf"):
        assert page["mediabox"] == page["trimbox"] == page["bleedbox"] == [0, 0, 792, 612]


def test_press_build_is_atomic_and_skipped_when_unchanged(project: Path) -> None:
    assert invoke(project, "build", "exosomes-vs-prp").exit_code == 0
    office = (project / "out" / "exosomes-vs-prp.pdf").read_bytes()
    first = invoke(project, "build", "--press", "exosomes-vs-prp")
    assert first.exit_code == 0
    assert first.output.splitlines()[0] == "built   out/press/exosomes-vs-prp.pdf (1 page)"
    assert (project / "out" / "exosomes-vs-prp.pdf").read_bytes() == office  # untouched
    press = (project / "out" / "press" / "exosomes-vs-prp.pdf").read_bytes()
    again = invoke(project, "build", "--press", "exosomes-vs-prp")
    assert "0 built, 1 skipped" in again.output
    (project / "out" / "press" / "exosomes-vs-prp.pdf").unlink()
    redo = invoke(project, "build", "--press", "exosomes-vs-prp")
    assert "1 built" in redo.output
    assert (project / "out" / "press" / "exosomes-vs-prp.pdf").read_bytes() == press
    assert [p.name for p in (project / "out" / "press").iterdir()] == ["exosomes-vs-prp.pdf"]


def test_failed_press_build_writes_nothing(project: Path) -> None:
    """Only the press render fails (its stylesheet names a missing image): the office file
    is written, the press file is not, and the build fails naming the brochure."""
    with (project / "styles" / "press.css").open("a", encoding="utf-8") as css:
        css.write("@page { background: url(missing-press.png); }\n")  # office never loads it
    result = invoke(project, "build", "--press", "overview")
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    assert errors[0].startswith(
        "Error: brochures/overview.md: press file: rendering failed: Failed to load image at "
    )
    assert "missing-press.png" in errors[0]
    assert "built   out/overview.pdf (2 pages)" in result.output
    assert "out/press" not in result.output
    assert result.output.splitlines()[-1] == "0 built, 0 skipped, 1 failed (1 brochure)."
    out = project / "out"
    assert "Your provider can help you choose." in pdf_text(out / "overview.pdf")
    assert not (out / "press" / "overview.pdf").exists()
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert not (out / "press").exists() or not any((out / "press").iterdir())


def test_failed_office_build_skips_the_press_file(project: Path) -> None:
    path = project / "brochures" / "overview.md"
    text = path.read_text()
    path.write_text(
        text.replace("Your provider can help you choose.", " ".join(["More words."] * 300))
    )
    result = invoke(project, "build", "--press", "overview")
    assert result.exit_code == 1
    assert "the `inside-middle` panel is too full" in result.output
    assert not (project / "out" / "press").exists()
    assert not (project / "out" / "overview.pdf").exists()


@pytest.mark.parametrize(("slug", "folds"), [("overview", (261, 526.5)), ("exosomes-vs-prp", ())])
def test_fold_marks_above_and_below_each_fold(pressed: Path, slug: str, folds: tuple) -> None:
    image, px = raster(pressed / "out" / "press" / f"{slug}.pdf", 0)
    tx0, _, tx1, _ = px["trimbox"]
    by0, by1 = px["bleedbox"][1], px["bleedbox"][3]
    columns = [  # pixel columns between the crop marks with a mark above and below the bleed
        x
        for x in range(round(tx0 + 40), round(tx1 - 40))
        if count_marks(image, (x, 0, x + 1, by0)) and count_marks(image, (x, by1, x + 1, 10**4))
    ]
    runs = [x for x in columns if x - 1 not in columns]  # the first column of each mark
    assert [(x - tx0) / SCALE for x in runs] == pytest.approx(folds, abs=1)
