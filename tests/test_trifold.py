"""The overview trifold: geometry, fold order, panel assignment and overflow errors."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from brochure.source.content import load
from brochure.source.project import Project

from .conftest import invoke, pdf_text, replace_in

LANDSCAPE_LETTER = (792, 612)
# Where each panel lies when the sheet is laid flat: (page index, third from the left).
# Outside: flap, back, cover. Inside: left, middle, right.
PLACES = {
    "flap": (0, 0),
    "back": (0, 1),
    "cover": (0, 2),
    "inside-left": (1, 0),
    "inside-middle": (1, 1),
    "inside-right": (1, 2),
}
OVERVIEW = "brochures/overview.md"


def overview(root: Path):
    project = Project.at(root)
    return load(project.brochures_dir / "overview.md", project.layouts())


def text_x(pdf: Path, page: int, text: str) -> float:
    """Return the x (points from the left) where `text` starts on `page`."""
    textpage = pdfium.PdfDocument(pdf)[page].get_textpage()
    found = textpage.search(text, match_case=True).get_next()
    assert found, f"{text!r} not on page {page + 1}"
    return textpage.get_charbox(found[0])[0]


def test_trifold_is_two_landscape_letter_pages(built: Path) -> None:
    reader = PdfReader(built / "out" / "overview.pdf")
    assert len(reader.pages) == 2
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == LANDSCAPE_LETTER


def test_each_panel_heading_lies_in_its_third(built: Path) -> None:
    brochure = overview(built)
    headings = [(brochure.title, "cover")]
    headings += [(h, name) for name, titles in brochure.extra["panels"].items() for h in titles]
    headings.append(("Book your free", "back"))  # the call to action, from the brand
    assert {name for _, name in headings} == set(PLACES)
    third = LANDSCAPE_LETTER[0] / 3
    for heading, name in headings:
        page, column = PLACES[name]
        words = " ".join(heading.split()[:3])  # long headings wrap: match their start
        x = text_x(built / "out" / "overview.pdf", page, words)
        assert column * third < x < (column + 1) * third, (heading, name, x)


def test_text_keeps_clear_of_the_folds(built: Path) -> None:
    """Every character stays 3/8 in (27 pt) from the folds, less a point for rounding."""
    folds = {0: (261, 526.5), 1: (265.5, 531)}  # 3 5/8 in and 3 11/16 in panels
    for page, xs in folds.items():
        textpage = pdfium.PdfDocument(built / "out" / "overview.pdf")[page].get_textpage()
        for i in range(textpage.count_chars()):
            left, _, right, _ = textpage.get_charbox(i)
            inked = right > left and not textpage.get_text_range(i, 1).isspace()
            if inked:  # a space draws nothing, even where a line ends
                assert all(right < x - 26 or left > x + 26 for x in xs), (page, i, left)


def test_trifold_content_and_clinic_facts(built: Path) -> None:
    text = pdf_text(built / "out" / "overview.pdf")
    for item in (
        "What are exosomes?",
        "How they differ from fillers and neurotoxins",
        "What a visit looks like",
        "3 treatments, 4 to 6 weeks apart",
        "123 Placeholder Street",
    ):
        assert item in text
    for banned in ("cure", "guarantee", "permanent", "risk-free", "stem cell"):
        assert banned not in text.lower()


def front_matter_line(root: Path, prefix: str) -> int:
    lines = (root / OVERVIEW).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(prefix))


def body_line(root: Path) -> int:
    lines = (root / OVERVIEW).read_text().splitlines()
    return [i for i, line in enumerate(lines, 1) if line == "---"][1] + 1


@pytest.mark.parametrize(
    ("panel", "anchor"),
    [
        ("inside-middle", "Your provider can help you choose."),
        ("cover", "Exosomes may help it do more of that work."),  # the text before the first ##
    ],
)
def test_overfull_panel_is_an_error_naming_it(project: Path, panel: str, anchor: str) -> None:
    extra = " ".join(["Extra words to fill the panel."] * 40)
    replace_in(project, OVERVIEW, anchor, f"{anchor}\n\n{extra}")
    result = invoke(project, "build", "overview")
    assert result.exit_code == 1
    match = re.search(
        rf"overview\.md:(\d+): the `{panel}` panel is too full: about (\d+) "
        rf"lines do not fit\. Cut about \2 lines from",
        result.output,
    )
    assert match, result.output
    expected = body_line(project) if panel == "cover" else front_matter_line(project, f"  {panel}:")
    assert int(match.group(1)) == expected
    assert int(match.group(2)) >= 5
    assert "budget" not in result.output  # `pages:` must stay 2: no advice to raise it
    assert not (project / "out" / "overview.pdf").exists()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  inside-middle: How they differ",
            "  inside-middle: How they diffr",
            r":{line}: panel `inside-middle` asks for the section `How they diffr from "
            r"fillers and neurotoxins`, but there is no `## How they diffr from fillers and "
            r"neurotoxins` heading below the front matter\. Did you mean `How they differ "
            r"from fillers and neurotoxins`\?",
        ),
        (
            "  back: Good to know\n",
            "",
            r":{heading}: the section `Good to know` is in no panel\. Add its heading to one "
            r"of the panels under `panels:` in the front matter\.",
        ),
        (
            "  inside-middle: How",
            "  inside-centre: How",
            r":{line}: unknown panel `inside-centre`\. Did you mean `inside-middle`\?",
        ),
        ("pages: 2", "pages: 3", r":{line}: a trifold has exactly 2 pages"),
    ],
)
def test_panel_assignment_errors_have_lines(
    project: Path, old: str, new: str, message: str
) -> None:
    line = front_matter_line(project, old.split(":")[0] + ":") if old.strip() else 0
    heading = front_matter_line(project, "## Good to know")
    replace_in(project, OVERVIEW, old, new)
    if "Good to know" in old:
        heading -= 1  # the removed front matter line moves the heading up
    result = invoke(project, "build", "overview")
    assert result.exit_code == 1
    assert re.search(message.format(line=line, heading=heading), result.output), result.output


def test_a_personalised_trifold_names_its_lead_on_the_cover(project: Path) -> None:
    leads = project / "leads.csv"
    leads.write_text(
        "First Name,Last Name,Coordinator,Coordinator Phone,Appointment\n"
        'María Guadalupe,Fernández,Ana Lopez,480 555 0100,"Tue 3 Dec, 2:30 pm"\n',
        encoding="utf-8",
    )
    result = invoke(project, "personalize", "overview", "--leads", str(leads), "-j", "1")
    assert result.exit_code == 0, result.output
    copy = project / "out/leads/overview/María-Guadalupe-Fernández.pdf"
    assert "Prepared for María Guadalupe Fernández" in pdf_text(copy)
    page = pdfium.PdfDocument(copy)[0]
    width = page.get_width()
    text = page.get_textpage()
    for words in ("Prepared for", "Fernández", "2:30 pm"):
        found = text.search(words)
        start = found.get_next()
        assert start is not None, words
        left = text.get_charbox(start[0])[0]
        last = text.get_charbox(start[0] + start[1] - 1)
        # On the cover (the right third of the outside), inside its margins.
        assert 2 * width / 3 + 18 < left and last[2] < width - 18, (words, left, last[2])
