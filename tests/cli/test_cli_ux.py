"""The command line as a person meets it: --version, global options anywhere,
one-line errors that name the CLI's flags, typo suggestions, output formats,
and --limit that says when it cut the result."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from pathlib import Path

import pytest

from workfront_async.cli import main
from workfront_async.testing import Emulator

SMALL = ["--demo-scale", "0.01"]


@pytest.fixture(autouse=True)
def _no_env_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKFRONT_URL", raising=False)
    monkeypatch.delenv("WORKFRONT_API_KEY", raising=False)


@pytest.fixture(scope="module")
def demo() -> Emulator:
    return Emulator.with_demo_data(scale=0.01)


def _one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("workfront-async: "), err
    assert "Traceback" not in err
    return lines[0]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from workfront_async import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"workfront-async {__version__}"


@pytest.mark.parametrize(
    "argv",
    [
        ["--debug", "-q", *SMALL, "count", "task"],
        ["count", "task", "--debug", "-q", *SMALL],
        ["-q", "count", *SMALL, "task"],
    ],
)
def test_global_options_before_or_after_the_command(
    argv: list[str], capsys: pytest.CaptureFixture[str], demo: Emulator
) -> None:
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert int(captured.out) == len(demo.rows("task"))
    assert "embedded Workfront" not in captured.err  # -q was honoured wherever it stood


def test_an_option_after_the_command_wins(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--demo-scale", "0.5", "count", "project", "--demo-scale", "0.01", "-q"]) == 0
    assert int(capsys.readouterr().out) == len(Emulator.with_demo_data(scale=0.01).rows("project"))


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["export", "task", "-o", "t.xlsx", *SMALL], "--format"),
        (["export", "task", "-o", "x.jsonl", "--format", "xlsx"], "--format"),
        (["export", "task"], "-o/--output"),
        (["frobnicate"], "invalid choice"),
        (["count", "task", "--url", "http://[::1", "--api-key", "k"], "--url"),
        (["count", "task", "--url", "acme", "--api-key", "k"], "--url"),
        (["count", "task", "--demo-scale", "-1"], "--demo-scale"),
        (["search", "task", "--format", "yaml"], "--format"),
        (["export", "task", "-o", "-", "--format", "parquet", *SMALL], "-o -"),
    ],
)
def test_usage_errors_are_one_line_naming_the_flag(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    line = _one_line_error(capsys.readouterr().err)
    assert expected in line
    assert "format=" not in line  # the library's argument name means nothing here


@pytest.mark.parametrize(
    "where",
    [
        "not " * 24_000 + "x == 1",  # MemoryError inside Python's parser
        "a" + ".b" * 40_000 + " == 1",  # RecursionError
    ],
)
def test_deeply_nested_where_is_a_usage_error(
    where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["count", "task", "--where", where, "-q", *SMALL]) == 2
    assert "--where" in _one_line_error(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("argv", "suggestion"),
    [
        (["count", "tsk"], "did you mean task"),
        (["search", "projet"], "did you mean project"),
        (["search", "task", "--fields", "nam,status"], "did you mean name"),
        (["count", "task", "--where", 'assignedTo.nme == "Ann"'], "did you mean name"),
        (["search", "task", "--sort", "plannedStartDat:desc"], "did you mean plannedStartDate"),
        (["export", "task", "-o", "x.jsonl", "--fields", "Status"], "did you mean status"),
    ],
)
def test_typos_fail_before_any_row_with_a_suggestion(
    argv: list[str], suggestion: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    os.chdir(tmp_path)
    assert main([*argv, "-q", *SMALL]) == 2
    assert suggestion in _one_line_error(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


def test_custom_fields_and_known_nested_fields_pass(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["search", "task", "--fields", "name,assignedTo:name,project:owner:name", "-q"]
    assert main([*argv, "--limit", "1", "--format", "jsonl", *SMALL]) == 0
    row = json.loads(capsys.readouterr().out)
    assert "assignedTo" in row


def test_search_says_when_the_limit_cut_the_result(
    capsys: pytest.CaptureFixture[str], demo: Emulator
) -> None:
    assert main(["search", "task", "--limit", "5", *SMALL]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 5  # not a terminal: JSON Lines
    assert "showing the first 5 rows; more match" in captured.err
    total = len(demo.rows("task"))
    assert main(["search", "task", "--limit", str(total), *SMALL]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == total
    assert "more match" not in captured.err
    assert main(["search", "task", "--limit", "0", "-q", *SMALL]) == 0
    assert len(capsys.readouterr().out.splitlines()) == total


def test_search_formats(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["search", "task", "--fields", "name,assignedTo:name", "--limit", "3", "-q", *SMALL]
    assert main([*base, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 3
    assert {"ID", "name", "assignedTo:name"} <= set(rows[0])
    assert main([*base, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 3
    assert "name" in data[0]["assignedTo"]
    assert main([*base, "--format", "table"]) == 0
    table = capsys.readouterr().out
    assert "assignedTo:name" in table
    assert all(r["name"] in table for r in rows)


def test_get_prints_a_card_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], demo: Emulator
) -> None:
    task = demo.rows("task")[0]
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert main(["get", "task", task["ID"], "--fields", "name", "-q", *SMALL]) == 0
    out = capsys.readouterr().out
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in out.splitlines()]
    assert lines == [task["ID"], f"  name  {task['name']}"]  # a card, not JSON


def test_completion_script(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "bash"]) == 0
    script = capsys.readouterr().out
    assert "workfront-async" in script
    assert "complete " in script


def test_completion_completes_commands_and_flags(tmp_path: Path) -> None:
    import subprocess

    out = tmp_path / "completions"

    def complete(line: str) -> list[str]:
        subprocess.run(
            [sys.executable, "-m", "workfront_async.cli"],
            env={
                **os.environ,
                "_ARGCOMPLETE": "1",
                "_ARGCOMPLETE_IFS": "\n",
                "COMP_LINE": line,
                "COMP_POINT": str(len(line)),
                "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
            },
            check=False,
            stdin=subprocess.DEVNULL,
            capture_output=True,
        )
        return [c.strip() for c in out.read_text().split("\n")]

    # one process (each costs an interpreter start): an option of a command
    assert "--consistency" in complete("workfront-async export task --cons")


@pytest.mark.parametrize("entry", ["workfront-async", "python -m workfront_async.testing"])
def test_emulator_serve_has_every_option(entry: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Serving blocks until Ctrl-C: record the emulator it would serve instead.
    served: list[tuple[Emulator, int, str]] = []

    def serve_forever(self: Emulator, port: int = 8000, host: str = "127.0.0.1") -> None:
        served.append((self, port, host))

    monkeypatch.setattr(Emulator, "serve_forever", serve_forever)
    options = ["--empty", "--latency", "0.05", "--sandbox", "--max-concurrency", "4"]
    options += ["--port", "0", "--host", "127.0.0.2", "-q"]
    if entry == "workfront-async":
        assert main(["emulator", "serve", *options]) == 0
    else:
        from workfront_async.testing.__main__ import main as testing_main

        assert testing_main(["serve", *options]) == 0
    (emu, port, host), *_ = served
    assert (port, host) == (0, "127.0.0.2")
    assert emu.latency == 0.05
    assert emu.max_uri_bytes is None
    assert emu.max_concurrency == 4
    assert emu.rows("task") == []
