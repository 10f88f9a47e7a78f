"""Read `_brand.yml` (posit's brand.yml format) into the facts a brochure prints."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceError
from .frontmatter import read_yaml_file
from .project import Project

HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
REQUIRED_META = ("phone", "disclaimer", "call_to_action")


@dataclass(frozen=True)
class FontFile:
    """One font file of a family."""

    family: str
    path: str  # project-relative
    weight: int
    style: str


@dataclass(frozen=True)
class Brand:
    """The clinic's identity: facts, colours and fonts."""

    name: str
    short_name: str
    phone: str
    phone_href: str
    booking_url: str
    website: str
    address: str
    call_to_action: str
    disclaimer: str
    logo: str  # project-relative path of an SVG
    colors: dict[str, str]
    fonts: tuple[FontFile, ...]
    base_family: str
    heading_family: str
    base_size: str
    line_height: float
    phone_country: str = "+1"

    def css_variables(self) -> str:
        """Return a `:root` rule with the brand's colours and fonts as custom properties."""
        lines = [f"  --color-{name}: {value};" for name, value in self.colors.items()]
        lines += [
            f'  --font-body: "{self.base_family}";',
            f'  --font-heading: "{self.heading_family}";',
            f"  --size-body: {self.base_size};",
            f"  --line-height: {self.line_height};",
        ]
        return ":root {\n" + "\n".join(lines) + "\n}"


def tel_href(phone: str, country: str = "+1") -> str:
    """Turn a printed phone number into a `tel:` URL (E.164 where possible)."""
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+"):
        return f"tel:+{digits}"
    code = re.sub(r"\D", "", country)
    return f"tel:+{code}{digits}"


def load(project: Project) -> Brand:
    """Read and validate the project's brand file (once per version of the file)."""
    stat = project.brand_path.stat()
    return _load(project, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _load(project: Project, mtime_ns: int, size: int) -> Brand:
    """Read the brand file as it is at (mtime_ns, size): a new version is read again."""
    from brand_yml import Brand as BrandYml  # slow import: only when something is rendered
    from pydantic import ValidationError

    path = project.brand_path
    read_yaml_file(path)  # not UTF-8, or not YAML: say so with the line
    try:
        raw = BrandYml.from_yaml(path)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise SourceError(
            path,
            f"`{where}`: {err['msg']}",
            hint="See https://posit-dev.github.io/brand-yml/ for the format",
        ) from None
    except Exception as exc:  # brand_yml raises plain errors for some problems
        raise SourceError(path, f"cannot read the brand file: {exc}".splitlines()[0]) from None

    meta = raw.meta
    extra = (meta.model_extra if meta else None) or {}

    def need(value: object, field: str) -> str:
        if not value:
            raise SourceError(path, f"missing `{field}`", hint=f"Add `{field}` to {path.name}")
        return str(value)

    for key in REQUIRED_META:
        need(extra.get(key), f"meta.{key}")
    name = need(meta and meta.name and meta.name.full, "meta.name.full")
    link = meta.link if meta else None
    booking = need((link and getattr(link, "booking", None)) or None, "meta.link.booking")
    website = need(link and link.home, "meta.link.home")
    colors = _colors(raw, path)
    fonts = _fonts(raw, project, path)
    typo = raw.typography
    base = typo.base if typo else None
    headings = typo.headings if typo else None
    base_family = need(base and base.family, "typography.base.family")
    heading_family = (headings and headings.family) or base_family
    families = {f.family for f in fonts}
    for family in (base_family, heading_family):
        if family not in families:
            raise SourceError(
                path,
                f"the font family `{family}` has no files",
                hint="List its files under typography.fonts with source: file",
            )
    logo = _logo(raw, project, path)
    return Brand(
        name=name,
        short_name=(meta.name.short or name),
        phone=str(extra["phone"]),
        phone_href=tel_href(str(extra["phone"]), str(extra.get("phone_country", "+1"))),
        booking_url=booking,
        website=website,
        address=str(extra.get("address", "")),
        call_to_action=str(extra["call_to_action"]),
        disclaimer=str(extra["disclaimer"]),
        logo=logo,
        colors=colors,
        fonts=fonts,
        base_family=base_family,
        heading_family=heading_family,
        base_size=str(base.size or "10.5pt"),
        line_height=float(base.line_height or 1.45),
        phone_country=str(extra.get("phone_country", "+1")),
    )


def _colors(raw: object, path: Path) -> dict[str, str]:
    color = raw.color  # type: ignore[attr-defined]
    if color is None:
        raise SourceError(path, "missing `color`", hint="Add a color: section with a palette")
    out = dict(color.palette or {})
    for role in ("primary", "secondary", "light", "dark", "foreground", "background"):
        value = getattr(color, role, None)
        if value:
            out[role] = str(value)
    for role in ("primary", "secondary", "foreground", "background"):
        if role not in out:
            raise SourceError(path, f"missing `color.{role}`", hint="Add it to the color: section")
    for name, value in out.items():
        if not HEX_COLOR.match(value):
            raise SourceError(
                path,
                f"colour `{name}` is `{value}`, not a hex colour",
                hint='Write colours as "#1D4F5C" (in quotes), or name a palette colour',
            )
    return out


def _fonts(raw: object, project: Project, path: Path) -> tuple[FontFile, ...]:
    typo = raw.typography  # type: ignore[attr-defined]
    out: list[FontFile] = []
    for family in (typo.fonts if typo else None) or []:
        if family.source != "file":
            raise SourceError(
                path,
                f"font `{family.family}` has source `{family.source}`",
                hint="Fonts must be files in styles/fonts/ (source: file): builds never "
                "download fonts or use the system's",
            )
        for item in family.files:
            rel = str(item.path.root)
            file = project.root / rel
            if not project.contains(file) or not file.is_file():
                raise SourceError(
                    path,
                    f"font file `{rel}` not found in the project",
                    hint="Put the font file in styles/fonts/ and check the path",
                )
            weight = item.weight.root
            out.append(
                FontFile(
                    family.family,
                    rel,
                    700
                    if weight == "bold"
                    else 400
                    if weight in ("normal", "auto")
                    else int(weight),
                    item.style,
                )
            )
    if not out:
        raise SourceError(path, "no fonts", hint="List the font files under typography.fonts")
    return tuple(out)


def _logo(raw: object, project: Project, path: Path) -> str:
    logo = raw.logo  # type: ignore[attr-defined]
    resource = logo and (logo.medium or logo.small or logo.large)
    if resource is None:
        raise SourceError(path, "missing `logo`", hint="Point logo.medium at an SVG in assets/")
    item = getattr(resource, "light", None) or resource
    rel = str(item.path.root)
    file = project.root / rel
    if not project.contains(file) or not file.is_file():
        raise SourceError(
            path,
            f"logo file `{rel}` not found in the project",
            hint="Put the logo in assets/ and check the path",
        )
    if file.suffix.lower() != ".svg":
        raise SourceError(
            path, f"logo `{rel}` is not an SVG", hint="Use a vector SVG logo so it prints sharp"
        )
    return rel
