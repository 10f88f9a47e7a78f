"""Pictures in brochures: they fit their column, are named plainly when broken, and the PDFs
embed copies sized for print (checked on the real PDFs, with images made here by Pillow)."""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageChops, ImageFilter

from .conftest import invoke
from .pdfua import audit, elements
from .test_errors import HEADER, build_error, sheet

RIGHT_MARGIN = 0.65 * 72  # styles/common.css: @page margin


def photo(size: tuple[int, int]) -> Image.Image:
    """A photo-like picture (gradients and grain: it does not compress to nothing)."""
    grad = Image.linear_gradient("L").resize(size)
    channels = [
        ImageChops.blend(grad.rotate(90 * i).resize(size), Image.effect_noise(size, s), 0.4)
        for i, s in enumerate((30, 45, 60))
    ]
    return Image.merge("RGB", channels).filter(ImageFilter.BoxBlur(1))


def brochure(project: Path, slug: str, body: str, pages: int = 1) -> Path:
    path = project / "brochures" / f"{slug}.md"
    path.write_text(sheet(body, HEADER.replace("pages: 1", f"pages: {pages}")), encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def image_bounds(pdf: Path, page: int = 0) -> list[tuple[float, float, float, float]]:
    """The drawn box (left, bottom, right, top in pt) of every image on a page."""
    doc = pdfium.PdfDocument(pdf)
    objects = doc[page].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4)
    return [tuple(obj.get_bounds()) for obj in objects]


def image_dicts(pdf: Path) -> list[dict[str, object]]:
    """Width, height, colour space, filter and transparency of each embedded image."""
    with pikepdf.open(pdf) as doc:
        images = {image.objgen: image for page in doc.pages for image in page.get_images().values()}
        return [
            {
                "width": int(image.Width),
                "height": int(image.Height),
                "colorspace": str(image.get("/ColorSpace")),
                "filter": str(image.get("/Filter")),
                "smask": "/SMask" in image,
            }
            for image in images.values()
        ]


def test_a_wide_picture_stays_inside_its_column(project: Path) -> None:
    Image.new("RGB", (2400, 600), (40, 110, 120)).save(project / "assets" / "wide.png")
    body = "Before the picture.\n\n![The treatment room](../assets/wide.png)\n\nAfter it.\n"
    brochure(project, "wide", body)
    result = invoke(project, "build", "wide")
    assert result.exit_code == 0, result.output
    page = pdfium.PdfDocument(project / "out" / "wide.pdf")[0]
    width = page.get_width()
    images = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
    assert len(images) == 1
    left, bottom, right, top = images[0].get_bounds()
    assert left >= RIGHT_MARGIN - 1 and right <= width - RIGHT_MARGIN + 1, (left, right, width)
    assert abs((right - left) / (top - bottom) - 4) < 0.05  # its proportions kept


