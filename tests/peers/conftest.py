"""The peers session: real Workfront clients written by others, run against the
embedded Workfront served over HTTP on loopback (``nox -s peers``)."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import attrs

HERE = Path(__file__).parent
STARTUP_SECONDS = 120


@attrs.frozen
class Served:
    base_url: str
    api_key: str


def _read_banner(process: subprocess.Popen[str]) -> Served:
    """Read the serve command's banner: base URL and the administrator's API key.

    A thread reads the lines (waiting on the pipe with a selector would miss
    lines that a buffered ``readline`` already took in), the caller waits on
    the queue with a deadline."""
    assert process.stdout is not None
    stdout = process.stdout
    lines_in: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        with contextlib.suppress(ValueError, OSError):  # the pipe closed under us
            for line in stdout:
                lines_in.put(line)
        lines_in.put("")  # end of output

    threading.Thread(target=pump, daemon=True).start()
    base_url = api_key = ""
    deadline = time.monotonic() + STARTUP_SECONDS
    lines: list[str] = []
    while not (base_url and api_key):
        left = deadline - time.monotonic()
        try:
            line = lines_in.get(timeout=max(left, 0.001))
        except queue.Empty:
            raise RuntimeError(f"the emulator did not start; it printed {lines!r}") from None
        if not line:
            raise RuntimeError(f"the emulator exited; it printed {lines!r}")
        lines.append(line.strip())
        if line.startswith("Embedded Workfront at "):
            base_url = line.split(" at ", 1)[1].strip()
        elif line.startswith("API key: "):
            api_key = line.split(": ", 1)[1].strip()
    return Served(base_url, api_key)


@contextlib.contextmanager
def serve() -> Iterator[Served]:
    """A fresh embedded Workfront served by ``python -m workfront_async.testing serve``."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "workfront_async.testing",
            "serve",
            "--port",
            "0",
            "--scale",
            "0.02",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield _read_banner(process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def run_peer(
    command: list[str], served: Served, *, env: dict[str, str] | None = None
) -> dict[str, dict[str, object]]:
    """Run one peer script (in its own interpreter or Node) and return its report."""
    done = subprocess.run(
        [*command, served.base_url, served.api_key],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
        cwd=HERE,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(
            f"{command[0]} {command[1]} exited {done.returncode}: {done.stderr[-2000:]}"
        )
    report: dict[str, dict[str, object]] = json.loads(done.stdout)
    return report
