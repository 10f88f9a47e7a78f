"""Where a URL written in a project points: a file inside the project, or not.

Shared by the checks (links and pictures in brochures) and the stylesheet assembly (what
project styles may load), so both refuse the same things.
"""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import unquote, urlsplit

from brochure.source.project import Project

SHOWN_URL = 60  # characters of a URL quoted in a message


def resolve(project: Project, base_dir: Path, url: str) -> Path | None:
    """Return the project file a relative `url` names from `base_dir`, or None if outside."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("/", "\\")):
        return None
    target = (base_dir / unquote(parts.path)).resolve()
    return target if project.contains(target) else None


def shown(url: str) -> str:
    """Return `url` cut to a length that reads well in a message."""
    return url if len(url) <= SHOWN_URL else url[: SHOWN_URL - 3] + "..."


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
