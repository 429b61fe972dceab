"""Search pages of stored fields are written by SQLite; everything else by Python.

The two must give the same JSON, value for value and key for key (docs/api-notes.md §1
"Search": default fields plus those asked for, ``objCode`` last). The Python
renderer answers ``map=true`` searches and gets by ID, so each page is checked
against those answers for every object type and field shape, including values
that SQLite's own number formatting would change (1/3, 0.1 + 0.2).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from workfront_async.testing import Emulator

from .conftest import API, BASE, ok


@pytest.fixture(scope="module")
def emu() -> Emulator:
    return Emulator.with_demo_data(seed=11, scale=0.01)


@pytest.fixture
async def client(emu: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"apiKey": emu.api_key()}
    async with httpx.AsyncClient(
        transport=emu.transport(), base_url=BASE + API, headers=headers
    ) as c:
        yield c


def _items(obj: dict[str, Any]) -> list[tuple[str, Any]]:
    return list(obj.items())


async def _same_as_python(client: httpx.AsyncClient, obj: str, fields: str | None) -> int:
    """A page (SQLite) against the same page with ``map=true`` (Python)."""
    params = {"$$LIMIT": "300"}
    if fields is not None:
        params["fields"] = fields
    page = ok(await client.get(f"/{obj}/search", params=params))
    mapped = ok(await client.get(f"/{obj}/search", params={**params, "map": "true"}))
    if all("ID" in row for row in page):
        assert [row["ID"] for row in page] == list(mapped)
    # keyed by ID even where the objects do not show one (CSTEM's default fields)
    assert len(mapped) == len(page)
    for row, by_id in zip(page, mapped.values(), strict=True):
        assert _items(row) == _items(by_id), (obj, fields)
    return len(page)


async def test_every_object_type_and_field_shape(client: httpx.AsyncClient) -> None:
    index = ok(await client.get("/metadata", params={}))
    codes = sorted(index["objects"])
    assert len(codes) > 15
    checked = 0
    for code in codes:
        meta = ok(await client.get(f"/{code}/metadata", params={}))
        plain = [
            name
            for name, field in meta["fields"].items()
            if not name.startswith("DE:") and field["fieldType"] != "map"
        ]
        page = ok(await client.get(f"/{code}/search", params={"$$LIMIT": "1"}))
        defaults = [k for k in page[0] if k != "objCode"] if page else []
        extra = [name for name in plain if name not in defaults][:3]
        shapes: list[str | None] = [None, "ID", "*", "objCode"]
        if defaults:
            shapes.append(",".join(reversed(defaults)))  # the order asked does not matter
        if extra:
            shapes.append(",".join(extra))
            shapes.append(",".join([extra[0], "ID"]))
        for fields in shapes:
            checked += await _same_as_python(client, code, fields)
    assert checked > 1000


async def test_numbers_text_and_nulls_keep_their_values(
    client: httpx.AsyncClient, emu: Emulator
) -> None:
    tasks = ok(await client.get("/task/search", params={"$$LIMIT": "3", "fields": "ID"}))
    odd = [
        {"percentComplete": 1 / 3, "name": 'quote " slash \\ tab \t é 日本 \u0001'},
        {"percentComplete": 0.1 + 0.2, "workRequired": 1e-7, "description": None},
        {"percentComplete": 12.5, "workRequired": 123456789.123456789},
    ]
    for task, updates in zip(tasks, odd, strict=True):
        response = await client.put(f"/task/{task['ID']}", params={"updates": json.dumps(updates)})
        assert response.status_code == 200, response.text
    ids = [t["ID"] for t in tasks]
    for fields in (None, "workRequired,description", "*"):
        params = {"ID": ids, "ID_Mod": "in", "$$LIMIT": "10"}
        if fields:
            params["fields"] = fields
        page = ok(await client.get("/task/search", params=params))
        by_id = {row["ID"]: row for row in page}
        for task_id, updates in zip(ids, odd, strict=True):
            row = by_id[task_id]
            one = ok(await client.get(f"/task/{task_id}", params={"fields": fields or ""}))
            assert _items(row) == _items(one)
            for name, value in updates.items():
                if name in row:
                    assert row[name] == value, (name, row[name], value)
        assert by_id[ids[0]]["percentComplete"] == 1 / 3  # 15 digits would give 0.333333333333333
    # the stored JSON follows each write
    response = await client.put(
        f"/task/{ids[0]}", params={"updates": json.dumps({"name": "renamed", "status": "CPL"})}
    )
    assert response.status_code == 200, response.text
    page = ok(await client.get("/task/search", params={"ID": ids[0]}))
    assert (page[0]["name"], page[0]["status"]) == ("renamed", "CPL")
