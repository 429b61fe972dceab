"""``Planning``: the async client for the Workfront Planning API v1 (``/maestro/api/v1``).

It sends through the same ``Sender`` as the classic client (limiter, retry
policy, auth renewal, error tree, log redaction), with JSON bodies and the
Planning response parser (``_wire.parse_planning``). docs/api-notes.md §3, corrected
by §5 (Adobe's ``static/v1.json``). ``PlanningClientBase`` holds what the v1
and the v2 client (``_v2.PlanningV2``) share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

import httpx
import orjson

from .._core.auth import ApiKeyAuth, Auth, AuthContext, PasswordAuth, SessionAuth
from .._core.checks import check_name
from .._core.client import ClientBase, check_base_url, url_from_env
from .._core.exceptions import QueryError, ResponseError, redact_url
from .._core.limiter import Limiter
from .._core.request import Call
from .._core.retry import Retry
from .._core.telemetry import traced
from .._nodes import HttpNode
from ._search import Record, RecordSearch, TypedRecordSearch
from ._wire import Filter, check_sort, parse_planning

if TYPE_CHECKING:
    from ..models import PlanningRecord

R = TypeVar("R", bound="PlanningRecord")


def record_type_of(record_type: Any) -> tuple[str, Any]:
    """The record type ID and the record class of a call given either."""
    if isinstance(record_type, str):
        return record_type, None
    from ..models import check_record_model

    model = check_record_model(record_type)
    return model.__wf_record_type__, model


def record_to_get(record_id: Any, id: str | None) -> tuple[str, Any]:
    """The record ID and the record class of ``get(id)`` or ``get(RecordClass, id)``."""
    if isinstance(record_id, str):
        return record_id, None
    if id is None:
        raise QueryError("get(RecordClass, id): give the record's ID too")
    return id, record_type_of(record_id)[1]


def as_record(model: Any, record: Record) -> Any:
    """``record``, or an instance of the record class ``model`` holding it."""
    if model is None:
        return record
    from ..models import to_records

    return to_records(model, [record])[0]


__all__ = ["API_ROOT", "Planning", "PlanningClientBase", "RecordTypes", "Records", "Workspaces"]

API_ROOT: Final = "/maestro/api"


class _AsBearer(Auth):
    """Lends an auth object to the Planning API, which takes OAuth2 tokens as
    ``Authorization: Bearer`` (docs/api-notes.md §3): a token the classic API sends in
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


def attrs_param(attributes: str | Iterable[str]) -> tuple[tuple[str, str], ...]:
    names = [attributes] if isinstance(attributes, str) else list(attributes)
    # docs/api-notes.md §3: attributes=data,createdBy in the query string
    return (("attributes", ",".join(names)),) if names else ()


