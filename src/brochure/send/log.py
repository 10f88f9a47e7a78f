"""The send log: one SQLite row per lead and brochure set, written before and after sending.

Kept beside _brand.yml (not in out/, which `make clean` deletes). Each change is committed
and synced to disk before the program goes on (WAL, synchronous=FULL), so after a crash the
log knows every message that was sent, and at most one that may or may not have been: the
one marked "sending", which a re-run sends again with the same Message-ID.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from brochure.errors import BrochureError

SCHEMA = """
CREATE TABLE IF NOT EXISTS sends (
    key TEXT PRIMARY KEY,       -- email, lead id and brochures: what "the same send" means
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    lead_id TEXT NOT NULL,
    brochures TEXT NOT NULL,    -- slugs, comma separated
    template TEXT NOT NULL,     -- emails/NAME.md
    message_id TEXT NOT NULL,
    date TEXT NOT NULL,         -- the Date header, so a resend is the same message
    status TEXT NOT NULL,       -- sending | sent | failed
    reply TEXT NOT NULL,        -- the mail server's last reply
    attempts INTEGER NOT NULL,
    updated TEXT NOT NULL       -- when the row last changed (UTC)
)
"""
SENDING, SENT, FAILED = "sending", "sent", "failed"


@dataclass(frozen=True)
class Entry:
    """What the log knows about one send."""

    key: str
    email: str
    message_id: str
    date: str
    status: str
    reply: str
    attempts: int


@dataclass(frozen=True)
class Record:
    """One send as the front desk's Sent view shows it (read-only)."""

    email: str
    name: str
    lead_id: str
    brochures: tuple[str, ...]
    status: str  # sending | sent | failed
    reply: str
    updated: dt.datetime  # when the row last changed (UTC)


RECORD_COLUMNS = "email, name, lead_id, brochures, status, reply, updated"


def send_key(email: str, lead_id: str, slugs: tuple[str, ...]) -> str:
    """The identity of a send: the same address, lead and brochures is the same email."""
    return "|".join((email.casefold(), lead_id, ",".join(sorted(slugs))))


class SendLog:
    """The project's send log (read-only for a dry run, which must not create it)."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.db: sqlite3.Connection | None = None
        try:
            if readonly:
                if path.is_file():
                    self.db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
            else:
                self.db = sqlite3.connect(path, isolation_level=None)
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=FULL")
                self.db.execute(SCHEMA)
        except sqlite3.Error as exc:
            raise BrochureError(
                f"{path.name}: cannot open the send log ({exc}). Check that the project "
                "folder is writable and that the file is not damaged."
            ) from None

    def get(self, key: str) -> Entry | None:
        """The log's row for `key`, if any."""
        if self.db is None:
            return None
        try:
            found = self.db.execute(
                "SELECT key, email, message_id, date, status, reply, attempts "
                "FROM sends WHERE key = ?",
                (key,),
            ).fetchone()
        except sqlite3.OperationalError:  # a read-only look at a log not made yet
            return None
        return Entry(*found) if found else None

    def recent(self, limit: int = 50) -> list[Record]:
        """The last `limit` sends, newest first."""
        return self._records(
            f"SELECT {RECORD_COLUMNS} FROM sends ORDER BY updated DESC, rowid DESC LIMIT ?",
            (limit,),
        )

    def sends_to(self, email: str) -> list[Record]:
        """Every send to `email` (any letter case, any brochures), newest first."""
        prefix = email.casefold() + "|"
        return self._records(
            f"SELECT {RECORD_COLUMNS} FROM sends WHERE substr(key, 1, ?) = ? "
            "ORDER BY updated DESC, rowid DESC",
            (len(prefix), prefix),
        )

    def _records(self, sql: str, params: tuple[object, ...]) -> list[Record]:
        if self.db is None:
            return []
        try:
            rows = self.db.execute(sql, params).fetchall()
        except sqlite3.OperationalError:  # a read-only look at a log not made yet
            return []
        return [
            Record(
                email,
                name,
                lead_id,
                tuple(filter(None, slugs.split(","))),
                status,
                reply,
                dt.datetime.fromisoformat(updated),
            )
            for email, name, lead_id, slugs, status, reply, updated in rows
        ]

    def sending(
        self,
        key: str,
        *,
        email: str,
        name: str,
        lead_id: str,
        brochures: tuple[str, ...],
        template: str,
        message_id: str,
        date: str,
    ) -> None:
        """Record, durably, that this message is about to be handed to the server."""
        self._write(
            "INSERT INTO sends VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', 1, ?) "
            "ON CONFLICT(key) DO UPDATE SET email = excluded.email, name = excluded.name, "
            "template = excluded.template, message_id = excluded.message_id, "
            "date = excluded.date, status = excluded.status, attempts = attempts + 1, "
            "updated = excluded.updated",
            (
                key,
                email,
                name,
                lead_id,
                ",".join(brochures),
                template,
                message_id,
                date,
                SENDING,
                _now(),
            ),
        )

    def finish(self, key: str, status: str, reply: str) -> None:
        """Record, durably, how the send ended: sent or failed, with the server's reply."""
        self._write(
            "UPDATE sends SET status = ?, reply = ?, updated = ? WHERE key = ?",
            (status, reply, _now(), key),
        )

    def _write(self, sql: str, params: tuple[object, ...]) -> None:
        assert self.db is not None, "a read-only send log"
        try:
            self.db.execute(sql, params)  # autocommit: committed and synced on return
        except sqlite3.Error as exc:
            raise BrochureError(
                f"{self.path.name}: cannot write the send log ({exc}). Nothing more is sent: "
                "free some disk space or fix the file's permissions, then run again."
            ) from None

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
