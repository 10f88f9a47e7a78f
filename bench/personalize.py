"""Benchmark `brochure personalize`: copies per second, speed-up over full renders, memory.

Usage: .venv/bin/python bench/personalize.py [--sizes 1000,10000] [--jobs N] [--sample 40]

For each size it generates that many leads, personalises the 2-page conditions brochure into
a temporary folder with the real code (worker processes, manifest, state file) and prints:
- copies per second overall (wall clock, from reading the CSV to the last file written);
- the speed-up per copy: the stamped copy (an incremental update of the shared PDF) and the
  same copy stamped the older WeasyPrint-overlay way, against rendering it in full, all
  timed in this one process, interleaved lead by lead so machine load hits them alike;
- peak memory of all processes together, sampled every 20 ms with psutil over the process
  and its workers: the sum of RSS (counts pages shared by forked workers once per process,
  so it overstates) and the sum of PSS (shares split between processes: the honest total).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from brochure.source.project import Project

ROOT = Path(__file__).resolve().parent.parent
BROCHURE = [sys.executable, "-c", "from brochure.cli import main; main()"]
FIRST = ["Maria", "Ana", "Nguyễn", "Жанна", "Chloé", "Zoë", "Olivia", "Sofía", "Ava", "Μαρία"]
LAST = ["Gonzalez", "Smith", "Thị Ánh", "Петрова", "Dubois", "Brontë", "Lee", "Núñez", "Kim"]


def make_leads(path: Path, count: int) -> Path:
    """Write `count` generated leads (some with a coordinator and a visit)."""
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "First Name",
                "Last Name",
                "Email",
                "Lead ID",
                "Coordinator",
                "Coordinator Phone",
                "Appointment",
            ]
        )
        for i in range(count):
            coordinator = (
                ("Ana Lopez", "480 555 0100", "Tue 3 Dec, 2:30 pm") if i % 3 else ("", "", "")
            )
            out.writerow(
                [
                    FIRST[i % len(FIRST)],
                    LAST[i % len(LAST)],
                    f"lead{i}@example.com",
                    f"L-{i:06d}",
                    *coordinator,
                ]
            )
    return path


class PeakMemory:
    """Sample RSS and PSS of this process and its children until stopped.

    The sampling runs in a process of its own: a thread here would make the code measured
    run its workers in this process (forking a threaded program is unsafe, so it does not).
    """

    def __init__(self) -> None:
        self.rss = self.pss = 0
        self._stop = multiprocessing.Event()
        self._result, sender = multiprocessing.Pipe(duplex=False)
        self._sampler = multiprocessing.Process(
            target=_sample, args=(os.getpid(), self._stop, sender), daemon=True
        )

    def __enter__(self) -> PeakMemory:
        self._sampler.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.rss, self.pss = self._result.recv()
        self._sampler.join()


def _sample(pid: int, stop: Any, result: Any) -> None:
    """Report the peak memory of `pid` and its children (but this sampler) until `stop`."""
    me, parent = os.getpid(), psutil.Process(pid)
    peak_rss = peak_pss = 0
    while not stop.is_set():
        rss = pss = 0
        for proc in [parent, *parent.children(recursive=True)]:
            if proc.pid == me:
                continue
            try:
                info = proc.memory_full_info()
            except psutil.Error:
                continue
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        stop.wait(0.02)
    result.send((peak_rss, peak_pss))


def per_copy(proj: Project, sample: int) -> tuple[float, float, float]:
    """Median seconds per copy, in this process, interleaved lead by lead: stamped (the
    incremental update), stamped the WeasyPrint overlay way (what every copy took before
    the incremental update; still the way for letters outside the embedded fonts) and
    rendered in full."""
    from brochure.build.pipeline import Pipeline
    from brochure.personalize.run import Maker, lead_for, prepare
    from brochure.source.leads import LeadRow

    pipeline = Pipeline(proj)
    shared = prepare(pipeline, proj.brochures_dir / "conditions.md")
    maker = Maker(proj, [shared], Path(tempfile.mkdtemp()), Path("leads.csv"))
    stampers = dict(maker.stampers)
    brochure = maker.brochures["conditions"]
    fast, overlay, full = [], [], []
    for i in range(sample + 3):
        row = LeadRow(
            i + 2,
            i + 2,
            FIRST[i % len(FIRST)],
            LAST[i % len(LAST)],
            lead_id=f"S-{i}",
            coordinator="Ana Lopez",
            coordinator_phone="480 555 0100",
        )
        lead = lead_for(row)
        start = time.perf_counter()
        maker.render("conditions", lead)
        middle = time.perf_counter()
        maker.stampers = dict.fromkeys(stampers)  # no fast path: the overlay way
        maker.render("conditions", lead)
        maker.stampers = stampers
        later = time.perf_counter()
        maker.full(brochure, lead)
        end = time.perf_counter()
        if i >= 3:  # warm-up
            fast.append(middle - start)
            overlay.append(later - middle)
            full.append(end - later)
    return statistics.median(fast), statistics.median(overlay), statistics.median(full)


def run(size: int, jobs: int, sample: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Project(ROOT).copy_to(Path(tmp) / "project")
        leads = make_leads(Path(tmp) / "leads.csv", size)
        out = Path(tmp) / "copies"
        # The real command in its own process, as a user runs it (the sampling thread here
        # would keep an in-process run from forking its workers).
        command = [*BROCHURE, "personalize", "conditions", "--leads", str(leads)]
        command += ["--out", str(out), "--jobs", str(jobs)]
        with PeakMemory() as memory:
            start = time.perf_counter()
            done = subprocess.run(command, cwd=project.root, capture_output=True, text=True)
            elapsed = time.perf_counter() - start
        files = sum(1 for _ in out.rglob("*.pdf"))
        line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
        print(
            f"{size} leads, {jobs} workers: {line} {files} files in "
            f"{elapsed:.1f} s = {size / elapsed:.0f} copies/s"
        )
        print(
            f"  peak memory, all processes: RSS sum {memory.rss / 2**20:.0f} MB, "
            f"PSS sum {memory.pss / 2**20:.0f} MB"
        )
        if sample:
            fast, overlay, full = per_copy(project, sample)
            print(
                f"  per copy, one process, median of {sample}: stamped {fast * 1000:.2f} ms "
                f"(the WeasyPrint overlay way {overlay * 1000:.1f} ms), full render "
                f"{full * 1000:.0f} ms: {full / fast:.0f}x faster ({full / overlay:.1f}x)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000", help="comma-separated lead counts")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sample", type=int, default=40, help="copies for the side-by-side")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # one size, in a fresh process so that sizes do not share memory
        run(args.one, args.jobs, args.sample)
        return
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
    for size in (int(s) for s in args.sizes.split(",")):
        command = [
            sys.executable,
            __file__,
            "--one",
            str(size),
            "--jobs",
            str(args.jobs),
            "--sample",
            str(args.sample),
        ]
        subprocess.run(command, check=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
