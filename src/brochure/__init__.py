"""brochure: turn Markdown content into clinic-branded, print-ready PDF brochures."""

__version__ = "0.1.0"