def json_body(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError as exc:
        raise QueryError(f"cannot encode the body as JSON: {exc}") from exc


def check_data(data: object, what: str) -> dict[str, Any]:
    if not isinstance(data, Mapping) or not all(isinstance(k, str) for k in data):
        raise QueryError(
            f"{what} takes a mapping of field IDs to values, not {type(data).__name__}"
        )
    return dict(data)


def as_object(answer: Any, what: str) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise ResponseError(f"{what} did not return an object")
    return answer


class Records:
    """``pl.records``: search, get, create, update and delete records."""

    def __init__(self, client: Planning) -> None:
        self._client = client

    @overload
    def search(
        self,
        record_type_id: type[R],
        where: Filter = None,
        *,
        sort: Iterable[str | tuple[str, str]] = (),
        attributes: str | Iterable[str] = (),
        limit: int | None = None,
        page_size: int = 500,
        field_types: Mapping[str, str] | None = None,
        validate: bool | None = None,
        by_alias: bool = False,
    ) -> TypedRecordSearch[R]: ...

    @overload
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
        by_alias: bool = False,
    ) -> RecordSearch: ...

    def search(
        self,
        record_type_id: str | type[PlanningRecord],
        where: Filter = None,
        *,
        sort: Iterable[str | tuple[str, str]] = (),
        attributes: str | Iterable[str] = (),
        limit: int | None = None,
        page_size: int = 500,
        field_types: Mapping[str, str] | None = None,
        validate: bool | None = None,
        by_alias: bool = False,
    ) -> RecordSearch:
        """An immutable ``RecordSearch``; ``async for`` yields every matching record.

        ``record_type_id`` is a record type's ID, or a record class generated
        by ``workfront-async codegen --planning`` (``Campaigns``): records are
        then its instances (``record.data.budget``), and the filter can use its
        typed fields (``CampaignsQ.budget > 1000``).

        ``where`` is a ``Q`` expression on field IDs or a raw Planning filter
        object. ``sort`` takes field IDs (``"-budget"`` descending).
        ``field_types`` (field ID -> type) checks operators now; ``validate``
        (default: the client's) fetches the record type once and checks the
        filter before the first request. A ``QueryError`` is raised before
        anything is sent. ``by_alias=True`` names the record type by its alias
        (``recordTypeAlias``) instead of its ID (no validation then).

        The builders ``aliased()``, ``row_order(view_id)``, ``group_by()`` with
        ``groups()``, and ``via_get()`` add the other search options of
        docs/api-notes.md §5.
        """
        type_id, model = record_type_of(record_type_id)
        kind = RecordSearch if model is None else TypedRecordSearch
        if model is not None and by_alias:
            raise QueryError("a record class names its record type by ID: drop by_alias=True")
        s = kind(
            backend=self._client,
            record_type_id=check_name("record_type_id", type_id),
            model=model,
            attributes=[attributes] if isinstance(attributes, str) else tuple(attributes),
            limit=limit,
            page_size=page_size,
            field_types=field_types,
            validate=self._client.validate if validate is None else validate,
            by_alias=by_alias,
        )
        s = s.where(where)
        keys = check_sort(sort)
        return s.sort(*keys) if keys else s

    @overload
    async def get(
        self, record_id: type[R], id: str, *, attributes: str | Iterable[str] = ()
    ) -> R: ...

    @overload
    async def get(self, record_id: str, *, attributes: str | Iterable[str] = ()) -> Record: ...

    async def get(
        self,
        record_id: str | type[PlanningRecord],
        id: str | None = None,
        *,
        attributes: str | Iterable[str] = (),
    ) -> Any:
        """One record (``GET /v1/records/<id>``): ``get(id)`` a dict, or
        ``get(Campaigns, id)`` an instance of a generated record class."""
        record_id, model = record_to_get(record_id, id)
        path = f"v1/records/{check_name('record_id', record_id)}"
        call = Call("GET", path, attrs_param(attributes))
        record = as_object(await self._client.request(call), path)
        return as_record(model, record)

    async def create(self, record_type_id: str, data: Mapping[str, Any]) -> Record:
        """Create a record (``POST /v1/records``); returns it."""
        body = {
            "recordTypeId": check_name("record_type_id", record_type_id),
            "data": check_data(data, "create()"),
        }
        call = Call("POST", "v1/records", json=json_body(body), idempotent=False)
        return as_object(await self._client.request(call), "POST v1/records")

    @traced("update", "record")
    async def update(self, record_id: str, data: Mapping[str, Any]) -> Record:
        """Change some fields of a record and keep the others; ``None`` clears
        a field. Returns the record.

        v1 has no partial update: ``PUT /v1/records/<id>`` replaces the whole
        record and empties every field it is not sent (docs/api-notes.md §5). So this
        reads the record (``GET``), merges ``data`` into its values and sends
        the merged values (``PUT``). Between the read and the write another
        writer's change to a field you did not name is overwritten with the
        value read; v2's ``PlanningV2.records.update`` (a merge ``PATCH``) has
        no such window, prefer it where v2 is available.
        """
        changes = check_data(data, "update()")
        path = f"v1/records/{check_name('record_id', record_id)}"
        current = as_object(await self._client.request(Call("GET", path)), f"GET {path}")
        values = current.get("data")
        if not isinstance(values, Mapping):
            raise ResponseError(f"GET {path} returned a record without a 'data' object")
        merged = {**values, **changes}
        call = Call("PUT", path, json=json_body({"data": merged}), idempotent=False)
        return as_object(await self._client.request(call), f"PUT {path}")

    async def replace(self, record_id: str, data: Mapping[str, Any]) -> Record:
        """Replace a record's values (``PUT /v1/records/<id>``): every field
        not in ``data`` becomes empty, as v1's ``PUT`` does (docs/api-notes.md §5).
        Computed fields (formula, lookup) and system fields are not affected.
        Use ``update()`` to change some fields and keep the rest."""
        path = f"v1/records/{check_name('record_id', record_id)}"
        body = json_body({"data": check_data(data, "replace()")})
        call = Call("PUT", path, json=body, idempotent=False)
        return as_object(await self._client.request(call), f"PUT {path}")

    async def delete(self, record_id: str) -> None:
        """Delete a record (``DELETE /v1/records/<id>``)."""
        path = f"v1/records/{check_name('record_id', record_id)}"
        await self._client.request(Call("DELETE", path, idempotent=False))


