"""Typo checks against metadata shaped like real Workfront's answers
(docs/api-notes.md §4 "Metadata": references carry ``typeObjCode``; ``GET /metadata``
lists the object types)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from workfront_async import Workfront
from workfront_async.cli._names import NameProblem, check_names

OBJECTS = {"PROJ": {"name": "Project"}, "TASK": {"name": "Task"}, "USER": {"name": "User"}}
META: dict[str, dict[str, Any]] = {
    "task": {
        "objCode": "TASK",
        "fields": {"ID": {"fieldType": "string"}, "name": {"fieldType": "string"}},
        "references": {"assignedTo": {"typeObjCode": "USER", "fieldType": "User"}},
        "collections": {"assignments": {"typeObjCode": "ASSGN"}},
    },
    "user": {"objCode": "USER", "fields": {"ID": {}, "name": {}, "emailAddr": {}}},
}


def _handler(request: httpx.Request) -> httpx.Response:
    parts = request.url.path.split("/")
    if parts[-1] == "metadata" and parts[-2].startswith("v"):
        return httpx.Response(200, json={"data": {"objects": OBJECTS}})
    obj = parts[-2].lower()
    if obj in META:
        return httpx.Response(200, json={"data": META[obj]})
    error = {"class": "java.lang.IllegalArgumentException", "message": f"bad objCode {obj}"}
    return httpx.Response(422, json={"error": error})


async def _check(obj: str, fields: list[str]) -> None:
    transport = httpx.MockTransport(_handler)
    async with Workfront("https://acme.my.workfront.com", api_key="k", transport=transport) as wf:
        await check_names(wf, obj, fields)


async def test_known_names_pass() -> None:
    await _check("task", ["name", "assignedTo:emailAddr", "assignments:ID", "DE:Region"])


@pytest.mark.parametrize(
    ("obj", "fields", "message"),
    [
        ("tsak", [], "unknown object type 'tsak' (did you mean task?)"),
        ("task", ["nmae"], "task has no field 'nmae' (did you mean name?)"),
        ("task", ["Name"], "did you mean name?"),
        ("task", ["assignedTo:emial"], "assignedTo (USER) has no field 'emial'"),
    ],
)
async def test_unknown_names_are_refused_with_a_suggestion(
    obj: str, fields: list[str], message: str
) -> None:
    with pytest.raises(NameProblem) as exc:
        await _check(obj, fields)
    assert message in str(exc.value)


async def test_a_listed_type_without_readable_metadata_is_not_refused() -> None:
    await _check("proj", ["anything"])  # listed by GET /metadata, its own metadata fails
