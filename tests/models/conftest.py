"""A typed package generated once per session from the demo tenant, and the
clients the tests of ``workfront_async.models`` use.

The package gets a name of its own (no other test can import a stale copy),
lives under a temporary directory, and leaves ``sys.path`` and
``sys.modules`` as it found them.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import httpx
import pytest

from workfront_async import Retry, Workfront
from workfront_async.codegen import Generated, generate
from workfront_async.testing import Emulator

# Small tenants: the metadata (what the package is made from) does not depend
# on the scale, only the number of rows does.
SCALE = 0.02
OBJECTS = ("task", "project", "issue", "user")
URL = "https://acme.my.workfront.com"


def demo() -> Emulator:
    return Emulator.with_demo_data(scale=SCALE)


def client(emu: Emulator, transport: httpx.AsyncBaseTransport | None = None) -> Workfront:
    return Workfront(
        URL,
        api_key=emu.api_key(),
        transport=transport or emu.transport(),
        retry=Retry().without_backoff(),
    )


async def generate_from(
    emu: Emulator, package: str, out: Path, objects: Any = OBJECTS
) -> Generated:
    async with client(emu) as wf:
        return await generate(wf, list(objects), package=package, out=out)


def unique_package(prefix: str = "wf_typed") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@contextlib.contextmanager
def importable(root: Path, package: str) -> Iterator[ModuleType]:
    """``package`` imported from ``root``; afterwards ``root`` leaves
    ``sys.path`` and the package leaves ``sys.modules``."""
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    try:
        yield importlib.import_module(package)
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]


@attrs.frozen
class Package:
    """The generated package: where it is, what generate() said, the module."""

    name: str
    root: Path  # the directory on sys.path
    directory: Path  # root / name
    done: Generated
    module: ModuleType


@pytest.fixture(scope="session")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Package]:
    root = tmp_path_factory.mktemp("typed_package")
    name = unique_package()
    done = asyncio.run(generate_from(demo(), name, root))
    with importable(root, name) as module:
        yield Package(name, root, root / name, done, module)


@pytest.fixture(scope="session")
def pkg(package: Package) -> ModuleType:
    """The generated module: ``pkg.Task``, ``pkg.TaskQ``, ..."""
    return package.module


@pytest.fixture(scope="module")
def emu() -> Emulator:
    """A demo tenant the tests of a module only read."""
    return demo()


@pytest.fixture
async def wf(emu: Emulator) -> AsyncIterator[Workfront]:
    async with client(emu) as wf:
        yield wf


class Recording(httpx.AsyncBaseTransport):
    """A transport that records the path of every request it passes on."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def metadata_requests(self) -> list[str]:
        return [p for p in self.paths if p.lower().rstrip("/").endswith("/metadata")]
