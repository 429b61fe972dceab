"""A blocking client that is never closed does not hang the interpreter.

A script or an Airflow task that failed before ``close()`` used to hang at
exit (killed after 30 s, its error never reported as a failure): the loop's
cleanup waited for a loop thread that no longer ran. Now the process exits
at once with the script's own error, the client is closed on the way out,
and a ``ResourceWarning`` says it was never closed.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from workfront_async.blocking import Workfront
from workfront_async.testing import Emulator

from ._loopback import HANG, Loopback, serve

# A bound that turns a hang into a failure; not a timing assertion (a run
# takes a couple of seconds, a hang was forever).
GUARD = 60

SCRIPT = textwrap.dedent(
    """
    import sys
    from workfront_async.blocking import Workfront
    from workfront_async.testing import Emulator

    emu = Emulator.with_demo_data(scale=0.01)
    if sys.argv[1] == "served":
        # Real sockets through the default node (aiohttp) to a served emulator.
        wf = Workfront(sys.argv[2], api_key=sys.argv[3])
    else:
        wf = Workfront("https://acme.my.workfront.com", api_key=emu.api_key(),
                       transport=emu.transport())
    print("count", wf.count("task"), flush=True)
    rows = iter(wf.search("task").page_size(10))  # an iterator left open, too
    next(rows)
    if sys.argv[-1] == "with":
        wf.close()
    raise RuntimeError("the task failed before close()")
    """
)


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("WORKFRONT_")}


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, str]]:
    """The emulator over HTTP in a thread of its own, for the scripts to reach."""
    import anyio

    emu = Emulator.with_demo_data(scale=0.01)
    ready: list[str] = []
    stop = threading.Event()

    async def serve() -> None:
        async with emu.serve() as server:
            ready.append(server.base_url)
            while not stop.is_set():  # noqa: ASYNC110 - a thread's event, not a task's
                await anyio.sleep(0.05)

    thread = threading.Thread(target=anyio.run, args=(serve,), daemon=True)
    thread.start()
    for _ in range(600):
        if ready or not thread.is_alive():
            break
        threading.Event().wait(0.05)
    assert ready, "the emulator did not start"
    yield ready[0], emu.api_key()
    stop.set()
    thread.join(GUARD)


def _run(tmp_path: Path, *args: str, warn: str = "always") -> subprocess.CompletedProcess[str]:
    script = tmp_path / "task.py"
    script.write_text(SCRIPT)
    return subprocess.run(
        [sys.executable, "-W", warn, str(script), *args],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=GUARD,  # before the fix: TimeoutExpired here
        check=False,
    )


@pytest.mark.parametrize("where", ["in-process", "served"])
def test_a_script_that_fails_before_close_exits_with_its_error(
    tmp_path: Path, served: tuple[str, str], where: str
) -> None:
    args = ["in-process"] if where == "in-process" else ["served", *served]
    result = _run(tmp_path, *args)
    assert result.returncode == 1, result.stderr
    assert "count " in result.stdout  # the client worked before the failure
    assert "RuntimeError: the task failed before close()" in result.stderr
    assert "ResourceWarning" in result.stderr
    assert "was never closed" in result.stderr


def test_a_closed_client_exits_without_a_warning(tmp_path: Path) -> None:
    result = _run(tmp_path, "in-process", "with")
    assert result.returncode == 1, result.stderr
    assert "RuntimeError: the task failed before close()" in result.stderr
    assert "ResourceWarning" not in result.stderr


def test_warnings_as_errors_still_exit(tmp_path: Path) -> None:
    # -W error turns the warning into an exception in the exit hook: still no hang.
    result = _run(tmp_path, "in-process", warn="error")
    assert result.returncode == 1, result.stderr
    assert "RuntimeError: the task failed before close()" in result.stderr


def test_a_client_collected_unclosed_ends_its_thread_with_a_warning() -> None:
    emu = Emulator.with_demo_data(scale=0.01)

    def forget() -> None:
        wf = Workfront(
            "https://acme.my.workfront.com", api_key=emu.api_key(), transport=emu.transport()
        )
        assert wf.count("task") == len(emu.rows("task"))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        forget()
        gc.collect()
    assert any(
        issubclass(w.category, ResourceWarning) and "was never closed" in str(w.message)
        for w in caught
    )
    assert not [t for t in threading.enumerate() if t.name.startswith("workfront-blocking")]


HANGING_LOGOUT = textwrap.dedent(
    """
    import sys
    from workfront_async import PasswordAuth, Retry
    from workfront_async.blocking import Workfront

    wf = Workfront(sys.argv[1], auth=PasswordAuth("ann@example.com", "pw-" + "x" * 20),
                   retry=Retry.none(), timeout=600)
    print("count", wf.count("task"), flush=True)
    raise RuntimeError("the task failed before close()")
    """
)


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    yield from serve()


def test_a_forgotten_client_whose_logout_hangs_still_lets_the_process_exit(
    tmp_path: Path, loopback: Loopback
) -> None:
    # Closing logs a password session out; the server never answers that.
    loopback.answer("/login", {"data": {"sessionID": "s" * 32, "userID": "u1"}})
    loopback.answer("/task/count", {"data": {"count": 7}})
    loopback.answers["/logout"] = HANG
    script = tmp_path / "task.py"
    script.write_text(HANGING_LOGOUT)
    result = subprocess.run(
        [sys.executable, "-W", "always", str(script), loopback.url],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=GUARD,  # the close gives up after a few seconds; the logout would wait 600
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "count 7" in result.stdout
    assert "RuntimeError: the task failed before close()" in result.stderr
    assert "was never closed" in result.stderr
    assert loopback.hits["/logout"] == 1  # it did try to log out
