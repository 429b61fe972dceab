"""An embedded Workfront for tests, benchmarks and demos.

``Emulator`` serves the classic REST API (``/attask/api/v<N>.0/...``), event
subscriptions and, when available, the Planning API, backed by in-memory
SQLite, with Workfront's limits (10 concurrent requests, 8892-byte URIs,
``$$LIMIT`` 2000) and injectable faults::

    emu = Emulator.with_demo_data(scale=0.05)
    base = "https://acme.my.workfront.com/attask/api/v21.0"
    async with httpx.AsyncClient(transport=emu.transport(), base_url=base) as c:
        r = await c.get("/task/search", params={"apiKey": emu.api_key()})
"""

from __future__ import annotations

from ._emulator import Emulator, EmulatorStats, Faults, Served
from .classic._events import Delivery

__all__ = ["Delivery", "Emulator", "EmulatorStats", "Faults", "Served"]
