"""Decide which files and links a brochure may use: only files inside the project."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from brochure.problems import Problem
from brochure.render.markup import Reference
from brochure.source.project import Project

LINK_SCHEMES = {"https", "mailto", "tel"}
SHOWN_URL = 60  # characters of a URL quoted in a message
TEL_RE = re.compile(r"^\+?[0-9][0-9().\- ]{5,20}[0-9]$")


def tel_problem(number: str) -> str:
    """Return what is wrong with a phone number for a `tel:` link, or "" if it is fine."""
    if not TEL_RE.match(number.strip()):
        return "is not a phone number"
    digits = re.sub(r"\D", "", number)
    if number.strip().startswith("+1") and len(digits) != 11:
        return f"has {len(digits) - 1} digits after +1; a US or Canadian number has 10"
    if not 7 <= len(digits) <= 15:
        return f"has {len(digits)} digits; a phone number with its country code has 7 to 15"
    return ""


def resolve(project: Project, base_dir: Path, url: str) -> Path | None:
    """Return the project file a relative `url` names from `base_dir`, or None if outside."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("/", "\\")):
        return None
    target = (base_dir / unquote(parts.path)).resolve()
    return target if project.contains(target) else None


def check_references(project: Project, source: Path, refs: list[Reference]) -> list[Problem]:
    """Return a problem for every reference that is missing, malformed or not allowed."""
    problems = []
    for ref in refs:
        problem = _check(project, source, ref)
        if problem:
            problems.append(
                Problem(source, ref.line, "error", problem[0], problem[1], code="reference")
            )
    return problems


def shown(url: str) -> str:
    """Return `url` cut to a length that reads well in a message."""
    return url if len(url) <= SHOWN_URL else url[: SHOWN_URL - 3] + "..."


def _check(project: Project, source: Path, ref: Reference) -> tuple[str, str] | None:
    found = _problem(project, source, ref)
    if found is None or ref.url == shown(ref.url):
        return found
    return found[0].replace(ref.url, shown(ref.url)), found[1]


def _problem(project: Project, source: Path, ref: Reference) -> tuple[str, str] | None:
    url = ref.url
    if ref.attr == "active":
        what = f"`{url}>`" if url.startswith("<") else f"the attribute `{url}` on <{ref.tag}>"
        if url == "<!--":
            what = "comment `<!-- -->` holding markup"
        return (
            f"raw HTML {what} is not allowed in a brochure",
            "Remove it: brochures hold text, pictures and links",
        )
    if ref.attr == "css":
        return (
            f"the style `{url}` on <{ref.tag}> could load a file or hide what it does",
            "Remove the style; put pictures in the text as ![what it shows](../assets/NAME)",
        )
    scheme = urlsplit(url).scheme.lower()
    if ref.tag == "a" and ref.attr == "href":
        if url.startswith("#") or scheme in ("https", "mailto"):
            return None
        if scheme == "http":
            return (
                f"link `{url}` uses `http:`, which anyone on the network can change",
                f"Use https://{url[len('http://') :]} (check that it opens)",
            )
        if scheme == "tel":
            wrong = tel_problem(unquote(url[4:]))
            if wrong:
                return (
                    f"malformed phone link `{url}`: the number {wrong}",
                    "Write it as tel:+14805905693 (country code, then the digits)",
                )
            return None
        if scheme:
            return (f"link `{url}` uses `{scheme}:`", "Use https:, mailto: or tel: links")
        target = resolve(project, source.parent, url.split("#")[0])
        if target is None:
            return (f"link `{url}` points outside the project", "Link to a file in the project")
        if not target.exists():
            return (
                f"link `{url}` points to a file that does not exist",
                "Check the spelling of the path (it is relative to this file)",
            )
        return None
    what = "image" if ref.tag == "img" else f"<{ref.tag} {ref.attr}>"
    if scheme == "data":
        return (
            f"{what} written into the text as `data:` is not allowed",
            "Save the picture in assets/ and refer to it as ../assets/NAME",
        )
    if scheme in ("http", "https", "ftp") or url.startswith("//"):
        return (
            f"{what} `{url}` is on the network; brochures never download anything",
            "Save the file in assets/ and refer to it as ../assets/NAME",
        )
    target = resolve(project, source.parent, url)
    if target is None:
        return (
            f"{what} `{url}` is outside the project",
            "Put the file in assets/ and refer to it as ../assets/NAME",
        )
    if not target.is_file():
        return (
            f"{what} `{url}` not found",
            "Check the file name; paths are relative to the brochure file, "
            "e.g. ../assets/photo.jpg",
        )
    return None


# CSS functions whose strings name files to load, as browsers read them.
CSS_LOADERS = frozenset({"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade"})


@functools.lru_cache(maxsize=32)
def stylesheet_problem(project: Project, text: str) -> tuple[int, str, str] | None:
    """Return (line, message, hint) for the first file a stylesheet would load from outside
    the project, or None. Read as a browser reads CSS (escapes and all), since previews use
    it too: a URL that WeasyPrint ignores may still be fetched by a browser."""
    import tinycss2

    def visit(tokens: object, loader: bool) -> tuple[int, str, str] | None:
        for token in tokens or ():  # type: ignore[attr-defined]
            url = None
            if token.type == "url" or (token.type == "string" and loader):
                url = token.value
            elif token.type == "at-rule" and token.lower_at_keyword == "import":
                return (
                    token.source_line,
                    "`@import` is not allowed in the styles",
                    "Copy the rules into this file instead",
                )
            if url is not None and not _local_style_url(project, url):
                return (
                    token.source_line,
                    f"the styles load `{shown(url)}`, which is not a file in the project",
                    "Put the file in the project and refer to it by its path from the "
                    "project folder, e.g. assets/NAME",
                )
            is_loader = token.type == "function" and token.lower_name in CSS_LOADERS
            for part in ("prelude", "content", "arguments"):
                found = visit(
                    getattr(token, part, None), is_loader or (loader and part != "content")
                )
                if found:
                    return found
        return None

    return visit(tinycss2.parse_stylesheet(text, skip_comments=True), False)


def _local_style_url(project: Project, url: str) -> bool:
    """Tell whether a URL in the styles stays inside the page or the project."""
    url = url.strip()
    if not url or url.startswith("#") or url.lower().startswith("data:"):
        return True
    return resolve(project, project.root, url) is not None
