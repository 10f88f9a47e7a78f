"""What a build output depends on, hashed: unchanged inputs mean nothing to rebuild."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from brochure import __version__
from brochure.source import editions
from brochure.source.project import TRANSLATED_DIR, Project

SOURCE_DIR = Path(__file__).parent.parent  # the whole brochure package


def _files(folder: Path) -> Iterable[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def shared_fingerprint(project: Project) -> hashlib._Hash:
    """Hash every input all brochures share: brand, templates, styles, assets, strings, code."""
    digest = hashlib.sha256(__version__.encode())
    sources = [project.brand_path]
    if project.claims_path.is_file():  # the clinic's own claim rules change what fails
        sources.append(project.claims_path)
    folders = (project.templates_dir, project.styles_dir, project.assets_dir, project.locales_dir)
    for folder in (*folders, SOURCE_DIR):
        if folder.is_dir():
            sources.extend(_files(folder))
    for path in sources:
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest


def fingerprint(shared: hashlib._Hash, path: Path) -> str:
    """Hash one brochure's own file on top of the shared inputs.

    An edition (conditions.es.md) also depends on its source (conditions.md), which gives it
    its layout and tells whether it is out of date, and on the copy of the source it was
    translated from (brochures/_translated/). A file that cannot be read (a link to a file that
    is gone) hashes as empty: reading it then reports the problem.
    """
    digest = shared.copy()
    name = editions.name_of(path)
    files = [path]
    if name.language:
        files += [path.with_name(name.source.file), path.parent / TRANSLATED_DIR / name.file]
    for each in files:
        try:
            digest.update(each.read_bytes() + b"\0")
        except OSError:
            digest.update(b"\0unreadable\0")
    return digest.hexdigest()
