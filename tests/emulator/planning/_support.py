"""Helpers of the embedded Planning API tests: a small tenant with one field
of every docs/api-notes.md §3 field type and five hand-made records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from workfront_async.testing.planning import PlanningBackend

FIELDS: list[dict[str, object]] = [
    {"id": "t", "name": "Title", "type": "text"},
    {"id": "lt", "name": "Notes", "type": "long text"},
    {"id": "fx", "name": "Code", "type": "formula"},
    {"id": "u", "name": "Link", "type": "url"},
    {"id": "n", "name": "Count", "type": "number"},
    {"id": "p", "name": "Done", "type": "percentage"},
    {"id": "c", "name": "Cost", "type": "currency"},
    {"id": "d", "name": "Due", "type": "date"},
    {"id": "ua", "name": "Modified", "type": "updated at"},
    {"id": "ca", "name": "Created", "type": "created at"},
    {"id": "ss", "name": "Stage", "type": "single select", "options": ["A", "B", "C"]},
    {"id": "ms", "name": "Tags", "type": "multi select", "options": ["x", "y", "z"]},
    {"id": "pp", "name": "Owners", "type": "people"},
    {"id": "ref", "name": "Targets", "type": "reference", "recordTypeId": "rtT"},
    {"id": "b", "name": "Flag", "type": "boolean"},
    {"id": "cb", "name": "Creator", "type": "created by"},
    {"id": "ub", "name": "Modifier", "type": "updated by"},
    {"id": "lk", "name": "Target score", "type": "lookup", "linkedField": {"type": "number"}},
]

RECORDS: list[tuple[str, dict[str, object], dict[str, str]]] = [
    (
        "r1",
        {
            "t": "Alpha launch",
            "lt": "Long ALPHA text",
            "fx": "CMP-1",
            "u": "https://a.example.com",
            "n": 1,
            "p": 50,
            "c": 100.5,
            "d": "2024-03-31T20:00:00.000Z",
            "ss": "A",
            "ms": ["x", "y"],
            "pp": ["u1"],
            "ref": ["tgt1"],
            "b": True,
            "lk": 10,
        },
        {
            "created_by": "u1",
            "created_at": "2024-01-01T10:00:00Z",
            "updated_by": "u2",
            "updated_at": "2024-02-01T10:00:00Z",
        },
    ),
    (
        "r2",
        {
            "t": "beta",
            "lt": "gamma",
            "fx": "CMP-2",
            "u": "https://b.example.com",
            "n": 2.5,
            "p": 0,
            "c": 0,
            "d": "2024-04-01T00:00:00.000Z",
            "ss": "B",
            "ms": ["y"],
            "pp": ["u1", "u2"],
            "ref": ["tgt1", "tgt2"],
            "b": False,
            "lk": 20,
        },
        {"created_by": "u2", "created_at": "2024-01-02T10:00:00Z"},
    ),
    ("r3", {}, {"created_by": "u1", "created_at": "2024-01-03T10:00:00Z"}),
    (
        "r4",
        {
            "t": "ALPHA",
            "n": -3,
            "p": 100,
            "c": -1,
            "d": "2024-03-31T00:00:00.000Z",
            "ss": "C",
            "ms": ["x", "y", "z"],
            "pp": [],
        },
        {"created_by": "u3", "created_at": "2024-01-04T10:00:00Z"},
    ),
    (
        "r5",
        {
            "t": "Gamma",
            "n": 1,
            "d": "2023-12-31T23:59:59.999Z",
            "ss": "A",
            "ms": ["z"],
            "pp": ["u3"],
            "ref": ["tgt2"],
            "b": True,
        },
        {
            "created_by": "u3",
            "created_at": "2024-01-05T10:00:00Z",
            "updated_by": "u1",
            "updated_at": "2024-03-01T00:00:00Z",
        },
    ),
]


def make_backend() -> PlanningBackend:
    backend = PlanningBackend(user_id="me")
    ws = backend.add_workspace("Plans", id="ws1")
    backend.add_record_type(
        ws.id, "Targets", [{"id": "nm", "name": "Name", "type": "text"}], id="rtT"
    )
    backend.add_record("rtT", {"nm": "first"}, id="tgt1")
    backend.add_record("rtT", {"nm": "second"}, id="tgt2")
    backend.add_record_type(ws.id, "Items", FIELDS, id="rtI")
    for rid, data, meta in RECORDS:
        backend.add_record("rtI", data, id=rid, **meta)
    return backend


def call(
    backend: PlanningBackend,
    method: str,
    path: str,
    body: object = None,
    query: list[tuple[str, str]] | None = None,
) -> tuple[int, Any]:
    raw = b"" if body is None else orjson.dumps(body)
    status, answer = backend.handle(method, path, query or [], raw)
    if answer == b"":
        return status, None  # no body (a delete)
    orjson.dumps(answer)  # every answer is JSON-able
    return status, answer


def search(backend: PlanningBackend, **body: object) -> tuple[int, Any]:
    body.setdefault("recordTypeId", "rtI")
    return call(backend, "POST", "/v1/records/search", body)


def ids(backend: PlanningBackend, filters: object, **body: object) -> list[str]:
    status, answer = search(backend, filters=filters, **body)
    assert status == 200, answer
    return [r["id"] for r in answer["records"]]


def error_of(answer: Mapping[str, Any]) -> tuple[int, str, str]:
    """(status, machine code, message) of a v1 error body (docs/api-notes.md §5:
    ``{"type": 40001, "title", "report": {"detailedMessage"}}``; the embedded
    Workfront adds ``errorCode`` and ``details`` inside ``report``)."""
    report = answer["report"]
    return answer["type"] // 100, report["errorCode"], report["detailedMessage"]
