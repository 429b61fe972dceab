"""The command line on a real pseudo-terminal, 50 and 120 columns wide, the
way a person sees it: `search` one row per line with ISO dates, the card
behind `--format card` (and for `get`), export progress that never cuts its
count, something on screen while the demo tenant is built."""

from __future__ import annotations

import errno
import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from workfront_async.testing import Emulator

CLI = [sys.executable, "-m", "workfront_async.cli"]
ANSI = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|\][^\x07]*\x07|[()][A-Z0-9])")
ROW = re.compile(r"^[0-9a-f]{32}\b")
ISO_MINUTE = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z\b")
WORKFRONT_DATE = re.compile(r"\d{2}:\d{2}:\d{2}:\d{3}[+-]\d{4}")


def in_terminal(argv: list[str], columns: int, cwd: Path) -> str:
    """Run the CLI with standard output and error on a pseudo-terminal of
    ``columns`` x 40; return everything it wrote, escape codes included."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKFRONT_")}
    for name in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM"):
        env.pop(name, None)
    env["TERM"] = "xterm-256color"
    proc = subprocess.Popen(
        [*CLI, *argv], stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd
    )
    os.close(slave)
    chunks: list[bytes] = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 120)
            if not ready:
                proc.kill()
                raise AssertionError(f"no output for 120 s from {argv}")
            try:
                chunk = os.read(master, 65536)
            except OSError as exc:  # EIO: the child closed the terminal
                if exc.errno != errno.EIO:
                    raise
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
        code = proc.wait(timeout=120)
    text = b"".join(chunks).decode("utf-8", errors="replace")
    assert code == 0, text
    return text


def fragments(text: str) -> list[str]:
    """Every piece of text drawn between line feeds and carriage returns."""
    plain = ANSI.sub("", text)
    return [p for line in plain.split("\n") for p in line.split("\r") if p.strip()]


@pytest.fixture(scope="module")
def demo() -> Emulator:
    return Emulator.with_demo_data(scale=0.01)


@pytest.mark.parametrize("columns", [50, 120])
def test_search_prints_one_row_per_line(columns: int, tmp_path: Path, demo: Emulator) -> None:
    argv = ["search", "task", "--limit", "5", "--demo-scale", "0.01"]
    text = in_terminal(argv, columns, tmp_path)
    lines = fragments(text)
    rows = [line for line in lines if ROW.match(line)]
    assert len(rows) == 5, "\n".join(lines)
    header = lines[lines.index(rows[0]) - 1]
    # never wider than the terminal: a row that wraps is no longer one line
    assert max(len(line) for line in [header, *rows]) <= columns, "\n".join(lines)
    tasks = {t["ID"]: t for t in demo.rows("task")}
    for row in rows:
        task_id = row[:32]
        assert task_id in tasks  # the whole ID, to copy into `get`
        assert tasks[task_id]["name"][:8] in row  # the name, cut to fit if need be
    assert header.split()[:2] == ["ID", "name"]
    assert not any(WORKFRONT_DATE.search(line) for line in lines)
    if columns >= 120:
        # the compact column set of a task, dates in ISO 8601
        for name in ("status", "plannedCompletionDate", "assignedTo:name"):
            assert name in header
        assert all(ISO_MINUTE.search(row) for row in rows)
    else:
        assert "more columns do not fit" in text  # said once, on standard error
    assert "more match" in text


def test_search_with_fields_shows_those_columns(tmp_path: Path) -> None:
    argv = ["search", "project", "--fields", "name,owner:name", "--limit", "3", "-q"]
    lines = fragments(in_terminal([*argv, "--demo-scale", "0.01"], 120, tmp_path))
    assert lines[0].split() == ["ID", "name", "owner:name"]
    assert len([line for line in lines if ROW.match(line)]) == 3


def test_the_card_is_an_option_of_search_and_the_default_of_get(
    tmp_path: Path, demo: Emulator
) -> None:
    task = demo.rows("task")[0]
    argv = ["search", "task", "--where", f'ID == "{task["ID"]}"', "--format", "card", "-q"]
    card = fragments(in_terminal([*argv, "--demo-scale", "0.01"], 50, tmp_path))
    got = fragments(
        in_terminal(["get", "task", task["ID"], "-q", "--demo-scale", "0.01"], 50, tmp_path)
    )
    for lines in (card, got):
        assert max(len(line) for line in lines) <= 50
        assert any(task["ID"] in line for line in lines)
        assert any("name" in line and task["name"][:10] in line for line in lines)
        assert any("status" in line for line in lines)
        assert not any(WORKFRONT_DATE.search(line) for line in lines)
        assert any(ISO_MINUTE.search(line) for line in lines)


@pytest.mark.parametrize("columns", [50, 120])
def test_export_progress_fits_and_keeps_its_count(columns: int, tmp_path: Path) -> None:
    text = in_terminal(
        ["export", "task", "-o", "tasks.jsonl", "--demo-scale", "0.2"], columns, tmp_path
    )
    lines = fragments(text)
    assert any("Building the demo tenant (4,000 tasks)" in line for line in lines)
    bar = [line for line in lines if line.rstrip().endswith(("rows", "rows/s", "ETA 00:00"))]
    assert bar, "\n".join(lines)
    assert max(len(line) for line in bar) <= columns, "\n".join(bar)
    assert "4,000/4,000 rows" in bar[-1]
    assert "wrote 4,000 rows to tasks.jsonl" in lines[-1]
