"""The only module that writes: atomic writes under out/, each path once per run."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from brochure.errors import BrochureError


def atomic_write(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Write `data` to `path` so readers see the old file or the new one, never half."""
    with atomic_open(path, sync=sync) as handle:
        handle.write(data)


@contextmanager
def atomic_open(path: Path, *, sync: bool = True) -> Iterator[BinaryIO]:
    """Open a temporary file that replaces `path` only when the block ends without error.

    `sync=False` skips fsync: the file is still whole or absent after an interrupted run,
    but a power cut may lose it (fine for copies that a re-run makes again).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


DISK_FULL = "the disk is full"


def write_problem(exc: OSError) -> str:
    """Say in plain words why a write failed: "the disk is full", "the disk is read-only"..."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DISK_FULL
    if exc.errno == errno.EROFS:
        return "the disk is read-only"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "you have no permission to write there"
    return f"writing failed ({exc.strerror or exc})"


class Writer:
    """Write files below one folder, refusing to write the same path twice in a run."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.written: set[Path] = set()
        self.changed: set[Path] = set()  # written paths whose content differs from before

    def write(self, rel: str | Path, data: bytes | str, *, sync: bool = True) -> Path:
        """Atomically write `data` to `root/rel` (left alone when it already holds `data`)."""
        path = self.claim(rel)
        data = data.encode("utf-8") if isinstance(data, str) else data
        if not (path.is_file() and path.read_bytes() == data):
            atomic_write(path, data, sync=sync)
            self.changed.add(path)
        return path

    @contextmanager
    def open(self, rel: str | Path) -> Iterator[BinaryIO]:
        """Atomically write `root/rel` piece by piece (e.g. a long manifest)."""
        path = self.claim(rel)
        with atomic_open(path) as handle:
            yield handle
        self.changed.add(path)

    def claim(self, rel: str | Path) -> Path:
        """Check that `root/rel` lies inside root and is written once; return its path."""
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise BrochureError(f"refusing to write {path}: it is outside {self.root}")
        if path in self.written:
            raise BrochureError(f"refusing to write {path} twice in one run")
        self.written.add(path)
        return path

    def copy(self, source: Path, rel: str | Path) -> None:
        """Copy `source` to `root/rel` (once a run; an identical copy is left alone)."""
        if (self.root / rel).resolve() not in self.written:
            self.write(rel, source.read_bytes())


class BuildState:
    """Remember which inputs each output was built from, to skip unchanged brochures.

    Next to each fingerprint it keeps a few facts about the output (its page count, the
    problems found while building it) for pages that list outputs without rebuilding them.
    """

    FILE = ".build-state.json"

    def __init__(self, out_dir: Path, name: str = FILE) -> None:
        self.path = out_dir / name
        try:
            saved = json.loads(self.path.read_text())
        except (OSError, ValueError):
            saved = {}
        if not isinstance(saved.get("fingerprints"), dict):  # an older, flat state file
            saved = {"fingerprints": {}, "facts": {}}
        self.data: dict[str, str] = saved["fingerprints"]
        self.notes: dict[str, dict] = saved.get("facts") or {}

    def fresh(self, key: str, fingerprint: str, outputs: list[Path]) -> bool:
        """Tell whether `key` was last built from `fingerprint` and its outputs exist."""
        return self.data.get(key) == fingerprint and all(p.is_file() for p in outputs)

    def record(self, key: str, fingerprint: str | None, facts: dict | None = None) -> None:
        """Note the fingerprint `key` was built from (None forgets it) and facts about it."""
        if fingerprint is None:
            self.data.pop(key, None)
            self.notes.pop(key, None)
        else:
            self.data[key] = fingerprint
            if facts is not None:
                self.notes[key] = facts

    def facts(self, key: str) -> dict:
        """Return the facts recorded with `key`'s last successful build."""
        return self.notes.get(key, {})

    def save(self) -> None:
        """Write the state file."""
        state = {"fingerprints": self.data, "facts": self.notes}
        atomic_write(self.path, json.dumps(state, indent=1, sort_keys=True).encode())
