"""What a check is given: the project's shared facts, and one brochure (read or rendered)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol

from brochure.problems import Problem
from brochure.render.result import RenderResult
from brochure.source.content import Brochure

if TYPE_CHECKING:
    from brochure.checks.claims import Rule
    from brochure.checks.settings import Settings
    from brochure.source.brand import Brand
    from brochure.source.layouts import Layout
    from brochure.source.project import Project


class CheckContext(Protocol):
    """The project-wide facts every check may read (the build pipeline provides them)."""

    @property
    def project(self) -> Project: ...

    @property
    def today(self) -> dt.date | None: ...

    @property
    def layouts(self) -> Mapping[str, Layout]: ...

    @property
    def brand(self) -> Brand: ...

    def brand_for(self, lang: str) -> Brand:
        """The brand in the language of `lang`: its call to action and disclaimer."""
        ...

    @property
    def settings(self) -> Settings: ...

    @property
    def claim_rules(self) -> list[Rule]: ...


SourceCheck = Callable[[CheckContext, Brochure], list[Problem]]
"""A check of a brochure's source: front matter and Markdown, before any layout."""

RenderCheck = Callable[[CheckContext, RenderResult], list[Problem]]
"""A check of a brochure's laid-out pages."""
