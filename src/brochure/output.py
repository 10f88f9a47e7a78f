"""The only module that writes: atomic writes under out/, each path once per run."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .errors import BrochureError


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Writer:
    """Write files below one folder, refusing to write the same path twice in a run."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.written: set[Path] = set()

    def write(self, rel: str | Path, data: bytes | str) -> Path:
        """Atomically write `data` to `root/rel`."""
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise BrochureError(f"refusing to write {path}: it is outside {self.root}")
        if path in self.written:
            raise BrochureError(f"refusing to write {path} twice in one run")
        self.written.add(path)
        atomic_write(path, data.encode("utf-8") if isinstance(data, str) else data)
        return path

    def copy(self, source: Path, rel: str | Path) -> None:
        """Copy `source` to `root/rel` unless an identical copy is already there."""
        target = self.root / rel
        data = source.read_bytes()
        if target.is_file() and target.read_bytes() == data:
            return
        self.write(rel, data)


class BuildState:
    """Remember which inputs each output was built from, to skip unchanged brochures."""

    FILE = ".build-state.json"

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / self.FILE
        try:
            self.data: dict[str, str] = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.data = {}

    def fresh(self, key: str, fingerprint: str, outputs: list[Path]) -> bool:
        """Tell whether `key` was last built from `fingerprint` and its outputs exist."""
        return self.data.get(key) == fingerprint and all(p.is_file() for p in outputs)

    def record(self, key: str, fingerprint: str | None) -> None:
        """Note the fingerprint `key` was built from (None forgets it)."""
        if fingerprint is None:
            self.data.pop(key, None)
        else:
            self.data[key] = fingerprint

    def save(self) -> None:
        """Write the state file."""
        atomic_write(self.path, json.dumps(self.data, indent=1, sort_keys=True).encode())
