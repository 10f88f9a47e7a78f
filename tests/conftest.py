"""Shared fixtures: temporary copies of the project, the CLI runner, PDF readers."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader

from brochure.cli import main
from brochure.source.project import Project

ROOT = Path(__file__).resolve().parent.parent
# The tests' own content: a brand file and four brochures (one per layout but `sheet`), frozen
# here so that what marketing keeps in brochures/ and _brand.yml never changes a test.
# test_shipped.py checks the shipped content itself, whatever it holds.
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "project"


def copy_project(target: Path) -> Path:
    """Make a test project in `target`: the shipped templates, styles and assets, with the
    tests' own brand file and brochures (tests/fixtures/project), and no claims.yml."""
    root = Project(ROOT).copy_to(target).root
    shutil.rmtree(root / "brochures")
    (root / "claims.yml").unlink(missing_ok=True)
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh test project (see copy_project)."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A test project with every brochure built (shared, read-only)."""
    root = copy_project(tmp_path_factory.mktemp("built") / "project")
    result = invoke(root, "build")
    assert result.exit_code == 0, result.output
    return root


def invoke(root: Path, *args: str) -> Result:
    """Run `brochure ARGS` from the project folder `root`, as a user would."""
    with contextlib.chdir(root):
        result = CliRunner().invoke(main, list(args))
    # A crash is a bug, whatever the exit code: CliRunner keeps it in result.exception.
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture
def run() -> Callable[..., Result]:
    return invoke


TEST_FONTS = Path(__file__).resolve().parent / "fonts"  # Fallback Test Sans (see its LICENSE)
FALLBACK = "Fallback Test Sans"


def invoke_with_fonts(root: Path, fonts: list[Path], *args: str) -> subprocess.CompletedProcess:
    """Run `brochure ARGS` in a process whose computer has only the font folders `fonts`.

    The process gets its own fontconfig file (no system fonts, a cache in `root`), so a test
    sets up the font situation it tests instead of relying on the machine's fonts.
    """
    dirs = "".join(f"<dir>{d}</dir>" for d in fonts)
    conf = root / ".fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        f"<fontconfig>{dirs}<cachedir>{root / '.fontcache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    env.pop("FONTCONFIG_PATH", None)
    return subprocess.run(
        [sys.executable, "-m", "brochure.cli", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def pdf_text(path: Path) -> str:
    """Extract the text of every page, whitespace folded."""
    reader = PdfReader(path)
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def write(root: Path, rel: str, text: str) -> Path:
    """Write a file into a project."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def replace_in(root: Path, rel: str, old: str, new: str) -> Path:
    """Replace `old` (which must be there) by `new` in a project file."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def claim_corpus(name: str) -> list[str]:
    """The sentences of tests/corpus/claims/NAME (blank and `#` lines left out)."""
    path = Path(__file__).resolve().parent / "corpus" / "claims" / name
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> list:
    """The shipped claim rules alone (no project claims.yml)."""
    from brochure.checks.claims import load_rules

    return load_rules(tmp_path_factory.mktemp("no-claims-file"))