class Workspaces:
    """``pl.workspaces``: list and get workspaces."""

    def __init__(self, client: Planning) -> None:
        self._client = client

    async def list(self) -> list[dict[str, Any]]:
        """Every workspace (``GET /v1/workspaces``)."""
        answer = await self._client.request(Call("GET", "v1/workspaces"))
        if isinstance(answer, Mapping):
            answer = answer.get("workspaces")
        if not isinstance(answer, list):
            raise ResponseError("GET v1/workspaces did not return a list of workspaces")
        return answer

    async def get(self, workspace_id: str) -> dict[str, Any]:
        """One workspace (``GET /v1/workspaces/<id>``)."""
        path = f"v1/workspaces/{check_name('workspace_id', workspace_id)}"
        return as_object(await self._client.request(Call("GET", path)), f"GET {path}")


class RecordTypes:
    """``pl.record_types``: list the record types of a workspace, get one."""

    def __init__(self, client: Planning) -> None:
        self._client = client

    async def list(self, workspace_id: str) -> list[dict[str, Any]]:
        """The record types of a workspace (``GET /v1/record-types?workspaceId=``)."""
        params = (("workspaceId", check_name("workspace_id", workspace_id)),)
        answer = await self._client.request(Call("GET", "v1/record-types", params))
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
        rt = as_object(await self._client.request(Call("GET", path)), f"GET {path}")
        self._client._types[record_type_id] = rt
        return rt


def _check_auth(auth: object) -> None:
    """docs/api-notes.md §5: Planning takes OAuth2/IMS bearer tokens only; a classic
    session or API key fails here, before anything is sent."""
    if isinstance(auth, (ApiKeyAuth, PasswordAuth, SessionAuth)):
        what = {
            ApiKeyAuth: "an API key",
            PasswordAuth: "a /login session (username and password)",
            SessionAuth: "a classic session ID",
        }[type(auth)]
        raise QueryError(
            f"the Planning API takes OAuth2/IMS bearer tokens (docs/api-notes.md §5), not {what} "
            f"({type(auth).__name__}); use BearerAuth(access_token, ims_org_id=...), "
            "ServerToServerAuth(client_id, client_secret, ims_org_id=...) for an Adobe "
            "Developer Console server-to-server credential, OAuth2Auth or JWTAuth"
        )
    if auth is not None and not isinstance(auth, Auth):
        raise QueryError(
            f"auth= takes an auth object such as BearerAuth, not {type(auth).__name__}"
        )


