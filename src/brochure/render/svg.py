"""Pure transform: an SVG logo -> the same drawing with nothing that can run or load.

The logo is inlined into every page (PDF, previews, catalog), so it is rebuilt from an
allow-list: shapes, text, gradients and styles stay; scripts, `foreignObject`, links,
pictures, animations, event attributes and references to anything outside the file go.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
ELEMENTS = frozenset(
    {
        *("svg", "g", "defs", "title", "desc", "style", "symbol", "use", "clipPath", "mask"),
        *("path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan"),
        *("linearGradient", "radialGradient", "stop", "pattern"),
    }
)
LOCAL_URL = re.compile(r"url\(\s*['\"]?#[\w.:-]*['\"]?\s*\)", re.IGNORECASE)
# What may load something or hide what it does, once url(#id) references are set aside.
UNSAFE = re.compile(
    r"url\s*\(|image(?:-set)?\s*\(|@import|expression\s*\(|\\|behavior|binding|javascript:|<",
    re.IGNORECASE,
)
MAX_BYTES = 500_000  # a logo is a few KB


class LogoError(ValueError):
    """The logo cannot be read as SVG."""


def _safe(value: str) -> bool:
    return not UNSAFE.search(LOCAL_URL.sub("", value))


def _keep(name: str, value: str) -> bool:
    """Tell whether an attribute stays: no events, editors' data or outside references."""
    if name.lower().startswith("on") or (name.startswith("{") and name != f"{{{XLINK}}}href"):
        return False
    return _safe(value) and ("href" not in name or value.startswith("#"))


def _clean(element: ET.Element) -> None:
    for child in list(element):
        tag = child.tag if isinstance(child.tag, str) else ""  # comments have no name
        name = tag.removeprefix(f"{{{SVG}}}") if tag.startswith(f"{{{SVG}}}") else ""
        unsafe_style = name == "style" and not _safe("".join(child.itertext()))
        if name not in ELEMENTS or unsafe_style:
            element.remove(child)
        else:
            _clean(child)
    for name, value in list(element.attrib.items()):
        if not _keep(name, value):
            del element.attrib[name]


def clean_svg(text: str) -> str:
    """Return the SVG `text` with only drawing left in it; LogoError when it is not SVG."""
    if len(text) > MAX_BYTES:
        raise LogoError(f"it is larger than {MAX_BYTES // 1000} KB")
    if "<!ENTITY" in text.upper():
        raise LogoError("it declares entities (<!ENTITY>)")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise LogoError(f"it is not valid SVG ({exc})") from None
    if root.tag != f"{{{SVG}}}svg":
        raise LogoError("it is not an SVG drawing (no <svg> element)")
    _clean(root)
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", XLINK)
    return ET.tostring(root, encoding="unicode")
