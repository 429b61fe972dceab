"""File writers for exports: JSON Lines, CSV and Parquet, written atomically.

Every writer writes to a temporary file beside the target and renames it over
the target only when the export finished; a failed or cancelled export
removes the temporary file, so no truncated file ever looks complete. The
finished file is ``fsync``-ed before the rename and its folder after it, so
that after a power cut the target is the old file or the whole new one.
Memory is bounded: rows are written as they come (Parquet in batches).

A run killed outright (``SIGKILL``, the OOM killer, a power cut) cannot
remove its temporary files. They are named ``.<target>.<8 characters>.partial``
(and ``.stage`` for Parquet's staging file), and each writer holds an
exclusive ``flock`` on its own for as long as it lives: the next writer for
the same target removes those that nobody holds, which can only be leftovers
of runs that died, and nothing else.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Literal

import orjson

from .._core.exceptions import QueryError

if TYPE_CHECKING:
    from ._schema import ExportSchema

__all__ = ["FORMATS", "ExportWriter", "flatten_row", "open_writer"]

Format = Literal["jsonl", "csv", "parquet"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "parquet")
PARQUET_BATCH = 10_000

log = logging.getLogger("workfront_async.export")


def flatten_row(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested objects into ``parent:child`` keys, the way Workfront
    names nested fields (``assignedTo:name``). Collections (lists) and other
    non-scalar values are kept as compact JSON text; custom fields
    (``DE:Name``) keep their names."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            if value:
                out.update(flatten_row(value, f"{name}:"))
            else:
                out[name] = None
        elif isinstance(value, (list, tuple)):
            out[name] = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
        else:
            out[name] = value
    return out


def _umask() -> int:
    """The process umask, read without changing it where Linux allows."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", "rb") as fh:
        for line in fh:
            if line.startswith(b"Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _is_open_descriptor(path: Path) -> bool:
    """Whether ``path`` reaches a file through ``/dev/fd``, ``/dev/std*`` or
    ``/proc/<pid>/fd`` links: the file behind is someone's open descriptor
    (a shell redirection), to be written through, never replaced."""
    current = Path(os.path.abspath(path))
    for _ in range(40):  # the kernel's own limit on nested links
        text = str(current)
        if text.startswith(("/dev/", "/proc/")):
            return True
        if not current.is_symlink():
            return False
        current = Path(os.path.join(os.path.dirname(text), os.readlink(current)))
        current = Path(os.path.abspath(current))
    return False


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the platform can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on directories
        pass
    finally:
        os.close(fd)


def _hold(fd: int) -> bool:
    """Take the exclusive ``flock`` that marks a temporary file as in use
    (``False`` where there is no ``flock``, or it is held already)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no flock, leftovers are kept
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _leftover_pattern(name: str) -> re.Pattern[str]:
    """The names ``tempfile.mkstemp(prefix=f".{name}.", suffix=...)`` gives our
    temporary files for the target ``name``: 8 characters of its alphabet."""
    return re.compile(re.escape(f".{name}.") + r"[a-z0-9_]{8}\.(?:partial|stage)")


def _remove_leftovers(folder: Path, name: str) -> list[Path]:
    """Remove the temporary files of killed runs for the target ``name`` in
    ``folder``: regular files of this user, named exactly as our writers name
    them, that no live writer holds (see the module's docstring). Returns
    what was removed."""
    try:
        import fcntl  # noqa: F401
    except ImportError:  # pragma: no cover - without flock a live run cannot be told apart
        return []
    pattern = _leftover_pattern(name)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
            continue
        try:
            fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            # Held: a live writer's. Not held, and still the file listed: a dead run's.
            if _hold(fd) and os.fstat(fd).st_ino == st.st_ino:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
        finally:
            os.close(fd)
    if removed:
        log.info(
            "removed %d temporary file(s) left by an interrupted run: %s",
            len(removed),
            ", ".join(p.name for p in removed),
        )
    return removed


class ExportWriter:
    """Base class: an atomic file writer used as a context manager.

    ``write(rows)`` appends rows; leaving the ``with`` block normally moves
    the finished file into place, leaving it with an exception deletes it.

    Only regular files are replaced that way. A target that exists and is
    not a regular file (a FIFO, a device, or a symlink to one), or that is
    reached through ``/dev`` or ``/proc`` (``/dev/stdout`` redirected to a
    file), is written straight through (appending): renaming over it would
    swap the device for a plain file. A symlink to a regular file keeps the link and
    replaces the file it points to. A new file gets the permissions the
    umask allows (as ``open()`` would); a replaced file keeps its mode.
    A binary stream (``sys.stdout.buffer``) is written to and flushed, never
    closed.
    """

    format: Format

    def __init__(self, path: str | os.PathLike[str] | BinaryIO) -> None:
        self.rows_written = 0
        self._closed = False
        self._locks: list[int] = []  # descriptors holding our temporary files' flocks
        self._stream: BinaryIO | None = None
        self.through = False
        if not isinstance(path, (str, os.PathLike)):
            if not callable(getattr(path, "write", None)):
                raise QueryError(f"cannot write to {path!r}: give a path or a binary stream")
            self._stream = path
            self.path = Path(getattr(path, "name", "<stream>") or "<stream>")
            self.tmp_path = self.path
            self.through = True
            return
        self.path = Path(path)
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise QueryError(f"cannot write {self.path}: {exc.strerror}") from None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise QueryError(f"cannot write {self.path}: it is a folder; give a file name")
        if st is not None and (not stat.S_ISREG(st.st_mode) or _is_open_descriptor(self.path)):
            # A device, FIFO or socket (or a link to one), or an open
            # descriptor such as /dev/stdout redirected to a file: write
            # through, appending after what the descriptor already holds.
            self.tmp_path = self.path
            self.through = True
            return
        # Replace the file a symlink points to, not the link.
        target = Path(os.path.realpath(self.path)) if self.path.is_symlink() else self.path
        self._target = target
        directory = target.parent if str(target.parent) else Path(".")
        if not directory.is_dir():
            raise QueryError(f"cannot write {self.path}: the folder {directory} does not exist")
        mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
        _remove_leftovers(directory, target.name)
        self.tmp_path = self._temporary(directory, target.name, ".partial", mode)

    def _temporary(self, folder: Path, name: str, suffix: str, mode: int | None = None) -> Path:
        """A new temporary file ``.<name>.<8 characters><suffix>`` in
        ``folder``, held (``flock``) until the writer commits or aborts."""
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=suffix, dir=folder)
        try:
            if mode is not None:
                os.fchmod(fd, mode)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        # Between mkstemp and the flock another run's cleanup could take the
        # new, empty file for a leftover: then writing re-creates it (unheld).
        _hold(fd)
        self._locks.append(fd)
        return Path(tmp)

    def _release(self) -> None:
        """Let go of the temporary files' flocks (once they are renamed or removed)."""
        locks, self._locks = self._locks, []
        for fd in locks:
            with contextlib.suppress(OSError):
                os.close(fd)

    def _open(self, path: Path, mode: str, **kwargs: Any) -> Any:
        """Open a working file (closed in ``_finish``/``abort``); if that fails,
        the temporary file is removed before the error propagates."""
        try:
            return open(path, mode, **kwargs)
        except BaseException:
            if not self.through:
                with contextlib.suppress(FileNotFoundError):
                    self.tmp_path.unlink()
            raise

    def _open_binary(self) -> BinaryIO:
        """The binary handle rows go to: the temporary file, the target
        itself (written through) or the caller's stream."""
        if self._stream is not None:
            return _Sink(self._stream, owned=False)  # type: ignore[return-value]
        mode = "ab" if self.through else "wb"
        return _Sink(self._open(self.tmp_path, mode), owned=True)  # type: ignore[return-value]

    def _scratch(self, suffix: str) -> Path:
        """A scratch file beside the output (or in the temp folder when
        writing through), removed by the writer."""
        if self.through:
            fd, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=suffix)
            os.close(fd)
            return Path(name)
        return self._temporary(self.tmp_path.parent, self._target.name, suffix)

    def __enter__(self) -> ExportWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        """Flush and close the temporary file (subclasses)."""

    def commit(self) -> Path:
        """Finish the file and move it over the target path."""
        if self._closed:
            return self.path
        try:
            self._finish()
            if not self.through:
                # Every writer's _finish fsyncs its file; the rename is made
                # durable by an fsync of the folder.
                os.replace(self.tmp_path, self._target)
                _fsync_dir(self._target.parent)
        except BaseException:
            self.abort()
            raise
        self._closed = True
        self._release()
        return self.path

    def abort(self) -> None:
        """Discard the temporary file; the target path is left untouched
        (what went to a stream or device so far stays written)."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(Exception):
            self._close_handles()
        if not self.through:
            with contextlib.suppress(FileNotFoundError):
                self.tmp_path.unlink()
        self._release()

    def _close_handles(self) -> None:
        """Close open file handles without finishing (subclasses)."""


class _Sink:
    """The binary handle a writer writes to. Counts its own position (a pipe
    cannot ``tell()``, and Parquet asks), and closes the handle only when the
    writer opened it: a caller's stream is flushed, never closed."""

    def __init__(self, handle: Any, owned: bool) -> None:
        self._h = handle
        self._owned = owned
        self._pos = 0
        self.closed = False

    def write(self, data: Any) -> int:
        self._h.write(data)
        n = len(data) if not isinstance(data, memoryview) else data.nbytes
        self._pos += n
        return n

    def flush(self) -> None:
        self._h.flush()

    def fileno(self) -> int:
        return int(self._h.fileno())

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._owned:
            self._h.close()
        else:
            self._h.flush()

    def readable(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def __enter__(self) -> _Sink:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _fsync_close(handle: IO[Any]) -> None:
    handle.flush()
    with contextlib.suppress(OSError, ValueError, AttributeError):
        # a pipe, terminal or caller's stream cannot be synced
        if stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            os.fsync(handle.fileno())
    handle.close()


class JsonlWriter(ExportWriter):
    """One JSON object per line, nested fields kept nested."""

    format: Format = "jsonl"

    def __init__(self, path: str | os.PathLike[str] | BinaryIO) -> None:
        super().__init__(path)
        self._fh = self._open_binary()

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        dumps, option = orjson.dumps, orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS
        n = 0
        buf = bytearray()
        for row in rows:
            buf += dumps(row, option=option)
            n += 1
        self._fh.write(buf)
        self.rows_written += n

    def _finish(self) -> None:
        _fsync_close(self._fh)

    def _close_handles(self) -> None:
        self._fh.close()


class CsvWriter(ExportWriter):
    """CSV with nested fields flattened to ``parent:child`` columns.

    Columns are those of the requested ``fields`` order first, then any new
    flattened key in the order it is first seen. When a key first appears
    after rows were written, the file is rewritten once at the end with the
    full header (streaming, so memory stays bounded).
    """

    format: Format = "csv"

    def __init__(
        self, path: str | os.PathLike[str] | BinaryIO, columns: Iterable[str] = ()
    ) -> None:
        super().__init__(path)
        self.columns: list[str] = list(dict.fromkeys(columns))
        self._known = set(self.columns)
        self._width_at_start = -1
        self._fh = io.TextIOWrapper(self._open_binary(), newline="", encoding="utf-8")
        self._csv = csv.writer(self._fh)
        self._header_written = False

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        flat = [flatten_row(r) for r in rows]
        for row in flat:
            for key in row:
                if key not in self._known:
                    self._known.add(key)
                    self.columns.append(key)
        if not self._header_written:
            self._csv.writerow(self.columns)
            self._width_at_start = len(self.columns)
            self._header_written = True
        cols = self.columns
        self._csv.writerows([[_csv_value(row.get(c)) for c in cols] for row in flat])
        self.rows_written += len(flat)

    def _finish(self) -> None:
        if not self._header_written:
            self._csv.writerow(self.columns)
            self._width_at_start = len(self.columns)
        _fsync_close(self._fh)
        if len(self.columns) == self._width_at_start:
            return
        if self.through:
            raise QueryError(
                f"columns {', '.join(self.columns[self._width_at_start :])} appeared after the "
                f"CSV header went to {self.path}; give columns= or a schema= up front"
            )
        # New columns appeared after the header went out: rewrite with the
        # full header, padding earlier rows.
        width = len(self.columns)
        # the rewritten file takes the mode chosen for the output
        mode = stat.S_IMODE(os.stat(self.tmp_path).st_mode)
        fixed = self._temporary(self.tmp_path.parent, self._target.name, ".partial", mode)
        try:
            with (
                open(self.tmp_path, newline="", encoding="utf-8") as src,
                open(fixed, "w", newline="", encoding="utf-8") as dst,
            ):
                reader, writer = csv.reader(src), csv.writer(dst)
                next(reader)
                writer.writerow(self.columns)
                for line in reader:
                    writer.writerow(line + [""] * (width - len(line)))
                dst.flush()
                os.fsync(dst.fileno())
            os.replace(fixed, self.tmp_path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(fixed)
            raise

    def _close_handles(self) -> None:
        self._fh.close()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value


class ParquetWriter(ExportWriter):
    """Parquet through pyarrow (the ``parquet`` extra), nested fields flattened
    as in CSV. Rows are staged as JSON Lines, then converted in batches with a
    schema unified over the whole export (a column whose types disagree
    becomes text), so memory stays bounded by the batch size."""

    format: Format = "parquet"

    def __init__(
        self, path: str | os.PathLike[str] | BinaryIO, columns: Iterable[str] = ()
    ) -> None:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise QueryError(
                "Parquet output needs pyarrow: pip install 'workfront-async[parquet]'"
            ) from None
        super().__init__(path)
        self.columns: list[str] = list(dict.fromkeys(columns))
        self._stage = self._scratch(".stage")
        self._fh = self._open(self._stage, "wb")

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        option = orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS
        n = 0
        buf = bytearray()
        for row in rows:
            buf += orjson.dumps(flatten_row(row), option=option)
            n += 1
        self._fh.write(buf)
        self.rows_written += n

    def _batches(self) -> Iterable[list[dict[str, Any]]]:
        with open(self._stage, "rb") as fh:
            batch: list[dict[str, Any]] = []
            for line in fh:
                batch.append(orjson.loads(line))
                if len(batch) >= PARQUET_BATCH:
                    yield batch
                    batch = []
            if batch:
                yield batch

    def _finish(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._fh.close()
        try:
            # Pass 1: the column order and one type per column.
            columns = list(self.columns)
            seen = set(columns)
            types: dict[str, Any] = {}
            for batch in self._batches():
                for row in batch:
                    for key in row:
                        if key not in seen:
                            seen.add(key)
                            columns.append(key)
                for c in columns:
                    types[c] = _merge_type(types.get(c), _infer([row.get(c) for row in batch]))
            schema = pa.schema([(c, types.get(c) or pa.string()) for c in columns])
            # Pass 2: write batches cast to the unified schema.
            sink = self._open_binary()
            try:
                with pq.ParquetWriter(sink, schema) as writer:
                    for batch in self._batches():
                        arrays = [
                            pa.array(
                                [_cell(row.get(c), schema.field(c).type) for row in batch],
                                type=schema.field(c).type,
                            )
                            for c in columns
                        ]
                        writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
                    if self.rows_written == 0:
                        writer.write_table(schema.empty_table())
            except BaseException:
                sink.close()
                raise
            _fsync_close(sink)
        finally:
            with contextlib.suppress(FileNotFoundError):
                self._stage.unlink()

    def _close_handles(self) -> None:
        self._fh.close()
        with contextlib.suppress(FileNotFoundError):
            self._stage.unlink()


def _merge_type(old: Any, new: Any) -> Any:
    import pyarrow as pa

    if old is None or pa.types.is_null(old):
        return new
    if pa.types.is_null(new) or old == new:
        return old
    if pa.types.is_integer(old) and pa.types.is_floating(new):
        return new
    if pa.types.is_floating(old) and pa.types.is_integer(new):
        return old
    return pa.string()


def _infer(values: list[Any]) -> Any:
    import pyarrow as pa

    try:
        return pa.array(values).type
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.string()


def _cell(value: Any, typ: Any) -> Any:
    import pyarrow as pa

    if value is None:
        return None
    if pa.types.is_string(typ) and not isinstance(value, str):
        return orjson.dumps(value).decode()
    return value


def format_of(path: str | os.PathLike[str] | BinaryIO, format: str | None = None) -> Format:
    """The format for ``path``: ``format`` if given, else from the extension
    (``.jsonl``/``.ndjson``/``.json``, ``.csv``, ``.parquet``/``.pq``)."""
    if format is None:
        if not isinstance(path, (str, os.PathLike)):
            raise QueryError(f"writing to a stream needs format=, one of {', '.join(FORMATS)}")
        suffix = Path(path).suffix.lower()
        format = {
            ".jsonl": "jsonl",
            ".ndjson": "jsonl",
            ".json": "jsonl",
            ".csv": "csv",
            ".parquet": "parquet",
            ".pq": "parquet",
        }.get(suffix)
        if format is None:
            raise QueryError(
                f"cannot tell the format of {path!s} from its extension; "
                f"pass format= one of {', '.join(FORMATS)}"
            )
    if format not in FORMATS:
        raise QueryError(f"unknown export format {format!r}; use one of {', '.join(FORMATS)}")
    return format


def open_writer(
    path: str | os.PathLike[str] | BinaryIO,
    format: Format | None = None,
    *,
    columns: Iterable[str] = (),
    schema: ExportSchema | None = None,
    dates: Literal["iso", "workfront"] = "iso",
) -> ExportWriter:
    """Open a writer for ``path`` (a file path, or a binary stream such as
    ``sys.stdout.buffer``); the format defaults to the file extension.

    With ``schema`` (from :func:`schema_for`) the writer is typed: fixed
    columns, ISO 8601 dates (or ``dates="workfront"`` in JSON Lines and CSV),
    real Parquet types. Without it, rows are written as they come (nested
    JSON Lines; CSV and Parquet flattened with ``parent:child`` names and
    types guessed from the data).
    """
    fmt = format_of(path, format)
    if schema is not None:
        from ._typed import TypedCsvWriter, TypedJsonlWriter, TypedParquetWriter

        typed = {"jsonl": TypedJsonlWriter, "csv": TypedCsvWriter, "parquet": TypedParquetWriter}
        return typed[fmt](path, schema, dates=dates)
    if dates != "iso":
        raise QueryError("dates= applies to typed writers; pass schema= as well")
    if fmt == "jsonl":
        return JsonlWriter(path)
    if fmt == "csv":
        return CsvWriter(path, columns)
    return ParquetWriter(path, columns)
