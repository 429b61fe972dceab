"""pytest fixtures for testing code that talks to Workfront, in the spirit of
respx and moto. Installed with the package (the ``pytest11`` entry point), so
the fixtures are available in every test without an import:

``workfront_emulator``
    A fresh :class:`~workfront_async.testing.Emulator` per test: empty, or with
    demo data when the test is marked ``@pytest.mark.workfront(demo=True)``.
    The marker's other keywords go to the emulator: ``scale=`` and ``seed=``
    for the demo data, ``latency=``, ``max_concurrency=``, ``max_uri_bytes=``.
``workfront_client``
    A :class:`workfront_async.Workfront` wired to that emulator in-process (no
    sockets); use it directly or as ``async with``. Works with any async test
    runner (pytest-asyncio, anyio's plugin): the fixture itself is synchronous.
``workfront_server``
    The same emulator served over real HTTP on loopback, for code that makes
    its own connections (another HTTP library, a subprocess, the blocking
    client): ``workfront_server.base_url``, ``.api_url``, and
    ``workfront_server.api_key``. Needs the ``serve`` extra (uvicorn).

``async def`` tests that use these fixtures (or the ``workfront`` marker) run
on asyncio without any configuration or async test runner. When the project
has one, it runs them instead: pytest-asyncio (in auto mode, or for tests it
marks) and anyio's plugin (tests marked ``anyio``) take their tests first,
and this plugin never runs a test twice.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

from ._emulator import Emulator

__all__ = ["ServedWorkfront", "workfront_client", "workfront_emulator", "workfront_server"]

MARKER = "workfront"
_DEFAULT_DEMO_SCALE = 0.01  # 200 tasks: enough to page, quick to build
FIXTURES = frozenset({"workfront_emulator", "workfront_client", "workfront_server"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(demo=False, scale={_DEFAULT_DEMO_SCALE}, seed=0, **emulator_options): "
        "configure the workfront_emulator fixture",
    )


def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run an ``async def`` test that uses this plugin when no other plugin did.

    Async test runners take their tests first: anyio's plugin in a hook that
    runs before this one, pytest-asyncio by handing pytest a synchronous
    wrapper. What reaches this hook still a coroutine function would otherwise
    reach pytest's own hook (which runs last) and fail with "async def
    functions are not natively supported".
    """
    test = pyfuncitem.obj
    if not inspect.iscoroutinefunction(test) or hasattr(test, "hypothesis"):
        return None
    uses_plugin = FIXTURES.intersection(pyfuncitem.fixturenames)
    if not uses_plugin and pyfuncitem.get_closest_marker(MARKER) is None:
        return None
    import anyio

    kwargs = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    anyio.run(functools.partial(test, **kwargs))
    return True


@attrs.frozen
class ServedWorkfront:
    """A served emulator: ``base_url`` (``http://127.0.0.1:<port>``), ``api_url``
    and the administrator's ``api_key``."""

    base_url: str
    api_url: str
    api_key: str
    emulator: Emulator


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        if marker.args:
            raise pytest.UsageError(
                f"@pytest.mark.{MARKER} takes keywords only, e.g. "
                f"@pytest.mark.{MARKER}(demo=True, scale=0.05)"
            )
        options.update(marker.kwargs)  # the closest marker wins
    return options


@pytest.fixture
def workfront_emulator(request: pytest.FixtureRequest) -> Emulator:
    """A fresh embedded Workfront: empty, or with demo data under
    ``@pytest.mark.workfront(demo=True)``."""
    options = _options(request)
    demo = bool(options.pop("demo", False))
    if not demo:
        if "scale" in options:
            raise pytest.UsageError(f"@pytest.mark.{MARKER}(scale=...) needs demo=True")
        return Emulator(**options)
    scale = options.pop("scale", _DEFAULT_DEMO_SCALE)
    return Emulator.with_demo_data(scale=scale, **options)


@pytest.fixture
def workfront_client(workfront_emulator: Emulator) -> Iterator[Any]:
    """A ``Workfront`` client on the ``workfront_emulator``, in-process."""
    import anyio

    from .. import Workfront

    client = Workfront(
        "https://test.my.workfront.com",
        api_key=workfront_emulator.api_key(),
        transport=workfront_emulator.transport(),
    )
    yield client
    # The in-process transport holds no sockets and no event loop, so closing
    # it in a loop of its own is safe whatever runner the test used.
    anyio.run(client.aclose)


@pytest.fixture
def workfront_server(workfront_emulator: Emulator) -> Iterator[ServedWorkfront]:
    """The ``workfront_emulator`` served over HTTP on loopback, from a background
    thread (so that synchronous code and other event loops can reach it)."""
    from anyio.from_thread import start_blocking_portal

    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(workfront_emulator.serve()) as served,
    ):
        yield ServedWorkfront(
            base_url=served.base_url,
            api_url=served.api_url,
            api_key=workfront_emulator.api_key(),
            emulator=workfront_emulator,
        )
