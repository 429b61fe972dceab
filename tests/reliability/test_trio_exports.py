"""Exports under trio finish: one ``anyio.run(..., backend="trio")`` runs an
offset and a keyset export on the in-process emulator with faults, then an
ordered keyset export over real HTTP against ``workfront-async emulator
serve`` in a process of its own.

Trio runs the tasks it starts in a varying order. An ordered keyset export
used to give its request slots to whichever ID ranges ran first; when the
first range was not among them, the ranges holding the slots each waited
forever to hand over a page that the consumer, waiting for the first range,
never took. The script runs the sequence several times in one process (each
time a fresh trio run) and the test fails when it does not finish in time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNS = 8  # each run hung about one time in two before the fix
TIMEOUT = 240  # a run takes about a second; this only turns a hang into a failure

SCRIPT = textwrap.dedent(
    """
    import subprocess, sys
    import anyio
    from workfront_async import Retry, Workfront
    from workfront_async.testing import Emulator, Faults

    def serve():
        process = subprocess.Popen(
            [sys.executable, "-m", "workfront_async.cli", "emulator", "serve",
             "--port", "0", "--scale", "0.05", "--quiet"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        url = key = ""
        while not (url and key):
            line = process.stdout.readline()
            if not line:
                raise SystemExit("the emulator did not start")
            if line.startswith("Embedded Workfront at "):
                url = line.split(" at ", 1)[1].strip()
            elif line.startswith("API key: "):
                key = line.split(": ", 1)[1].strip()
        return process, url, key

    async def sequence(url, key):
        emu = Emulator.with_demo_data(scale=0.05)
        emu.faults = Faults(
            rate=0.05, statuses=(429, 502, 503, 504), drop_rate=0.02, truncate_rate=0.02
        )
        expected = sorted(r["ID"] for r in emu.rows("task"))
        async with Workfront(
            "https://acme.my.workfront.com", api_key=emu.api_key(),
            transport=emu.transport(), retry=Retry().without_backoff(),
        ) as wf:
            for consistency in ("offset", "keyset"):
                async with wf.export("task", consistency=consistency, page_size=100) as rows:
                    got = sorted([r["ID"] async for r in rows])
                assert got == expected, consistency
        async with Workfront(url, api_key=key) as wf:
            total = await wf.count("task")
            async with wf.export("task", consistency="keyset", ordered=True, page_size=100) as rows:
                ids = [r["ID"] async for r in rows]
            assert len(ids) == total and ids == sorted(ids)

    process, url, key = serve()
    try:
        for run in range(int(sys.argv[1])):
            anyio.run(sequence, url, key, backend="trio")
            print("run", run, "done", flush=True)
    finally:
        process.terminate()
        process.wait()
    """
)


def test_exports_in_sequence_under_trio_finish(tmp_path: Path) -> None:
    pytest.importorskip("trio")
    script = tmp_path / "trio_sequence.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # a session of its own: a hung script is killed with the emulator it started
    process = subprocess.Popen(
        [sys.executable, str(script), str(RUNS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        pytest.fail(f"the exports under trio hung; finished runs: {out.count('done')}/{RUNS}")
    finally:
        if process.poll() is None:  # pragma: no cover - only if communicate itself failed
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, err[-3000:]
    assert out.count("done") == RUNS
