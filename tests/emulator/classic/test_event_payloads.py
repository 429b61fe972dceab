"""Event messages as the payload examples of Adobe's "Event subscription API" page
show them, its deprecated list endpoint, and the objCodes of its table.

Source: Adobe, *Event subscription API* (``AdobeDocs/workfront.en``
help/quicksilver/wf-api/general/event-subs-api.md), the lines cited on each test.
"""

from __future__ import annotations

import httpx
import pytest

from workfront_async.testing import Emulator

from .conftest import API, BASE
from .test_events import SUBS, Receiver, subscribe


@pytest.fixture
def emu() -> Emulator:
    emu = Emulator.with_demo_data(seed=1, scale=0.01)
    emu.event_retry_delays = (0.0, 0.0)
    return emu


async def test_project_states_carry_accessor_ids_customer_id_and_currency(emu: Emulator) -> None:
    receiver = Receiver()
    emu.event_transport = httpx.MockTransport(receiver)
    token, key = emu.issue_token(), emu.api_key()
    project = emu.rows("PROJ")[0]
    sharer = emu.rows("USER")[3]["ID"]
    async with httpx.AsyncClient(transport=emu.transport(), base_url=BASE) as c:
        for kind in ("UPDATE", "CREATE"):
            assert (await subscribe(c, token, objCode="PROJ", eventType=kind)).status_code == 201
        await c.put(
            f"{API}/project/{project['ID']}", params={"apiKey": key, "name": "EventSub Test"}
        )
        made = await c.post(f"{API}/project", params={"apiKey": key, "name": "New one"})
        made_id = made.json()["data"]["ID"]
        await c.put(
            f"{API}/project/{made_id}/share",
            params={"apiKey": key, "accessorID": sharer, "accessorObjCode": "USER"},
        )
        await c.put(f"{API}/project/{made_id}", params={"apiKey": key, "priority": "2"})
    await emu.drain_events()
    update, create, shared = receiver.messages()
    # lines 1164-1188 (UPDATE) and 1235-1258 (CREATE): newState and oldState hold
    # accessorIDs, customerID and, for a project, currency
    for state in (update["newState"], update["oldState"], create["newState"]):
        assert state["customerID"] == emu.customer_id
        assert "currency" in state
        assert isinstance(state["accessorIDs"], list)
    # the page's accessorIDs hold the project's owner (the same ID as ownerID there)
    assert update["newState"]["accessorIDs"] == [project["ownerID"]]
    assert create["newState"]["accessorIDs"] == [emu.admin_id]
    assert create["oldState"] == {}  # line 1260: "oldState": {}
    # a user it is shared with can see it too
    assert shared["newState"]["accessorIDs"] == [emu.admin_id, sharer]


async def test_the_deprecated_list_endpoint(emu: Emulator) -> None:
    token = emu.issue_token()
    async with httpx.AsyncClient(transport=emu.transport(), base_url=BASE) as c:
        await subscribe(c, token, objCode="TASK", eventType="UPDATE", objId="ObjId1234")
        await subscribe(
            c, token, objCode="PROJ", eventType="UPDATE", authToken="EauthTokenWorkfrontRocks1234_"
        )
        # line 1320: GET https://<HOSTNAME>/attask/eventsubscription/api/v1/subscriptions/list
        # with a sessionID header (lines 1323-1340)
        listed = await c.get(f"{SUBS}/list", headers={"sessionID": token})
        assert listed.status_code == 200, listed.text
        # lines 1377-1396: an array of snake_case entries, the token masked
        first, second = listed.json()
        assert first == {
            "id": first["id"],
            "customer_id": emu.customer_id,
            "obj_id": "ObjId1234",
            "obj_code": "TASK",
            "url": "https://hooks.example.com/wf",
            "event_type": "UPDATE",
            "auth_token": "****cret",
        }
        assert (second["obj_id"], second["auth_token"]) == (None, "****234_")
        # lines 1359-1364: 401 without a session, 403 for a user who is not an admin
        assert (await c.get(f"{SUBS}/list")).status_code == 401
        emu.add_user("plain@example.com", "pw")
        plain = emu.issue_token("plain@example.com")
        assert (await c.get(f"{SUBS}/list", headers={"sessionID": plain})).status_code == 403


@pytest.mark.parametrize("code", ["RECORD", "RECORD_TYPE", "WORKSPACE", "approval", "TSHET"])
async def test_the_tables_objcodes_are_accepted(emu: Emulator, code: str) -> None:
    # lines 126-260: the objCodes of the table (Record RECORD, Record Type RECORD_TYPE, ...);
    # lines 897-914: a RECORD subscription with a nested filter
    token = emu.issue_token()
    async with httpx.AsyncClient(transport=emu.transport(), base_url=BASE) as c:
        made = await subscribe(
            c,
            token,
            objCode=code,
            eventType="UPDATE",
            filters=[
                {
                    "fieldName": "data",
                    "fieldValue": {"customField1": "myCustomFieldValue"},
                    "comparison": "eq",
                    "state": "newState",
                }
            ],
        )
        assert made.status_code == 201, made.text
        shown = await c.get(f"{SUBS}/{made.json()['id']}", headers={"SessionID": token})
        assert shown.json()["objCode"] == code
