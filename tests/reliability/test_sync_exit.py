"""``sync`` between real processes: a refused concurrent run has an exit code
of its own, and a run cleans what a killed one left of the state.

A second ``workfront-async sync`` on a state file that another sync holds
used to exit 2, the code of a wrong command line, so a scheduler could not
tell "try again later" from "fix the command". It exits 75 (``EX_TEMPFAIL``),
having done nothing, and the next run after the holder is gone goes through.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import anyio
import pytest

CLI = [sys.executable, "-m", "workfront_async.cli"]
DEMO = ["--demo-scale", "0.01"]

# A sync that takes the state file's lock, writes the state and then waits in
# its first request (the emulator answers after a minute): the holder.
HOLDER = textwrap.dedent(
    """
    import sys
    import anyio
    from workfront_async import Workfront, sync_to_file
    from workfront_async.testing import Emulator

    async def main() -> None:
        emu = Emulator.with_demo_data(scale=0.01, latency=60)
        async with Workfront(
            "https://acme.my.workfront.com", api_key=emu.api_key(), transport=emu.transport()
        ) as wf:
            await sync_to_file(wf, "task", output=sys.argv[1], state=sys.argv[2])

    anyio.run(main)
    """
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKFRONT_")}
    env["COLUMNS"] = "80"
    return env


def _sync(folder: Path) -> list[str]:
    out, state = folder / "changes.jsonl", folder / "task.cursor"
    return [*CLI, "sync", "task", "--state", str(state), "-o", str(out), *DEMO]


async def test_a_sync_refused_because_another_holds_the_state_exits_75(tmp_path: Path) -> None:
    state = tmp_path / "task.cursor"
    argv = [sys.executable, "-c", HOLDER, str(tmp_path / "changes.jsonl"), str(state)]
    async with await anyio.open_process(argv, env=_env()) as holder:
        try:
            # The holder writes the state under the lock before its first
            # request: from then on it holds the lock for a minute.
            with anyio.fail_after(60):
                while not await anyio.Path(state).exists():  # noqa: ASYNC110
                    await anyio.sleep(0.05)
            with anyio.fail_after(120):
                refused = await anyio.run_process(_sync(tmp_path), env=_env(), check=False)
        finally:
            holder.kill()
            with anyio.fail_after(60):
                await holder.wait()
    err = refused.stderr.decode()
    assert refused.returncode == 75, err
    assert "workfront-async: busy: another sync is running with the state file" in err
    assert "Traceback" not in err
    assert await anyio.Path(tmp_path / "changes.jsonl").read_bytes() == b""  # nothing done
    # The holder is gone (killed: its lock went with it); the next run goes through.
    with anyio.fail_after(120):
        again = await anyio.run_process(_sync(tmp_path), env=_env(), check=False)
    assert again.returncode == 0, again.stderr.decode()
    assert b"changed rows appended" in again.stderr


@pytest.mark.parametrize("leftover", [b"", b'{"version": 2, "timestamp": "2025-01-0'])
async def test_a_sync_removes_the_half_written_state_a_killed_run_left(
    tmp_path: Path, leftover: bytes
) -> None:
    with anyio.fail_after(120):
        first = await anyio.run_process(_sync(tmp_path), env=_env(), check=False)
    assert first.returncode == 0, first.stderr.decode()
    state = anyio.Path(tmp_path / "task.cursor")
    saved = await state.read_bytes()
    output = await anyio.Path(tmp_path / "changes.jsonl").read_bytes()
    # What a run killed while replacing the state leaves: its temporary file.
    tmp = anyio.Path(tmp_path / "task.cursor.tmp")
    await tmp.write_bytes(leftover)
    with anyio.fail_after(120):
        second = await anyio.run_process(_sync(tmp_path), env=_env(), check=False)
    assert second.returncode == 0, second.stderr.decode()
    assert b"0 changed rows" in second.stderr  # a run that commits nothing...
    assert not await tmp.exists()  # ...still removes it
    assert await state.read_bytes() == saved
    assert await anyio.Path(tmp_path / "changes.jsonl").read_bytes() == output
