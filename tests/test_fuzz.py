"""Bounded fuzzing of brochure text (hypothesis, fixed seed and budget: a few seconds).

Whatever the text, a build ends with exit 0 or one located `Error:` for that brochure:
never a traceback, never a crash reported as a bug, never a partial file in out/.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from brochure.build.pipeline import Pipeline
from brochure.errors import BrochureError
from brochure.source.project import Project

from .conftest import copy_project, invoke, write
from .test_errors import sheet

# Pieces of Markdown, HTML and YAML that broke (or could break) a reader or a renderer.
TOKENS = [
    *("[", "]", "(", ")", "![a](", "../assets/logo.svg", "<div>", "</div>", "<!--", "-->"),
    *("<img src=x onerror=alert(1)>", "<noscript>", "<xmp>", "<svg>", "<style>", "url("),
    *("> ", "- ", "1. ", "    ", "\n", "\n\n", "## ", "*", "**", "_", "`", "```", "|"),
    *("---", ":", "{: .x}", "&amp;", "&#0;", "\x00", "é", "\u202e", "\\", '"', "'", "#"),
    *("http://a.example", "https://a.example", "data:", "javascript:", "tel:+1", "mailto:"),
    *('<p style="color: red">', "<a href=", "&", "\t", "\r", "\ufeff", "😀"),
]
text = st.lists(
    st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)), min_size=1, max_size=40
).map("".join)
FUZZ = settings(
    max_examples=8,
    derandomize=True,  # the same examples every run
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def brochure_text(body: str, subtitle: str | None) -> str:
    header = sheet(body)
    if subtitle is not None:
        header = header.replace("subtitle: A sheet for tests", f"subtitle: {subtitle}")
    return header


@FUZZ
@given(body=text, subtitle=st.none() | text.map(lambda t: t.replace("\n", " ")))
def test_fuzzed_brochure_builds_or_fails_clearly(
    tmp_path_factory: object, body: str, subtitle: str | None
) -> None:
    root = _project(tmp_path_factory)
    out = root / "out"
    for old in out.glob("fuzz.*"):
        old.unlink()
    write(root, "brochures/fuzz.md", brochure_text(body, subtitle))
    result = invoke(root, "build", "fuzz")  # raises on a traceback
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output and "This is a bug" not in result.output
    if result.exit_code == 0:
        assert len(PdfReader(out / "fuzz.pdf").pages) >= 1
    else:
        errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
        assert errors and errors[0].startswith("Error: brochures/fuzz.md"), result.output
        assert not (out / "fuzz.pdf").exists() and not (out / "fuzz.html").exists()
    leftovers = [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".")]
    assert leftovers == [] or all(p.name == ".build-state.json" for p in leftovers), leftovers


@settings(FUZZ, max_examples=60)
@given(body=text, subtitle=st.none() | text)
def test_fuzzed_text_reads_and_previews_without_crashing(
    tmp_path_factory: object, body: str, subtitle: str | None
) -> None:
    """The fast stages (read, checks, HTML preview) on many more texts, in process."""
    root = _project(tmp_path_factory)
    path = write(root, "brochures/fuzz.md", brochure_text(body, subtitle))
    pipeline = Pipeline(Project.at(root))
    try:
        brochure, problems = pipeline.read(path)
        html = pipeline.preview(brochure).html if brochure is not None else ""
    except BrochureError:
        return  # a located error: fine
    assert all(problem.path == path for problem in problems)
    assert "<script" not in html


_PROJECTS: dict[int, Path] = {}


def _project(factory: object) -> Path:
    """One project copy per test session (examples reuse it: copying costs more than them)."""
    key = id(factory)
    if key not in _PROJECTS:
        _PROJECTS[key] = copy_project(factory.mktemp("fuzz") / "project")  # type: ignore[attr-defined]
    return _PROJECTS[key]
