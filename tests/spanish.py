"""A Spanish brochure for the tests of the Spanish checks: `brochures/x-es.md`, `lang: es-US`."""

from __future__ import annotations

from pathlib import Path

from .conftest import write

FRONT = """---
title: Lo básico del facial con exosomas
subtitle: Lo que debe saber antes de su primera visita
layout: sheet
pages: 1
lang: es-US
description: Una guía breve sobre el facial con exosomas.
reviewed: 2026-11-27
---
"""
BODY = """
Los exosomas son partículas muy pequeñas que las células envían.
Pueden ayudar a que su piel se vea más suave y pareja.

## Antes de su visita

- Cuéntenos sobre su piel y sus metas.
- Evite el sol fuerte por unos días.
"""
SLUG = "x-es"
REL = f"brochures/{SLUG}.md"


def write_spanish(project: Path, extra: str = "", body: str = BODY) -> int:
    """Write the Spanish brochure with `extra` after its text; return the line `extra` starts on."""
    text = FRONT + body + ("\n" + extra if extra else "")
    write(project, REL, text)
    return len((FRONT + body).splitlines()) + 2
