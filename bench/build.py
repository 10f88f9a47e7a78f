"""Measure build speed: cold full build, per-brochure render, a rebuild with nothing changed,
and what the second core gives a cold build of 40 brochures (`--second-core`).

Runs the real `brochure` command in fresh processes on a temporary copy of the project, so
imports count as a user would see them. Prints figures; asserts nothing.
Usage: python bench/build.py [--runs N] [--second-core]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from personalize import PeakMemory  # bench/personalize.py, beside this script

from brochure.source import editions
from brochure.source.project import Project

ROOT = Path(__file__).resolve().parent.parent
BROCHURE = [sys.executable, "-m", "brochure.cli"]
CORE = ["conditions", "exosomes-vs-prp", "results-timeline"]  # the three brochures


def timed(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def per_brochure(cwd: Path) -> dict[str, float]:
    """Render each brochure in one warm process and time it."""
    code = (
        "import time, json\n"
        "from brochure.source.project import Project\n"
        "from brochure.build.pipeline import Pipeline\n"
        "p = Pipeline(Project.at('.'))\n"
        "b, _ = p.read(Project.at('.').brochure_paths()[0]); p.render(b)  # warm up\n"
        "out = {}\n"
        "for path in Project.at('.').brochure_paths():\n"
        "    b, _ = p.read(path)\n"
        "    t = time.perf_counter(); r = p.render(b); out[path.stem] = time.perf_counter() - t\n"
        "print(json.dumps(out))\n"
    )
    import json

    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout)


PLAIN = (
    "import weasyprint\n"
    "from brochure.source.project import Project\n"
    "from brochure.build.pipeline import Pipeline\n"
    "from brochure.render.html import render_html\n"
    "project = Project.at('.'); p = Pipeline(project)\n"
    "for path in project.brochure_paths():\n"
    "    b, _ = p.read(path, checks=False)\n"
    "    html = render_html(project, p.brand, b, strings=p.strings(b.lang)).html\n"
    "    weasyprint.HTML(string=html, base_url=str(project.root)).write_pdf()\n"
)


def plain_loop(cwd: Path) -> float:
    """Time a plain WeasyPrint loop over the same HTML: one process, no checks, nothing saved."""
    return timed([sys.executable, "-c", PLAIN], cwd)


def second_core(work: Path, count: int = 40) -> None:
    """Cold-build `count` brochures (the project's, copied round) on one core, then on all."""
    found = sorted((work / "brochures").glob("*.md"))
    sources = {p.name: p.read_bytes() for p in found if not editions.name_of(p).language}
    for path in found:  # the copies are originals: an edition needs its original's name
        path.unlink()
    for i in range(count):
        name = sorted(sources)[i % len(sources)]
        (work / "brochures" / f"copy{i:02d}-{name}").write_bytes(sources[name])
    times = {}
    for cores in ({0}, set(range(os.cpu_count() or 1))):
        shutil.rmtree(work / "out", ignore_errors=True)
        start = time.perf_counter()
        with PeakMemory() as peak:  # the build and its workers, all cores the last time
            subprocess.run(
                [*BROCHURE, "build"],
                cwd=work,
                check=True,
                capture_output=True,
                preexec_fn=lambda cores=cores: os.sched_setaffinity(0, cores),  # type: ignore[misc]
            )
        times[len(cores)] = time.perf_counter() - start
    one, many = times[1], times[max(times)]
    print(
        f"cold build, {count} brochures: {one:.1f} s on one core, {many:.1f} s on "
        f"{max(times)}: {one / many:.2f}x (target >= 1.7x on 2 cores; load average "
        f"{os.getloadavg()[0]:.2f})"
    )
    print(
        f"peak memory of the build and its workers: RSS sum {peak.rss / 2**20:.0f} MB, "
        f"PSS sum {peak.pss / 2**20:.0f} MB (target < 300 MB for 100 brochures)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--second-core", action="store_true", help="only the N-brochure build")
    parser.add_argument("--count", type=int, default=40, help="brochures for --second-core")
    args = parser.parse_args()
    runs = args.runs
    if args.second_core:
        with tempfile.TemporaryDirectory() as tmp:
            second_core(Project(ROOT).copy_to(Path(tmp) / "project").root, args.count)
        return
    core, cold, noop = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "project"
        Project(ROOT).copy_to(work)
        count = len(list((work / "brochures").glob("*.md")))
        for _ in range(runs):
            shutil.rmtree(work / "out", ignore_errors=True)
            core.append(timed([*BROCHURE, "build", *CORE], work))
            shutil.rmtree(work / "out", ignore_errors=True)
            cold.append(timed([*BROCHURE, "build"], work))
            noop.append(timed([*BROCHURE, "build"], work))
        renders = per_brochure(work)
        plain = [plain_loop(work) for _ in range(runs)]
    print(
        f"cold build, 3 core:     median {statistics.median(core):.2f} s "
        f"(min {min(core):.2f}, {runs} runs; target <= 1.0 s)"
    )
    print(
        f"cold build, all {count}:      median {statistics.median(cold):.2f} s "
        f"(min {min(cold):.2f}; with the trifold)"
    )
    print(
        f"plain WeasyPrint loop:  median {statistics.median(plain):.2f} s over the same "
        f"{count} brochures' HTML (one process, no checks, nothing written): the build takes "
        f"{statistics.median(cold) / statistics.median(plain):.2f}x its time (target <= 1.0x)"
    )
    print(
        f"rebuild, nothing new:   median {statistics.median(noop):.3f} s "
        f"(min {min(noop):.3f}; target <= 0.3 s)"
    )
    for slug, seconds in renders.items():
        print(f"render {slug:<20} {seconds * 1000:.0f} ms (warm, PDF + HTML preview)")


if __name__ == "__main__":
    main()
