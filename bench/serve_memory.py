"""Measure `serve`'s memory over many saves: prints RSS figures, asserts nothing.

Run from the repository root: .venv/bin/python bench/serve_memory.py [SAVES]
Each save changes a brochure's title and waits until serve has rebuilt its PDF.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import copy_project  # noqa: E402
from tests.live import Server  # noqa: E402

SLUG = "exosomes-vs-prp"


def rss_mb(pid: int) -> float:
    """Resident memory of serve and its children, in MB."""
    process = psutil.Process(pid)
    total = process.memory_info().rss + sum(
        child.memory_info().rss for child in process.children(recursive=True)
    )
    return total / 2**20


def main(saves: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_project(Path(tmp) / "project")
        path = root / "brochures" / f"{SLUG}.md"
        original = path.read_text(encoding="utf-8")
        server = Server(root)
        try:
            print(f"after the first build: {rss_mb(server.proc.pid):.0f} MB", flush=True)
            start = time.monotonic()
            for n in range(1, saves + 1):
                text = original.replace("title: Exosomes and PRP", f"title: Exosomes {n}")
                path.write_text(text, encoding="utf-8")
                server.wait_line(lambda line: line.startswith("built "), timeout=120)
                if n in (1, 5, 10, 25) or n % 50 == 0:
                    print(f"after {n:4d} saves: {rss_mb(server.proc.pid):.0f} MB", flush=True)
            print(f"{saves} saves in {time.monotonic() - start:.0f} s")
        finally:
            server.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
