"""Read `_brand.yml` (posit's brand.yml format) into the facts a brochure prints."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from brochure.errors import SourceError
from brochure.source.frontmatter import OS_HINT, FrontMatter, read_yaml_file, unreadable
from brochure.source.project import Project
from brochure.source.schema import suggest

HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
# Every value that reaches the page's CSS is checked against one of these first.
COLOR_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
FAMILY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$")
LENGTH = re.compile(r"^(\d{1,3}(?:\.\d{1,3})?)(pt|px|mm|cm|in|em|rem)$")
LINE_HEIGHT = (0.8, 3.0)
COUNTRY_CODE = re.compile(r"^\+?[0-9]{1,4}$")
# The first bytes of the font files WeasyPrint reads: TrueType, OpenType, collections, WOFF.
FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf", b"wOFF", b"wOF2")
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
    logo: str  # project-relative path of an SVG, PNG or JPEG (for light backgrounds)
    colors: dict[str, str]
    fonts: tuple[FontFile, ...]
    base_family: str
    heading_family: str
    base_size: str
    line_height: float
    phone_country: str = "+1"
    logo_dark: str = ""  # the variant for dark backgrounds (the trifold's coloured cover)

    @property
    def address_lines(self) -> list[str]:
        """The postal address as printed: the street, then town, state and ZIP together."""
        parts = [part.strip() for part in self.address.split(",") if part.strip()]
        if len(parts) < 3:
            return [", ".join(parts)] if parts else []
        return [", ".join(parts[:-2]), ", ".join(parts[-2:])]

    def css_variables(self) -> str:
        """Return a `:root` rule with the brand's colours and fonts as custom properties."""
        lines = [f"  --color-{name}: {value};" for name, value in self.colors.items()]
        lines += [
            f"  --font-body: {css_string(self.base_family)};",
            f"  --font-heading: {css_string(self.heading_family)};",
            f"  --size-body: {self.base_size};",
            f"  --line-height: {self.line_height};",
        ]
        return ":root {\n" + "\n".join(lines) + "\n}"


def css_string(value: str) -> str:
    """Quote `value` as a CSS string that cannot end the string, the rule or the <style>."""
    escaped = "".join(c if c.isalnum() or c in " ._-/" else f"\\{ord(c):x} " for c in value)
    return f'"{escaped}"'


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
    """Read the brand file as it is at (mtime_ns, size): a new version is read again.

    This reads the parts of the brand.yml format a brochure prints, with the line of every
    mistake; `brochure check` also validates the whole file with the brand-yml package
    (checks/brand.py), which is too slow to import on every build.
    """
    reader = _Reader(project, read_yaml_file(project.brand_path))
    for section in reader.front.data:
        if section not in SECTIONS:
            reader.fail((section,), f"unknown section `{section}`", suggest(str(section), SECTIONS))
    name = reader.text(("meta", "name"), ("meta", "name", "full"))
    names = reader.get("meta", "name")
    short = names.get("short") if isinstance(names, dict) else None
    for key in REQUIRED_META:
        reader.text(("meta", key))
    phone = reader.text(("meta", "phone"))
    country = str(reader.get("meta", "phone_country") or "+1")
    if not COUNTRY_CODE.match(country):
        reader.fail(
            ("meta", "phone_country"),
            f"`phone_country` is `{country}`, not a country code",
            'Write the code in quotes, e.g. phone_country: "+1"',
        )
    fonts = reader.fonts()
    base_family = reader.text(("typography", "base"), ("typography", "base", "family"))
    heading_family = (
        reader.text(("typography", "headings"), ("typography", "headings", "family"))
        if reader.get("typography", "headings")
        else base_family
    )
    for where, family in (
        (("typography", "base"), base_family),
        (("typography", "headings"), heading_family),
    ):
        if family not in {f.family for f in fonts}:
            reader.fail(
                where,
                f"the font family `{family}` has no files",
                "List its files under typography.fonts with source: file",
            )
    logo, logo_dark = reader.logo()
    return Brand(
        name=name,
        short_name=str(short or name),
        phone=phone,
        phone_href=tel_href(phone, country),
        booking_url=reader.link(("meta", "link", "booking")),
        website=reader.link(("meta", "link"), ("meta", "link", "home")),
        address=str(reader.get("meta", "address") or ""),
        call_to_action=reader.text(("meta", "call_to_action")),
        disclaimer=reader.text(("meta", "disclaimer")),
        logo=logo,
        logo_dark=logo_dark,
        colors=reader.colors(),
        fonts=fonts,
        base_family=base_family,
        heading_family=heading_family,
        base_size=reader.length(("typography", "base", "size"), "10.5pt"),
        line_height=reader.line_height(),
        phone_country=country,
    )


