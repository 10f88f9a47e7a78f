"""Format a check report: text grouped by file, or JSON for CI."""

from __future__ import annotations

import json

from brochure.checks.runner import Report
from brochure.errors import display_path
from brochure.problems import Problem, plural


def _counts(problems: list[Problem]) -> str:
    errors = sum(p.level == "error" for p in problems)
    return f"{plural(errors, 'error')}, {plural(len(problems) - errors, 'warning')}"


def text(report: Report, strict: bool = False) -> str:
    """Return the report as text: one block per file, then a summary line."""
    files: dict[str, list[Problem]] = {}
    for problem in report.problems:
        files.setdefault(display_path(problem.path), []).append(problem)
    blocks = []
    for name, problems in files.items():
        ordered = sorted(problems, key=lambda p: (p.line or 0, p.col or 0))
        blocks.append("\n".join([f"{name} ({_counts(problems)})", *(p.format() for p in ordered)]))
    checked = plural(len(report.checked), "brochure")
    verdict = "FAILED" if report.failed(strict) else "OK"
    summary = f"{verdict}: {checked} checked, {_counts(report.problems)}"
    if strict and verdict == "FAILED" and not report.count("error"):
        summary += " (--strict fails on warnings)"
    return "\n\n".join([*blocks, summary + "."])


def as_json(report: Report, strict: bool = False) -> str:
    """Return the report as a JSON document."""
    return json.dumps(
        {
            "ok": not report.failed(strict),
            "strict": strict,
            "checked": report.checked,
            "errors": report.count("error"),
            "warnings": report.count("warning"),
            "problems": [p.to_dict() for p in report.problems],
        },
        indent=2,
        ensure_ascii=False,
    )
