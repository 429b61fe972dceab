"""Files an export writes are durable, and what a killed run leaves is cleaned.

- Every writer, each format with and without a schema, ``fsync``s its
  temporary file before renaming it over the target and the folder after
  (Parquet without a schema used to rename an unsynced file).
- A run killed outright (SIGKILL) leaves its hidden ``.<target>.XXXXXXXX.partial``
  (and Parquet's ``.stage``); the next run for that target removes them, and
  only them: not another target's, not a live writer's, not anything merely
  named alike.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from workfront_async.export import FORMATS, Column, ExportSchema, open_writer
from workfront_async.testing import Emulator

CLI = [sys.executable, "-m", "workfront_async.cli"]
ROWS = [
    {"ID": "1", "name": "one", "assignedTo": {"name": "Ann"}},
    {"ID": "2", "name": "two", "extra": 3},  # a column that appears late (CSV rewrites)
]
SCHEMA = ExportSchema(
    "task",
    (Column("ID", ("ID",), "string"), Column("name", ("name",), "string")),
    ("ID", "name"),
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKFRONT_")}
    env["COLUMNS"] = "80"
    return env


# -- fsync before the rename, the folder after --------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("typed", [False, True], ids=["untyped", "schema"])
def test_every_writer_syncs_its_file_before_the_rename_and_the_folder_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, typed: bool
) -> None:
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    events: list[tuple[str, Any]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        st = os.fstat(fd)
        events.append(("fsync", (st.st_dev, st.st_ino)))
        real_fsync(fd)

    def replace(src: Any, dst: Any, **kwargs: Any) -> None:
        events.append(("replace", Path(dst)))
        real_replace(src, dst, **kwargs)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    target = tmp_path / f"out.{fmt}"
    with open_writer(target, schema=SCHEMA if typed else None) as writer:
        writer.write(ROWS)
    assert writer.rows_written == 2
    file = os.stat(target)
    folder = os.stat(tmp_path)
    renamed = events.index(("replace", target))
    before, after = events[:renamed], events[renamed + 1 :]
    # The bytes renamed into place were on disk first (the same inode: a rename keeps it)...
    assert ("fsync", (file.st_dev, file.st_ino)) in before, events
    # ...and the rename itself was made durable.
    assert ("fsync", (folder.st_dev, folder.st_ino)) in after, events


# -- leftovers of killed runs -------------------------------------------------------------


async def _wait_for(check: Callable[[], bool]) -> None:
    # Another process makes the file: there is no event to wait on, so poll.
    with anyio.fail_after(60):
        while not check():  # noqa: ASYNC110
            await anyio.sleep(0.05)


def _ours(folder: Path, name: str) -> list[str]:
    """Our temporary files for the target ``name``, by our naming scheme."""
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.name.startswith(f".{name}.") and p.name.endswith((".partial", ".stage"))
    )


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
async def test_the_next_export_removes_what_a_killed_one_left_and_nothing_else(
    tmp_path: Path, fmt: str
) -> None:
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    name = f"tasks.{fmt}"
    target = tmp_path / name
    emu = Emulator.with_demo_data(scale=0.01, latency=0.3)
    # A live writer for the same target, opened first: its temporary file is
    # in use all along, and no run may take it for a leftover.
    live = open_writer(target, "jsonl")
    try:
        await _kill_then_export_again(emu, tmp_path, target, set(_ours(tmp_path, name)))
    finally:
        live.abort()


async def _kill_then_export_again(
    emu: Emulator, folder: Path, target: Path, live_files: set[str]
) -> None:
    name = target.name
    assert len(live_files) == 1
    async with emu.serve() as served:
        connect = ["--url", served.base_url, "--api-key", emu.api_key()]
        argv = [*CLI, "export", "task", "-o", str(target), "--page-size", "5", "-q", *connect]
        async with await anyio.open_process(argv, env=_env()) as proc:
            await _wait_for(lambda: len(_ours(folder, name)) > len(live_files))
            proc.kill()  # SIGKILL: no cleanup can run
            with anyio.fail_after(60):
                await proc.wait()
        assert proc.returncode == -signal.SIGKILL
        killed = set(_ours(folder, name)) - live_files
        assert killed, "the killed run left nothing to clean (the test proves nothing)"
        decoys = _plant_decoys(folder, name)
        argv = [*CLI, "export", "task", "-o", str(target), "-q", *connect]
        with anyio.fail_after(120):
            result = await anyio.run_process(argv, env=_env(), check=False)
    assert result.returncode == 0, result.stderr.decode()
    left = set(_ours(folder, name))
    assert not left & killed  # the killed run's files are gone
    assert live_files <= left  # the live writer's is not
    _check_decoys(folder, decoys)
    _check_complete(target, len(emu.rows("task")))


def _plant_decoys(folder: Path, name: str) -> list[str]:
    """Files the cleaning must not touch either: named alike but not by our
    scheme, another target's, a link named by our scheme."""
    decoys = [
        f".{name}.abc.partial",  # not 8 characters
        f".{name}.abcdefghi.partial",  # 9
        f".{name}.ABCDEFGH.partial",  # not tempfile's alphabet
        f".{name}.abcdefgh.partial.bak",
        f"{name}.abcdefgh.partial",  # no leading dot
        f".other.{name}.abcdefgh.partial",  # another target
        f".{name}x.abcdefgh.partial",  # another target, too
        f".{name}.abcdefgh.tmp",
    ]
    for decoy in decoys:
        (folder / decoy).write_text("not a leftover")
    (folder / "outside.txt").write_text("kept")
    (folder / f".{name}.linklink.partial").symlink_to(folder / "outside.txt")
    return decoys


def _check_decoys(folder: Path, decoys: list[str]) -> None:
    for decoy in decoys:
        assert (folder / decoy).read_text() == "not a leftover"
    links = [p for p in folder.iterdir() if p.name.endswith(".linklink.partial")]
    assert len(links) == 1
    assert links[0].is_symlink()
    assert (folder / "outside.txt").read_text() == "kept"


def _check_complete(target: Path, expected: int) -> None:
    if target.suffix == ".jsonl":
        assert len(target.read_bytes().splitlines()) == expected
    else:
        import pyarrow.parquet as pq

        assert pq.read_table(target).num_rows == expected
