"""Stopping the receiver loses no acknowledged event. A real uvicorn process
on 127.0.0.1 serves the receiver (``_served_receiver``) while a client
streams deliveries at it, and is sent a real ``SIGTERM`` (a rolling deploy)
or ``SIGKILL``. Workfront never delivers an event again once it was answered
``2xx`` (docs/api-notes.md §2, event subscriptions), so every event answered
``202`` must be handled: after ``SIGTERM`` within the grace period, and, with
a ``queue_file``, after ``SIGKILL`` and a restart."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import anyio.abc
import attrs
import httpx
import orjson
import pytest

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

    def handled(self) -> list[tuple[str, str]]:
        """(object ID, delivery ID) of each run of the handler, in order."""
        if not self.handled_file.exists():
            return []
        lines = self.handled_file.read_text().splitlines()
        return [(obj_id, delivery_id) for obj_id, delivery_id in (ln.split() for ln in lines)]

    def handled_ids(self) -> set[str]:
        return {obj_id for obj_id, _ in self.handled()}

    def stderr(self) -> str:
        return self.stderr_file.read_text()

    async def ready(self) -> None:
        """Returns once the server answers, so its lifespan has started."""
        async with httpx.AsyncClient(base_url=self.url) as client:
            assert (await client.get("/")).status_code in (404, 405)

    async def stop(self, sig: signal.Signals) -> int:
        self.process.send_signal(sig)
        with anyio.fail_after(20):
            return await self.process.wait()


@contextlib.asynccontextmanager
async def served(tmp_path: Path, name: str, **options: Any) -> AsyncIterator[Served]:
    """The receiver in its own uvicorn process, on a socket bound here to
    127.0.0.1 and handed over; ``options`` go to ``_served_receiver``."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)  # connections wait here until the server has started
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


@attrs.frozen
class Outcome:
    status: int | str  # the HTTP status, or the transport error's name
    sent: float
    answered: float
    retry_after: str | None = None
    body: bytes = b""


@attrs.define
class Outcomes:
    of: dict[str, Outcome] = attrs.field(factory=dict)

    def acknowledged(self) -> set[str]:
        return {i for i, o in self.of.items() if o.status in (200, 201, 202, 204)}

    def counts(self) -> dict[int | str, int]:
        out: dict[int | str, int] = {}
        for o in self.of.values():
            out[o.status] = out.get(o.status, 0) + 1
        return out


async def deliver(
    url: str,
    count: int,
    *,
    at: int,
    then: Callable[[Outcomes], Awaitable[None]],
    path: str = "/",
    concurrency: int = 16,
) -> Outcomes:
    """POST ``count`` events (object IDs ``e0``...), ``concurrency`` at a
    time, each once; once ``at`` were answered ``202``, start ``then`` and go
    on sending the rest (``then`` gets the outcomes so far)."""
    outcomes = Outcomes()
    accepted = 0
    pending = iter(range(count))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    timeout = httpx.Timeout(10.0, connect=2.0)

    async with (
        httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as client,
        anyio.create_task_group() as tg,
    ):

        async def sender() -> None:
            nonlocal accepted
            for i in pending:
                sent = anyio.current_time()
                try:
                    r = await client.post(path, content=message(i), headers=AUTH)
                except httpx.TransportError as exc:
                    outcomes.of[f"e{i}"] = Outcome(type(exc).__name__, sent, anyio.current_time())
                    continue
                outcomes.of[f"e{i}"] = Outcome(
                    r.status_code,
                    sent,
                    anyio.current_time(),
                    r.headers.get("retry-after"),
                    r.content,
                )
                if r.status_code == 202:
                    accepted += 1
                    if accepted == at:
                        tg.start_soon(then, outcomes)

        for _ in range(concurrency):
            tg.start_soon(sender)
    assert accepted >= at, outcomes.counts()
    return outcomes


