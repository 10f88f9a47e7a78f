"""Benchmark `brochure send`: messages per second and peak memory, against a local aiosmtpd.

Usage: .venv/bin/python bench/send.py [--sizes 1000,10000] [--jobs N]

Starts aiosmtpd (a Sink that accepts and drops every message) on 127.0.0.1, then for each
size, in a fresh process: generates that many leads, and runs the real engine (`send_leads`
with --send: personalising the 2-page conditions brochure, rendering the email, the send log
with its two synced writes a message, one SMTP connection; rate limit off) and prints:
- messages per second overall (wall clock, from reading the CSV to the last 250 reply);
- CPU seconds a message (this process and its workers, from getrusage) and what that
  makes on an idle machine with this many cores: the machine is shared, and wall-clock
  figures change with the load of other users' work;
- peak memory of the sending process and its workers (sum of PSS, sampled every 20 ms;
  the server is another process and is not counted).
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from personalize import PeakMemory, make_leads  # bench/personalize.py

from brochure.source.project import Project

ROOT = Path(__file__).resolve().parent.parent
ADDRESS = "7 Desert Bloom Road, Suite 2, Scottsdale, AZ 85251"


def start_server() -> tuple[subprocess.Popen[bytes], int]:
    """aiosmtpd's Sink on a free loopback port; returns once it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]
    server = subprocess.Popen([*command, "-c", "aiosmtpd.handlers.Sink"])
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, port
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("aiosmtpd did not start")


def project_for(tmp: Path, port: int) -> Project:
    """The shipped project with real-looking details and mail.yml for the local server."""
    project = Project(ROOT).copy_to(tmp / "project")
    brand = project.brand_path.read_text(encoding="utf-8")
    brand = brand.replace("123 Placeholder Street, Suite 100, Anytown, AZ 85000", ADDRESS)
    brand = brand.replace("elixir-wellness.example", "elixirwellness.test")
    project.brand_path.write_text(brand, encoding="utf-8")
    project.mail_path.write_text(
        f"smtp:\n  host: 127.0.0.1\n  port: {port}\n  security: none\n"
        'from: "Elixir and Wellness <hello@elixirwellness.test>"\nrate_per_minute: 0\n',
        encoding="utf-8",
    )
    return project


def run(size: int, port: int, jobs: int) -> None:
    from brochure.send.run import Options, send_leads

    with tempfile.TemporaryDirectory() as tmp:
        project = project_for(Path(tmp), port)
        leads = make_leads(Path(tmp) / "leads.csv", size)
        before = _cpu()
        with PeakMemory() as memory:
            start = time.perf_counter()
            summary = send_leads(
                project,
                ("conditions",),
                leads,
                Options(send=True, jobs=jobs),
                password=lambda: "",
                echo=lambda line: print(line, file=sys.stderr),
            )
            elapsed = time.perf_counter() - start
        cpu, main_cpu = (now - then for now, then in zip(_cpu(), before, strict=True))
        cores = os.cpu_count() or 1
        idle = min(cores / (cpu / size), 1 / (main_cpu / size))
        print(f"{size} leads, {jobs} workers: {summary.line()}")
        print(f"  {elapsed:.1f} s = {size / elapsed:.1f} messages/s (personalising included)")
        print(
            f"  CPU {cpu / size * 1000:.1f} ms a message in all processes, "
            f"{main_cpu / size * 1000:.1f} ms in the sending one: about {idle:.0f} messages/s "
            f"on {cores} idle cores"
        )
        print(
            f"  peak memory, sender and its workers: PSS sum {memory.pss / 2**20:.0f} MB "
            f"(RSS sum {memory.rss / 2**20:.0f} MB)"
        )


def _cpu() -> tuple[float, float]:
    """CPU seconds used so far: (this process and its ended workers, this process)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    mine = me.ru_utime + me.ru_stime
    return mine + kids.ru_utime + kids.ru_stime, mine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated lead counts")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # one size, in a fresh process so that sizes do not share memory
        run(args.one, args.port, args.jobs)
        return
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
    server, port = start_server()
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            command = [sys.executable, __file__, "--one", str(size), "--port", str(port)]
            subprocess.run([*command, "--jobs", str(args.jobs)], check=True)
    finally:
        server.terminate()
        server.wait()
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
