"""Stopping the receiver loses no acknowledged event: a real uvicorn process
on 127.0.0.1, sent a real ``SIGTERM`` (a rolling deploy) while deliveries
stream in. Workfront never delivers an event again once it was answered
``2xx`` (docs/api-notes.md §2, event subscriptions), so every event answered
``202`` must be handled before the process exits."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
import attrs
import httpx
import orjson

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "receiver-secret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def message(i: int) -> bytes:
    return orjson.dumps(
        {
            "eventType": "CREATE",
            "subscriptionId": "sub-1",
            "eventTime": {"epochSecond": 1700000000, "nano": 0},
            "newState": {"ID": f"e{i}", "objCode": "TASK"},
        }
    )


@attrs.define
class Served:
    process: anyio.abc.Process
    url: str
    handled_file: Path
    stderr_file: Path

    def handled(self) -> list[str]:
        if not self.handled_file.exists():
            return []
        return self.handled_file.read_text().split()

    def stderr(self) -> str:
        return self.stderr_file.read_text()


@contextlib.asynccontextmanager
async def served(tmp_path: Path, name: str, **options: Any) -> AsyncIterator[Served]:
    """The receiver in its own uvicorn process, on a socket bound here to
    127.0.0.1 and handed over; ``options`` go to ``_served_receiver``."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    stderr_file = tmp_path / f"{name}.stderr"
    cmd = [
        sys.executable,
        "-m",
        "tests.events._served_receiver",
        str(sock.fileno()),
        str(tmp_path / "handled"),
        orjson.dumps(options).decode(),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with sock, stderr_file.open("wb") as err:
        process = await anyio.open_process(
            cmd, env=env, stdin=None, stdout=None, stderr=err, pass_fds=[sock.fileno()]
        )
        sock.close()  # the server's copy is the only one: once it closes, connections are refused
        try:
            yield Served(process, url, tmp_path / "handled", stderr_file)
        finally:
            if process.returncode is None:
                process.kill()
            with anyio.move_on_after(10, shield=True):
                await process.wait()


@attrs.define
class Outcomes:
    status: dict[int, int | str] = attrs.field(factory=dict)

    def with_status(self, code: int) -> set[str]:
        return {f"e{i}" for i, s in self.status.items() if s == code}

    def counts(self) -> dict[int | str, int]:
        out: dict[int | str, int] = {}
        for s in self.status.values():
            out[s] = out.get(s, 0) + 1
        return out


async def deliver(
    url: str,
    count: int,
    *,
    concurrency: int = 16,
    at: int,
    then: Callable[[], None],
) -> Outcomes:
    """POST ``count`` events (IDs ``e0``...), ``concurrency`` at a time; once
    ``at`` were answered ``202``, call ``then`` once and go on sending the rest."""
    outcomes = Outcomes()
    accepted = 0
    fired = False
    pending = iter(range(count))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    timeout = httpx.Timeout(10.0, connect=2.0)

    async def sender(client: httpx.AsyncClient) -> None:
        nonlocal accepted, fired
        for i in pending:
            try:
                r = await client.post("/", content=message(i), headers=AUTH)
            except httpx.TransportError as exc:
                outcomes.status[i] = type(exc).__name__
                continue
            outcomes.status[i] = r.status_code
            if r.status_code == 202:
                accepted += 1
                if accepted >= at and not fired:
                    fired = True
                    then()

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as client:
        async with anyio.create_task_group() as tg:
            for _ in range(concurrency):
                tg.start_soon(sender, client)
    assert fired, outcomes.counts()
    return outcomes


async def test_sigterm_mid_stream_handles_every_acknowledged_event(tmp_path: Path) -> None:
    async with served(tmp_path, "deploy", delay=0.02, workers=4) as server:
        with anyio.fail_after(30):
            outcomes = await deliver(
                server.url,
                2000,
                at=800,
                then=lambda: server.process.send_signal(signal.SIGTERM),
            )
            code = await server.process.wait()
    acked = outcomes.with_status(202)
    handled = set(server.handled())
    lost = acked - handled
    print(f"counts={outcomes.counts()} acked={len(acked)} handled={len(handled)} lost={len(lost)}")
    print(server.stderr())
    assert code in (0, -signal.SIGTERM), server.stderr()  # uvicorn re-raises the signal it caught
    assert not lost, f"{len(lost)} of {len(acked)} acknowledged events were never handled"