async def test_sigterm_mid_stream_handles_every_acknowledged_event(tmp_path: Path) -> None:
    # No handler starts before the 400th 202: a backlog of about 400 is
    # waiting when the SIGTERM comes, 1 s of work for 4 workers at 10 ms an
    # event, well inside the 8 s grace period.
    queued: list[int] = []
    async with served(tmp_path, "deploy", delay=0.01, workers=4, hold=400) as server:

        async def deploy(so_far: Outcomes) -> None:
            queued.append(len(so_far.acknowledged() - server.handled_ids()))
            server.process.send_signal(signal.SIGTERM)

        with anyio.fail_after(20):
            outcomes = await deliver(server.url, 700, at=400, then=deploy)
            code = await server.process.wait()
    acked, handled = outcomes.acknowledged(), server.handled_ids()
    print(
        f"{outcomes.counts()}: {len(acked)} acknowledged, {queued[0]} of them waiting at the "
        f"SIGTERM, {len(acked & handled)} handled"
    )
    assert code in (0, -signal.SIGTERM), server.stderr()  # uvicorn re-raises the signal it caught
    assert queued[0] >= 300  # the stop had acknowledged work to finish
    lost = acked - handled
    assert not lost, f"{len(lost)} of {len(acked)} acknowledged events were never handled"
    assert "not handled" not in server.stderr()


async def test_a_prestop_drain_answers_503_and_the_sigterm_after_it_loses_nothing(
    tmp_path: Path,
) -> None:
    # Served as docs/receiver.md shows it in FastAPI: the receiver mounted,
    # its workers in the app's lifespan, and a preStop route that drains
    # while the server still takes connections.
    drained: list[int] = []
    async with served(tmp_path, "prestop", delay=0.01, workers=4, hold=300, fastapi=True) as server:

        async def prestop(_: Outcomes) -> None:
            async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
                r = await client.get("/prestop")
            drained.append(r.json()["not_handled"])
            server.process.send_signal(signal.SIGTERM)

        with anyio.fail_after(20):
            outcomes = await deliver(server.url, 900, at=300, then=prestop, path="/hooks/")
            code = await server.process.wait()
    acked, handled = outcomes.acknowledged(), server.handled_ids()
    print(f"{outcomes.counts()}: {len(acked)} acknowledged, {len(acked & handled)} handled")
    assert code in (0, -signal.SIGTERM), server.stderr()
    assert drained == [0]
    assert not acked - handled
    refused = [o for o in outcomes.of.values() if o.status == 503]
    assert refused, outcomes.counts()
    assert all(o.retry_after is not None and int(o.retry_after) >= 1 for o in refused)
    assert all(b"stopping" in o.body for o in refused)
    # The drain is for good: nothing sent after the first 503 came back was taken.
    first = min(o.answered for o in refused)
    assert not [o for o in outcomes.of.values() if o.sent > first and o.status == 202]


async def test_a_grace_period_running_out_logs_how_many_were_dropped(tmp_path: Path) -> None:
    # A backlog of 300, and 2 workers at 50 ms an event: half a second of
    # grace handles about 20 of them.
    async with served(
        tmp_path, "grace", delay=0.05, workers=2, hold=300, grace_period=0.5
    ) as server:

        async def deploy(_: Outcomes) -> None:
            server.process.send_signal(signal.SIGTERM)

        with anyio.fail_after(20):
            outcomes = await deliver(server.url, 400, at=300, then=deploy)
            code = await server.process.wait()
    acked, handled = outcomes.acknowledged(), server.handled_ids()
    print(server.stderr())
    assert code in (0, -signal.SIGTERM), server.stderr()
    dropped = acked - handled
    assert len(dropped) > 100
    logged = server.stderr()
    found = re.findall(r"(WARNING|ERROR) workfront_async.events: stopped with (\d+) ", logged)
    assert found == [("ERROR", str(len(dropped)))], server.stderr()
    assert "lost" in server.stderr()
    assert TOKEN not in server.stderr()


