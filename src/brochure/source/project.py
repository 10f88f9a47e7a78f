"""Where a brochure project keeps its files."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from brochure.errors import BrochureError, SourceError
from brochure.source.schema import suggest

BRAND_FILE = "_brand.yml"
CLAIMS_FILE = "claims.yml"  # the clinic's own claim rules, next to the brand file


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
    def brochures_dir(self) -> Path:
        return self.root / "brochures"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def styles_dir(self) -> Path:
        return self.root / "styles"

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
        for name in (BRAND_FILE, CLAIMS_FILE, "brochures", "templates", "styles", "assets"):
            source = self.root / name
            if source.is_dir():
                shutil.copytree(source, target / name)
            elif source.is_file():
                shutil.copy2(source, target / name)
        return Project.at(target)

    def layouts(self) -> set[str]:
        """Return the layout names: one template per layout, partials start with `_`."""
        return {
            p.stem
            for p in self.templates_dir.glob("*.html")
            if p.stem != "base" and not p.stem.startswith("_")
        }

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
            p.stem: p
            for p in sorted(self.brochures_dir.glob("*.md"))
            if not p.name.startswith(("_", "."))
        }
        if not slugs:
            return list(found.values())
        missing = [s for s in slugs if s not in found]
        if missing:
            raise BrochureError(
                f"no brochure named `{missing[0]}` in brochures/. "
                + suggest(missing[0], sorted(found))
            )
        return [found[s] for s in dict.fromkeys(slugs)]

    def contains(self, path: Path) -> bool:
        """Tell whether `path` (symlinks resolved) lies inside the project."""
        try:
            path.resolve().relative_to(self.root)
        except (ValueError, OSError):
            return False
        return True
