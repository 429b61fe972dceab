"""Shared pieces of the typed-export tests: a tenant, the field list, expected values."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import httpx
import orjson

from workfront_async import Retry, Workfront
from workfront_async.testing import Emulator

# Custom fields as Workfront's metadata describes them (docs/api-notes.md §4 "Metadata":
# custom ``DE:`` fields appear in ``fields`` with a ``fieldType``). The embedded
# Workfront does not list custom fields in its metadata yet; this transport
# adds them in Workfront's own shape when they are missing, so the tests run
# the real-shape path today and keep passing once the emulator lists them.
CUSTOM_FIELDS: dict[str, dict[str, Any]] = {
    "DE:Region": {"label": "Region", "fieldType": "string", "enumType": None},
    "DE:Budget Code": {"label": "Budget Code", "fieldType": "string", "enumType": None},
    "DE:Risk Score": {"label": "Risk Score", "fieldType": "double", "enumType": None},
    "DE:Go Live": {"label": "Go Live", "fieldType": "dateTime", "enumType": None},
    "DE:Tags": {"label": "Tags", "fieldType": "string[]", "enumType": None},
}


class RealShapeCustomFields(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.metadata_calls: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        path = request.url.path.lower()
        if not path.endswith("/metadata"):
            return response
        self.metadata_calls.append(path.rsplit("/", 2)[-2])
        body = orjson.loads(await response.aread())
        data = body.get("data", body)
        if path.endswith("/proj/metadata"):
            for name, spec in CUSTOM_FIELDS.items():
                data["fields"].setdefault(name, spec)
        return httpx.Response(response.status_code, json=body)


def client(emu: Emulator, transport: httpx.AsyncBaseTransport | None = None) -> Workfront:
    return Workfront(
        "https://acme.my.workfront.com",
        api_key=emu.api_key(),
        transport=transport or RealShapeCustomFields(emu.transport()),
        retry=Retry().without_backoff(),
    )


# Every column kind: string, int64, float64, timestamp, date (by override),
# bool (through a reference), a reference's name, a collection as a list, and
# custom fields of each Workfront type (text, number, date, multi-select).
PROJ_FIELDS = [
    "name",
    "priority",
    "percentComplete",
    "plannedStartDate",
    "plannedCompletionDate",
    "actualCost",
    "owner:name",
    "owner:isActive",
    "tasks:ID",
    "DE:Region",
    "DE:Risk Score",
    "DE:Go Live",
    "DE:Tags",
]
PROJ_TYPES = {"plannedCompletionDate": "date"}

EXPECTED_KINDS = {
    "ID": "string",
    "name": "string",
    "priority": "int64",
    "percentComplete": "float64",
    "plannedStartDate": "timestamp",
    "plannedCompletionDate": "date",
    "actualCost": "float64",
    "owner.name": "string",
    "owner.isActive": "bool",
    "tasks.ID": "list<string>",
    "DE:Region": "string",
    "DE:Risk Score": "float64",
    "DE:Go Live": "timestamp",
    "DE:Tags": "list<string>",
}


def expected_rows(emu: Emulator) -> list[dict[str, Any]]:
    """What the export must hold, taken from the emulator's store (not from
    the client), sorted by ID."""
    users = {u["ID"]: u for u in emu.rows("USER", native=True)}
    tasks: dict[str, list[str]] = {}
    for t in emu.rows("TASK"):
        tasks.setdefault(t["projectID"], []).append(t["ID"])
    out = []
    for p in emu.rows("PROJ", native=True):
        owner: Mapping[str, Any] = users.get(p["ownerID"], {})
        completion = p["plannedCompletionDate"]
        out.append(
            {
                "ID": p["ID"],
                "name": p["name"],
                "priority": p["priority"],
                "percentComplete": p["percentComplete"],
                "plannedStartDate": _utc(p["plannedStartDate"]),
                "plannedCompletionDate": completion.date() if completion else None,
                "actualCost": p["actualCost"],
                "owner.name": owner.get("name"),
                "owner.isActive": owner.get("isActive"),
                "tasks.ID": sorted(tasks.get(p["ID"], [])),
                "DE:Region": p.get("DE:Region"),
                "DE:Risk Score": p.get("DE:Risk Score"),
                "DE:Go Live": _utc(p.get("DE:Go Live")),
                "DE:Tags": p.get("DE:Tags"),
            }
        )
    return sorted(out, key=lambda r: r["ID"])


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def normalise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as read back, in the expected rows' Python types, sorted by ID."""
    out = []
    for row in rows:
        fixed = {}
        for key, value in row.items():
            if isinstance(value, (float, type(None))) or type(value).__name__ == "NaTType":
                value = None if value is None or value != value else value
            if hasattr(value, "to_pydatetime"):  # pandas Timestamp
                value = value.to_pydatetime()
            if isinstance(value, datetime):
                value = value.astimezone(UTC)
            if type(value).__module__.startswith("numpy"):
                value = value.tolist()
            if key == "tasks.ID" and isinstance(value, list):
                value = sorted(value)
            if isinstance(value, date) and not isinstance(value, datetime):
                value = date(value.year, value.month, value.day)
            fixed[key] = value
        out.append(fixed)
    return sorted(out, key=lambda r: r["ID"])
