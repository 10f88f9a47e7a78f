"""Print how long `brochure check` takes on the shipped brochures (fast checks, full)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from brochure.build.check import run
from brochure.source.project import Project

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 27)


def timed(render: bool, repeat: int = 3) -> float:
    """Return the best wall time of `repeat` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        report = run(Project.at(ROOT), today=TODAY, render=render)
        best = min(best, time.perf_counter() - start)
        assert not report.problems, report.problems
    return best


if __name__ == "__main__":
    count = len(Project.at(ROOT).brochure_paths())
    fast, full = timed(False), timed(True)
    print(f"fast checks (no layout): {fast:.2f} s for {count} brochures")
    print(
        f"full check (with layout): {full:.2f} s for {count} brochures ({full / count:.2f} s each)"
    )
