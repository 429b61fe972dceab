"""The recipes run the way their pages tell a reader to run them: the FastAPI
app saved as ``app.py`` and served by a real ``uvicorn app:app`` process (with
a tenant from the environment, and without one), the ETL job saved as
``etl.py`` and run with ``python etl.py``, its Parquet read back by DuckDB by
column name. (tests/docs/test_examples.py runs the same blocks in-process.)"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from workfront_async.testing import Emulator

ROOT = Path(__file__).resolve().parents[2]
RECIPES = ROOT / "docs" / "recipes"
TOKEN = "a-long-random-secret"  # the recipe's default


def _save(page: str, name: str, folder: Path) -> Path:
    """The page's Python block, saved as the page says."""
    text = (RECIPES / page).read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, re.DOTALL | re.MULTILINE)
    assert len(blocks) == 1, f"{page} should have one program"
    assert f"`{name}`" in text, f"{page} should say to save it as {name}"
    path = folder / name
    path.write_text(blocks[0], encoding="utf-8")
    return path


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKFRONT_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


class Uvicorn:
    def __init__(self, proc: subprocess.Popen[str], url: str, log: list[str]) -> None:
        self.proc, self.url, self.log = proc, url, log


def _uvicorn(folder: Path, env: dict[str, str]) -> Iterator[Uvicorn]:
    # `uvicorn app:app`, on loopback and a free port; ResourceWarnings shown.
    argv = [sys.executable, "-W", "default::ResourceWarning", "-m", "uvicorn", "app:app"]
    proc = subprocess.Popen(
        [*argv, "--host", "127.0.0.1", "--port", "0"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    log: list[str] = []
    try:
        for line in proc.stdout:
            log.append(line)
            m = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line)
            if m:
                yield Uvicorn(proc, m.group(1), log)
                break
        else:
            raise AssertionError("uvicorn did not start:\n" + "".join(log))
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C: a graceful shutdown
        rest, _ = proc.communicate(timeout=60)
        log.append(rest)
    text = "".join(log)
    assert proc.returncode == 0, text
    assert "Application shutdown complete" in text
    for trouble in ("Traceback", "ERROR", "ResourceWarning", "Exception"):
        assert trouble not in text, text


def _check_app(server: Uvicorn, emu: Emulator) -> None:
    project = emu.rows("project")[0]
    with httpx.Client(base_url=server.url, timeout=60) as http:
        answer = http.get(f"/projects/{project['ID']}/open-tasks")
        assert answer.status_code == 200, "".join(server.log)
        expected = {
            t["ID"]
            for t in emu.rows("task")
            if t["projectID"] == project["ID"] and t["status"] not in ("CPL", "DED")
        }
        assert {t["ID"] for t in answer.json()} == expected
        assert expected  # the demo project has open tasks
        # Workfront's delivery of an event to the mounted receiver
        event = {
            "eventType": "UPDATE",
            "subscriptionId": "1ec7f7c4",
            "eventTime": {"epochSecond": 1700000000, "nano": 0},
            "newState": {"ID": "6f1b", "objCode": "TASK", "status": "CPL"},
            "oldState": {"ID": "6f1b", "objCode": "TASK", "status": "INP"},
        }
        hooks = "/hooks/workfront/"
        answer = http.post(hooks, json=event, headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status_code == 202
        assert http.post(hooks, json=event).status_code == 401


@pytest.mark.workfront(demo=True, scale=0.01)
def test_the_fastapi_recipe_under_uvicorn_with_a_tenant(
    tmp_path: Path, workfront_server: Any
) -> None:
    _save("fastapi.md", "app.py", tmp_path)
    env = _env(WORKFRONT_URL=workfront_server.base_url, WORKFRONT_API_KEY=workfront_server.api_key)
    before = workfront_server.emulator.stats.requests
    for server in _uvicorn(tmp_path, env):
        _check_app(server, workfront_server.emulator)
    # the app answered from the tenant of the environment, over HTTP
    assert workfront_server.emulator.stats.requests > before


def test_the_fastapi_recipe_under_uvicorn_without_a_tenant(tmp_path: Path) -> None:
    _save("fastapi.md", "app.py", tmp_path)
    for server in _uvicorn(tmp_path, _env()):
        # the recipe's stand-in tenant: the same demo data, seeded alike
        _check_app(server, Emulator.with_demo_data(scale=0.01))


def test_the_etl_recipe_lands_typed_parquet(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    script = _save("etl.md", "etl.py", tmp_path)
    result = subprocess.run(
        [sys.executable, "-W", "error", script.name],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "night 2: 1 changed rows" in result.stdout
    tasks = Emulator.with_demo_data(scale=0.01).rows("task")
    db = duckdb.connect()
    parquet = str(tmp_path / "landing" / "tasks-full.parquet")
    types = dict(
        db.execute(f"SELECT column_name, column_type FROM (DESCRIBE '{parquet}')").fetchall()
    )
    assert types == {
        "ID": "VARCHAR",
        "name": "VARCHAR",
        "status": "VARCHAR",
        "plannedCompletionDate": "TIMESTAMP WITH TIME ZONE",
        "assignedTo.name": "VARCHAR",
        "project.name": "VARCHAR",
    }
    rows = db.execute(
        f'SELECT count(*), count("assignedTo.name"), count("project.name"), '
        f"min(plannedCompletionDate) FROM '{parquet}'"
    ).fetchone()
    assert rows is not None
    assert rows[0] == len(tasks)
    assert rows[1] == sum(1 for t in tasks if t.get("assignedToID"))
    assert rows[2] == len(tasks)
    assert rows[3] is not None
    assert rows[3].tzinfo is not None
    # the changes: the same column names, dates in ISO 8601
    changed = [
        json.loads(line)
        for line in (tmp_path / "landing" / "tasks-changes-2.jsonl").read_text().splitlines()
    ]
    assert [r["name"] for r in changed] == ["Renamed during the day"]
    assert set(changed[0]) == set(types)
    assert changed[0]["plannedCompletionDate"].endswith("Z")
