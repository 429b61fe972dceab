"""Authentication, method override, versions, limits, faults, counters (docs/api-notes.md §1)."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlencode

import httpx
import pytest

from workfront_async.testing import Emulator, Faults

from .conftest import API, BASE

AUTH = "com.attask.common.AuthenticationException"


def client(emu: Emulator) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=emu.transport(), base_url=BASE)


# -- authentication ---------------------------------------------------------------


async def test_every_credential_form(fresh: Emulator) -> None:
    # docs/api-notes.md §1 Authentication: SessionID header, sessionID parameter, apiKey parameter,
    # and Authorization: Bearer (standing in for OAuth2/IMS tokens).
    token = fresh.issue_token()
    key = fresh.api_key()
    async with client(fresh) as c:
        url = f"{API}/proj/count"
        for kwargs in (
            {"headers": {"SessionID": token}},
            {"params": {"sessionID": token}},
            {"params": {"apiKey": key}},
            {"headers": {"Authorization": f"Bearer {token}"}},
        ):
            r = await c.get(url, **kwargs)  # type: ignore[arg-type]
            assert r.status_code == 200, (kwargs, r.text)
        for kwargs in (
            {},
            {"headers": {"SessionID": "nope"}},
            {"params": {"apiKey": "nope"}},
            {"params": {"sessionID": "nope"}},
            {"headers": {"Authorization": "Bearer nope"}},
        ):
            r = await c.get(url, **kwargs)  # type: ignore[arg-type]
            assert r.status_code == 401, kwargs
            assert r.json()["error"]["class"] == AUTH
            assert "nope" not in r.text


async def test_login_logout_and_api_key_actions(fresh: Emulator) -> None:
    # docs/api-notes.md §1: POST /login?username=&password=; GET /logout;
    # PUT /user?action=generateApiKey|getApiKey|clearApiKey&username=&password=.
    user = fresh.add_user("pat@example.com", "s3cret", name="Pat Doe")
    async with client(fresh) as c:
        bad = await c.post(f"{API}/login", params={"username": "pat@example.com", "password": "x"})
        assert bad.status_code == 401
        assert bad.json()["error"]["class"] == AUTH
        assert "x" not in bad.json()["error"]["message"].split()
        r = await c.post(
            f"{API}/login", params={"username": "pat@example.com", "password": "s3cret"}
        )
        assert r.status_code == 200
        session = r.json()["data"]["sessionID"]
        assert r.json()["data"]["userID"] == user["ID"]
        me = await c.get(f"{API}/user/{user['ID']}", headers={"SessionID": session})
        assert me.json()["data"]["name"] == "Pat Doe"
        out = await c.get(f"{API}/logout", headers={"SessionID": session})
        assert out.status_code == 200
        after = await c.get(f"{API}/proj/count", headers={"SessionID": session})
        assert after.status_code == 401
        creds = {"username": "pat@example.com", "password": "s3cret"}
        got = await c.put(f"{API}/user", params={"action": "getApiKey", **creds})
        key = got.json()["data"]["result"]
        assert (await c.get(f"{API}/proj/count", params={"apiKey": key})).status_code == 200
        new = await c.put(f"{API}/user", params={"action": "generateApiKey", **creds})
        new_key = new.json()["data"]["result"]
        assert new_key != key
        assert (await c.get(f"{API}/proj/count", params={"apiKey": key})).status_code == 401
        cleared = await c.put(f"{API}/user", params={"action": "clearApiKey", **creds})
        assert cleared.status_code == 200
        assert (await c.get(f"{API}/proj/count", params={"apiKey": new_key})).status_code == 401
        wrong = await c.put(
            f"{API}/user",
            params={"action": "getApiKey", "username": "pat@example.com", "password": "no"},
        )
        assert wrong.status_code == 401


async def test_auth_names_are_consumed_and_filters_json_reaches_them(fresh: Emulator) -> None:
    # docs/api-notes.md §1 filters=: username etc. are consumed by authentication.
    fresh.add_user("kim@example.com", "pw")
    async with client(fresh) as c:
        r = await c.get(
            f"{API}/user/search",
            params={
                "apiKey": fresh.api_key(),
                "filters": json.dumps({"username": "kim@example.com"}),
            },
        )
        assert [u["name"] for u in r.json()["data"]] == ["kim@example.com"]
        bad = await c.get(f"{API}/user/search", params={"apiKey": fresh.api_key(), "filters": "{"})
        assert bad.status_code == 400


# -- method override and form bodies ----------------------------------------------


async def test_method_override_with_form_body(fresh: Emulator) -> None:
    # docs/api-notes.md §1 Verbs: a POST whose form body carries method=GET is a GET, no URI limit.
    key = fresh.api_key()
    ids = [t["ID"] for t in fresh.rows("TASK")]
    async with client(fresh) as c:
        form = [("apiKey", key), ("method", "GET"), ("ID_Sort", "asc"), ("$$LIMIT", "2000")]
        form += [("ID", i) for i in ids * 2] + [("ID_Mod", "in")]
        assert len(str(httpx.QueryParams(form))) > 8892
        long_get = await c.get(f"{API}/task/search", params=form)
        assert long_get.status_code == 414
        r = await c.post(
            f"{API}/task/search",
            content=urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
        )
        assert r.status_code == 200, r.text
        assert [t["ID"] for t in r.json()["data"]] == sorted(ids)
        before = len(fresh.rows("PROJ"))
        created = await c.get(f"{API}/proj", params={"apiKey": key, "method": "post", "name": "P"})
        assert created.status_code == 200
        assert len(fresh.rows("PROJ")) == before + 1
        pid = created.json()["data"]["ID"]
        deleted = await c.post(f"{API}/proj/{pid}", params={"apiKey": key, "method": "DELETE"})
        assert deleted.status_code == 200
        assert len(fresh.rows("PROJ")) == before
        bad = await c.get(f"{API}/proj/count", params={"apiKey": key, "method": "PATCH"})
        assert bad.status_code == 405
        assert "error" in bad.json()


async def test_versions(fresh: Emulator) -> None:
    # docs/api-notes.md §1 Versions: v<N>.0; the emulator accepts v9.0 to v21.0 and "unsupported".
    key = fresh.api_key()
    async with client(fresh) as c:
        for version in ("v9.0", "v15.0", "v21.0", "unsupported"):
            r = await c.get(f"/attask/api/{version}/proj/count", params={"apiKey": key})
            assert r.status_code == 200, version
        for version in ("v8.0", "v22.0"):
            r = await c.get(f"/attask/api/{version}/proj/count", params={"apiKey": key})
            assert r.status_code == 404
            assert "v9.0 to v21.0" in r.json()["error"]["message"]


# -- limits -----------------------------------------------------------------------


async def test_uri_limit_and_sandbox(fresh: Emulator) -> None:
    # docs/api-notes.md §1 Limits: 8892 bytes through the CDN (assume 414); sandboxes exempt.
    key = fresh.api_key()
    path = f"{API}/task/search"
    async with client(fresh) as c:
        fixed = len(f"{path}?apiKey={key}&name=".encode())
        at_limit = await c.get(path, params={"apiKey": key, "name": "x" * (8892 - fixed)})
        assert at_limit.status_code == 200
        over = await c.get(path, params={"apiKey": key, "name": "x" * (8893 - fixed)})
        assert over.status_code == 414
        assert "error" in over.json()
        assert fresh.stats.rejected_uri == 1
        fresh.max_uri_bytes = None
        sandbox = await c.get(path, params={"apiKey": key, "name": "x" * 20000})
        assert sandbox.status_code == 200


async def test_concurrency_cap_and_counters(fresh: Emulator) -> None:
    # API notes §1 Limits: 10 concurrent threads; more get 429 "Too many concurrent API requests".
    fresh.latency = 0.2  # long enough for all 15 to arrive while the first 10 are in flight
    key = fresh.api_key()
    async with client(fresh) as c:
        responses = await asyncio.gather(
            *(c.get(f"{API}/proj/count", params={"apiKey": key}) for _ in range(15))
        )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 10 + [429] * 5
    rejected = next(r for r in responses if r.status_code == 429)
    assert rejected.json()["error"]["message"] == "Too many concurrent API requests"
    assert fresh.stats.max_in_flight == 10
    assert fresh.stats.rejected_concurrency == 5
    assert fresh.stats.requests == 10
    fresh.stats.reset()
    assert fresh.stats.requests == 0
    fresh.max_concurrency = 20
    async with client(fresh) as c:
        responses = await asyncio.gather(
            *(c.get(f"{API}/proj/count", params={"apiKey": key}) for _ in range(15))
        )
    assert {r.status_code for r in responses} == {200}
    assert fresh.stats.max_in_flight == 15


async def test_latency_range_is_seeded() -> None:
    a, b = Emulator(latency=(0.0, 0.002), seed=5), Emulator(latency=(0.0, 0.002), seed=5)
    draws_a = [a._draw_latency() for _ in range(5)]
    draws_b = [b._draw_latency() for _ in range(5)]
    assert draws_a == draws_b
    assert all(0.0 <= d <= 0.002 for d in draws_a)
    assert len(set(draws_a)) == 5


# -- faults -----------------------------------------------------------------------


async def test_fault_statuses(fresh: Emulator) -> None:
    fresh.faults = Faults(rate=1.0, statuses=(503,))
    async with client(fresh) as c:
        r = await c.get(f"{API}/proj/count", params={"apiKey": fresh.api_key()})
    assert r.status_code == 503
    assert "error" in r.json()
    assert fresh.stats.faults_injected == 1


async def test_fault_rate_is_seeded_and_partial() -> None:
    results = []
    for _ in range(2):
        emu = Emulator(seed=11, faults=Faults(rate=0.5))
        async with client(emu) as c:
            statuses = [
                (await c.get(f"{API}/proj/count", params={"apiKey": emu.api_key()})).status_code
                for _ in range(40)
            ]
        results.append(statuses)
        assert emu.stats.faults_injected == sum(1 for s in statuses if s != 200)
    assert results[0] == results[1]
    assert set(results[0]) - {200} <= {429, 500, 503}
    assert 5 < results[0].count(200) < 35


async def test_dropped_connection_and_truncated_body(fresh: Emulator) -> None:
    # docs/api-notes.md §1 Responses: bodies can be truncated ({"data":[).
    fresh.faults = Faults(drop_rate=1.0)
    async with client(fresh) as c:
        with pytest.raises(httpx.RemoteProtocolError):
            await c.get(f"{API}/proj/count", params={"apiKey": fresh.api_key()})
        fresh.faults = Faults(truncate_rate=1.0)
        r = await c.get(f"{API}/task/search", params={"apiKey": fresh.api_key()})
        assert r.status_code == 200
        assert r.content.startswith(b'{"data":[')
        with pytest.raises(json.JSONDecodeError):
            json.loads(r.content)
    assert fresh.stats.dropped == 1
    assert fresh.stats.truncated == 1


def test_faults_validate() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        Faults(rate=1.5)
    with pytest.raises(ValueError, match="statuses"):
        Faults(statuses=())


async def test_unknown_paths_are_workfront_shaped(fresh: Emulator) -> None:
    async with client(fresh) as c:
        r = await c.get("/nothing/here")
        assert r.status_code == 404
        assert r.json()["error"]["class"]
        r = await c.get(f"{API}/proj", params={"apiKey": fresh.api_key()})
        assert r.status_code == 400
        assert "search" in r.json()["error"]["message"]


async def test_planning_requests_pass_auth_limits_and_counters(fresh: Emulator) -> None:
    # docs/api-notes.md §3: the Planning API authenticates with Authorization: Bearer.
    assert fresh.planning is not None
    async with client(fresh) as c:
        anonymous = await c.get("/maestro/api/v1/workspaces")
        assert anonymous.status_code == 401
        # v1's own error body ("V1 vs V2" guide), not the classic one
        assert anonymous.json()["type"] == 40101
        bearer = {"Authorization": f"Bearer {fresh.issue_token()}"}
        ok = await c.get("/maestro/api/v1/workspaces", headers=bearer)
        assert ok.status_code == 200
        fresh.faults = Faults(rate=1.0, statuses=(429,))
        limited = await c.get("/maestro/api/v1/workspaces", headers=bearer)
        assert limited.status_code == 429
    assert fresh.stats.requests == 3
    assert fresh.stats.faults_injected == 1


def test_command_line_serves_and_prints_url_and_key() -> None:
    import subprocess
    import sys

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "workfront_async.testing",
            "serve",
            "--port",
            "0",
            "--scale",
            "0.01",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: dict[str, str] = {}
        while "API key" not in lines:
            line = process.stdout.readline()
            assert line, process.stderr.read() if process.stderr else "no output"
            name, _, value = line.partition(": ")
            lines[name.strip()] = value.strip()
        with httpx.Client(base_url=lines["API URL"]) as c:
            r = c.get("/proj/count", params={"apiKey": lines["API key"]})
            assert r.status_code == 200
            assert r.json()["data"]["count"] > 0
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()


def test_command_line_rejects_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    from workfront_async.testing.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(["serve", "--scale", "0"])
    assert exc.value.code == 2
    assert "--scale" in capsys.readouterr().err
