"""No span or metric ever carries a credential, and no metric an ID.

One run uses every kind of credential the library sends: an API key in the
header, an API key as the ``apiKey`` parameter (in the query string, and in a
form body when a long URI turns the call into a POST), a password login and
the session it opens, a session ID given as such, OAuth2 tokens renewed with a
refresh token and a client secret, and a Planning client whose server-to-server
credentials are exchanged for an IMS token. Then every text of every span
(name, attributes, events, links, status) and every metric point's attributes
is searched for each secret, raw and URL-encoded.
"""

from __future__ import annotations

from urllib.parse import quote, quote_plus

import httpx
import orjson
import pytest

from workfront_async import (
    ApiKeyAuth,
    NotFoundError,
    OAuth2Auth,
    PasswordAuth,
    PlanningV2,
    Q,
    ServerToServerAuth,
    SessionAuth,
    Workfront,
)
from workfront_async.testing import Emulator
from workfront_async.testing.planning import PlanningBackend

from ._support import Recorded, attribute_values

IMS = "https://ims.example.test/ims/token/v3"
PASSWORD = "pw-Horse-Battery-Staple-42"
CLIENT_SECRET = "client-secret-d7f1e2a9c4b8"
REFRESH = ["refresh-token-first-6b1e9f", "refresh-token-second-0c3d7a"]
METRIC_KEYS = {
    "server.address",
    "server.port",
    "http.request.method",
    "http.response.status_code",
    "error.type",
    "workfront.operation",
    "workfront.object_type",
}


class _Gateway(httpx.AsyncBaseTransport):
    """The emulator, with the token endpoints it does not serve: IMS's and the
    tenant's OAuth2 one. Each token it hands out is one the emulator accepts."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.inner = emu.transport()
        self.tokens: list[str] = []
        self.refresh = list(REFRESH)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(("/ims/token/v3", "/oauth2/api/v1/token")):
            token = self.emu.issue_token()
            self.tokens.append(token)
            body = {"access_token": token, "expires_in": 3600, "token_type": "bearer"}
            if "oauth2" in request.url.path:
                body["refresh_token"] = self.refresh.pop()
            return httpx.Response(200, content=orjson.dumps(body))
        return await self.inner.handle_async_request(request)


def _forms(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote_plus(secret)}


async def _classic_run(base_url: str, emu: Emulator, gateway: _Gateway) -> list[str]:
    """Every classic credential at work; returns the secrets used."""
    key = emu.api_key()
    emu.add_user("telemetry.user", PASSWORD, admin=True)
    # a filter long enough that the call goes as a POST with apiKey= in its form body
    long_filter = Q.name.isin([f"no such task {i:04d}" for i in range(40)])
    async with Workfront(
        base_url, auth=ApiKeyAuth(key, in_header=False), transport=gateway, max_uri_bytes=600
    ) as wf:
        await wf.count("task")
        await wf.search("task", long_filter).all()
        with pytest.raises(NotFoundError):
            await wf.get("task", "0" * 32)
    async with Workfront(base_url, api_key=key, transport=gateway) as wf:
        await wf.search("task", limit=3).all()
    async with Workfront(base_url, transport=gateway) as wf:
        await wf.login("telemetry.user", PASSWORD)
        auth = wf.auth
        assert isinstance(auth, PasswordAuth)
        assert auth.session_id
        session = str(auth.session_id)
        await wf.count("task")
        async with Workfront(base_url, auth=SessionAuth(session), transport=gateway) as other:
            await other.count("task")
    oauth = OAuth2Auth("client-1", CLIENT_SECRET, refresh_token=REFRESH[-1] + "-given")
    async with Workfront(base_url, auth=oauth, transport=gateway) as wf:
        await wf.count("task")
    return [key, PASSWORD, session, CLIENT_SECRET, REFRESH[-1] + "-given", *REFRESH]


async def test_no_span_or_metric_holds_a_credential_and_no_metric_an_id(
    otel: Recorded,
) -> None:
    emu = Emulator.with_demo_data(scale=0.01)
    gateway = _Gateway(emu)
    secrets = await _classic_run(otel.base_url, emu, gateway)

    backend = PlanningBackend()
    workspace = backend.add_workspace("W", id="ws-credentials")
    backend.add_record_type(
        workspace.id, "Rows", [{"id": "name", "name": "Name", "type": "text"}], id="rt-credentials"
    )
    emu.planning = backend
    s2s = ServerToServerAuth("client-2", CLIENT_SECRET + "-ims", token_url=IMS)
    async with PlanningV2(otel.base_url, auth=s2s, transport=gateway, validate=False) as planning:
        await planning.records.bulk_create("rt-credentials", [{"name": "a"}, {"name": "b"}])
        await planning.records.search("rt-credentials").all()
    secrets += [CLIENT_SECRET + "-ims", *gateway.tokens]

    spans = otel.spans()
    points = otel.metrics()
    # the run did what it is here to check
    names = {s.name for s in spans}
    assert {"workfront count task", "workfront search task", "workfront get task"} <= names
    assert "workfront bulk_create record" in names
    assert any(s.attributes.get("url.full", "").endswith("/login") for s in spans)
    assert any(s.attributes.get("url.full", "").startswith(IMS) for s in spans)
    assert any(e.name == "exception" for s in spans for e in s.events)
    assert any(s.attributes.get("http.request.method") == "POST" for s in spans)
    assert len(gateway.tokens) >= 2
    assert points

    texts = attribute_values(spans, points)
    for secret in secrets:
        assert len(secret) >= 8
        for form in _forms(secret):
            leaked = [t for t in texts if form in t]
            assert not leaked, f"a credential is in {leaked[0][:200]!r}"

    # metrics: only the documented attributes, and no ID among their values
    ids = {row["ID"] for row in emu.rows("task")} | {"ws-credentials", "rt-credentials"}
    for name, data_points in points.items():
        for point in data_points:
            assert set(point.attributes) <= METRIC_KEYS, (name, dict(point.attributes))
            values = " ".join(str(v) for v in point.attributes.values())
            assert not any(i in values for i in ids), (name, dict(point.attributes))
            assert "/" not in values, (name, dict(point.attributes))  # never a URL or path
