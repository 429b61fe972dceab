from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from workfront_async import Retry, Workfront
from workfront_async.testing import Emulator


@pytest.fixture
def emu() -> Emulator:
    return Emulator.with_demo_data(scale=0.02)


@pytest.fixture
async def wf(emu: Emulator) -> AsyncIterator[Workfront]:
    async with Workfront(
        "https://acme.my.workfront.com",
        api_key=emu.api_key(),
        transport=emu.transport(),
        retry=Retry().without_backoff(),
    ) as client:
        yield client