SECTIONS = ("meta", "logo", "color", "typography", "defaults")
COLOR_ROLES = (
    "foreground",
    "background",
    "primary",
    "secondary",
    "tertiary",
    "success",
    "info",
    "warning",
    "danger",
    "light",
    "dark",
)
WEIGHTS = {
    "thin": 100,
    "extra-light": 200,
    "light": 300,
    "normal": 400,
    "medium": 500,
    "semi-bold": 600,
    "bold": 700,
    "extra-bold": 800,
    "black": 900,
}


def _font_tables_readable(path: Path, head: bytes) -> bool:
    """Tell whether the tables of a TrueType or OpenType font file can be read."""
    if head.startswith(b"wOF"):
        return True  # compressed (WOFF): its tables are checked when it is drawn
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            return bool(font["head"].unitsPerEm and font.getBestCmap())
    except Exception:  # fontTools raises many kinds of errors on broken data
        return False


LOGO_FORMATS = {".svg": "SVG", ".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}


class _Reader:
    """Walks the parsed brand file; every mistake is an error at its line."""

    def __init__(self, project: Project, front: FrontMatter) -> None:
        self.project = project
        self.front = front
        self.path = project.brand_path

    def fail(self, where: tuple[str | int, ...], message: str, hint: str = "") -> NoReturn:
        raise SourceError(self.path, message, line=self.front.line_of(*where), hint=hint)

    def get(self, *where: str | int) -> Any:
        value: Any = self.front.data
        for step in where:
            if isinstance(value, dict):
                value = value.get(step)
            elif isinstance(value, list) and isinstance(step, int) and step < len(value):
                value = value[step]
            else:
                return None
        return value

    def text(self, *places: tuple[str | int, ...]) -> str:
        """Return the first of `places` that holds text (a mapping falls through)."""
        for where in places:
            value = self.get(*where)
            scalar = isinstance(value, (str, int, float)) and not isinstance(value, bool)
            if scalar and str(value).strip():
                return str(value).strip()
        last = places[-1]
        self.fail(
            last[:-1] if self.get(*last[:-1]) is not None else last[:1],
            f"missing `{'.'.join(map(str, last))}`",
            f"Add `{last[-1]}:` to {self.path.name}",
        )

    def link(self, *places: tuple[str | int, ...]) -> str:
        """Return the web address at the first of `places`; it must be an https: address."""
        from urllib.parse import urlsplit

        url = self.text(*places)
        where = next((w for w in places if isinstance(self.get(*w), (str, int, float))), places[-1])
        parts = urlsplit(url)
        if parts.scheme.lower() != "https" or not parts.hostname or re.search(r"[\s\"'<>\\]", url):
            self.fail(
                where,
                f"`{'.'.join(map(str, where))}` is `{url[:60]}`, not a web address starting "
                "with https://",
                "Write the full address of the page, e.g. https://clinic.example/book",
            )
        return url

    def length(self, where: tuple[str | int, ...], default: str) -> str:
        """Return the CSS length at `where` (such as 10.5pt), or `default` when not given."""
        value = self.get(*where)
        if value is None:
            return default
        match = LENGTH.match(str(value).strip()) if isinstance(value, str) else None
        if not match or float(match.group(1)) <= 0:
            self.fail(
                where,
                f"`{where[-1]}` is `{str(value)[:40]}`, not a size",
                "Write a number and a unit, e.g. 10.5pt",
            )
        return str(value).strip()

    def line_height(self) -> float:
        """Return the line height (a plain number such as 1.45) of the body text."""
        base = self.get("typography", "base")
        key = next(
            (k for k in ("line-height", "line_height") if isinstance(base, dict) and k in base),
            None,
        )
        if key is None:
            return 1.45
        value = base[key]
        low, high = LINE_HEIGHT
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not low <= value <= high
        ):
            self.fail(
                ("typography", "base", key),
                f"`{key}` is `{str(value)[:40]}`, not a line height",
                f"Write a number from {low:g} to {high:g}, e.g. {key}: 1.45",
            )
        return float(value)

    def file(self, where: tuple[str | int, ...], rel: Any, what: str, hint: str) -> str:
        """Check that `rel` names a file inside the project; return it."""
        if not isinstance(rel, str) or not rel.strip():
            self.fail(where, f"{what} must be a file path", hint)
        target = self.project.root / rel
        if not self.project.contains(target) or not target.is_file():
            self.fail(where, f"{what} `{rel}` not found in the project", hint)
        return rel

    def font_data(self, where: tuple[str | int, ...], rel: str) -> None:
        """Check that the file `rel` starts like a font file."""
        try:
            with (self.project.root / rel).open("rb") as font:
                head = font.read(4)
        except OSError as exc:
            self.fail(where, f"font file `{rel}` cannot be read: {unreadable(exc)}", OS_HINT)
        if head not in FONT_MAGIC or not _font_tables_readable(self.project.root / rel, head):
            self.fail(
                where,
                f"font file `{rel}` is not a font (TrueType, OpenType or WOFF)",
                "Download the font file again from its maker",
            )

    def colors(self) -> dict[str, str]:
        color = self.get("color")
        if not isinstance(color, dict):
            self.fail(("color",), "missing `color`", "Add a color: section with a palette")
        palette = self.palette(color.get("palette") or {})
        out = {str(k): "" if v is None else str(v) for k, v in palette.items()}
        for role in COLOR_ROLES:
            value = color.get(role)
            if value is not None:
                out[role] = str(palette.get(value, value))  # a palette name or a colour
        for key in color:
            if key != "palette" and key not in COLOR_ROLES:
                self.fail(
                    ("color", key), f"unknown colour role `{key}`", suggest(str(key), COLOR_ROLES)
                )
        for role in ("primary", "secondary", "foreground", "background"):
            if role not in out:
                self.fail(("color",), f"missing `color.{role}`", "Add it to the color: section")
        for name, value in out.items():
            self.hex_colour(
                ("color", "palette", name) if name in palette else ("color", name), name, value
            )
        return out

    def palette(self, palette: object) -> dict:
        """The `color.palette` mapping, its names checked (they become CSS names)."""
        if not isinstance(palette, dict):
            self.fail(("color", "palette"), "`color.palette` must list `name: colour` lines")
        for name in palette:
            if not COLOR_NAME.match(str(name)):
                self.fail(
                    ("color", "palette", name),
                    f"the colour name `{str(name)[:40]}` may hold only letters, digits, - and _",
                    "Name colours with one word, e.g. teal or dark-sand",
                )
        return palette

    def hex_colour(self, where: tuple[str | int, ...], name: str, value: str) -> None:
        """Check that a colour is written as a hex colour."""
        if not value:  # `teal:` with nothing after it
            self.fail(where, f"colour `{name}` is empty", 'Write it in quotes, e.g. "#1D4F5C"')
        if not HEX_COLOR.match(value):
            self.fail(
                where,
                f"colour `{name}` is `{value}`, not a hex colour",
                'Write colours as "#1D4F5C" (in quotes), or name a palette colour',
            )

    def fonts(self) -> tuple[FontFile, ...]:
        hint = "Put the font file in styles/fonts/ and check the path"
        out: list[FontFile] = []
        for i, family in enumerate(self.get("typography", "fonts") or []):
            where = ("typography", "fonts", i)
            name = self.text((*where, "family"))
            if not FAMILY_NAME.match(name):
                self.fail(
                    (*where, "family"),
                    f"the font family name `{name[:40]}` may hold only letters, digits, "
                    "spaces and . _ -",
                    "Write the family's name as the font calls it, e.g. Noto Sans",
                )
            source = family.get("source", "file") if isinstance(family, dict) else None
            if source != "file":
                self.fail(
                    (*where, "source"),
                    f"font `{name}` has source `{source}`",
                    "Fonts must be files in styles/fonts/ (source: file): builds never "
                    "download fonts or use the system's",
                )
            for j, item in enumerate(family.get("files") or []):
                item = item if isinstance(item, dict) else {"path": item}
                rel = self.file((*where, "files", j), item.get("path"), "font file", hint)
                self.font_data((*where, "files", j), rel)
                weight = item.get("weight", 400)
                weight = WEIGHTS.get(weight, weight) if isinstance(weight, str) else weight
                if not isinstance(weight, int) or not 100 <= weight <= 900:
                    self.fail(
                        (*where, "files", j, "weight"),
                        f"font weight `{weight}`",
                        "Use a number from 100 to 900, e.g. 400 or 700",
                    )
                style = item.get("style", "normal")
                if style not in ("normal", "italic"):
                    self.fail(
                        (*where, "files", j, "style"),
                        f"font style `{style}`",
                        "Use normal or italic",
                    )
                out.append(FontFile(name, rel, weight, style))
        if not out:
            self.fail(("typography",), "no fonts", "List the font files under typography.fonts")
        return tuple(out)

    def logo(self) -> tuple[str, str]:
        """Return the logo for light backgrounds and the one for dark ones ("" if none).

        As brand.yml writes it: a path, or `small`/`medium`/`large` naming an image (or a
        path), each either one logo or `light:` and `dark:` variants.
        """
        logo = self.get("logo")
        images = (logo.get("images") or {}) if isinstance(logo, dict) else {}
        choice = logo
        if isinstance(logo, dict):
            choice = next((logo[k] for k in ("medium", "small", "large") if logo.get(k)), None)
        light, dark = choice, None
        if isinstance(choice, dict):
            light, dark = choice.get("light") or choice.get("path"), choice.get("dark")
        if light is None and dark is None:
            self.fail(("logo",), "missing `logo`", "Point logo.medium at an SVG in assets/")
        rel = self.logo_file(images, light if light is not None else dark)
        return rel, self.logo_file(images, dark) if dark is not None else ""

    def logo_file(self, images: Any, ref: Any) -> str:
        """Return the project file a logo names (directly or by its `images` name): an SVG,
        PNG or JPEG that really is one."""
        from brochure.source.pictures import examine

        path = images.get(ref, ref) if isinstance(ref, str) and isinstance(images, dict) else ref
        if isinstance(path, dict):
            path = path.get("path")
        rel = self.file(("logo",), path, "logo file", "Put the logo in assets/ and check the path")
        expected = LOGO_FORMATS.get(Path(rel).suffix.lower())
        kind = examine(self.project.root / rel).kind if expected != "SVG" else "SVG"
        if expected is None or kind != expected:
            real = f" (it is a {kind} file)" if kind and expected else ""
            self.fail(
                ("logo",),
                f"logo `{rel}` is not an SVG, PNG or JPEG picture{real}",
                "Ask your designer for the logo as SVG (best), or as PNG at least 600 pixels "
                "across",
            )
        return rel
