"""The mistakes a newcomer to an async client makes, answered with what to
write: ``with`` for ``async with``, ``for`` for ``async for``, a client carried
into a second ``asyncio.run``, a client never closed (a ``ResourceWarning``);
and the connection read from ``WORKFRONT_URL`` / ``WORKFRONT_API_KEY``, with a
URL typed without its scheme echoed as typed."""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Callable
from typing import Any

import pytest

from workfront_async import AuthenticationError, BearerAuth, QueryError, Workfront
from workfront_async.planning import Planning, PlanningV2
from workfront_async.testing import Emulator

URL = "https://acme.my.workfront.com"


@pytest.fixture
def emu() -> Emulator:
    return Emulator.with_demo_data(scale=0.01)


@pytest.fixture(autouse=True)
def _no_env_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKFRONT_URL", raising=False)
    monkeypatch.delenv("WORKFRONT_API_KEY", raising=False)


def _clients(emu: Emulator) -> list[Any]:
    token = BearerAuth(emu.issue_token())
    return [
        Workfront(URL, api_key=emu.api_key(), transport=emu.transport()),
        Planning(URL, auth=token, transport=emu.transport()),
        PlanningV2(URL, auth=token, transport=emu.transport()),
    ]


def test_with_instead_of_async_with_says_what_to_write(emu: Emulator) -> None:
    for client in _clients(emu):
        with pytest.raises(TypeError) as info, client:  # type: ignore[attr-defined]
            pass
        message = str(info.value)
        name = type(client).__name__
        assert f"async with {name}(...)" in message
        assert "workfront_async.blocking" in message


@pytest.mark.parametrize(
    "make",
    [
        lambda emu: Workfront(URL, api_key=emu.api_key(), transport=emu.transport()).search("task"),
        lambda emu: Planning(URL, auth=BearerAuth("t"), transport=emu.transport()).records.search(
            "rt"
        ),
        lambda emu: PlanningV2(URL, auth=BearerAuth("t"), transport=emu.transport()).records.search(
            "rt"
        ),
    ],
    ids=["Search", "RecordSearch", "RecordSearchV2"],
)
def test_for_instead_of_async_for_says_what_to_write(
    emu: Emulator, make: Callable[[Emulator], Any]
) -> None:
    search = make(emu)
    with pytest.raises(TypeError) as info:
        for _ in search:
            pass
    message = str(info.value)
    assert "async for" in message
    assert ".all()" in message
    assert "workfront_async.blocking" in message


def test_a_client_carried_into_a_second_asyncio_run_says_so(workfront_server: Any) -> None:
    # Real HTTP: the first run leaves connections bound to its (closed) loop.
    wf = Workfront(workfront_server.base_url, api_key=workfront_server.api_key)
    first = asyncio.run(wf.count("task"))
    with pytest.raises(RuntimeError) as info:
        asyncio.run(wf.count("task"))
    message = str(info.value)
    assert "another event loop" in message
    assert "asyncio.run" in message
    assert "async with Workfront(...)" in message
    assert first == 0
    # What the mistake costs: the first loop's connections were never closed.
    # Close the client (allowed from any loop) and let those go quietly here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        asyncio.run(wf.aclose())
        del wf
        gc.collect()


def test_a_client_never_closed_warns(emu: Emulator) -> None:
    held = [Workfront(URL, api_key=emu.api_key(), transport=emu.transport())]
    asyncio.run(held[0].count("task"))
    with pytest.warns(ResourceWarning, match=r"unclosed Workfront client .*aclose\(\)"):
        held.clear()  # the last reference: the client is collected here


def test_clients_closed_properly_or_never_used_do_not_warn(emu: Emulator) -> None:
    async def main() -> None:
        async with Workfront(URL, api_key=emu.api_key(), transport=emu.transport()) as wf:
            await wf.count("task")
        other = Workfront(URL, api_key=emu.api_key(), transport=emu.transport())
        await other.count("task")
        await other.aclose()
        for client in _clients(emu):
            async with client:
                pass

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.run(main())
        unused = _clients(emu)
        del unused
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_the_connection_comes_from_the_environment(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKFRONT_URL", "https://env.my.workfront.com")
    monkeypatch.setenv("WORKFRONT_API_KEY", emu.api_key())

    async def main() -> None:
        async with Workfront(transport=emu.transport()) as wf:
            assert wf.api_url == "https://env.my.workfront.com/attask/api/v21.0/"
            assert await wf.count("task") == len(emu.rows("task"))
            assert emu.api_key() not in repr(wf)

    asyncio.run(main())


def test_explicit_arguments_win_over_the_environment(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKFRONT_URL", "https://env.my.workfront.com")
    monkeypatch.setenv("WORKFRONT_API_KEY", emu.api_key())

    async def main() -> None:
        async with Workfront(URL, api_key="not-the-key", transport=emu.transport()) as wf:
            assert wf.api_url.startswith(URL)
            with pytest.raises(AuthenticationError) as info:
                await wf.count("task")
            assert emu.api_key() not in str(info.value)
            assert "not-the-key" not in str(info.value)
        # session_id= and auth= are credentials too: the environment's key stays out
        async with Workfront(URL, session_id=emu.issue_token(), transport=emu.transport()) as wf:
            assert await wf.count("task") == len(emu.rows("task"))

    asyncio.run(main())


def test_planning_reads_the_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKFRONT_URL", "https://env.my.workfront.com")
    for client in (Planning, PlanningV2):
        assert client(auth=BearerAuth("t")).api_url.startswith("https://env.my.workfront.com/")
        explicit = client("https://acme.my.workfront.com", auth=BearerAuth("t"))
        assert explicit.api_url.startswith(URL)


def test_no_url_anywhere_names_the_variable() -> None:
    with pytest.raises(QueryError, match="WORKFRONT_URL"):
        Workfront()


@pytest.mark.parametrize(
    "make",
    [
        lambda url: Workfront(url, api_key="k"),
        lambda url: Planning(url, auth=BearerAuth("t")),
        lambda url: PlanningV2(url, auth=BearerAuth("t")),
    ],
    ids=["Workfront", "Planning", "PlanningV2"],
)
def test_a_url_without_a_scheme_is_echoed_as_typed(make: Callable[[str], Any]) -> None:
    with pytest.raises(QueryError) as info:
        make("acme.my.workfront.com")
    message = str(info.value)
    assert "'acme.my.workfront.com'" in message
    assert "https://acme.my.workfront.com" in message
    assert "attask" not in message
    assert "maestro" not in message
    with pytest.raises(QueryError) as info:
        make("https://user:hunter2@acme.my.workfront.com:bad")
    assert "hunter2" not in str(info.value)
