"""Planning records export the same through v1 and v2 (one store in the
embedded Workfront): same typed columns, same rows; reference columns hold the
linked records' IDs (docs/api-notes.md §5: references are ``[{"id", "externalId", "value"}]``)."""

from __future__ import annotations

from typing import Any

import pytest

from workfront_async import BearerAuth
from workfront_async.export import planning_export
from workfront_async.planning import Planning, PlanningV2
from workfront_async.testing import Emulator

BASE = "https://acme.my.workfront.com"


def _clients(emu: Emulator) -> tuple[Planning, PlanningV2]:
    token = emu.issue_token()
    kw: dict[str, Any] = {"transport": emu.transport()}
    return (
        Planning(BASE, auth=BearerAuth(token), **kw),
        PlanningV2(BASE, auth=BearerAuth(token), **kw),
    )


@pytest.mark.parametrize("record_type", ["rt000001", "rt000002"])
async def test_v1_and_v2_exports_agree(record_type: str) -> None:
    emu = Emulator.with_demo_data(scale=0.01)
    v1, v2 = _clients(emu)
    async with v1, v2:
        one = await planning_export(v1, record_type).to_arrow()
        two = await planning_export(v2, record_type).to_arrow()
    assert one.schema == two.schema
    assert one.num_rows == two.num_rows > 0
    key = [("id", "ascending")]
    assert one.sort_by(key).to_pylist() == two.sort_by(key).to_pylist()


async def test_reference_columns_hold_ids() -> None:
    emu = Emulator.with_demo_data(scale=0.01)
    v1, _ = _clients(emu)
    async with v1:
        export = planning_export(v1, "rt000002")
        schema = await export.schema()
        refs = [c.name for c in schema.columns if c.field_type == "reference"]
        table = await export.to_arrow()
    assert refs, "the demo record type has a reference field"
    for name in refs:
        for value in table.column(name).to_pylist():
            assert value is None or all(isinstance(v, str) and not v.startswith("{") for v in value)
