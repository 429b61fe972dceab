"""A real ``redis-server`` per test, on loopback, on a free port.

The Redis limiter is tested against the server users run, started as a
separate process: no fakeredis. Without ``redis-server`` on PATH these tests
fail with what to install (a skip would hide the gap).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from workfront_async import RedisLimiter

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "s3cret-redis-pass"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """One ``redis-server`` process; ``stop()`` kills it, ``start()`` starts it again
    on the same port."""

    def __init__(self, tmp: Path, password: str | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail(
                "redis-server is not on PATH: the Redis limiter tests need a real Redis. "
                "Install it (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew "
                "install redis) and run the tests again",
                pytrace=False,
            )
        self.binary = binary
        self.tmp = tmp
        self.password = password
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.tmp),
        ]  # fmt: skip
        if self.password:
            args += ["--requirepass", self.password]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"redis-server exited at start: {err}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2),
            ):
                return
            time.sleep(0.02)
        raise RuntimeError("redis-server did not start listening within 10 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()
        self.proc = None

    def client(self) -> Any:
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path, password=PASSWORD)
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def open_key(url: str, name: str) -> None:
    """Have the Redis at ``url`` hand out slots for ``name`` at once.

    A Redis that has no record of a key (a new one, as in every test) hands
    out its first slots one lease after their first request, in case it lost
    leases that are still in use (tests/redis/test_epochs.py). Tests about
    something else open the key first with a lease of 50 ms.
    """
    limiter = RedisLimiter.from_url(url, name=name, lease_ttl=0.05)
    try:
        with anyio.fail_after(10):
            while (await limiter.stats()).opens_in > 0:  # noqa: ASYNC110 - state in Redis
                await anyio.sleep(0.01)
    finally:
        await limiter.aclose()


@pytest.fixture
async def make_limiter(
    redis_server: RedisServer,
) -> AsyncIterator[Callable[..., RedisLimiter]]:
    """Limiters on the test's Redis, closed at the end of the test; their
    default name is open (``open_key``)."""
    made: list[RedisLimiter] = []
    await open_key(redis_server.url, "test-tenant")

    def make(**kwargs: Any) -> RedisLimiter:
        kwargs.setdefault("capacity", 2)
        kwargs.setdefault("name", "test-tenant")
        kwargs.setdefault("lease_ttl", 2.0)
        limiter = RedisLimiter.from_url(redis_server.url, **kwargs)
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        await limiter.aclose()


def worker_command(*args: str) -> list[str]:
    """A Python subprocess running ``tests/redis/_worker.py``."""
    return [sys.executable, "-m", "tests.redis._worker", *args]


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env