def test_a_cut_short_picture_is_named_at_its_line(project: Path) -> None:
    (project / "assets" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    path = brochure(project, "photo", "![Our clinic](../assets/photo.png)\n")
    error = build_error(project, "photo")
    assert error == (
        f"Error: brochures/photo.md:{line_of(path, 'photo.png')}: picture `../assets/photo.png` "
        "is cut short: the file is incomplete, so part of it would print grey. Copy or export "
        "it again from the original."
    )
    assert not (project / "out" / "photo.pdf").exists()


def test_a_damaged_picture_is_named_without_machine_paths(project: Path) -> None:
    # A JPEG's first and last bytes around garbage: it looks whole, but cannot be decoded.
    (project / "assets" / "photo.jpg").write_bytes(
        b"\xff\xd8\xff\xe0" + b"\x13" * 300 + b"\xff\xd9"
    )
    path = brochure(project, "photo", "Text.\n\n![Our clinic](../assets/photo.jpg)\n")
    error = build_error(project, "photo")
    assert error == (
        f"Error: brochures/photo.md:{line_of(path, 'photo.jpg')}: picture `../assets/photo.jpg` "
        "cannot be loaded: the file is damaged or not a picture. Open it and save it as JPEG "
        "or PNG, then use that file; an iPhone takes JPEG photos under Settings > Camera > "
        "Formats > Most Compatible."
    )
    assert "file://" not in error and str(project) not in error


def _png_with_padding(megabytes: int) -> bytes:
    """A small PNG made `megabytes` big by a private chunk (as some editors leave)."""
    out = io.BytesIO()
    Image.new("RGB", (1600, 1000), (200, 210, 190)).save(out, format="PNG")
    data = out.getvalue()
    payload = b"\0" * (megabytes * 1024 * 1024)
    chunk = b"prVt" + payload
    padded = len(payload).to_bytes(4, "big") + chunk + zlib.crc32(chunk).to_bytes(4, "big")
    return data[:-12] + padded + data[-12:]


def test_check_names_formats_cut_files_missing_descriptions_and_big_files(project: Path) -> None:
    assets = project / "assets"
    heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 200  # an iPhone photo's header
    (assets / "iphone.jpg").write_bytes(heic)
    (assets / "web.avif").write_bytes(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1" + b"\0" * 200)
    Image.new("RGB", (300, 200), "white").save(assets / "scan.tif")
    Image.new("RGB", (300, 200), "white").save(assets / "site.webp")
    photo((900, 600)).save(assets / "whole.jpg", quality=90)
    data = (assets / "whole.jpg").read_bytes()
    (assets / "cut.jpg").write_bytes(data[: len(data) // 2])
    (assets / "treatment-room.jpg").write_bytes(data)
    (assets / "huge.png").write_bytes(_png_with_padding(21))
    body = "\n\n".join(
        [
            "![Our room](../assets/iphone.jpg)",
            "![A face](../assets/web.avif)",
            "![A scan](../assets/scan.tif)",
            "![The site](../assets/site.webp)",
            "![Cut](../assets/cut.jpg)",
            "![](../assets/treatment-room.jpg){.half}",
            "![A big one](../assets/huge.png)",
        ]
    )
    path = brochure(project, "pics", body + "\n")
    result = invoke(project, "check", "pics")
    assert result.exit_code == 1
    at = {
        name: line_of(path, name)
        for name in ("iphone", "avif", "tif", "webp", "cut", "treatment-room")
    }
    save = (
        "(Open it and save it as JPEG or PNG, then use that file; an iPhone takes JPEG photos "
        "under Settings > Camera > Formats > Most Compatible)"
    )
    expected = [
        f"brochures/pics.md:{at['iphone']}: error: picture `../assets/iphone.jpg` is a HEIC "
        f"photo (the iPhone's format) named `.jpg`, which a PDF cannot show {save}",
        f"brochures/pics.md:{at['avif']}: error: picture `../assets/web.avif` is an AVIF "
        f"picture, which a PDF cannot show {save}",
        f"brochures/pics.md:{at['tif']}: error: picture `../assets/scan.tif` is a TIFF file, "
        f"which a PDF cannot show {save}",
        f"brochures/pics.md:{at['webp']}: error: picture `../assets/site.webp` is a WebP file, "
        f"which a PDF cannot show {save}",
        f"brochures/pics.md:{at['cut']}: error: picture `../assets/cut.jpg` is cut short: the "
        "file is incomplete, so part of it would print grey (Copy or export it again from the "
        "original)",
        f"brochures/pics.md:{at['treatment-room']}: error: picture "
        "`../assets/treatment-room.jpg` has no description: patients using screen readers "
        "hear nothing (Write what it shows between the brackets: "
        "![Treatment room](../assets/treatment-room.jpg))",
        f"brochures/pics.md:{line_of(path, 'huge')}: warning: picture `../assets/huge.png` is "
        "21 MB: the PDFs get a smaller copy, but a file this big slows every build (It will be "
        "resized; to build faster, save a copy about 3,000 pixels across)",
    ]
    lines = result.output.splitlines()
    for line in expected:
        assert line in lines, "\n".join(lines)


def test_a_small_picture_is_reported_with_its_dpi(project: Path) -> None:
    photo((240, 160)).save(project / "assets" / "tiny.jpg", quality=90)
    path = brochure(project, "tiny", "Text.\n\n![A small photo](../assets/tiny.jpg)\n")
    result = invoke(project, "build", "tiny")
    assert result.exit_code == 0, result.output
    left, _, right, _ = image_bounds(project / "out" / "tiny.pdf")[0]
    dpi = 240 / ((right - left) / 72)
    found = re.search(
        r"brochures/tiny\.md:(\d+): warning: picture `\.\./assets/tiny\.jpg` prints at (\d+) dpi",
        result.output,
    )
    assert found, result.output
    assert int(found.group(1)) == line_of(path, "tiny.jpg")
    assert abs(int(found.group(2)) - dpi) <= 1, (found.group(2), dpi)
    assert "(print needs at least 150 dpi, 300 for a print shop)" in result.output
    # For the print shop, the same picture is an error and no press file is written.
    result = invoke(project, "build", "tiny", "--press")
    assert result.exit_code == 1
    assert f"brochures/tiny.md:{found.group(1)}: press file: picture `../assets/tiny.jpg` " in (
        result.output.replace("Error: ", "")
    )
    assert not (project / "out" / "press" / "tiny.pdf").exists()


def test_pictures_are_embedded_upright_in_srgb_and_resized(project: Path) -> None:
    assets = project / "assets"
    rotated = photo((800, 400))  # stored on its side, as a phone does: EXIF says turn it
    exif = Image.Exif()
    exif[0x0112] = 6
    rotated.save(assets / "rotated.jpg", quality=90, exif=exif)
    photo((1600, 1000)).convert("CMYK").save(assets / "cmyk.jpg", quality=90)
    logo = Image.new("RGBA", (600, 300), (0, 0, 0, 0))
    logo.paste((30, 80, 90, 255), (100, 50, 500, 250))
    logo.save(assets / "mark.png")
    body = (
        "Text.\n\n![Standing](../assets/rotated.jpg){.half}\n\n"
        "![Printed in CMYK](../assets/cmyk.jpg)\n\n![A mark](../assets/mark.png){.half}\n"
    )
    brochure(project, "kinds", body, pages=2)
    result = invoke(project, "build", "kinds")
    assert result.exit_code == 0, result.output
    pdf = project / "out" / "kinds.pdf"
    images = image_dicts(pdf)
    assert len(images) == 3, images
    (standing,) = [i for i in images if i["height"] > i["width"]]  # turned upright
    (mark,) = [i for i in images if i["smask"]]  # flat art keeps its transparency
    (cmyk,) = [i for i in images if i is not standing and i is not mark]
    assert standing["filter"] == "/DCTDecode" and standing["colorspace"] == "/DeviceRGB"
    assert cmyk["filter"] == "/DCTDecode" and cmyk["colorspace"] == "/DeviceRGB"  # from CMYK
    assert mark["filter"] == "/FlateDecode"
    boxes = [b for page in range(len(pdfium.PdfDocument(pdf))) for b in image_bounds(pdf, page)]
    ratios = sorted(round((right - left) / (top - bottom), 2) for left, bottom, right, top in boxes)
    assert abs(ratios[0] - 0.5) < 0.02, ratios  # drawn upright too
    # The CMYK photo prints as wide as the column: its copy has 200 dpi at that width.
    left, _, right, _ = max(boxes, key=lambda box: box[2] - box[0])
    assert abs(cmyk["width"] - (right - left) / 72 * 200) <= 2, (cmyk, right - left)


def test_a_24_megapixel_photo_makes_a_small_pdf_rebuilt_from_the_cache(project: Path) -> None:
    photo((6000, 4000)).save(project / "assets" / "room.jpg", quality=92)
    body = "Text.\n\n![The treatment room](../assets/room.jpg)\n*Our treatment room.*\n"
    brochure(project, "room", body)
    assert invoke(project, "build", "room").exit_code == 0
    pdf = project / "out" / "room.pdf"
    first = pdf.read_bytes()
    assert len(first) < 400_000, len(first)
    (image,) = image_dicts(pdf)
    left, _, right, _ = image_bounds(pdf)[0]
    assert abs(image["width"] / ((right - left) / 72) - 200) < 1  # 200 dpi as printed
    cache = project / "out" / ".cache" / "pictures"
    (copy,) = cache.iterdir()
    made = copy.stat().st_mtime_ns
    assert invoke(project, "build", "room", "--force").exit_code == 0
    assert pdf.read_bytes() == first  # byte for byte the same
    assert [p.name for p in cache.iterdir()] == [copy.name]
    assert copy.stat().st_mtime_ns == made  # reused, not made again


def test_a_caption_and_half_width(project: Path) -> None:
    photo((1200, 800)).save(project / "assets" / "room.jpg", quality=90)
    body = (
        'Intro.\n\n![The treatment room](../assets/room.jpg "Our room, in spring."){.half}\n\n'
        + "Text beside the picture. " * 30
        + "\n"
    )
    brochure(project, "half", body)
    assert invoke(project, "build", "half").exit_code == 0
    pdf = project / "out" / "half.pdf"
    left, _, right, _ = image_bounds(pdf)[0]
    page_width = pdfium.PdfDocument(pdf)[0].get_width()
    assert right <= page_width - RIGHT_MARGIN + 1
    with pikepdf.open(pdf) as doc:
        tags = []

        def walk(element: pikepdf.Object, parent: str) -> None:
            if isinstance(element, pikepdf.Dictionary) and "/S" in element:
                tags.append((parent, str(element.S), str(element.get("/Alt", ""))))
                parent = str(element.S)
            kids = element.get("/K") if isinstance(element, pikepdf.Dictionary) else None
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids else []:
                walk(kid, parent)

        walk(doc.Root.StructTreeRoot, "")
    # The picture and its caption, grouped: read together.
    assert ("/Div", "/Figure", "The treatment room") in tags
    assert ("/Div", "/Caption", "") in tags
    with pikepdf.open(pdf) as doc:
        assert audit(doc) == []
    from pypdf import PdfReader

    assert "Our room, in spring." in PdfReader(pdf).pages[0].extract_text()
    # Half of the column: the sheet's column, measured on the full-width picture of the
    # first test, is the page less its margins at most.
    assert (right - left) < 0.5 * (page_width - 2 * RIGHT_MARGIN)


def test_the_page_budget_names_the_pictures_that_take_the_room(project: Path) -> None:
    photo((1000, 1300)).save(project / "assets" / "tall.jpg", quality=85)
    body = "Some text.\n\n![A tall photo](../assets/tall.jpg)\n\n" + "More text here. " * 60
    path = brochure(project, "tall", body + "\n")
    error = build_error(project, "tall")
    pattern = (
        rf"Error: brochures/tall\.md:{line_of(path, 'pages:')}: the brochure runs to 2 pages but "
        r"its budget is `pages: 1`: about (\d+) lines of body text too long; the pictures take "
        r"the room of about (\d+) lines \(`\.\./assets/tall\.jpg`\)\. Make a picture half width "
        r"\(\{\.half\} after it\) or leave one out, cut about (\d+) lines of text, or raise "
        r"`pages:`\."
    )
    found = re.fullmatch(pattern, error)
    assert found, error
    assert int(found.group(2)) > int(found.group(1)) == int(found.group(3))


def raster_logo(project: Path, size: int = 900) -> None:
    """Give the test project a PNG logo with a JPEG variant for dark backgrounds."""
    mark = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    mark.paste((29, 79, 92, 255), (size // 6, size // 6, size * 5 // 6, size * 5 // 6))
    mark.save(project / "assets" / "mark.png")
    Image.new("RGB", (size, size), (240, 235, 225)).save(project / "assets" / "mark-dark.jpg")
    brand = project / "_brand.yml"
    text = brand.read_text(encoding="utf-8")
    old = "    mark: assets/logo.svg\n  small: mark\n  medium: mark\n"
    assert old in text
    new = (
        "    mark: assets/mark.png\n    mark-dark: assets/mark-dark.jpg\n  small: mark\n"
        "  medium:\n    light: mark\n    dark: mark-dark\n"
    )
    brand.write_text(text.replace(old, new), encoding="utf-8")


def test_a_png_logo_with_a_dark_variant_names_the_clinic_in_every_pdf(project: Path) -> None:
    raster_logo(project)
    result = invoke(project, "build", "conditions", "overview")
    assert result.exit_code == 0, result.output
    assert "logo" not in result.output  # sharp enough: no warning
    for slug in ("conditions", "overview"):
        with pikepdf.open(project / "out" / f"{slug}.pdf") as pdf:
            assert audit(pdf) == []
            alts = [str(e.get("/Alt", "")) for _, e in elements(pdf) if e.S == "/Figure"]
            assert alts.count("Elixir and Wellness") >= 1, alts
    # The trifold prints the dark-background variant on its coloured cover, the other inside.
    kinds = {(i["filter"], i["smask"]) for i in image_dicts(project / "out" / "overview.pdf")}
    assert kinds == {("/DCTDecode", False), ("/FlateDecode", True)}, kinds


def test_a_heic_logo_is_refused_and_a_small_logo_reported(project: Path) -> None:
    raster_logo(project, size=40)
    png = (project / "assets" / "mark.png").read_bytes()
    (project / "assets" / "mark.png").write_bytes(b"\0\0\0\x18ftypheic\0\0\0\0mif1" + bytes(99))
    error = build_error(project, "conditions")
    line = line_of(project / "_brand.yml", "logo:")
    assert error == (
        f"Error: _brand.yml:{line}: logo `assets/mark.png` is not an SVG, PNG or JPEG picture "
        "(it is a HEIC file). Ask your designer for the logo as SVG (best), or as PNG at least "
        "600 pixels across."
    )
    (project / "assets" / "mark.png").write_bytes(png)
    result = invoke(project, "check", "conditions")
    found = re.search(
        r"_brand\.yml: warning: logo `assets/mark\.png` prints at (\d+) dpi: it will look soft "
        r"or blocky \(print needs at least 150 dpi, 300 for a print shop\) \(Ask your designer "
        r"for the logo as SVG, or as a larger PNG\)",
        result.output,
    )
    assert found, result.output
    assert int(found.group(1)) == round(40 / 0.36)  # 0.36 in tall in the masthead


def test_a_png_logo_travels_in_emails_as_a_small_png(project: Path) -> None:
    from brochure.build.pipeline import Pipeline
    from brochure.send.logo import logo_png
    from brochure.source.project import Project

    raster_logo(project)
    data = logo_png(Pipeline(Project.at(project)))
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG" and image.size == (144, 144)
        assert image.getpixel((72, 72))[:3] == (29, 79, 92)  # the mark's teal, unchanged


def test_pictures_stay_inside_trifold_panels_and_conditions_cards(project: Path) -> None:
    Image.new("RGB", (3000, 600), (120, 150, 140)).save(project / "assets" / "wide.png")
    picture = "\n![A wide photo](../assets/wide.png)\n\n"
    for slug, heading in (
        ("overview", "## What can change your results\n"),
        ("conditions", "## Rosacea\n"),
    ):
        path = project / "brochures" / f"{slug}.md"
        text = path.read_text(encoding="utf-8")
        assert heading in text
        path.write_text(text.replace(heading, heading + picture, 1), encoding="utf-8")
    result = invoke(project, "build", "overview", "conditions")
    assert result.exit_code == 0, result.output
    pdf = project / "out" / "overview.pdf"
    width = pdfium.PdfDocument(pdf)[0].get_width()
    (box,) = [b for page in range(2) for b in image_bounds(pdf, page) if b[2] - b[0] > 100]
    panel = width / 3  # letter fold: three panels across the sheet
    assert int(box[0] // panel) == int((box[2] - 1) // panel), (box, panel)  # crosses no fold
    pdf = project / "out" / "conditions.pdf"
    boxes = [b for page in range(2) for b in image_bounds(pdf, page) if b[2] - b[0] > 100]
    (card,) = boxes
    column = (pdfium.PdfDocument(pdf)[0].get_width() - 2 * RIGHT_MARGIN) / 2
    assert card[2] - card[0] < column, (card, column)  # inside its card, one column wide


def test_a_colour_profile_is_applied_and_a_broken_one_ignored() -> None:
    from PIL import ImageCms

    from brochure.render.pictures import prepare

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    for profile in (srgb, b"not a colour profile"):
        out = io.BytesIO()
        Image.new("RGB", (64, 48), (29, 79, 92)).save(out, "JPEG", quality=95, icc_profile=profile)
        data, suffix = prepare(out.getvalue(), (32, 24), 90)
        with Image.open(io.BytesIO(data)) as image:
            assert (suffix, image.format, image.mode, image.size) == (
                ".jpg",
                "JPEG",
                "RGB",
                (32, 24),
            )
            assert "icc_profile" not in image.info  # plain sRGB, as the PDF declares it
            pixel = image.getpixel((16, 12))
            assert all(abs(a - b) <= 3 for a, b in zip(pixel, (29, 79, 92), strict=True)), pixel
