"""The `workfront-async` command line through its entry point: exit codes,
parse errors, the embedded-Workfront default, and no credentials printed."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import anyio
import pytest

from workfront_async.cli import main
from workfront_async.testing import Emulator

SMALL = ["--demo-scale", "0.01"]


@pytest.fixture(autouse=True)
def _no_env_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKFRONT_URL", raising=False)
    monkeypatch.delenv("WORKFRONT_API_KEY", raising=False)


def test_export_defaults_to_the_embedded_workfront(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tasks.jsonl"
    code = main(["export", "task", "-o", str(out), "--fields", "name,status", *SMALL])
    err = capsys.readouterr().err
    assert code == 0
    assert "embedded Workfront" in err
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    expected = len(Emulator.with_demo_data(scale=0.01).rows("task"))
    assert len(rows) == expected
    assert len({r["ID"] for r in rows}) == expected
    assert f"wrote {expected:,} rows" in err


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_formats_and_where(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"cur.{fmt}"
    code = main(
        [
            "export",
            "task",
            "-o",
            str(out),
            "--where",
            'status == "INP"',
            "--fields",
            "name,status,assignedTo:name",
            "--consistency",
            "keyset",
            "-q",
            *SMALL,
        ]
    )
    assert code == 0
    if fmt == "csv":
        text = out.read_text()
        header = text.splitlines()[0].split(",")
        assert header[:3] == ["ID", "name", "status"]
        assert "assignedTo.name" in header  # typed columns are named with dots (docs/etl.md)
        statuses = {line.split(",")[header.index("status")] for line in text.splitlines()[1:]}
    else:
        import pyarrow.parquet as pq

        statuses = set(pq.read_table(out).column("status").to_pylist())
    assert statuses == {"INP"}


def test_count_search_and_get(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["count", "task", "--where", 'status == "INP"', "-q", *SMALL]) == 0
    count = int(capsys.readouterr().out.strip())
    assert count > 0
    emu = Emulator.with_demo_data(scale=0.01)
    assert count == sum(1 for r in emu.rows("task") if r["status"] == "INP")

    assert main(["search", "task", "--limit", "3", "--sort", "name:desc", "-q", *SMALL]) == 0
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(found) == 3
    names = [r["name"] for r in found]
    assert names == sorted(names, reverse=True)

    ids = [r["ID"] for r in found[:2]]
    assert main(["get", "task", *ids, "-q", *SMALL]) == 0
    got = [json.loads(line)["ID"] for line in capsys.readouterr().out.splitlines()]
    assert got == ids


def test_where_syntax_error_points_at_the_column(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["count", "task", "--where", 'status == "CUR" |', "-q", *SMALL])
    err = capsys.readouterr().err
    assert code == 2
    assert "column 18" in err
    assert "^" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "task"],  # -o missing
        ["frobnicate"],
        ["export", "task", "-o", "x.jsonl", "--format", "xlsx"],
        ["count", "task", "--url", "https://acme.my.workfront.com"],  # no api key
        ["count", "task", "--where", "__import__('os').system('true')", *SMALL],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_sync_keeps_a_cursor_between_runs(tmp_path: Path) -> None:
    state, out = tmp_path / "state.json", tmp_path / "changes.jsonl"
    argv = ["sync", "task", "--state", str(state), "-o", str(out), "-q", *SMALL]
    assert main(argv) == 0
    first = out.read_text().splitlines()
    assert first
    assert json.loads(state.read_text())["timestamp"]
    # Nothing changed in between (each run builds the same deterministic demo
    # tenant), so the second run appends nothing.
    assert main(argv) == 0
    assert out.read_text().splitlines() == first


async def test_api_failure_is_one_line_without_the_key(tmp_path: Path) -> None:
    emu = Emulator.with_demo_data(scale=0.01)
    secret = "not-the-right-key-SEKRET-9f8e7d"
    async with emu.serve() as served:
        for extra in ([], ["--debug"]):
            result = await anyio.run_process(
                [
                    sys.executable,
                    "-m",
                    "workfront_async.cli",
                    "count",
                    "task",
                    "--url",
                    served.base_url,
                    *extra,
                ],
                env={**os.environ, "WORKFRONT_API_KEY": secret},
                check=False,
            )
            err = result.stderr.decode()
            assert result.returncode == 1, err
            assert "AuthenticationError" in err
            assert secret not in err
            assert secret not in result.stdout.decode()
            if not extra:
                assert len(err.strip().splitlines()) == 1
                assert "Traceback" not in err
            else:
                assert "Traceback" in err


async def test_real_key_works_over_http(tmp_path: Path) -> None:
    emu = Emulator.with_demo_data(scale=0.01)
    async with emu.serve() as served:
        result = await anyio.run_process(
            [
                sys.executable,
                "-m",
                "workfront_async.cli",
                "count",
                "project",
                "--url",
                served.base_url,
                "--api-key",
                emu.api_key(),
            ],
            check=False,
        )
    assert result.returncode == 0, result.stderr.decode()
    assert int(result.stdout) == len(emu.rows("project"))


def test_get_reports_missing_ids(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["get", "task", "0" * 32, "-q", *SMALL])
    captured = capsys.readouterr()
    assert code == 1
    assert "not found: " + "0" * 32 in captured.err
    assert captured.out == ""
