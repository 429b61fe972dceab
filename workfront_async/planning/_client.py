"""``Planning``: the async client for the Workfront Planning API (``/maestro/api/v1``).

It sends through the same ``Sender`` as the classic client (limiter, retry
policy, auth renewal, error tree, log redaction), with JSON bodies and the
Planning response parser (``_wire.parse_planning``). API-NOTES §3.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import anyio
import httpx
import orjson

from .._auth import ApiKeyAuth, Auth, AuthContext, PasswordAuth
from .._exceptions import QueryError, ResponseError, redact_url
from .._limiter import Limiter
from .._paging import check_name
from .._retry import Retry
from .._transport import Sender
from .._wire import Call
from ._search import Record, RecordSearch
from ._wire import Filter, check_sort, parse_planning

__all__ = ["API_ROOT", "Planning", "RecordTypes", "Records", "Workspaces"]

API_ROOT: Final = "/maestro/api"


class _State(enum.Enum):
    UNOPENED = 1
    OPENED = 2
    CLOSED = 3


class _AsBearer(Auth):
    """Lends an auth object to the Planning API, which takes OAuth2 tokens as
    ``Authorization: Bearer`` (API-NOTES §3): a token the classic API sends in
    the ``SessionID`` header goes as a bearer token instead. Renewal, secrets
    and the credential's generation stay with the wrapped object, so one
    ``OAuth2Auth`` can serve a ``Workfront`` and a ``Planning`` client."""

    def __init__(self, inner: Auth) -> None:
        self.inner = inner

    @property
    def generation(self) -> int:
        return self.inner.generation

    @generation.setter
    def generation(self, value: int) -> None:
        self.inner.generation = value

    def headers(self) -> tuple[tuple[str, str], ...]:
        out: list[tuple[str, str]] = []
        for name, value in self.inner.headers():
            if name.lower() == "sessionid":
                out.append(("Authorization", f"Bearer {value}"))
            else:
                out.append((name, value))
        return tuple(out)

    def secrets(self) -> tuple[str, ...]:
        return self.inner.secrets()

    async def prepare(self, ctx: AuthContext) -> None:
        await self.inner.prepare(ctx)

    async def refresh(self, ctx: AuthContext, generation: int) -> bool:
        return await self.inner.refresh(ctx, generation)

    def __repr__(self) -> str:
        return repr(self.inner)


def _planning_root(base_url: str) -> str:
    if not isinstance(base_url, str) or not base_url:
        raise QueryError("base_url must be the tenant URL, e.g. 'https://acme.my.workfront.com'")
    base = base_url.rstrip("/")
    if base.endswith(API_ROOT):
        base = base[: -len(API_ROOT)]
    return f"{base}{API_ROOT}/"


def _attrs_param(attributes: str | Iterable[str]) -> tuple[tuple[str, str], ...]:
    names = [attributes] if isinstance(attributes, str) else list(attributes)
    # API-NOTES §3: attributes=data,createdBy in the query string
    return (("attributes", ",".join(names)),) if names else ()


def _json(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError as exc:
        raise QueryError(f"cannot encode the body as JSON: {exc}") from exc


def _data(data: object, what: str) -> dict[str, Any]:
    if not isinstance(data, Mapping) or not all(isinstance(k, str) for k in data):
        raise QueryError(
            f"{what} takes a mapping of field IDs to values, not {type(data).__name__}"
        )
    return dict(data)


def _object(answer: Any, what: str) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise ResponseError(f"{what} did not return an object")
    return answer


class Records:
    """``pl.records``: search, get, create, update and delete records."""

    def __init__(self, client: Planning) -> None:
        self._client = client

    def search(
        self,
        record_type_id: str,
        where: Filter = None,
        *,
        sort: Iterable[str | tuple[str, str]] = (),
        attributes: str | Iterable[str] = (),
        limit: int | None = None,
        page_size: int = 500,
        field_types: Mapping[str, str] | None = None,
        validate: bool | None = None,
    ) -> RecordSearch:
        """An immutable ``RecordSearch``; ``async for`` yields every matching record.

        ``where`` is a ``Q`` expression on field IDs or a raw Planning filter
        object. ``sort`` takes field IDs (``"-budget"`` descending).
        ``field_types`` (field ID -> type) checks operators now; ``validate``
        (default: the client's) fetches the record type once and checks the
        filter before the first request. A ``QueryError`` is raised before
        anything is sent.
        """
        s = RecordSearch(
            backend=self._client,
            record_type_id=check_name("record_type_id", record_type_id),
            attributes=[attributes] if isinstance(attributes, str) else tuple(attributes),
            limit=limit,
            page_size=page_size,
            field_types=field_types,
            validate=self._client.validate if validate is None else validate,
        )
        s = s.where(where)
        keys = check_sort(sort)
        return s.sort(*keys) if keys else s

    async def get(self, record_id: str, *, attributes: str | Iterable[str] = ()) -> Record:
        """One record (``GET /v1/records/<id>``)."""
        path = f"v1/records/{check_name('record_id', record_id)}"
        return _object(await self._client._call(Call("GET", path, _attrs_param(attributes))), path)

    async def create(self, record_type_id: str, data: Mapping[str, Any]) -> Record:
        """Create a record (``POST /v1/records``); returns it."""
        body = {
            "recordTypeId": check_name("record_type_id", record_type_id),
            "data": _data(data, "create()"),
        }
        call = Call("POST", "v1/records", json=_json(body), idempotent=False)
        return _object(await self._client._call(call), "POST v1/records")

    async def update(self, record_id: str, data: Mapping[str, Any]) -> Record:
        """Update fields of a record (``PUT /v1/records/<id>``, sparse; ``None``
        clears a field); returns the record."""
        path = f"v1/records/{check_name('record_id', record_id)}"
        call = Call("PUT", path, json=_json({"data": _data(data, "update()")}), idempotent=False)
        return _object(await self._client._call(call), f"PUT {path}")

    async def delete(self, record_id: str) -> None:
        """Delete a record (``DELETE /v1/records/<id>``)."""
        path = f"v1/records/{check_name('record_id', record_id)}"
        await self._client._call(Call("DELETE", path, idempotent=False))


class Workspaces:
    """``pl.workspaces``: list and get workspaces."""

    def __init__(self, client: Planning) -> None:
        self._client = client

    async def list(self) -> list[dict[str, Any]]:
        """Every workspace (``GET /v1/workspaces``)."""
        answer = await self._client._call(Call("GET", "v1/workspaces"))
        if isinstance(answer, Mapping):
            answer = answer.get("workspaces")
        if not isinstance(answer, list):
            raise ResponseError("GET v1/workspaces did not return a list of workspaces")
        return answer

    async def get(self, workspace_id: str) -> dict[str, Any]:
        """One workspace (``GET /v1/workspaces/<id>``)."""
        path = f"v1/workspaces/{check_name('workspace_id', workspace_id)}"
        return _object(await self._client._call(Call("GET", path)), f"GET {path}")


class RecordTypes:
    """``pl.record_types``: list the record types of a workspace, get one."""

    def __init__(self, client: Planning) -> None:
        self._client = client

    async def list(self, workspace_id: str) -> list[dict[str, Any]]:
        """The record types of a workspace (``GET /v1/record-types?workspaceId=``)."""
        params = (("workspaceId", check_name("workspace_id", workspace_id)),)
        answer = await self._client._call(Call("GET", "v1/record-types", params))
        if isinstance(answer, Mapping):
            answer = answer.get("recordTypes", answer.get("records"))
        if not isinstance(answer, list):
            raise ResponseError("GET v1/record-types did not return a list of record types")
        for rt in answer:
            if isinstance(rt, dict) and isinstance(rt.get("id"), str) and "fields" in rt:
                self._client._types[rt["id"]] = rt
        return answer

    async def get(self, record_type_id: str) -> dict[str, Any]:
        """One record type with its fields (``GET /v1/record-types/<id>``)."""
        path = f"v1/record-types/{check_name('record_type_id', record_type_id)}"
        rt = _object(await self._client._call(Call("GET", path)), f"GET {path}")
        self._client._types[record_type_id] = rt
        return rt


class Planning:
    """An async client for the Planning API of one tenant. Use it as ``async with``.

    ``auth`` is one of the auth objects of the classic client that carries an
    OAuth2/IMS token (``BearerAuth``, ``OAuth2Auth``, ``JWTAuth``,
    ``SessionAuth`` with an access token); the token is sent as
    ``Authorization: Bearer``. ``limiter`` shares one concurrency cap with
    other clients of the tenant (a ``Workfront`` client too); otherwise this
    client gets ``max_concurrency`` slots; ``adaptive`` as for ``Workfront``
    (fewer requests in flight after 429 answers). ``validate`` is the default of
    ``records.search(validate=)``: fetch each record type once and check
    filters against its field types before searching.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: Auth | None,
        transport: httpx.AsyncBaseTransport | None = None,
        limiter: Limiter | None = None,
        adaptive: bool = True,
        retry: Retry | None = None,
        max_concurrency: int = 10,
        timeout: float | httpx.Timeout | None = 60.0,
        validate: bool = True,
    ) -> None:
        if isinstance(auth, (ApiKeyAuth, PasswordAuth)):
            raise QueryError(
                f"the Planning API takes OAuth2 tokens (API-NOTES §3), not {type(auth).__name__}; "
                "use BearerAuth(token, ims_org_id=...), OAuth2Auth or JWTAuth"
            )
        if auth is not None and not isinstance(auth, Auth):
            raise QueryError(
                f"auth= takes an auth object such as BearerAuth, not {type(auth).__name__}"
            )
        if limiter is None:
            if (
                isinstance(max_concurrency, bool)
                or not isinstance(max_concurrency, int)
                or max_concurrency < 1
            ):
                raise QueryError(f"max_concurrency must be a positive int, not {max_concurrency!r}")
            limiter = anyio.CapacityLimiter(max_concurrency)
        self.api_url = _planning_root(base_url)
        self.validate = validate
        self._auth = auth
        self._sender = Sender(
            self.api_url,
            auth=_AsBearer(auth) if auth is not None else None,
            limiter=limiter,
            adaptive=adaptive,
            retry=retry if retry is not None else Retry(),
            max_uri_bytes=8892,
            transport=transport,
            timeout=timeout,
            parse=parse_planning,
        )
        self._state = _State.UNOPENED
        self._types: dict[str, dict[str, Any]] = {}
        self.records = Records(self)
        self.workspaces = Workspaces(self)
        self.record_types = RecordTypes(self)

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def limiter(self) -> Limiter:
        """The concurrency limiter every request of this client goes through."""
        return self._sender.limiter

    @property
    def auth(self) -> Auth | None:
        return self._auth

    async def __aenter__(self) -> Planning:
        if self._state is _State.CLOSED:
            raise RuntimeError("this Planning client is closed; create a new one")
        self._state = _State.OPENED
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections (the auth object is left as it is: it may be shared)."""
        if self._state is _State.CLOSED:
            return
        self._state = _State.CLOSED
        await self._sender.aclose()

    def __repr__(self) -> str:
        return f"Planning({redact_url(self.api_url)!r}, auth={self._auth!r})"

    async def _call(self, call: Call) -> Any:
        if self._state is _State.CLOSED:
            raise RuntimeError("this Planning client is closed; create a new one")
        return await self._sender.call(call)

    # -- RecordSearchBackend -----------------------------------------------------------

    async def _search_page(
        self, body: Mapping[str, Any], attributes: Sequence[str]
    ) -> Mapping[str, Any]:
        call = Call(
            "POST", "v1/records/search", _attrs_param(list(attributes)), json=_json(dict(body))
        )
        answer = await self._call(call)
        if not isinstance(answer, Mapping):
            raise ResponseError("POST v1/records/search did not return an object")
        return answer

    async def _record_type(self, record_type_id: str) -> Mapping[str, Any]:
        cached = self._types.get(record_type_id)
        if cached is not None:
            return cached
        return await self.record_types.get(record_type_id)
