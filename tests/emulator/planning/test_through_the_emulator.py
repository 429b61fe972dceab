"""The Planning backend served by the embedded Workfront over HTTP (httpx
transport): the app hands ``/maestro/api/...`` requests to ``PlanningBackend``."""

from __future__ import annotations

import httpx

from workfront_async.testing import Emulator
from workfront_async.testing.planning import PlanningBackend


async def test_search_and_crud_over_http() -> None:
    emu = Emulator()
    assert isinstance(emu.planning, PlanningBackend)
    ws = emu.planning.add_workspace("W")
    rt = emu.planning.add_record_type(
        ws.id,
        "T",
        [
            {"id": "n", "name": "N", "type": "number"},
            {"id": "tags", "name": "Tags", "type": "multi select"},
        ],
    )
    headers = {"Authorization": f"Bearer {emu.issue_token()}"}
    async with httpx.AsyncClient(
        transport=emu.transport(), base_url="https://acme.my.workfront.com", headers=headers
    ) as client:
        for n in range(5):
            r = await client.post(
                "/maestro/api/v1/records",
                json={
                    "recordTypeId": rt.id,
                    "data": {"n": n, "tags": ["even" if n % 2 == 0 else "odd"]},
                },
            )
            assert r.status_code == 200, r.text
        r = await client.post(
            "/maestro/api/v1/records/search",
            params={"attributes": "data"},
            json={
                "recordTypeId": rt.id,
                "filters": [
                    {"$or": [{"n": {"$greaterThan": 3}}, {"tags": {"$hasAnyOf": ["odd"]}}]}
                ],
                "sorting": [{"fieldId": "n", "direction": "desc"}],
                "limit": 2,
            },
        )
        assert r.status_code == 200, r.text
        answer = r.json()
        assert answer["totalCount"] == 3
        assert [rec["data"]["n"] for rec in answer["records"]] == [4, 3]
        assert set(answer["records"][0]) == {"id", "data"}

        r = await client.post(
            "/maestro/api/v1/records/search",
            json={"recordTypeId": rt.id, "filters": [{"n": {"$hasAnyOf": [1]}}]},
        )
        assert r.status_code == 400
        assert r.json()["report"]["errorCode"] == "INVALID_FILTER_OPERATOR"

        r = await client.get("/maestro/api/v1/record-types", params={"workspaceId": ws.id})
        assert [t["id"] for t in r.json()] == [rt.id]


async def test_the_demo_tenant_serves_planning_data() -> None:
    emu = Emulator.with_demo_data(scale=0.01)
    headers = {"Authorization": f"Bearer {emu.issue_token()}"}
    async with httpx.AsyncClient(
        transport=emu.transport(), base_url="https://acme.my.workfront.com", headers=headers
    ) as client:
        r = await client.get("/maestro/api/v1/workspaces")
        assert r.status_code == 200
        assert len(r.json()["workspaces"]) == 2
        r = await client.post(
            "/maestro/api/v1/records/search", json={"recordTypeId": "rt000002", "limit": 0}
        )
        assert r.json()["totalCount"] == 1000
