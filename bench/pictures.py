"""Measure pictures: the conditions brochure with two 24-megapixel photos.

Cold build time (CPU seconds) and office-PDF size, a forced rebuild with nothing changed
(the pictures' copies come from out/.cache/pictures/ and must not be made again), a plain
rebuild, and the press file. Runs the real `brochure` command in fresh processes on a
temporary copy of the project. Prints figures; asserts nothing.
Usage: python bench/pictures.py [--runs N]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageChops, ImageFilter

from brochure.source.project import Project

ROOT = Path(__file__).resolve().parent.parent
BROCHURE = [sys.executable, "-m", "brochure.cli"]
SIZE = (6000, 4000)  # 24 megapixels, as a current camera or phone takes them
TARGET = 1.5 * 1024 * 1024  # the limit for the office PDF


def photo(size: tuple[int, int], turn: int) -> Image.Image:
    """A photo-like picture: gradients and grain at several scales, so that detail survives
    resizing as in a real photo (it does not compress to nothing)."""
    grad = Image.linear_gradient("L").resize(size)
    channels = []
    for i, sigma in enumerate((30, 45, 60)):
        coarse = Image.effect_noise((size[0] // 6, size[1] // 6), sigma).resize(size)
        grain = ImageChops.blend(coarse, Image.effect_noise(size, sigma), 0.3)
        channels.append(ImageChops.blend(grad.rotate(90 * (i + turn)).resize(size), grain, 0.5))
    return Image.merge("RGB", channels).filter(ImageFilter.BoxBlur(1))


def timed(args: list[str], cwd: Path) -> float:
    """Return the CPU seconds (user + system) the command used: on a shared machine the
    wall clock says more about the neighbours than about the build."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, cwd=cwd, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cache_state(out: Path) -> dict[str, int]:
    """The cached copies and when each was written."""
    folder = out / ".cache" / "pictures"
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} if folder.is_dir() else {}


def prepare(work: Path) -> int:
    """Add two 24 MP photos to the conditions brochure; return their size in bytes."""
    total = 0
    for turn, name in enumerate(("room-photo.jpg", "provider-photo.jpg")):
        path = work / "assets" / name
        photo(SIZE, turn).save(path, quality=92)
        total += path.stat().st_size
    brochure = work / "brochures" / "conditions.md"
    text = brochure.read_text(encoding="utf-8")
    text = text.replace(
        "## Rosacea\n",
        "## Rosacea\n\n![Our treatment room](../assets/room-photo.jpg){.half}\n",
        1,
    ).replace(
        "## Is it right for you?\n",
        "## Is it right for you?\n\n![Your provider](../assets/provider-photo.jpg)\n"
        "*Your provider talks you through every step.*\n",
        1,
    )
    brochure.write_text(text.replace("pages: 2", "pages: 3"), encoding="utf-8")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    cold, forced, plain, press, made = [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "project"
        Project(ROOT).copy_to(work)
        photos = prepare(work)
        out = work / "out"
        for _ in range(runs):
            shutil.rmtree(out, ignore_errors=True)
            cold.append(timed([*BROCHURE, "build", "conditions"], work))
            size = (out / "conditions.pdf").stat().st_size
            first = (out / "conditions.pdf").read_bytes()
            before = cache_state(out)
            forced.append(timed([*BROCHURE, "build", "conditions", "--force"], work))
            made.append(len(set(cache_state(out).items()) - set(before.items())))
            same = (out / "conditions.pdf").read_bytes() == first
            plain.append(timed([*BROCHURE, "build", "conditions"], work))
            press.append(timed([*BROCHURE, "build", "conditions", "--press", "--force"], work))
            press_size = (out / "press" / "conditions.pdf").stat().st_size
    mb = 1024 * 1024
    print(f"two 24 MP photos:        {photos / mb:.1f} MB of JPEG in assets/")
    print(
        f"cold build, conditions:  median {statistics.median(cold):.2f} s CPU "
        f"(min {min(cold):.2f}, {runs} runs)"
    )
    print(
        f"office PDF:              {size / mb:.2f} MB "
        f"(target < {TARGET / mb:.1f} MB: {'met' if size < TARGET else 'MISSED'})"
    )
    print(
        f"rebuild --force:         median {statistics.median(forced):.2f} s CPU; pictures made "
        f"again: {max(made)}; PDF byte-identical: {'yes' if same else 'NO'}"
    )
    print(f"rebuild, nothing new:    median {statistics.median(plain):.2f} s CPU")
    print(
        f"press build (--force):   median {statistics.median(press):.2f} s CPU, "
        f"press PDF {press_size / mb:.2f} MB"
    )


if __name__ == "__main__":
    main()
