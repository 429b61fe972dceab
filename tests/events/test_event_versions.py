"""Version 2 event messages carry ``eventVersion`` and ``subscriptionVersion``
(Adobe's ``event-subs-versioning.md``); the receiver's ``Event`` keeps them,
and a message without them (Version 1) still parses."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from workfront_async import EventError
from workfront_async.events import parse_event
from workfront_async.testing import Emulator

SUBS = "https://acme.my.workfront.com/attask/eventsubscription/api/v1/subscriptions"


async def test_a_delivered_version_2_message_keeps_its_versions() -> None:
    emu = Emulator()
    messages: list[dict[str, Any]] = []
    emu.on_event = messages.append
    emu.event_transport = httpx.MockTransport(lambda r: httpx.Response(200))
    project = emu.add("project", {"name": "p"})["ID"]
    async with httpx.AsyncClient(transport=emu.transport()) as c:
        r = await c.post(
            SUBS,
            headers={"SessionID": emu.issue_token()},
            json={
                "objCode": "TASK",
                "eventType": "CREATE",
                "url": "https://hooks.example.test/in",
                "authToken": "hook-token",
            },
        )
        assert r.status_code == 201, r.text
        r = await c.post(
            "https://acme.my.workfront.com/attask/api/v21.0/task",
            headers={"SessionID": emu.issue_token()},
            params={"name": "t", "projectID": project},
        )
        assert r.status_code == 200, r.text
    await emu.drain_events()
    (message,) = messages
    event = parse_event(message)
    assert event.event_version == str(message["eventVersion"])
    assert event.subscription_version == str(message["subscriptionVersion"])
    assert event.event_version == "v2"  # new subscriptions are Version 2


def test_a_version_1_message_has_no_versions_and_a_bad_version_is_refused() -> None:
    base = {
        "eventType": "UPDATE",
        "subscriptionId": "s1",
        "eventTime": {"epochSecond": 1_700_000_000, "nano": 0},
        "newState": {"ID": "a", "objCode": "TASK"},
        "oldState": {},
    }
    event = parse_event(base)
    assert event.event_version is None
    assert event.subscription_version is None
    with pytest.raises(EventError):
        parse_event({**base, "eventVersion": {"nested": 1}})
