"""Durable incremental sync into a JSON Lines file.

:func:`sync_to_file` appends the rows changed since the last run to
``output`` and keeps the cursor in ``state``. It is exactly-once across
crashes, full disks and kills:

* rows are appended in batches; each batch is written and ``fsync``-ed
  before the state moves, and the state records, next to the cursor, the
  output's *committed length* (the bytes that the cursor covers);
* the state is replaced atomically (temporary file, ``fsync``, rename,
  ``fsync`` of the directory), so it is always either the old or the new one;
* a run first cuts the output back to the committed length: whatever a
  crashed run wrote after its last commit is removed and fetched again.

So the cursor never covers a row that is not on disk, and no row is on disk
twice. Two runs on one state at once would break that, so a run holds an
exclusive lock on ``<state>.lock`` (where the platform has ``flock``); a run
that finds it held fails at once with ``SyncBusyError``. Holding the lock,
a run also removes ``<state>.tmp``, the half-written state of a run killed
while replacing it (only a run holding the lock writes it).

The state file is the cursor file of earlier versions plus
``output_length``; a state without it (written by an older version) is
taken to cover the output as it is.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread
import attrs
import orjson

from .._core.exceptions import QueryError
from ._changes import SyncCursor

if TYPE_CHECKING:
    from ._client import Workfront

__all__ = ["SyncBusyError", "SyncReport", "sync_to_file"]

STATE_VERSION = 2


class SyncBusyError(QueryError):
    """Another sync holds the state file (its ``<state>.lock``): nothing was
    done; try again once that run is over. It is a ``QueryError``, what was
    raised for this before it had a class of its own; the command line exits
    with 75 (``EX_TEMPFAIL``) for it."""


@attrs.frozen
class SyncReport:
    """What one :func:`sync_to_file` run did."""

    rows: int
    """Changed rows appended (and committed) by this run."""
    bytes_written: int
    """Bytes appended to the output by this run."""
    cut: int
    """Bytes of an earlier, interrupted run removed from the end of the output
    before this run started (they were not covered by the cursor)."""
    cursor: SyncCursor | None
    """The cursor stored in the state file (``None``: nothing synced yet)."""
    output: str
    state: str

    def __str__(self) -> str:
        cut = f"; cut {self.cut:,} uncommitted bytes first" if self.cut else ""
        return (
            f"{self.rows:,} changed rows appended to {self.output}; "
            f"cursor saved in {self.state}{cut}"
        )


@attrs.frozen
class _State:
    cursor: SyncCursor | None
    length: int | None  # None: a state of an older version, without the length


def _read_state(path: Path) -> _State | None:
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        data = orjson.loads(text)
        if not isinstance(data, dict):
            raise TypeError("not an object")
        cursor = None
        if data.get("timestamp") is not None:
            cursor = SyncCursor.from_dict(data)
        length = data.get("output_length")
        if length is not None and (not isinstance(length, int) or length < 0):
            raise ValueError(f"output_length {length!r}")
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise QueryError(
            f"{path} is not a sync state file ({exc}); delete it (and the output) "
            "to start a full sync"
        ) from None
    return _State(cursor, length)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on directories
        pass
    finally:
        os.close(fd)


def _write_state(path: Path, cursor: SyncCursor | None, length: int) -> None:
    data: dict[str, Any] = {
        "timestamp": None,
        "ids": [],
        **({} if cursor is None else cursor.to_dict()),
        "version": STATE_VERSION,
        "output_length": length,
    }
    tmp = _state_tmp(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        try:
            _write_all(fd, orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def _state_tmp(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")


def _remove_state_leftover(path: Path) -> None:
    """Remove the ``<state>.tmp`` of a run killed while it replaced the state
    (call only holding the lock: no live run is writing it then)."""
    tmp = _state_tmp(path)
    try:
        if stat.S_ISREG(os.lstat(tmp).st_mode):
            tmp.unlink()
    except FileNotFoundError:
        pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:  # pragma: no cover - os.write raises instead
            raise OSError(errno.EIO, "the output accepted no bytes")
        view = view[written:]


def _lock(state: Path) -> int | None:
    """An exclusive lock on ``<state>.lock`` for the run (released by closing)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - no flock (Windows): runs are not guarded
        return None
    fd = os.open(state.with_name(state.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise SyncBusyError(
            f"another sync is running with the state file {state}; wait for it to finish, "
            "or give this sync its own state and output files"
        ) from None
    except BaseException:  # pragma: no cover - flock failing otherwise
        os.close(fd)
        raise
    return fd


class _Output:
    """The output file, appended to only from its committed length."""

    def __init__(self, path: Path, committed: int | None) -> None:
        self.path = path
        existed = path.exists()
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            size = os.fstat(self.fd).st_size
            if committed is None:
                committed = size  # an older state: trust the output as it is
            elif not existed:
                committed = 0  # the output was moved away: start a new file
            elif size < committed:
                raise QueryError(
                    f"{path} has {size:,} bytes but the sync state says {committed:,} were "
                    "committed: the output was changed outside the sync. Restore it, or "
                    "move it away (a new output is started) or delete the state file "
                    "(a full sync is started)"
                )
            self.cut = size - committed
            if self.cut:
                os.ftruncate(self.fd, committed)
                os.fsync(self.fd)
            if not existed:
                _fsync_dir(path.parent)
        except BaseException:
            os.close(self.fd)
            raise
        self.length = committed

    def append(self, data: bytes) -> None:
        """Write ``data`` after the committed length and make it durable; on
        failure cut the file back, so nothing half-written is left behind."""
        try:
            os.lseek(self.fd, self.length, os.SEEK_SET)
            _write_all(self.fd, data)
            os.fsync(self.fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.ftruncate(self.fd, self.length)
            raise
        self.length += len(data)

    def cut_to(self, length: int) -> None:
        os.ftruncate(self.fd, length)
        os.fsync(self.fd)
        self.length = length

    def close(self) -> None:
        os.close(self.fd)


async def sync_to_file(
    wf: Workfront,
    obj: str,
    *,
    output: str | os.PathLike[str],
    state: str | os.PathLike[str],
    where: Any = None,
    fields: str | Iterable[str] = (),
    since: datetime | None = None,
    commit_every: int = 1000,
) -> SyncReport:
    """Append the ``obj`` rows changed since the last run to ``output`` (JSON
    Lines) and keep the cursor in ``state``, exactly once across crashes.

    ``since`` (an aware datetime) is where the very first run starts; later
    runs start at the cursor in ``state``. Rows are committed in batches of
    ``commit_every``: written, ``fsync``-ed, then the state is replaced. If
    the run fails (a full disk, a network error, a kill), the output keeps
    the committed batches and the next run continues after them; a batch
    that was only partly written is cut off and fetched again.
    """
    if commit_every < 1:
        raise QueryError(f"commit_every must be at least 1, got {commit_every}")
    out_path, state_path = Path(output), Path(state)
    lock = await anyio.to_thread.run_sync(_lock, state_path)
    try:
        if lock is not None:
            await anyio.to_thread.run_sync(_remove_state_leftover, state_path)
        return await _sync(wf, obj, out_path, state_path, where, fields, since, commit_every)
    finally:
        if lock is not None:
            os.close(lock)


async def _sync(
    wf: Workfront,
    obj: str,
    out_path: Path,
    state_path: Path,
    where: Any,
    fields: str | Iterable[str],
    since: datetime | None,
    commit_every: int,
) -> SyncReport:
    saved = await anyio.to_thread.run_sync(_read_state, state_path)
    cursor: SyncCursor | datetime | None = since
    if saved is not None and saved.cursor is not None:
        cursor = saved.cursor
    out = await anyio.to_thread.run_sync(_Output, out_path, None if saved is None else saved.length)
    try:
        stored = cursor if isinstance(cursor, SyncCursor) or cursor is None else None
        if saved is None or saved.length != out.length or out.cut:
            # Record the starting length before writing anything, so that a
            # crash in the first batch is cut off by the next run as well.
            await anyio.to_thread.run_sync(_write_state, state_path, stored, out.length)
        feed = wf.changes_since(obj, cursor, fields=fields, where=where)
        batch = bytearray()
        pending = rows = written = 0

        async def commit() -> None:
            # feed.cursor covers exactly the rows in the batch and before.
            nonlocal batch, pending, rows, written, stored
            if not pending:
                return
            before = out.length
            await anyio.to_thread.run_sync(out.append, bytes(batch))
            try:
                await anyio.to_thread.run_sync(_write_state, state_path, feed.cursor, out.length)
            except BaseException:
                # The state could not move (e.g. no room for it either): take
                # the batch back out, so the output holds only committed rows.
                # (Were this cut to fail too, the next run would make it.)
                with anyio.CancelScope(shield=True), contextlib.suppress(OSError):
                    await anyio.to_thread.run_sync(out.cut_to, before)
                raise
            stored = feed.cursor
            rows += pending
            written += len(batch)
            batch, pending = bytearray(), 0

        async with contextlib.aclosing(feed.__aiter__()) as changes:
            while True:
                try:
                    row = await anext(changes)
                except StopAsyncIteration:
                    break
                except Exception:
                    # The feed failed (e.g. the API): the rows before the
                    # failure are complete and covered by feed.cursor, so
                    # keep them; the failure itself is what the caller sees.
                    with contextlib.suppress(Exception):
                        await commit()
                    raise
                if pending >= commit_every:
                    await commit()
                batch += orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE)
                pending += 1
        await commit()
        return SyncReport(
            rows=rows,
            bytes_written=written,
            cut=out.cut,
            cursor=stored,
            output=str(out_path),
            state=str(state_path),
        )
    finally:
        out.close()
