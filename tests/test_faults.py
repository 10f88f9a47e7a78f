"""Faults a run must survive: full and read-only disks, kills, temporary files, long runs.

The full and read-only disks are real: small tmpfs mounts (these tests need root, and are
skipped without it). Kills are real signals to real `brochure` processes.
"""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import copy_project

START = "from brochure.cli import main; main()"
BROCHURES = ("conditions", "exosomes-vs-prp")


def two_brochures(target: Path) -> Path:
    """A project with only two brochures: the conditions one (2 pages) and a 1-page one."""
    root = copy_project(target)
    for path in (root / "brochures").glob("*.md"):
        if path.stem not in BROCHURES:
            path.unlink()
    return root


def brochure(
    root: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `brochure ARGS` in a real process from the project folder."""
    return subprocess.run(
        [sys.executable, "-c", START, *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )


def start(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start `brochure ARGS` in its own process group (as a terminal runs it)."""
    return subprocess.Popen(
        [sys.executable, "-c", START, *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )


def wait_for(folder: Path, done: Callable[[], bool], timeout: float = 120) -> None:
    """Wait until `done()` holds, checking at each change of the files below `folder`."""
    from watchfiles import watch

    if done():
        return
    deadline = time.monotonic() + timeout
    for _ in watch(folder, rust_timeout=500, yield_on_timeout=True, debounce=0, step=10):
        if done():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout} s")


def leads_csv(path: Path, count: int) -> Path:
    rows = [f"Lead{i},Smith,lead{i}@example.com,L-{i}" for i in range(count)]
    path.write_text("First Name,Last Name,Email,Lead ID\n" + "\n".join(rows) + "\n")
    return path


def manifest(out: Path) -> list[dict[str, str]]:
    with (out / "manifest.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def errors(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("Error:")]


# Temporary folders ------------------------------------------------------------------------


def test_builds_leave_no_temporary_folders(tmp_path: Path) -> None:
    """WeasyPrint's font folders of the worker processes used to pile up in /tmp."""
    root = two_brochures(tmp_path / "project")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    result = brochure(root, "build", env={"TMPDIR": str(tmp)})
    assert result.returncode == 0, result.stderr
    assert "2 built, 0 skipped, 0 failed (2 brochures)." in result.stdout
    assert sorted(p.name for p in tmp.iterdir()) == []


def test_a_killed_build_leaves_its_temporary_folders_to_the_next_run(tmp_path: Path) -> None:
    root = two_brochures(tmp_path / "project")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {"TMPDIR": str(tmp)}
    build = start(root, "build", "--press", env=env)  # --press: a longer build to kill
    try:
        wait_for(tmp, lambda: any(tmp.glob("brochure-*/weasyprint-*/*")) or build.poll() == 0)
        assert build.poll() is None, "the build ended before it could be killed"
    finally:
        os.killpg(build.pid, signal.SIGKILL)
        build.communicate()
    assert list(tmp.glob("brochure-*/weasyprint-*"))  # what a kill leaves behind
    result = brochure(root, "list", env=env)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp.iterdir()) == []


# Killed and interrupted personalize runs ----------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_a_stopped_personalize_run_keeps_every_copy_it_finished(
    tmp_path: Path, sig: signal.Signals
) -> None:
    root = two_brochures(tmp_path / "project")
    leads = leads_csv(tmp_path / "leads.csv", 40)
    out = root / "out/leads"
    copies = out / "conditions"
    copies.mkdir(parents=True)
    args = ("personalize", "conditions", "--leads", str(leads), "--jobs", "2")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {"TMPDIR": str(tmp)}
    run = start(root, *args, env=env)
    try:
        wait_for(out, lambda: len(list(copies.glob("*.pdf"))) >= 6 or run.poll() is not None)
        assert run.poll() is None, "the run ended before it could be stopped"
    finally:
        os.killpg(run.pid, sig)  # Ctrl-C in a terminal signals the whole group
        _, stderr = run.communicate(timeout=60)
    assert "Traceback" not in stderr
    made = len(list(copies.glob("*.pdf")))
    assert 6 <= made < 40
    (copies / ".Lead1-Smith.pdf.x1y2z3.tmp").write_bytes(b"half a copy of Lead1 Smith")
    again = brochure(root, *args, env=env)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in tmp.iterdir()) == []  # the stopped run's folder too
    counts = re.search(r"(\d+) cop(?:y|ies) written, (\d+) skipped", again.stdout)
    assert counts, again.stdout
    written, skipped = int(counts[1]), int(counts[2])
    # at most one copy per process was written but not yet recorded when it stopped
    assert made - 2 <= skipped <= made
    assert f"{written} copies written, {skipped} skipped (40 leads x 1 brochure)." in again.stdout
    assert written + skipped == 40
    assert len(manifest(out)) == 40
    assert sorted(p.name for p in out.rglob(".*") if p.name != ".personalize.lock") == [
        ".personalize-state.json"
    ]


# Full and read-only disks -----------------------------------------------------------------

needs_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mounting a tmpfs needs root"
)


