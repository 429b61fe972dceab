"""Typed Planning records: a package generated from the demo tenant's record
types, searched and read with both Planning clients, compared with the dict
records of the same searches; drift of a record type found by the check."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest

from workfront_async import BearerAuth, Call, Planning, PlanningV2, Q, QueryError, ResponseError
from workfront_async.cli import main
from workfront_async.codegen import LOCK_NAME, check, generate_planning
from workfront_async.query import compile_planning, compile_planning_v2
from workfront_async.testing import Emulator

from .conftest import importable, unique_package

URL = "https://acme.my.workfront.com"
TYPES = ("rt000001", "rt000002", "rt000003")


@pytest.fixture(scope="module")
def emu() -> Emulator:
    return Emulator.with_demo_data(scale=0.02)


@pytest.fixture(scope="module")
def package(emu: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    import asyncio

    root = tmp_path_factory.mktemp("planning_pkg")
    name = unique_package("wf_planning")

    async def make() -> None:
        async with Planning(
            URL, auth=BearerAuth(emu.issue_token()), transport=emu.transport()
        ) as pl:
            await generate_planning(pl, list(TYPES), package=name, out=root)

    asyncio.run(make())
    with importable(root, name) as module:
        yield module


@pytest.fixture(params=["v1", "v2"])
async def pl(request: pytest.FixtureRequest, emu: Emulator) -> AsyncIterator[Any]:
    kind = Planning if request.param == "v1" else PlanningV2
    async with kind(URL, auth=BearerAuth(emu.issue_token()), transport=emu.transport()) as client:
        yield client


def test_one_class_per_record_type_with_typed_data(package: ModuleType) -> None:
    campaigns = package.Campaigns
    assert campaigns.__wf_record_type__ == "rt000002"
    assert {package.Tactics.__wf_record_type__, package.Launches.__wf_record_type__} == {
        "rt000001",
        "rt000003",
    }
    fields = package.CampaignsData.__wf_field_ids__
    assert fields["startDate"] == "startDate"
    assert fields["tacticCost"] == "tacticCost"
    assert set(package.CampaignsStatus.__args__) == {
        "Planned",
        "In progress",
        "On hold",
        "Done",
        "Cancelled",
    }


def test_typed_fields_compile_to_the_conditions_on_field_ids(package: ModuleType) -> None:
    q = package.CampaignsQ
    pairs = [
        (q.budget > 1000, Q.budget > 1000),
        (q.status == "Planned", Q.status == "Planned"),
        (q.channels.has_any(["Email", "Video"]), Q.channels.has_any(["Email", "Video"])),
        (q.name.contains("Spring"), Q.name.contains("Spring")),
        ((q.approved == True) & (q.priority >= 3), (Q.approved == True) & (Q.priority >= 3)),  # noqa: E712
    ]
    for typed, plain in pairs:
        assert compile_planning(typed) == compile_planning(plain)
        assert compile_planning_v2(typed) == compile_planning_v2(plain)
    with pytest.raises(QueryError, match="Planned"):
        q.status == "Planed"  # noqa: B015
    with pytest.raises(QueryError, match="number"):
        q.budget > "a lot"  # noqa: B015
    with pytest.raises(AttributeError):
        q.budgte  # noqa: B018


async def test_typed_search_and_get_match_the_dict_records(package: ModuleType, pl: Any) -> None:
    campaigns = package.Campaigns
    where = package.CampaignsQ.status.isin(["Planned", "Done"])
    typed = await pl.records.search(campaigns, where, sort=["name"], limit=25).all()
    plain = await pl.records.search("rt000002", where, sort=["name"], limit=25).all()
    assert typed
    assert [r.id for r in typed] == [r["id"] for r in plain]
    for record, row in zip(typed, plain, strict=True):
        assert type(record) is campaigns
        data = row["data"]
        assert record.data.name == data.get("name")
        assert record.data.status == data.get("status") in ("Planned", "Done")
        assert record.data.budget == data.get("budget")
        assert record.data.channels == data.get("channels")
        start = data.get("startDate")
        assert record.data.startDate == (
            None if start is None else datetime.fromisoformat(start.replace("Z", "+00:00"))
        )
        tactics = data.get("tactics") or None
        assert ([t.id for t in record.data.tactics] if record.data.tactics else None) == (
            [t["id"] for t in tactics] if tactics else None
        )
    one = await pl.records.get(campaigns, typed[0].id)
    assert type(one) is campaigns
    assert one.data.name == typed[0].data.name


async def test_a_value_the_class_does_not_allow_says_to_check(
    package: ModuleType, emu: Emulator
) -> None:
    auth = BearerAuth(emu.issue_token())
    async with PlanningV2(URL, auth=auth, transport=emu.transport()) as v2:
        # the record type gains a region and a field after the package was generated
        field = await v2.request(Call("GET", "v2/fields/regions"))
        options = [*field["options"], {"name": "MARS", "displayName": "MARS"}]
        await v2.request(
            Call("PATCH", "v2/fields/regions", json=orjson.dumps({"options": options}))
        )
        new_field = orjson.dumps({"displayName": "Channel owner", "type": "TEXT"})
        await v2.request(Call("POST", "v2/record-types/rt000003/fields", json=new_field))
        made = await v2.records.create("rt000003", {"name": "Odd", "regions": ["MARS"]})
    async with Planning(URL, auth=auth, transport=emu.transport()) as pl:
        with pytest.raises(ResponseError, match="codegen --planning") as caught:
            await pl.records.get(package.Launches, made["id"])
        assert caught.value.retryable is False
        assert "MARS" in str(caught.value)
        drift = await check(pl, Path(package.__file__).parent)
    assert not drift.ok
    assert any(c.startswith("rt000003: + regions") and "MARS" in c for c in drift.changes)
    assert any(c.startswith("rt000003: + ") and "Channel owner" in c for c in drift.changes)
    assert not any(c.startswith(("rt000001", "rt000002")) for c in drift.changes)


def test_the_cli_generates_and_checks_record_classes(tmp_path: Path) -> None:
    args = ["--package", "acme_planning", "-o", str(tmp_path), "-q"]
    assert main(["codegen", "--planning", "rt000002", *args]) == 0
    assert (tmp_path / "acme_planning" / LOCK_NAME).is_file()
    assert main(["codegen", "--planning", "--check", *args]) == 0
    # a package of record types is not checked against classic objects
    assert main(["codegen", "--check", *args]) == 2
