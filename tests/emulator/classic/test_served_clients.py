"""Real clients that nobody here wrote, against the served emulator (uvicorn on loopback).

python-workfront runs in its own interpreter (see test_served.py for why).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
from pathlib import Path

import httpx
import pytest

from workfront_async.testing import Emulator


@pytest.fixture
def emu() -> Emulator:
    return Emulator.with_demo_data(seed=5, scale=0.01)


async def test_served_js_client_requests(emu: Emulator) -> None:
    # The official JS client's wire form (docs/api-notes.md §4): /attask/api-internal/, the key as
    # an apiKey header, a form-encoded POST /batch with repeated uri=.
    async with emu.serve() as served, httpx.AsyncClient(base_url=served.base_url) as c:
        headers = {"apiKey": emu.api_key(), "X-Requested-With": "XMLHttpRequest"}
        response = await c.post(
            "/attask/api-internal/batch",
            headers=headers,
            data={
                "atomic": "false",
                "concurrent": "false",
                "uri": ["task/count?status=NEW&method=GET", "/metadata?method=GET"],
            },
        )
        assert response.status_code == 200, response.text
        count, metadata = (slot["data"] for slot in response.json()["data"])
        assert count == {"count": sum(t["status"] == "NEW" for t in emu.rows("TASK"))}
        assert "TASK" in metadata["objects"]
        task_meta = await c.get("/attask/api-internal/task/metadata", headers=headers)
        assert task_meta.json()["data"]["url"] == (
            f"{served.base_url}/attask/api-internal/task/metadata"
        )


# generate() writes one module per API version; it is loaded from a temporary file
# as a submodule of workfront.versions so its relative imports resolve.
_GENERATE = """
import importlib.util, json, sys, warnings
warnings.simplefilter("ignore")
from workfront import Session
from workfront.generate import generate

api_url, key, out_path, task_id = sys.argv[1:5]
template = api_url + "/{api_version}"
generate(Session("acme", api_key=key, api_version="v21.0", url_template=template), None, out_path)
spec = importlib.util.spec_from_file_location("workfront.versions.emulated", out_path)
module = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = module
spec.loader.exec_module(module)
Session.register(module.api)
session = Session("acme", api_key=key, api_version="v21.0", url_template=template)
task = session.load(module.Task, task_id, fields=["wbs"])
comment = task.add_comment("Generated classes work")
print(json.dumps({
    "classes": sorted(module.api.by_code),
    "task": [task.id, task.wbs, task.name],
    "comment": comment.id,
    "has_fields": [hasattr(module.Task, "planned_completion_date"),
                   hasattr(module.Note, "note_text"),
                   hasattr(module.Task, "project")],
}))
"""


async def test_python_workfront_generate_reflects_the_metadata(
    emu: Emulator, tmp_path: Path
) -> None:
    # python-workfront's generate reads GET /metadata and GET /<obj>/metadata
    # (docs/api-notes.md §4 "Metadata") and writes classes; they must import and work.
    if importlib.util.find_spec("workfront") is None:
        pytest.fail("python-workfront is missing: pip install -e '.[test]'")
    task = emu.rows("TASK")[0]
    out = tmp_path / "emulated.py"
    async with emu.serve() as served:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _GENERATE,
            f"{served.base_url}/attask/api",
            emu.api_key(),
            str(out),
            task["ID"],
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, stderr.decode()
    result = json.loads(stdout)
    assert {"TASK", "PROJ", "NOTE", "TMPL", "TTSK", "CMPY", "EXPNS", "BSLN"} <= set(
        result["classes"]
    )
    assert result["task"] == [task["ID"], task["wbs"], task["name"]]
    assert result["has_fields"] == [True, True, True]
    note = emu.get("NOTE", result["comment"])
    assert (note["noteText"], note["noteObjCode"], note["objID"]) == (
        "Generated classes work",
        "TASK",
        task["ID"],
    )
    assert "class Task(Object):" in out.read_text()
