"""Read the layouts: each is `templates/<name>.html` plus an optional `templates/<name>.yml`.

The declaration file says what a brochure of that layout writes in its front matter (its own
fields, with their types), how many pages it has when that is fixed, which panels its `##`
sections fill, and which stylesheets it uses. A layout without one takes only the common
fields. Adding a layout needs no Python: a template, a stylesheet and this file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brochure.errors import SourceError
from brochure.source import schema
from brochure.source.frontmatter import FrontMatter, read_yaml_file

if TYPE_CHECKING:
    from brochure.source.project import Project

KEYS = ("description", "pages", "panels", "styles", "fields")
FIELD_KEYS = ("type", "required", "help", "keys", "length_of", "optional")
PAGES_KEYS = ("exactly", "why")


@dataclass(frozen=True)
class Panel:
    """A part of the page a brochure fills with `##` sections (the trifold's panels)."""

    name: str
    help: str
    optional: bool = False


@dataclass(frozen=True)
class Layout:
    """How one kind of brochure is drawn, and the front matter it takes."""

    name: str
    description: str = ""
    fields: tuple[schema.Field, ...] = ()  # its own fields, besides the common ones
    pages: int | None = None  # the exact number of pages, when it is fixed
    pages_why: str = ""  # why, in a few words (said when a brochure gets it wrong)
    panels: tuple[Panel, ...] = ()
    styles: tuple[str, ...] = ()  # stylesheets in styles/, after common.css
    matches: tuple[tuple[str, str, str], ...] = field(default=())  # (field, key, other field)


def load(project: Project) -> dict[str, Layout]:
    """Return every layout of the project by name; SourceError for a broken declaration."""
    names = sorted(
        p.stem
        for p in project.templates_dir.glob("*.html")
        if p.stem != "base" and not p.stem.startswith("_")
    )
    layouts = {}
    for name in names:
        path = project.templates_dir / f"{name}.yml"
        stamp = (path.stat().st_mtime_ns, path.stat().st_size) if path.is_file() else None
        layouts[name] = _load(path, name, stamp)
    return layouts


@functools.lru_cache(maxsize=64)
def _load(path: Path, name: str, stamp: tuple[int, int] | None) -> Layout:
    """Read one declaration as it is at `stamp` (None: the layout has no file)."""
    if stamp is None:
        return Layout(name, styles=(name,))
    return _Reader(path, name, read_yaml_file(path)).layout()


@dataclass
class _Reader:
    """Read one layout declaration, failing with the file and line of each mistake."""

    path: Path
    name: str
    front: FrontMatter

    def fail(self, where: tuple[str | int, ...], message: str, hint: str = "") -> SourceError:
        return SourceError(self.path, message, line=self.front.line_of(*where), hint=hint)

    def mapping(self, value: Any, where: tuple[str | int, ...], keys: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(
                where,
                f"`{where[-1] if where else 'the file'}` must be a list of `name: value` lines",
                "See the layout files that come with the tool",
            )
        for key in value:
            if key not in keys:
                raise self.fail(
                    (*where, key), f"unknown key `{key}`", schema.suggest(str(key), keys)
                )
        return value

    def layout(self) -> Layout:
        data = self.mapping(self.front.data or {}, (), KEYS)
        pages, why = self.pages(data.get("pages"))
        fields = data.get("fields") or {}
        self.mapping(fields, ("fields",), tuple(str(k) for k in fields))
        panels = self.panels(data.get("panels") or {})
        declared = [self.field(str(n), spec, panels) for n, spec in fields.items()]
        styles = data.get("styles", [self.name])
        if not isinstance(styles, list) or not all(isinstance(s, str) for s in styles):
            raise self.fail(
                ("styles",),
                "`styles` must be a list of stylesheet names",
                f"For example: styles: [{self.name}]",
            )
        return Layout(
            self.name,
            str(data.get("description", "")),
            tuple(declared),
            pages,
            why,
            panels,
            tuple(styles),
            self.matches(fields),
        )

    def pages(self, value: Any) -> tuple[int | None, str]:
        if value is None:
            return None, ""
        if isinstance(value, int) and not isinstance(value, bool):
            value = {"exactly": value}
        spec = self.mapping(value, ("pages",), PAGES_KEYS)
        exactly = spec.get("exactly")
        if isinstance(exactly, bool) or not isinstance(exactly, int) or exactly < 1:
            raise self.fail(("pages",), "`pages: exactly:` must be a whole number of 1 or more")
        return exactly, str(spec.get("why", ""))

    def panels(self, value: Any) -> tuple[Panel, ...]:
        panels = []
        for name, spec in self.mapping(value, ("panels",), tuple(map(str, value))).items():
            if isinstance(spec, str):
                spec = {"help": spec}
            spec = self.mapping(spec, ("panels", name), ("help", "optional"))
            panels.append(Panel(str(name), str(spec.get("help", "")), spec.get("optional") is True))
        return tuple(panels)

    def field(self, name: str, spec: Any, panels: tuple[Panel, ...]) -> schema.Field:
        spec = self.mapping(spec, ("fields", name), FIELD_KEYS)
        return schema.Field(
            name,
            self.checker(spec.get("type"), spec, ("fields", name), panels),
            required=spec.get("required", True) is not False,
            help=str(spec.get("help", "")),
        )

    def checker(
        self, kind: Any, spec: dict, where: tuple[str | int, ...], panels: tuple[Panel, ...]
    ) -> Callable[..., Any]:
        if kind == "records":
            keys = self.mapping(
                spec.get("keys"), (*where, "keys"), tuple(map(str, spec.get("keys") or {}))
            )
            subs = {
                str(k): self.mapping(v, (*where, "keys", k), FIELD_KEYS)
                if isinstance(v, dict)
                else {"type": v}
                for k, v in keys.items()
            }
            return schema.records(
                {
                    k: self.checker(sub.get("type"), sub, (*where, "keys", k), panels)
                    for k, sub in subs.items()
                }
            )
        if kind == "panels":
            if not panels:
                raise self.fail(where, "a field of type `panels` needs the layout's `panels:`")
            return schema.panels_checker(
                {p.name: p.help for p in panels}, tuple(p.name for p in panels if p.optional)
            )
        if kind not in schema.TYPES:
            raise self.fail(
                (*where, "type") if "type" in spec else where,
                f"unknown field type `{kind}`",
                schema.suggest(str(kind), [*schema.TYPES, "records", "panels"]),
            )
        return schema.TYPES[kind]

    def matches(self, fields: dict) -> tuple[tuple[str, str, str], ...]:
        """The record keys that must hold one item per item of another field."""
        out = []
        for name, spec in fields.items():
            for key, sub in ((spec or {}).get("keys") or {}).items():
                if isinstance(sub, dict) and sub.get("length_of"):
                    other = str(sub["length_of"])
                    if other not in fields:
                        raise self.fail(
                            ("fields", name, "keys", key, "length_of"),
                            f"`length_of: {other}` names no field of this layout",
                            schema.suggest(other, map(str, fields)),
                        )
                    out.append((str(name), str(key), other))
        return tuple(out)
