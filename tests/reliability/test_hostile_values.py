"""Promise 5: hostile values round-trip.

A task whose name is a hypothesis-generated string (any unicode, ``&``, ``=``,
``#``, ``%``, ``+``, ``:``, newlines, ``$$``-prefixed text, 10,000 characters)
is written through the client and found again by an equality search: exactly
that record, through a GET and through a POST with ``method=GET`` in a form
body (docs/api-notes.md §1 Verbs; forced with a small ``max_uri_bytes`` and by long
values). Two kinds of value cannot be round-tripped and fail before the wire:

- a NUL character: refused in filters and in written data (``QueryError``);
- text that starts with ``$$``: Workfront reads it as a wildcard and has no
  escape, so a ``$$`` value that is not a known wildcard is a ``QueryError``
  in filters (it can still be written). A value that *is* a wildcard
  (``$$TODAY``, ``$$USER.ID``) is sent as the wildcard.
"""

from __future__ import annotations

import anyio
import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from workfront_async import Q, QueryError, Retry, Workfront
from workfront_async.query import compile_classic
from workfront_async.testing import Emulator

from ._support import BASE

FRAGMENTS = ["&", "=", "#", "%", "+", ":", "\n", "\r\n", "$$", "%20", "?", "/", "\\", '"', " "]
PIECES = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6))
HOSTILE = st.one_of(
    st.lists(PIECES, min_size=1, max_size=8).map("".join),
    st.lists(PIECES, max_size=4).map(lambda parts: "$$" + "".join(parts)),
    st.tuples(st.sampled_from(["x", "é", "&", "%", "🎉"]), st.text(max_size=3)).map(
        lambda t: t[0] * 10_000 + t[1]
    ),
).filter(lambda s: s.strip() != "")


class Methods(httpx.AsyncBaseTransport):
    """The emulator's transport, noting the HTTP method of every request."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.methods: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.methods.append(request.method)
        return await self.inner.handle_async_request(request)


@pytest.fixture(scope="module")
def emu() -> Emulator:
    emulator = Emulator()
    emulator.add("proj", {"name": "Hostile"})
    return emulator


def _is_wildcard(value: str) -> bool:
    try:
        compile_classic(Q.name == value)
    except QueryError:
        return False
    return value.startswith("$$")


async def _round_trip(emu: Emulator, value: str) -> None:
    project_id = emu.rows("project")[0]["ID"]
    plain = Methods(emu.transport())
    small = Methods(emu.transport())
    async with (
        Workfront(BASE, api_key=emu.api_key(), transport=plain, retry=Retry.none()) as wf,
        Workfront(
            BASE,
            api_key=emu.api_key(),
            transport=small,
            retry=Retry.none(),
            max_uri_bytes=256,
        ) as post_wf,
    ):
        if "\x00" in value:
            with pytest.raises(QueryError, match="NUL"):
                await wf.create("task", {"name": value, "projectID": project_id})
            with pytest.raises(QueryError, match="NUL"):
                await wf.search("task", Q.name == value).all()
            assert plain.methods == []
            return
        made = await wf.create("task", {"name": value, "projectID": project_id})
        try:
            assert made["name"] == value
            assert (await wf.get("task", made["ID"], fields=["name"]))["name"] == value
            if value.startswith("$$"):
                if _is_wildcard(value):
                    return  # sent as the wildcard it is; documented
                sent = len(plain.methods)
                with pytest.raises(QueryError, match="wildcard"):
                    await wf.search("task", Q.name == value).all()
                assert len(plain.methods) == sent
                return
            for client, transport in ((wf, plain), (post_wf, small)):
                transport.methods.clear()
                where = Q.name == value
                if client is post_wf:
                    # IDs that exist nowhere: they change no answer but push even a
                    # one-character search over the small client's 256-byte limit
                    where = where & Q.ID.notin([f"{i:032x}" for i in range(1, 6)])
                found = await client.search("task", where, fields=["name"]).all()
                assert [(r["ID"], r["name"]) for r in found] == [(made["ID"], value)]
                if client is post_wf:
                    assert transport.methods == ["POST"], "the small client must override"
                else:
                    long_uri = len(value.encode()) * 3 > 8892
                    assert transport.methods == ["POST" if long_uri else "GET"]
                # and the literal value also works through isin and a raw mapping
                both = await client.search("task", Q.name.isin([value, "\x01unused"])).all()
                assert [r["ID"] for r in both] == [made["ID"]]
                raw = await client.search("task", {"name": value, "name_Mod": "eq"}).all()
                assert [r["ID"] for r in raw] == [made["ID"]]
        finally:
            await wf.delete("task", made["ID"])


@given(value=HOSTILE)
@example(value="a&b=c#d%e+f:g")
@example(value="line one\nline two\r\n")
@example(value="nul\x00inside")
@example(value="$$hello")
@example(value="$$TODAY")
@example(value="%")
@example(value="+")
@example(value="x" * 10_000)
@example(value="ünïcødé ✓ 🎉 \u2028 \u0301")
def test_hostile_value_round_trips_through_get_and_post(emu: Emulator, value: str) -> None:
    anyio.run(_round_trip, emu, value)


@pytest.mark.soak
@settings(max_examples=3_000)
@given(value=HOSTILE)
def test_hostile_value_round_trips_through_get_and_post_soak(emu: Emulator, value: str) -> None:
    anyio.run(_round_trip, emu, value)


def test_wildcards_stay_wildcards() -> None:
    # the helpers' output is a wildcard, sent as is (docs/api-notes.md §1 Wildcards)
    from workfront_async.query import customer, now, today, today_begin, today_end, user

    for wildcard in (
        today(-7),
        today_begin("m"),
        today_end(offset=1, unit="w"),
        now(-2),
        user(),
        customer(),
    ):
        assert compile_classic(Q.entryDate == wildcard)[0] == ("entryDate", wildcard)
    for literal in ("$$", "$$today", "$$TODAYX", "$$USER.", "$$ROLLUP", "$$USER.a b"):
        with pytest.raises(QueryError, match="no escape"):
            compile_classic(Q.name == literal)


def test_text_that_merely_contains_dollars_is_literal() -> None:
    assert compile_classic(Q.name == "price $$5") == [("name", "price $$5"), ("name_Mod", "eq")]
    assert compile_classic(Q.name.contains("5 $$")) == [("name", "5 $$"), ("name_Mod", "contains")]
    # every modifier reads the value the same way: a leading $$ is checked
    with pytest.raises(QueryError, match="wildcard"):
        compile_classic(Q.name.contains("$$x"))