async def test_a_queue_file_keeps_acknowledged_events_through_sigkill(tmp_path: Path) -> None:
    queue = str(tmp_path / "events.sqlite3")
    queued: list[int] = []
    async with served(
        tmp_path, "killed", delay=0.01, workers=4, hold=400, queue_file=queue
    ) as server:

        async def kill(so_far: Outcomes) -> None:
            queued.append(len(so_far.acknowledged() - server.handled_ids()))
            server.process.send_signal(signal.SIGKILL)

        with anyio.fail_after(20):
            outcomes = await deliver(server.url, 700, at=400, then=kill)
            assert await server.process.wait() == -signal.SIGKILL
        before_restart = server.handled_ids()
    acked = outcomes.acknowledged()
    assert queued[0] >= 300  # the kill left acknowledged events unhandled
    # The next start runs them; its SIGTERM waits until they are handled.
    async with served(tmp_path, "restarted", delay=0, queue_file=queue) as server:
        with anyio.fail_after(20):
            await server.ready()
            code = await server.stop(signal.SIGTERM)
        assert code in (0, -signal.SIGTERM), server.stderr()
        runs = server.handled()
    handled = {obj_id for obj_id, _ in runs}
    print(
        f"{outcomes.counts()}: {len(acked)} acknowledged, {queued[0]} waiting at the SIGKILL, "
        f"{len(before_restart)} handled before the restart, {len(handled)} after it, "
        f"{len(runs) - len(handled)} run twice"
    )
    assert not acked - handled, f"{len(acked - handled)} acknowledged events were lost"
    # An event that runs again carries its first delivery ID.
    ids: dict[str, set[str]] = {}
    for obj_id, delivery_id in runs:
        ids.setdefault(obj_id, set()).add(delivery_id)
    assert all(len(v) == 1 for v in ids.values())
    assert "not handled" not in server.stderr()


async def test_a_queue_file_runs_again_an_event_whose_removal_did_not_commit(
    tmp_path: Path,
) -> None:
    # The process dies just after the handler of e3 returns: at least once.
    queue = str(tmp_path / "events.sqlite3")
    async with served(tmp_path, "first", delay=0, queue_file=queue, kill_after="e3") as server:

        async def nothing(_: Outcomes) -> None:
            pass

        with anyio.fail_after(20):
            outcomes = await deliver(server.url, 8, at=1, then=nothing, concurrency=1)
            assert await server.process.wait() == -signal.SIGKILL
    async with served(tmp_path, "second", delay=0, queue_file=queue) as server:
        with anyio.fail_after(20):
            await server.ready()
            await server.stop(signal.SIGTERM)
        runs = server.handled()
    e3 = [delivery_id for obj_id, delivery_id in runs if obj_id == "e3"]
    assert len(e3) == 2
    assert e3[0] == e3[1]
    assert outcomes.acknowledged() <= {obj_id for obj_id, _ in runs}


@pytest.mark.soak
@pytest.mark.parametrize("durable", [False, True], ids=["sigterm", "queue-file-sigkill"])
async def test_a_deploy_after_3000_acknowledged_events_loses_none(
    tmp_path: Path, durable: bool
) -> None:
    # The figure the bug was measured with: 3,000 events answered 202, then
    # the stop. In memory the SIGTERM drains them (1 s of work for 8 workers
    # at 2 ms an event); with a queue_file a SIGKILL and a restart run them.
    options: dict[str, Any] = {"delay": 0.002, "workers": 8, "hold": 3000}
    if durable:
        options["queue_file"] = str(tmp_path / "events.sqlite3")
    sig = signal.SIGKILL if durable else signal.SIGTERM
    async with served(tmp_path, "first", **options) as server:

        async def stop(_: Outcomes) -> None:
            server.process.send_signal(sig)

        with anyio.fail_after(120):
            outcomes = await deliver(server.url, 3500, at=3000, then=stop)
            await server.process.wait()
        first = server.handled_ids()
    handled = first
    if durable:
        async with served(tmp_path, "second", delay=0, queue_file=options["queue_file"]) as server:
            with anyio.fail_after(60):
                await server.ready()
                await server.stop(signal.SIGTERM)
            handled = server.handled_ids()
    acked = outcomes.acknowledged()
    print(
        f"{outcomes.counts()}: {len(acked)} acknowledged, {len(acked & first)} handled by the "
        f"first process, {len(acked & handled)} in all, {len(acked - handled)} lost"
    )
    assert not acked - handled
