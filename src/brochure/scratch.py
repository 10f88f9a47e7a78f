"""One temporary folder per run, removed when the run ends, and swept up after a killed one.

WeasyPrint keeps the fonts of each document in a `weasyprint-XXXX` folder and removes it only
when the font configuration is garbage-collected, which worker processes never reach: each
build left two 3 MB folders in /tmp. Every temporary file a run makes (in this process and in
the workers it forks) goes below one `brochure-PID-XXXX` folder instead; the run removes it
at the end, and the next run removes those whose process is gone (killed with SIGKILL).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "brochure-"


@contextmanager
def scratch() -> Iterator[Path]:
    """Make the temporary folder of this run the default for `tempfile` until the block ends."""
    base = Path(tempfile.gettempdir())
    sweep(base)
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base))
    saved = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = saved
        shutil.rmtree(folder, ignore_errors=True)


def sweep(base: Path) -> None:
    """Remove the run folders below `base` left by processes that no longer run."""
    for folder in base.glob(f"{PREFIX}*-*"):
        pid = folder.name.removeprefix(PREFIX).split("-", 1)[0]
        try:
            mine = folder.is_dir() and folder.lstat().st_uid == os.getuid()
        except OSError:
            continue
        if mine and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