@contextmanager
def tmpfs(folder: Path, size: int) -> Iterator[Callable[..., None]]:
    """Mount a tmpfs of `size` bytes on `folder`; yield a function that remounts it."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)

    def remount(option: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{option}", str(folder)], check=True)

    try:
        yield remount
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def used_bytes(folder: Path) -> int:
    """What the files below `folder` take on a tmpfs: whole 4 KB pages."""
    return sum(-(-p.stat().st_size // 4096) * 4096 for p in folder.rglob("*") if p.is_file())


@needs_root
def test_build_on_a_full_disk_says_so_once_and_keeps_the_state_true(tmp_path: Path) -> None:
    reference = two_brochures(tmp_path / "reference")
    assert brochure(reference, "build").returncode == 0
    need = used_bytes(reference / "out")
    root = two_brochures(tmp_path / "project")
    # half the room: the fonts the previews share (most of it) do not fit, the PDFs do
    with tmpfs(root / "out", need // 2) as remount:
        full = brochure(root, "build")
        assert full.returncode == 1
        assert "Traceback" not in full.stderr
        # the message tells exactly what is in out/: PDFs first, previews when there was room
        out = root / "out"
        written = [f"{slug}.pdf" for slug in BROCHURES if (out / f"{slug}.pdf").is_file()]
        assert written == ["conditions.pdf", "exosomes-vs-prp.pdf"]
        whole = [slug for slug in BROCHURES if (out / f"{slug}.html").is_file()]
        assert len(whole) < 2
        said = [
            f"{slug}.pdf" + ("" if slug in whole else " (without its preview page)")
            for slug in BROCHURES
        ]
        assert errors(full.stderr) == [
            f"Error: out/: the disk is full: {said[0]} and {said[1]} were written. "
            "Free some space, then build again."
        ]
        assert f"{len(whole)} built, 0 skipped, {2 - len(whole)} failed (2 brochures)." in (
            full.stdout
        )
        assert not list(out.rglob("*.tmp"))
        remount(f"size={need * 2}")
        again = brochure(root, "build")
        assert again.returncode == 0, again.stderr
        # what the state said was built is skipped; a brochure without its preview is redone
        assert f"{2 - len(whole)} built, {len(whole)} skipped, 0 failed (2 brochures)." in (
            again.stdout
        )
        assert all((out / f"{slug}.html").is_file() for slug in BROCHURES)

        remount("ro")
        before = (root / "out/conditions.pdf").read_bytes()
        path = root / "brochures/conditions.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
        readonly = brochure(root, "build")
        assert readonly.returncode == 1
        assert errors(readonly.stderr) == [
            "Error: out/: the disk is read-only: conditions.pdf was not written (its last good "
            "PDF is kept). Make the folder writable, then build again."
        ]
        assert (root / "out/conditions.pdf").read_bytes() == before


@needs_root
def test_personalize_on_a_full_disk_stops_once_and_a_rerun_finishes(tmp_path: Path) -> None:
    root = two_brochures(tmp_path / "project")
    leads = leads_csv(tmp_path / "leads.csv", 24)
    out = root / "out/leads"
    args = ("personalize", "conditions", "--leads", str(leads), "--jobs", "1")
    with tmpfs(out, 512 * 1024) as remount:
        full = brochure(root, *args)
        assert full.returncode == 1
        assert "Traceback" not in full.stderr
        assert "bug" not in full.stderr
        made = len(list(out.glob("conditions/*.pdf")))
        assert 0 < made < 24
        listed = (
            "listed in manifest.csv"
            if (out / "manifest.csv").is_file()
            else "manifest.csv could not be updated either"
        )
        assert errors(full.stderr) == [
            f"Error: out/leads/: the disk is full. {made} copies written and kept ({listed}), "
            f"{24 - made} not made. Free some space, then run the same command again: it "
            "skips the copies already made."
        ]
        if (out / "manifest.csv").is_file():
            assert len(manifest(out)) == made
        remount("size=16m")
        again = brochure(root, *args)
        assert again.returncode == 0, again.stderr
        assert f"{24 - made} copies written, {made} skipped (24 leads x 1 brochure)." in (
            again.stdout
        )
        assert len(manifest(out)) == 24
        remount("ro")
        readonly = brochure(root, *args, "--force")
        assert readonly.returncode == 1
        assert errors(readonly.stderr) == [
            "Error: out/leads/: the disk is read-only: no copy was written. Make the folder "
            "writable, or pick another folder with --out."
        ]


# A long-running serve ---------------------------------------------------------------------


def test_rebuilds_reuse_one_font_configuration_until_a_font_changes(project: Path) -> None:
    """Each font configuration keeps ~220 KB that is never freed: serve grew without bound."""
    import psutil

    from brochure.build.pipeline import Pipeline
    from brochure.source.project import Project

    opened = Project.at(project)
    first = Pipeline(opened).renderer.font_config
    process = psutil.Process()
    before = process.memory_info().rss
    for _ in range(100):
        assert Pipeline(opened).renderer.font_config is first
    assert process.memory_info().rss - before < 4 * 2**20  # 100 new ones: about 22 MB
    font = project / "styles/fonts/NotoSans-Regular.ttf"
    font.write_bytes(font.read_bytes())  # saved again: its letters may have changed
    os.utime(font, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert Pipeline(opened).renderer.font_config is not first


def test_two_personalize_runs_never_write_one_folder_at_once(tmp_path: Path) -> None:
    import fcntl

    from .conftest import invoke

    root = two_brochures(tmp_path / "project")
    leads = leads_csv(tmp_path / "leads.csv", 1)
    out = root / "out/leads"
    out.mkdir(parents=True)
    with (out / ".personalize.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as the other run holds it
        busy = invoke(root, "personalize", "conditions", "--leads", str(leads))
    assert busy.exit_code == 1
    assert busy.output.endswith(
        "Error: out/leads/: another brochure personalize is writing here. Wait until it has "
        "finished, or use another --out folder.\n"
    )
    assert not list(out.rglob("*.pdf"))
    done = invoke(root, "personalize", "conditions", "--leads", str(leads))
    assert done.exit_code == 0, done.output
