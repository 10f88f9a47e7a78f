"""Build the test project's brochures and check the real PDFs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from brochure.source.content import load
from brochure.source.project import Project

from .conftest import invoke, pdf_text, replace_in

SLUGS = ["conditions", "exosomes-vs-prp", "results-timeline"]  # portrait Letter
ALL = [*SLUGS, "overview"]  # the overview is a landscape trifold: see test_trifold.py
LETTER = (612, 792)


def budget(root: Path, slug: str) -> int:
    project = Project.at(root)
    return load(project.brochures_dir / f"{slug}.md", project.layouts()).pages


@pytest.mark.parametrize("slug", SLUGS)
def test_letter_pages_within_budget(built: Path, slug: str) -> None:
    reader = PdfReader(built / "out" / f"{slug}.pdf")
    assert 1 <= len(reader.pages) <= budget(built, slug)
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == LETTER


@pytest.mark.parametrize("slug", ALL)
def test_every_brochure_carries_clinic_facts(built: Path, slug: str) -> None:
    text = pdf_text(built / "out" / f"{slug}.pdf")
    for fact in (
        "ELIXIR AND WELLNESS",
        "480 590 5693",
        "Book your free discovery call",
        "elixir-wellness.example/book",
        "not FDA-approved to treat any condition",
        "Reviewed November 2026",
    ):
        assert fact.lower() in text.lower(), fact
    assert (built / "out" / f"{slug}.html").is_file()


def test_conditions_has_all_nine_groups(built: Path) -> None:
    text = pdf_text(built / "out" / "conditions.pdf")
    for group in (
        "Aging skin",
        "Dark spots and melasma",
        "Acne and acne scars",
        "Rosacea",
        "Healing and scars",
        "Dry and damaged skin",
        "Sensitive skin",
        "Overall glow",
        "Thinning hair and brows",
    ):
        assert group in text
    assert "Page 1 of 2" in text and "Page 2 of 2" in text


def test_comparison_has_four_dimensions(built: Path) -> None:
    text = pdf_text(built / "out" / "exosomes-vs-prp.pdf")
    for item in (
        "Exosomes",
        "PRP",
        "What it is and how it works",
        "Inflammation",
        "Recovery and comfort",
        "Results",
        "Which is right for me?",
    ):
        assert item in text
    assert "Page 1 of" not in text  # one-page sheets have no page numbers


def test_timeline_has_phases_and_plan(built: Path) -> None:
    text = pdf_text(built / "out" / "results-timeline.pdf")
    for phase in ("DAYS 1-3", "WEEKS 1-3", "WEEKS 4-6", "MONTHS 2-3"):
        assert phase in text
    assert "3 treatments, spaced 4-6 weeks apart" in text


def annotations(path: Path) -> list[str]:
    uris = []
    for page in PdfReader(path).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action and "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris


@pytest.mark.parametrize("slug", ALL)
def test_links_are_clickable(built: Path, slug: str) -> None:
    uris = annotations(built / "out" / f"{slug}.pdf")
    assert "tel:+14805905693" in uris
    assert "https://elixir-wellness.example/book" in uris


@pytest.mark.parametrize("slug", ALL)
def test_metadata_and_tags(built: Path, slug: str) -> None:
    reader = PdfReader(built / "out" / f"{slug}.pdf")
    info = reader.metadata
    assert info["/Author"] == "Elixir and Wellness"
    assert info["/Title"].endswith("| Elixir and Wellness")
    assert info["/Subject"] and info["/Keywords"]
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-US"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    outline = reader.outline  # bookmarks: the title, then its sections nested below it
    assert (
        outline[0].title
        == load(Project.at(built).brochures_dir / f"{slug}.md", Project.at(built).layouts()).title
    )
    assert isinstance(outline[1], list) and len(outline[1]) >= 2


@pytest.mark.parametrize("slug", ALL)
def test_brand_fonts_embedded_and_subset(built: Path, slug: str) -> None:
    reader = PdfReader(built / "out" / f"{slug}.pdf")
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (
                font.get("/FontDescriptor")
                or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            )
            descriptor = descriptor.get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            names.add(str(font["/BaseFont"]))
    assert all(re.match(r"/[A-Z]{6}\+", n) for n in names), names  # subset prefix
    assert any("Noto-Sans" in n for n in names) and any("Noto-Serif-Display" in n for n in names)
    assert (built / "out" / f"{slug}.pdf").stat().st_size < 150_000


def test_rebuild_is_byte_identical_and_skips_unchanged(project: Path) -> None:
    assert invoke(project, "build").exit_code == 0
    first = {p.name: p.read_bytes() for p in (project / "out").glob("*.pdf")}
    again = invoke(project, "build")
    assert f"0 built, {len(ALL)} skipped" in again.output
    forced = invoke(project, "build", "--force")
    assert f"{len(ALL)} built" in forced.output
    assert {p.name: p.read_bytes() for p in (project / "out").glob("*.pdf")} == first


def test_brand_change_reaches_every_brochure(project: Path) -> None:
    replace_in(project, "_brand.yml", "phone: 480 590 5693", "phone: 602 555 0100")
    replace_in(project, "_brand.yml", 'teal: "#1D4F5C"', 'teal: "#7A1F3D"')
    assert invoke(project, "build").exit_code == 0
    for slug in ALL:
        pdf = project / "out" / f"{slug}.pdf"
        assert "602 555 0100" in pdf_text(pdf)
        assert "tel:+16025550100" in annotations(pdf)
        html = (project / "out" / f"{slug}.html").read_text()
        assert "#7A1F3D" in html and "#1D4F5C" not in html


def test_list(built: Path) -> None:
    result = invoke(built, "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["SLUG", "TITLE", "LAYOUT", "PAGES"]
    assert any(
        line.startswith("exosomes-vs-prp") and line.rstrip().endswith("comparison  1")
        for line in lines
    )


def test_version_and_help(built: Path) -> None:
    from click.testing import CliRunner

    from brochure import __version__
    from brochure.cli import main

    assert __version__ in CliRunner().invoke(main, ["--version"]).output
    assert "build" in CliRunner().invoke(main, ["-h"]).output


def test_project_option_before_or_after_the_command(built: Path, tmp_path: Path) -> None:
    before = invoke(tmp_path, "--project", str(built), "list")
    after = invoke(tmp_path, "list", "--project", str(built))
    assert before.exit_code == after.exit_code == 0, before.output
    assert before.output == after.output == invoke(built, "list").output
    assert "exosomes-vs-prp" in before.output
