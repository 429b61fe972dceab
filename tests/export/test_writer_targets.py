"""Where writers write: devices, FIFOs and symlinks are written through, never
renamed over; file modes follow the umask or the replaced file; streams."""

from __future__ import annotations

import io
import json
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from workfront_async import QueryError
from workfront_async.export import build_schema, open_writer

ROWS = [{"ID": "1", "name": "a"}, {"ID": "2", "name": "b"}]
META = {"TASK": {"fields": {"ID": {"fieldType": "string"}, "name": {"fieldType": "string"}}}}
SCHEMA = build_schema("TASK", ["name"], META)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
@pytest.mark.parametrize("typed", [False, True])
def test_symlink_to_a_device_stays_a_symlink(tmp_path: Path, fmt: str, typed: bool) -> None:
    # Like /dev/stdout -> /proc/self/fd/1: renaming over the link would turn
    # it into a regular file.
    link = tmp_path / f"out.{fmt}"
    link.symlink_to("/dev/null")
    with open_writer(link, schema=SCHEMA if typed else None) as w:
        w.write(ROWS)
    assert link.is_symlink()
    assert os.readlink(link) == "/dev/null"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert [p.name for p in tmp_path.iterdir()] == [link.name]  # no temporary left


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_fifo_is_written_through(tmp_path: Path, fmt: str) -> None:
    fifo = tmp_path / f"pipe.{fmt}"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as fh:
            got.append(fh.read())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        with open_writer(fifo, schema=SCHEMA) as w:
            w.write(ROWS)
    finally:
        reader.join(timeout=10)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    text = got[0].decode()
    assert "a" in text
    assert "b" in text
    assert len(text.strip().splitlines()) == (2 if fmt == "jsonl" else 3)


def test_symlink_to_a_regular_file_replaces_the_file(tmp_path: Path) -> None:
    real = tmp_path / "real.jsonl"
    real.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    with open_writer(link, schema=SCHEMA) as w:
        w.write(ROWS)
    assert link.is_symlink()
    assert [json.loads(line)["ID"] for line in real.read_text().splitlines()] == ["1", "2"]


@pytest.mark.usefixtures("umask_022")
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_new_file_follows_the_umask(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"t.{fmt}"
    with open_writer(out, schema=SCHEMA) as w:
        w.write(ROWS)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


@pytest.mark.usefixtures("umask_022")
def test_new_file_follows_a_tighter_umask(tmp_path: Path) -> None:
    os.umask(0o077)
    out = tmp_path / "t.jsonl"
    with open_writer(out) as w:
        w.write(ROWS)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


@pytest.mark.usefixtures("umask_022")
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o664])
def test_replaced_file_keeps_its_mode(tmp_path: Path, mode: int) -> None:
    out = tmp_path / "t.csv"
    out.write_text("old\n")
    out.chmod(mode)
    with open_writer(out, schema=SCHEMA) as w:
        w.write(ROWS)
    assert stat.S_IMODE(out.stat().st_mode) == mode
    assert out.read_text().startswith("ID,name")


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_writes_to_a_binary_stream_without_closing_it(fmt: str) -> None:
    stream = io.BytesIO()
    with open_writer(stream, fmt, schema=SCHEMA) as w:  # type: ignore[arg-type]
        w.write(ROWS)
    assert not stream.closed
    data = stream.getvalue()
    if fmt == "jsonl":
        assert [json.loads(line) for line in data.splitlines()] == ROWS
    elif fmt == "csv":
        assert data.decode().splitlines() == ["ID,name", "1,a", "2,b"]
    else:
        import pyarrow.parquet as pq

        assert pq.read_table(io.BytesIO(data)).to_pylist() == ROWS


def test_stream_needs_a_format() -> None:
    with pytest.raises(QueryError, match="format="):
        open_writer(io.BytesIO())  # type: ignore[arg-type]


def test_folder_target_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="folder"):
        open_writer(tmp_path, "jsonl")


@pytest.mark.usefixtures("umask_022")
def test_csv_rewritten_for_late_columns_follows_the_umask(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    with open_writer(out, columns=["ID"]) as w:  # untyped: late columns rewrite the file
        w.write([{"ID": "1"}])
        w.write([{"ID": "2", "late": "x"}])
    assert out.read_text().splitlines()[0] == "ID,late"
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_stdout_redirected_to_a_file_is_appended_to_not_replaced(tmp_path: Path, fmt: str) -> None:
    # `workfront-async export ... -o /dev/stdout >> log`: /dev/stdout leads to
    # /proc/self/fd/1 and on to the log file; the file must stay the same
    # inode, keep what it held, and get the rows after it.
    log = tmp_path / "log.txt"
    with log.open("ab") as fh:
        fh.write(b"earlier output\n")
        fh.flush()
        inode = os.fstat(fh.fileno()).st_ino
        via = Path(f"/proc/self/fd/{fh.fileno()}")
        if not via.is_symlink():
            pytest.skip("no /proc/self/fd here")
        with open_writer(via, fmt, schema=SCHEMA) as w:
            w.write(ROWS)
    assert log.stat().st_ino == inode
    lines = log.read_text().splitlines()
    assert lines[0] == "earlier output"
    assert len(lines) == 3 if fmt == "jsonl" else 4
    assert [p.name for p in tmp_path.iterdir()] == ["log.txt"]
