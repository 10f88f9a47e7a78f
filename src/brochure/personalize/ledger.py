"""What the copies folder holds: every copy made there, recorded as it is written.

The state file (`.personalize-state.json`) keeps, for each copy, the fingerprint it was made
from and its manifest row. While a run works, each finished copy is also appended to a
journal (`.personalize-journal.jsonl`) by the process that wrote it, so a run killed with
SIGKILL or stopped with Ctrl-C loses none of them: the next run reads the journal back and
skips those copies. The manifest is written from the state: every copy in the folder, from
every run and brochure.
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from brochure.build.output import DISK_FULL, BuildState, Writer, write_problem
from brochure.errors import BrochureError, display_path

STATE_FILE = ".personalize-state.json"
JOURNAL = ".personalize-journal.jsonl"
LOCK = ".personalize.lock"
MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ("lead_id", "name", "email", "brochure", "file", "pages", "bytes", "row")


def journal(out_dir: Path, file: str, key: str, facts: dict[str, object]) -> None:
    """Append one finished copy to the journal (one short write: whole lines, any process)."""
    line = json.dumps({"file": file, "key": key, "facts": facts}, ensure_ascii=False) + "\n"
    fd = os.open(out_dir / JOURNAL, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


class Ledger:
    """The copies made in one folder: fingerprints and manifest rows, saved and journalled."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.state = BuildState(out_dir, STATE_FILE)
        self.journalled = 0  # copies in the journal: written since the last save
        self._replay()

    def _replay(self) -> None:
        """Take in the copies journalled since the last save."""
        try:
            lines = (self.out_dir / JOURNAL).read_bytes().splitlines()
        except OSError:
            return
        count = 0
        for line in lines:
            try:
                entry = json.loads(line)
                self.state.record(entry["file"], entry["key"], entry["facts"])
            except (ValueError, TypeError, KeyError):
                continue  # the last line of a killed run may be cut short
            count += 1
        self.journalled = count

    def fresh(self, file: str, key: str) -> bool:
        """Tell whether `file` exists and was made from `key`."""
        return self.state.fresh(file, key, [self.out_dir / file])

    def record(self, file: str, key: str, facts: dict[str, object]) -> None:
        """Note a copy written or found up to date."""
        self.state.record(file, key, facts)

    def rows(self) -> list[tuple[object, ...]]:
        """The manifest rows of every copy in the folder, by row of the leads file.

        Text cells are escaped so that a spreadsheet never runs them as formulas.
        """
        present = sorted(
            (_int(facts.get("row")), str(facts.get("brochure", "")), file, facts)
            for file, facts in self.state.notes.items()
            if file in self.state.data and facts and (self.out_dir / file).is_file()
        )
        return [
            (
                _cell(facts.get("lead_id")),
                _cell(facts.get("name")),
                _cell(facts.get("email")),
                _cell(brochure),
                _cell(file),
                facts.get("pages", ""),
                facts.get("bytes", ""),
                row or "",
            )
            for row, brochure, file, facts in present
        ]

    def forget_missing(self) -> None:
        """Drop the copies whose files are gone (deleted by hand)."""
        for file in [f for f in self.state.data if not (self.out_dir / f).is_file()]:
            self.state.record(file, None)

    def save(self) -> None:
        """Write the state file, then drop the journal it now contains.

        The journal is read again first: it also holds copies that worker processes wrote
        but whose results never reached this one (a run stopped mid-batch).
        """
        self._replay()
        self.forget_missing()
        self.state.save()
        (self.out_dir / JOURNAL).unlink(missing_ok=True)

    def write_manifest(self, writer: Writer) -> Path:
        """Write manifest.csv (UTF-8 with BOM, for Excel) listing every copy in the folder."""
        with writer.open(MANIFEST) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            manifest = csv.writer(text)
            manifest.writerow(MANIFEST_COLUMNS)
            manifest.writerows(self.rows())
            text.flush()
            text.detach()
        return self.out_dir / MANIFEST


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _cell(value: object) -> str:
    """Keep a spreadsheet from running text as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold the folder for one run; remove what a stopped run left half-written.

    Temporary `.NAME.XXXX.tmp` files are copies or manifests cut short: they hold names
    and emails, so they go as soon as no other run can be writing them.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(out_dir / LOCK, os.O_WRONLY | os.O_CREAT, 0o600)
    except OSError as exc:
        why = write_problem(exc)
        todo = "Free some space" if why == DISK_FULL else "Make the folder writable"
        raise BrochureError(
            f"{display_path(out_dir)}/: {why}: no copy was written. "
            f"{todo}, or pick another folder with --out."
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BrochureError(
                f"{display_path(out_dir)}/: another brochure personalize is writing here. "
                "Wait until it has finished, or use another --out folder."
            ) from None
        for stale in [*out_dir.glob(".*.tmp"), *out_dir.glob("*/.*.tmp")]:
            stale.unlink(missing_ok=True)
        yield
    finally:
        os.close(fd)
