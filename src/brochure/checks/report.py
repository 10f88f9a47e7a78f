"""The findings of a check run, and their formats: text grouped by file, or JSON for CI."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from brochure.errors import display_path
from brochure.problems import Level, Problem, plural


@dataclass
class Report:
    """The findings of one `brochure check` run."""

    checked: list[str] = field(default_factory=list)  # slugs
    problems: list[Problem] = field(default_factory=list)

    def count(self, level: Level) -> int:
        """Return how many problems of `level` were found."""
        return sum(p.level == level for p in self.problems)

    def failed(self, strict: bool = False) -> bool:
        """Tell whether the run fails: errors, or with `strict` any warning."""
        return bool(self.count("error") or (strict and self.problems))


def _counts(problems: list[Problem]) -> str:
    errors = sum(p.level == "error" for p in problems)
    return f"{plural(errors, 'error')}, {plural(len(problems) - errors, 'warning')}"


def text(report: Report, strict: bool = False) -> str:
    """Return the report as text: one block per file, then a summary line."""
    files: dict[str, list[Problem]] = {}
    for problem in report.problems:
        name = display_path(problem.path) if problem.path else "(project)"
        files.setdefault(name, []).append(problem)
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
