"""The command line as a real process: signals mid-export, `-o -` and pipes
that close early."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from workfront_async.testing import Emulator

CLI = [sys.executable, "-m", "workfront_async.cli"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKFRONT_")}
    env["COLUMNS"] = "80"
    return env


async def _has_partial(folder: Path) -> bool:
    return any([p.name.endswith(".partial") async for p in anyio.Path(folder).iterdir()])


@pytest.mark.parametrize(
    ("signum", "code", "fmt"),
    [
        (signal.SIGTERM, 143, "jsonl"),
        (signal.SIGTERM, 143, "parquet"),
        (signal.SIGINT, 130, "csv"),
    ],
)
async def test_a_signal_mid_export_leaves_no_file_behind(
    tmp_path: Path, signum: signal.Signals, code: int, fmt: str
) -> None:
    # systemd and `docker stop` send SIGTERM: it must clean up like Ctrl-C.
    emu = Emulator.with_demo_data(scale=0.01, latency=0.5)
    target = tmp_path / f"tasks.{fmt}"
    async with emu.serve() as served:
        argv = [*CLI, "export", "task", "-o", str(target), "--page-size", "5"]
        argv += ["--url", served.base_url, "--api-key", emu.api_key()]
        async with await anyio.open_process(argv, env=_env()) as proc:
            with anyio.fail_after(60):
                # The export has begun once its temporary file exists (made by
                # another process: there is no event to wait on, so poll).
                while not await _has_partial(tmp_path):  # noqa: ASYNC110
                    await anyio.sleep(0.05)
            proc.send_signal(signum)
            with anyio.fail_after(60):
                await proc.wait()
            assert proc.stderr is not None
            err = (await proc.stderr.receive()).decode() if proc.returncode else ""
    assert proc.returncode == code, err
    left = [p async for p in anyio.Path(tmp_path).iterdir()]
    assert left == []  # no *.partial, no *.stage, no half file


def test_dash_output_streams_data_only_to_stdout(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CLI, "export", "task", "-o", "-", "--fields", "name", "--demo-scale", "0.01"],
        env=_env(),
        capture_output=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(rows) == len(Emulator.with_demo_data(scale=0.01).rows("task"))
    err = result.stderr.decode()
    assert "embedded Workfront" in err  # the notice went to standard error
    assert "to standard output" in err
    assert list(tmp_path.iterdir()) == []


def test_dash_output_as_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from workfront_async.cli import main

    os.chdir(tmp_path)
    argv = ["export", "task", "-o", "-", "--format", "csv", "--fields", "name,assignedTo:name"]
    assert main([*argv, "--demo-scale", "0.01"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].split(",")[:3] == ["ID", "name", "assignedTo.name"]
    assert len(lines) == 1 + len(Emulator.with_demo_data(scale=0.01).rows("task"))
    assert "wrote" in captured.err
    assert list(tmp_path.iterdir()) == []


def test_a_reader_that_stops_early_ends_the_command_quietly() -> None:
    argv = ["search", "task", "--limit", "0", "--format", "jsonl"]
    # `workfront-async search ... | head -1`; 600 rows are more than a pipe buffers.
    proc = subprocess.Popen(
        [*CLI, *argv, "--demo-scale", "0.03"],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    first = proc.stdout.readline()
    assert json.loads(first)["ID"]
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0, err
    assert "Error" not in err
    assert "Traceback" not in err
