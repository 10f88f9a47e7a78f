"""Measure the catalog and live-preview speeds: prints figures, asserts nothing.

Run from the repository root: .venv/bin/python bench/serve.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import copy_project, replace_in  # noqa: E402
from tests.live import Server  # noqa: E402

BROCHURE = [sys.executable, "-c", "from brochure.cli import main; main()"]


def timed(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=False, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_project(Path(tmp) / "project")
        first = timed([*BROCHURE, "build"], root)
        again = [timed([*BROCHURE, "build"], root) for _ in range(5)]
        print(f"build, first (3 brochures, PDFs, thumbnails, catalog): {first:.2f} s")
        print(f"build, nothing changed (median of 5): {statistics.median(again):.3f} s")

        server = Server(root)
        try:
            for what, rel, old, new, page in (
                (
                    "brochure title",
                    "brochures/exosomes-vs-prp.md",
                    "title: Exosomes and PRP",
                    "title: Exosomes or PRP",
                    "/exosomes-vs-prp.html",
                ),
                (
                    "brand phone",
                    "_brand.yml",
                    "phone: 480 590 5693",
                    "phone: 480 555 0199",
                    "/conditions.html",
                ),
            ):
                text = new.split(": ", 1)[1]
                start = time.monotonic()
                replace_in(root, rel, old, new)
                preview = server.until(page, lambda s, t, x=text: x in t, timeout=20)
                catalog = time.monotonic() - start
                server.until("/", lambda s, t, x=text: x in t, timeout=20)
                catalog = time.monotonic() - start
                server.wait_line(lambda line: line.startswith("built "), timeout=30)
                built = time.monotonic() - start
                print(
                    f"serve, {what} saved -> preview {preview:.2f} s, catalog "
                    f"{catalog:.2f} s, PDFs done {built:.2f} s"
                )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
