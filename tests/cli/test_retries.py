"""A tenant that does not answer: each retry is a line on standard error while
it happens (not seconds of silence), none with -q, and the key never shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys

CLI = [sys.executable, "-m", "workfront_async.cli"]
KEY = "k3y-that-must-not-show"
# Nothing listens on the discard port of loopback: every connection is refused.
DEAD = ["count", "task", "--url", "http://127.0.0.1:9", "--api-key", KEY]
RETRY = re.compile(
    r"^workfront-async: retrying in \d+(\.\d)? s: connection refused \(attempt 1 of \d+\)$"
)


def test_each_retry_is_shown_unless_quiet() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKFRONT_")}
    # Both runs side by side: each waits out the retry policy's back-off.
    runs = {
        quiet: subprocess.Popen(
            [*CLI, *DEAD, *(["-q"] if quiet else [])],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for quiet in (False, True)
    }
    results = {quiet: proc.communicate(timeout=300) for quiet, proc in runs.items()}
    for quiet, proc in runs.items():
        assert proc.returncode == 1, results[quiet]
        out, err = results[quiet]
        assert out == ""
        assert KEY not in err
        lines = err.splitlines()
        assert lines[-1].startswith("workfront-async: TransportError: ")
        assert "gave up after" in lines[-1]
        retries = [line for line in lines if "retrying" in line]
        if quiet:
            assert retries == []
        else:
            assert retries, err
            assert RETRY.match(retries[0]), retries[0]
            assert lines[: len(retries)] == retries  # as they happen, before the failure
