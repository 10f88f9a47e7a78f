"""Decide which files and links a brochure may use: only files inside the project."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from brochure.checks.pictures import picture_problems
from brochure.problems import Problem
from brochure.render.markup import Reference
from brochure.source.project import Project
from brochure.source.urls import resolve, shown

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


def check_references(project: Project, source: Path, refs: list[Reference]) -> list[Problem]:
    """Return a problem for every reference that is missing, malformed or not allowed."""
    problems, picture = [], []
    for ref in refs:
        problem = _check(project, source, ref)
        if problem:
            problems.append(
                Problem(source, ref.line, "error", problem[0], problem[1], code="reference")
            )
        elif ref.tag == "img" and ref.attr == "src":
            target = resolve(project, source.parent, ref.url)
            if target is not None:
                picture += picture_problems(source, ref, target)
    return problems + picture  # what is not allowed first


def _check(project: Project, source: Path, ref: Reference) -> tuple[str, str] | None:
    found = _problem(project, source, ref)
    if found is None or ref.url == shown(ref.url):
        return found
    return found[0].replace(ref.url, shown(ref.url)), found[1]


def _problem(  # noqa: C901 - one branch per kind of reference
    project: Project, source: Path, ref: Reference
) -> tuple[str, str] | None:
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
