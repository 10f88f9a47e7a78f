"""Where a brochure project keeps its files."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from brochure.errors import BrochureError, SourceError
from brochure.source import editions
from brochure.source.schema import suggest

if TYPE_CHECKING:
    from brochure.source.layouts import Layout

BRAND_FILE = "_brand.yml"
CLAIMS_FILE = "claims.yml"  # the clinic's own claim rules, next to the brand file
MAIL_FILE = "mail.yml"  # how `brochure send` reaches the mail server
TRANSLATED_DIR = "_translated"  # brochures/_translated/X.es.md: the source X.es.md translates
SEND_LOG = "send-log.sqlite"  # what `brochure send` sent (beside the brand file, not in out/)


@dataclass(frozen=True)
class Project:
    """The folders of one brochure project, all below `root`."""

    root: Path

    @classmethod
    def at(cls, root: Path | str = ".") -> Project:
        """Open the project at `root`; it must hold a brand file."""
        path = Path(root).resolve()
        if not (path / BRAND_FILE).is_file():
            raise BrochureError(
                f"{path}: no {BRAND_FILE} here. Run brochure from the project folder "
                "(the one with _brand.yml and brochures/) or pass --project DIR."
            )
        return cls(path)

    @property
    def brand_path(self) -> Path:
        return self.root / BRAND_FILE

    @property
    def claims_path(self) -> Path:
        return self.root / CLAIMS_FILE

    @property
    def mail_path(self) -> Path:
        return self.root / MAIL_FILE

    @property
    def send_log_path(self) -> Path:
        return self.root / SEND_LOG

    @property
    def emails_dir(self) -> Path:
        """The email templates of `brochure send` (emails/NAME.md)."""
        return self.root / "emails"

    @property
    def outbox_dir(self) -> Path:
        """Where a dry run of `brochure send` writes the emails (.eml files)."""
        return self.out_dir / "outbox"

    @property
    def brochures_dir(self) -> Path:
        return self.root / "brochures"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def styles_dir(self) -> Path:
        return self.root / "styles"

    @property
    def locales_dir(self) -> Path:
        """The words templates print, per language (locales/es.yml)."""
        return self.root / "locales"

    @property
    def translated_dir(self) -> Path:
        """What each edition was translated from (see `brochure translated`)."""
        return self.brochures_dir / TRANSLATED_DIR

    @property
    def assets_dir(self) -> Path:
        return self.root / "assets"

    @property
    def out_dir(self) -> Path:
        return self.root / "out"

    @property
    def leads_dir(self) -> Path:
        """Where `brochure personalize` writes lead copies by default (never served)."""
        return self.out_dir / "leads"

    def copy_to(self, target: Path) -> Project:
        """Copy the project's sources (not out/) into a new folder `target`; open the copy."""
        target.mkdir(parents=True)
        names = (BRAND_FILE, CLAIMS_FILE, MAIL_FILE, "brochures", "emails", "templates", "locales")
        for name in (*names, "styles", "assets"):
            source = self.root / name
            if source.is_dir():
                shutil.copytree(source, target / name)
            elif source.is_file():
                shutil.copy2(source, target / name)
        return Project.at(target)

    def layouts(self) -> dict[str, Layout]:
        """Return the layouts by name: one template each (partials start with `_`)."""
        from brochure.source import layouts

        return layouts.load(self)

    def brochure_paths(self, slugs: tuple[str, ...] | list[str] = ()) -> list[Path]:
        """Return the brochure files named by `slugs`, or all of them.

        A brochures/ folder that is a link to a folder outside the project is refused.
        """
        if self.brochures_dir.exists() and not self.contains(self.brochures_dir):
            raise SourceError(
                self.brochures_dir,
                "the folder is a link to a folder outside the project",
                hint="Move the brochures into the project instead of linking to them",
            )
        found = {
            editions.name_of(p): p
            for p in sorted(self.brochures_dir.glob("*.md"))
            if not p.name.startswith(("_", ".")) and not p.is_dir()  # a folder is no brochure
        }
        if not slugs:
            return [found[name] for name in sorted(found)]  # each source, then its editions
        wanted = {s: editions.parse(s) for s in slugs}
        missing = [s for s, name in wanted.items() if name not in found]
        if missing:
            raise BrochureError(
                f"no brochure named `{missing[0]}` in brochures/. "
                + suggest(missing[0], sorted(name.stem for name in found))
            )
        return [found[name] for name in dict.fromkeys(wanted.values())]

    def brochure_path(self, name: editions.Name) -> Path:
        """Return where the brochure `name` is (or would be) kept."""
        return self.brochures_dir / name.file

    def contains(self, path: Path) -> bool:
        """Tell whether `path` (symlinks resolved) lies inside the project."""
        try:
            path.resolve().relative_to(self.root)
        except (ValueError, OSError):
            return False
        return True
