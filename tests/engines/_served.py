"""The embedded Workfront served over HTTP on loopback from a thread of this
process, so that engine workers in other processes read it while the test
sees its counters (``emu.stats``) and writes to it."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator

from workfront_async.testing import Emulator, Served


@contextlib.contextmanager
def serve_in_thread(emu: Emulator) -> Iterator[Served]:
    """Serve ``emu`` on 127.0.0.1 (a free port) until the block ends."""
    ready = threading.Event()
    found: list[Served] = []
    failed: list[BaseException] = []
    stop: list[asyncio.Event] = []
    loop: list[asyncio.AbstractEventLoop] = []

    async def run() -> None:
        stop.append(asyncio.Event())
        loop.append(asyncio.get_running_loop())
        async with emu.serve() as served:
            found.append(served)
            ready.set()
            await stop[0].wait()

    def main() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:  # reported to the caller below
            failed.append(exc)
        finally:
            ready.set()

    thread = threading.Thread(target=main, name="served-emulator", daemon=True)
    thread.start()
    ready.wait(60)
    if failed or not found:
        raise RuntimeError(f"the emulator did not start: {failed!r}")
    try:
        yield found[0]
    finally:
        loop[0].call_soon_threadsafe(stop[0].set)
        thread.join(30)
