"""The receiver's durable queue: acknowledged events in an SQLite file.

Plain blocking code; the receiver calls it from a worker thread, one call at
a time. Each call is one transaction, and every commit is on disk before it
returns (write-ahead log with ``synchronous=FULL``: the log is ``fsync``-ed
at each commit), so an event added here survives ``SIGKILL`` and the loss of
power once ``apply`` has returned.

The file is held with an exclusive lock for as long as it is open
(``locking_mode=EXCLUSIVE``), so two processes never replay the same events;
the operating system releases the lock when the holder dies, ``SIGKILL``
included.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Sequence

from .._core.exceptions import QueryError

__all__ = ["QueueFile", "Stored"]

SCHEMA_VERSION = 1

# (key, delivery ID, body) of one stored event.
Stored = tuple[int, str, bytes]


class QueueFile:
    """An open queue file, locked against other processes."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        try:
            db = sqlite3.connect(
                self.path, timeout=0, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise QueryError(f"cannot open the queue_file {self.path!r}: {exc}") from None
        try:
            db.execute("PRAGMA locking_mode=EXCLUSIVE")
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            db.execute("PRAGMA synchronous=FULL")
            db.execute("BEGIN IMMEDIATE")  # takes the lock now, and keeps it
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise QueryError(
                    f"the receiver's queue_file {self.path!r} was written by a newer version "
                    f"(schema {version}); upgrade workfront_async or give another file"
                )
            db.execute(
                "CREATE TABLE IF NOT EXISTS events ("
                " key INTEGER PRIMARY KEY AUTOINCREMENT,"
                " delivery_id TEXT NOT NULL,"
                " received REAL NOT NULL,"
                " body BLOB NOT NULL)"
            )
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            db.close()
            if "locked" in str(exc) or "busy" in str(exc):
                raise QueryError(
                    f"the receiver's queue_file {self.path!r} is in use by another process; "
                    "give each process its own file"
                ) from None
            raise QueryError(f"cannot open the queue_file {self.path!r}: {exc}") from None
        except BaseException:
            db.close()
            raise
        if str(mode).lower() != "wal":  # pragma: no cover - a filesystem without WAL support
            db.execute("PRAGMA journal_mode=DELETE")
        self._db: sqlite3.Connection | None = db
        _sync_directory(os.path.dirname(os.path.abspath(self.path)))

    def pending(self) -> list[Stored]:
        """Every stored event, oldest first."""
        return [
            (int(key), str(delivery_id), bytes(body))
            for key, delivery_id, body in self._conn().execute(
                "SELECT key, delivery_id, body FROM events ORDER BY key"
            )
        ]

    def apply(self, add: Sequence[tuple[str, bytes]], remove: Sequence[int]) -> list[int]:
        """Store the events ``add`` (delivery ID, body) and delete the keys
        ``remove``, in one transaction committed to disk; the new keys, in order."""
        db = self._conn()
        keys: list[int] = []
        now = time.time()
        db.execute("BEGIN IMMEDIATE")
        try:
            for delivery_id, body in add:
                cursor = db.execute(
                    "INSERT INTO events (delivery_id, received, body) VALUES (?, ?, ?)",
                    (delivery_id, now, body),
                )
                assert cursor.lastrowid is not None
                keys.append(cursor.lastrowid)
            if remove:
                db.executemany("DELETE FROM events WHERE key = ?", [(k,) for k in remove])
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return keys

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise QueryError(f"the receiver's queue_file {self.path!r} is closed")
        return self._db


def _sync_directory(path: str) -> None:
    """``fsync`` the directory, so that a file just created in it (the queue
    file itself) is there after a power loss; SQLite syncs the directory for
    the log files it creates, not for the database file."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms that cannot open a directory (Windows)
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - filesystems that refuse fsync on directories
        pass
    finally:
        os.close(fd)
