"""Deep pages (``$$FIRST`` far into the result) answer exactly what an OFFSET
would, for every offset, filter and write in between (docs/api-notes.md §1 Search
"Paging"); ID-ordered and unordered pages are served by key instead of an
OFFSET scan, so their cost does not grow with the offset (benchmarks/)."""

from __future__ import annotations

import random

import httpx
import pytest

from workfront_async.testing import Emulator

API = "https://acme.my.workfront.com/attask/api/v21.0"


@pytest.fixture(scope="module")
def emu() -> Emulator:
    return Emulator.with_demo_data(scale=0.2)  # 4,000 tasks


async def _page(emu: Emulator, params: dict[str, str]) -> list[str]:
    async with httpx.AsyncClient(transport=emu.transport()) as c:
        r = await c.get(
            f"{API}/task/search",
            params={**params, "fields": "ID"},
            headers={"SessionID": emu.issue_token()},
        )
    assert r.status_code == 200, r.text
    return [row["ID"] for row in r.json()["data"]]


@pytest.mark.parametrize("sort", [{"ID_Sort": "asc"}, {}], ids=["by-ID", "unsorted"])
@pytest.mark.parametrize(
    "where",
    [
        {},
        {"status": "CPL", "status_Mod": "ne"},
        {"status": "CPL", "OR:1:percentComplete": "50", "OR:1:percentComplete_Mod": "lt"},
    ],
    ids=["all", "filtered", "with-OR"],
)
async def test_every_deep_page_equals_the_offset_answer(
    emu: Emulator, sort: dict[str, str], where: dict[str, str]
) -> None:
    whole: list[str] = []
    for first in range(0, 10_000, 2000):
        whole += await _page(emu, {**where, **sort, "$$FIRST": str(first), "$$LIMIT": "2000"})
    if sort:
        assert whole == sorted(whole)
    assert len(whole) == len(set(whole))
    rng = random.Random(7)
    for first in [513, 600, 1023, 1024, 2047, len(whole) - 3, len(whole), len(whole) + 9] + [
        rng.randrange(0, len(whole)) for _ in range(12)
    ]:
        limit = rng.choice([1, 7, 100, 777])
        got = await _page(emu, {**where, **sort, "$$FIRST": str(first), "$$LIMIT": str(limit)})
        assert got == whole[first : first + limit], (first, limit)


async def test_deep_pages_follow_writes(emu: Emulator) -> None:
    params = {"ID_Sort": "asc", "$$FIRST": "1500", "$$LIMIT": "50"}
    before = await _page(emu, params)
    project = emu.rows("project")[0]["ID"]
    # IDs sort anywhere: new rows shift the page unless all land after it
    for i in range(40):
        emu.add("task", {"name": f"new {i}", "projectID": project})
    ids = sorted(r["ID"] for r in emu.rows("task"))
    after = await _page(emu, params)
    assert after == ids[1500:1550]
    assert before != after  # the page moved: the keys read before the writes were dropped


async def test_id_ordered_default_pages_show_every_write() -> None:
    """Unfiltered ID-ordered pages of default fields (what an export reads) are
    read from an index that keeps each row's JSON: inserts, an update and a
    delete show on the next page exactly as a single GET shows the row."""
    emu = Emulator.with_demo_data(scale=0.05)
    token = emu.issue_token()
    async with httpx.AsyncClient(transport=emu.transport(), headers={"SessionID": token}) as c:

        async def page() -> list[dict[str, object]]:
            r = await c.get(f"{API}/task/search", params={"ID_Sort": "asc", "$$LIMIT": "2000"})
            assert r.status_code == 200, r.text
            rows: list[dict[str, object]] = r.json()["data"]
            return rows

        before = await page()
        renamed = before[7]["ID"]
        project = emu.rows("project")[0]["ID"]
        made = []
        for name in ("fresh", "doomed"):
            r = await c.post(f"{API}/task", params={"name": name, "projectID": project})
            assert r.status_code == 200, r.text
            made.append(r.json()["data"]["ID"])
        assert set(made) <= {row["ID"] for row in await page()}
        fresh, doomed = made
        r = await c.put(f"{API}/task/{renamed}", params={"name": 'quoted "name" é'})
        assert r.status_code == 200, r.text
        assert (await c.delete(f"{API}/task/{doomed}")).status_code == 200
        after = await page()
        ids = [row["ID"] for row in after]
        assert ids == sorted(ids)
        assert doomed not in ids
        assert fresh in ids
        for row in after:
            if row["ID"] in (renamed, fresh):
                single = await c.get(f"{API}/task/{row['ID']}")
                assert row == single.json()["data"]
        assert next(x for x in after if x["ID"] == renamed)["name"] == 'quoted "name" é'
