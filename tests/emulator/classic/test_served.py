"""The emulator behind a real HTTP server (uvicorn on 127.0.0.1, port 0).

Includes the public ``python-workfront`` package, which sends every call as a
form-encoded POST with ``method=GET|POST|PUT|DELETE`` (docs/api-notes.md §1 Verbs).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys

import httpx
import pytest

from workfront_async.testing import Emulator, Faults


@pytest.fixture
def emu() -> Emulator:
    return Emulator.with_demo_data(seed=2, scale=0.01)


async def test_real_http_search_and_faults(emu: Emulator) -> None:
    async with emu.serve() as served:
        assert served.base_url.startswith("http://127.0.0.1:")
        assert emu.base_url == served.base_url
        async with httpx.AsyncClient(base_url=served.api_url) as c:
            r = await c.get("/task/search", params={"apiKey": emu.api_key(), "status": "INP"})
            assert r.status_code == 200
            want = [t["ID"] for t in emu.rows("TASK") if t["status"] == "INP"]
            assert [t["ID"] for t in r.json()["data"]] == want[:100]
            unauthorised = await c.get("/task/search")
            assert unauthorised.status_code == 401
            emu.faults = Faults(drop_rate=1.0)
            with pytest.raises(httpx.TransportError):
                await c.get("/task/count", params={"apiKey": emu.api_key()})
            emu.faults = Faults()
            again = await c.get("/task/count", params={"apiKey": emu.api_key()})
            assert again.json()["data"]["count"] == len(emu.rows("TASK"))
    assert emu.base_url is None


# python-workfront vendors an old ``six`` whose import hook makes every later import
# warn (ImportWarning) on Python 3.11+, so it runs in its own interpreter.
_PYTHON_WORKFRONT = """
import json, sys
from workfront import Session
from workfront.versions import unsupported as api

api_url, key, project_id = sys.argv[1:4]
session = Session("acme", api_key=key, url_template=api_url + "/{api_version}")
found = session.search(api.Task, name="Final Task", fields=["project_id"])
loaded = session.load(api.Project, project_id, fields=["status"])
created = api.Task(session, name="From python-workfront", project_id=project_id)
created.save()
again = session.load(api.Task, created.id)
print(json.dumps({
    "found": [[t.id, t.name, t.project_id] for t in found],
    "loaded": [loaded.id, loaded.name, loaded.status],
    "created": [again.id, again.name],
}))
"""


async def test_python_workfront_package(emu: Emulator) -> None:
    # docs/api-notes.md §1 Verbs: python-workfront sends every call as a form POST with method=...
    if importlib.util.find_spec("workfront") is None:
        pytest.fail("python-workfront is missing: pip install -e '.[test]'")
    project = emu.rows("PROJ")[0]
    async with emu.serve() as served:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _PYTHON_WORKFRONT,
            f"{served.base_url}/attask/api",
            emu.api_key(),
            project["ID"],
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    result = json.loads(out)
    want = [
        [t["ID"], t["name"], t["projectID"]] for t in emu.rows("TASK") if t["name"] == "Final Task"
    ]
    assert want
    assert result["found"] == want
    assert result["loaded"] == [project["ID"], project["name"], project["status"]]
    new_id, name = result["created"]
    assert name == "From python-workfront"
    assert emu.get("TASK", new_id)["projectID"] == project["ID"]