class PlanningClientBase(ClientBase):
    """Lifecycle, auth and sending shared by the v1 and the v2 clients."""

    _name = "Planning"

    def __init__(
        self,
        base_url: str | None = None,
        *,
        auth: Auth | None,
        transport: httpx.AsyncBaseTransport | None = None,
        limiter: Limiter | None = None,
        adaptive: bool = True,
        retry: Retry | None = None,
        max_concurrency: int = 10,
        timeout: float | httpx.Timeout | None = 60.0,
        validate: bool = True,
        http: str | HttpNode = "auto",
        max_answer_bytes: int = 256 * 2**20,
    ) -> None:
        _check_auth(auth)
        self.api_url = _planning_root(check_base_url(url_from_env(base_url)))
        self.validate = validate
        self._auth = auth
        self._start(
            self.api_url,
            auth=_AsBearer(auth) if auth is not None else None,
            limiter=limiter,
            max_concurrency=max_concurrency,
            adaptive=adaptive,
            retry=retry,
            max_uri_bytes=8892,
            transport=transport,
            timeout=timeout,
            http=http,
            parse=parse_planning,
            max_answer_bytes=max_answer_bytes,
        )
        self._types: dict[str, Any] = {}
        self._add_resources()

    def _add_resources(self) -> None:
        """Attach the version's resources (``records``, ``workspaces``...)."""

    @property
    def auth(self) -> Auth | None:
        return self._auth

    def __repr__(self) -> str:
        return f"{self._name}({redact_url(self.api_url)!r}, auth={self._auth!r})"


class Planning(PlanningClientBase):
    """An async client for the Planning API v1 of one tenant. Use it as ``async with``.

    ``auth`` is an auth object that carries an OAuth2/IMS token
    (``BearerAuth``, ``ServerToServerAuth``, ``OAuth2Auth``, ``JWTAuth``); the
    token is sent as ``Authorization: Bearer``. An API key, a ``/login``
    session or a classic session ID is refused with a ``QueryError`` before
    anything is sent (docs/api-notes.md §5). ``limiter`` shares one concurrency cap
    with other clients of the tenant (a ``Workfront`` client too); otherwise
    this client gets ``max_concurrency`` slots; ``adaptive`` as for ``Workfront``
    (fewer requests in flight after 429 answers). ``validate`` is the default of
    ``records.search(validate=)``: fetch each record type once and check
    filters against its field types before searching. ``http`` and
    ``max_answer_bytes`` (the bound on one answer's decoded size, default
    256 MiB) as for ``Workfront``.

    Adobe's developer site calls v2 the place to start; ``PlanningV2`` is the
    v2 client with the same search interface.
    """

    records: Records
    workspaces: Workspaces
    record_types: RecordTypes

    def _add_resources(self) -> None:
        self.records = Records(self)
        self.workspaces = Workspaces(self)
        self.record_types = RecordTypes(self)

    # -- RecordSearchBackend -----------------------------------------------------------

    async def _search_page(
        self,
        body: Mapping[str, Any],
        attributes: Sequence[str],
        *,
        aliased: bool = False,
        method: str = "POST",
    ) -> Mapping[str, Any]:
        params = list(attrs_param(list(attributes)))
        if aliased:
            params.append(("aliased", "true"))
        if method == "GET":
            # static/v1.json GET /v1/records/search: the body's keys as query
            # parameters, filters as JSON text, lists comma-joined
            for key, value in body.items():
                if key == "filters":
                    params.append(("filters", orjson.dumps(value).decode()))
                elif key == "groupingFieldIds":
                    params.append((key, ",".join(value)))
                else:
                    params.append((key, str(value)))
            call = Call("GET", "v1/records/search", tuple(params))
        else:
            call = Call("POST", "v1/records/search", tuple(params), json=json_body(dict(body)))
        answer = await self.request(call)
        if not isinstance(answer, Mapping):
            raise ResponseError(f"{method} v1/records/search did not return an object")
        return answer

    async def _record_type(self, record_type_id: str) -> Mapping[str, Any]:
        cached = self._types.get(record_type_id)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        return await self.record_types.get(record_type_id)
