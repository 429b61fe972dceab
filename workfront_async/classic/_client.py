"""``Workfront``: the async client for the classic REST API (``/attask/api/<version>/``).

Every call goes through ``request`` (``_core.client.ClientBase``) and one
``Sender``: never more than ``max_concurrency`` requests in flight per
limiter, never a URI longer than ``max_uri_bytes``, retries only where they
are safe. Each operation's request is built by the pure functions of
``_operations`` (shared with ``Batch``); paging lives in ``Search``.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import AsyncIterable, Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any, Final, Literal, TypeVar, overload
from urllib.parse import urlsplit

import anyio
import attrs
import httpx

from .._core.auth import ApiKeyAuth, Auth, PasswordAuth, SessionAuth
from .._core.checks import check_name, normalize_sort
from .._core.client import ClientBase, check_base_url, url_from_env
from .._core.concurrency import task_group
from .._core.exceptions import (
    BulkError,
    NotFoundError,
    QueryError,
    ResponseError,
    WorkfrontError,
    redact_url,
)
from .._core.limiter import Limiter
from .._core.request import Call, query_string
from .._core.retry import Retry
from .._core.secret import Secret, masked
from .._core.telemetry import obj_of_call, traced
from .._core.transport import LOGGER
from .._nodes import HttpNode
from ._batch import Batch
from ._metadata import ApiMetadata, ObjectMetadata
from ._operations import (
    action_call,
    count_call,
    create_call,
    delete_call,
    get_call,
    metadata_call,
    named_query_call,
    parse_count,
    report_call,
    update_call,
)
from ._search import Row, Search
from ._wire import (
    Where,
    chunk_ids,
    encode_json,
    field_params,
    updates_json,
)

if TYPE_CHECKING:
    from ..export._export import Export, ExportProgress, TypedExport
    from ..models import Model
    from ._changes import ChangeFeed, SyncCursor
    from ._subscriptions import Subscriptions

JOURNAL_FIELDS: Final = (
    "objObjCode",
    "objID",
    "fieldName",
    "oldTextVal",
    "newTextVal",
    "oldNumberVal",
    "newNumberVal",
    "oldDateVal",
    "newDateVal",
    "entryDate",
    "changeType",
)

__all__ = ["BULK_MAX", "DEFAULT_API_VERSION", "GetManyResult", "Workfront"]

DEFAULT_API_VERSION: Final = "v21.0"
API_KEY_ENV: Final = "WORKFRONT_API_KEY"
BULK_MAX: Final = 100

Upload = bytes | IO[bytes] | AsyncIterable[bytes]
M = TypeVar("M", bound="Model")


def _typed(obj: Any, fields: str | Iterable[str]) -> tuple[str, Any, list[str]]:
    """The object code, the row class and the fields of a call given an object
    code or a generated row class."""
    field_list = [fields] if isinstance(fields, str) else list(fields)
    if isinstance(obj, str):
        return obj, None, field_list
    from ..models import check_model, model_fields

    model = check_model(obj)
    return model.__wf_obj__, model, model_fields(model, field_list)


@attrs.frozen(slots=True)
class GetManyResult:
    """The answer of ``get_many``: ``rows`` in input order (one per requested ID
    that exists) and the ``missing`` IDs, in input order. Iterating yields ``rows``."""

    rows: tuple[Row, ...]
    missing: tuple[str, ...]
    by_id: Mapping[str, Row] = attrs.field(repr=False)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _api_root(base_url: str, api_version: str) -> str:
    if not isinstance(base_url, str) or not base_url:
        raise QueryError("base_url must be the tenant URL, e.g. 'https://acme.my.workfront.com'")
    if not api_version.startswith("v"):
        raise QueryError(f"api_version must look like 'v21.0', not {api_version!r}")
    base = base_url.rstrip("/")
    if "/attask/api/" in base + "/":
        head = base[: (base + "/").index("/attask/api/")]
        return f"{head}/attask/api/{api_version}/"
    return f"{base}/attask/api/{api_version}/"


class Workfront(ClientBase):
    """An async client for one Workfront tenant. Use it as ``async with``.

    ``base_url`` is the tenant's URL (``https://acme.my.workfront.com``); when
    it is not given, ``$WORKFRONT_URL``. When none of ``api_key``,
    ``session_id`` and ``auth`` is given, the API key is ``$WORKFRONT_API_KEY``
    (if set). An argument always wins over the environment.

    Exactly one of ``api_key``, ``session_id`` or ``auth`` may be given (or
    none, then call ``login``). ``limiter`` shares one concurrency cap between
    several clients of a tenant; otherwise each client gets
    ``max_concurrency`` slots. ``adaptive`` (default on) shrinks the number of
    requests in flight after 429 answers and regrows it gradually, so that
    other integrations of the tenant see fewer rejections; ``adaptive=False``
    keeps the limiter's capacity fixed. ``transport`` is any httpx async transport.
    ``http`` picks the HTTP library: ``"auto"`` (aiohttp when the ``[fast]``
    extra is installed and the loop is asyncio, httpx otherwise or when a
    ``transport`` is given), ``"httpx"``, ``"aiohttp"`` or an HTTP node.
    ``max_answer_bytes`` (default 256 MiB) bounds one answer's size once
    decoded: reading stops at the first byte past it (a gzip body is inflated
    only that far) and the call fails with a ``ResponseError``.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        api_key: str | None = None,
        session_id: str | None = None,
        auth: Auth | None = None,
        api_version: str = DEFAULT_API_VERSION,
        max_concurrency: int = 10,
        limiter: Limiter | None = None,
        adaptive: bool = True,
        max_uri_bytes: int = 8892,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | httpx.Timeout | None = 60.0,
        retry: Retry | None = None,
        parse_dates: bool = False,
        http: str | HttpNode = "auto",
        max_answer_bytes: int = 256 * 2**20,
    ) -> None:
        base_url = check_base_url(url_from_env(base_url))
        given = [a for a in (api_key, session_id, auth) if a is not None]
        if len(given) > 1:
            raise QueryError("give only one of api_key=, session_id= or auth=")
        if not given:
            api_key = os.environ.get(API_KEY_ENV) or None  # never shown: it becomes a Secret
        if api_key is not None:
            auth = ApiKeyAuth(api_key)
        elif session_id is not None:
            auth = SessionAuth(session_id)
        if max_uri_bytes < 256:
            raise QueryError(f"max_uri_bytes={max_uri_bytes} is too small to send any request")
        # a password in the URL's userinfo is a credential: register it for redaction
        password = urlsplit(base_url).password if isinstance(base_url, str) else None
        self._url_password = Secret(password) if password else None
        self.api_url = _api_root(base_url, api_version)
        self.api_version = api_version
        self.parse_dates = parse_dates
        self._start(
            self.api_url,
            auth=auth,
            limiter=limiter,
            max_concurrency=max_concurrency,
            adaptive=adaptive,
            retry=retry,
            max_uri_bytes=max_uri_bytes,
            transport=transport,
            timeout=timeout,
            http=http,
            max_answer_bytes=max_answer_bytes,
        )

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def auth(self) -> Auth | None:
        return self._sender.auth

    async def _before_close(self) -> None:
        # log out (password logins); closing must not fail because the session
        # could not be ended remotely
        try:
            if self._sender.auth is not None:
                with anyio.CancelScope(shield=True):
                    await self._sender.auth.close(self._sender)
        except WorkfrontError as exc:
            LOGGER.debug("logout on close failed: %s", type(exc).__name__)

    def __repr__(self) -> str:
        return (
            f"Workfront({redact_url(self.api_url)!r}, auth={self._sender.auth!r}, "
            f"max_uri_bytes={self._sender.max_uri_bytes})"
        )

    # -- reads -------------------------------------------------------------------------

    @overload
    async def get(self, obj: type[M], id: str, fields: str | Iterable[str] = ()) -> M: ...

    @overload
    async def get(self, obj: str, id: str, fields: str | Iterable[str] = ()) -> Row: ...

    async def get(self, obj: str | type[Model], id: str, fields: str | Iterable[str] = ()) -> Any:
        """One object by ID (``GET /<obj>/<ID>``; IDs starting with ``$$`` go in the query).

        ``obj`` is an object code (the row is a dict) or a generated row class
        (``Task``: the row is a ``Task``; see :mod:`workfront_async.models`)."""
        code, model, field_list = _typed(obj, fields)
        call = get_call(code, id, field_list)
        if model is not None:
            from ..models import one_parser, projection

            call = attrs.evolve(call, parse=one_parser(projection(model, field_list)))
        data = await self.request(call)
        if isinstance(data, list):
            if not data:
                raise NotFoundError(f"no {obj} with ID {id}", status=200, method="GET")
            data = data[0]
        if model is not None:
            return data
        if not isinstance(data, dict):
            raise ResponseError(f"GET {call.path} did not return an object")
        row: Row = self._rows(data)
        return row

    def _one(self, data: Any, what: str) -> Row:
        if isinstance(data, list) and len(data) == 1:
            data = data[0]
        if not isinstance(data, dict):
            raise ResponseError(f"{what}: expected an object in the answer")
        row: Row = self._rows(data)
        return row

    def _rows(self, data: Any) -> Any:
        if self.parse_dates:
            from .._core.dates import convert_dates

            return convert_dates(data)
        return data

    @traced("get", obj_of_call)
    async def get_many(
        self, obj: str, ids: Iterable[str], fields: str | Iterable[str] = ()
    ) -> GetManyResult:
        """Several objects by ID (``GET /<obj>?id=a,b``), in chunks whose URIs fit,
        fetched concurrently. Rows come back in input order; unknown IDs are
        listed in ``missing`` (when Workfront refuses a list because an ID is
        unknown, that chunk is asked again as an ``ID`` ``in`` search)."""
        obj = check_name("obj", obj)
        wanted = [check_name("id", i) for i in ids]
        unique = list(dict.fromkeys(wanted))
        requested = field_params(fields)
        auth = self._sender.auth
        auth_params = auth.params() if auth is not None else ()
        probe = query_string([("id", ""), *requested, *auth_params])
        fixed = len(f"{self.api_url}{obj}?{probe}".encode())
        chunks = chunk_ids(unique, fixed_bytes=fixed, max_uri_bytes=self._sender.max_uri_bytes)
        found: dict[str, Row] = {}

        async def fetch(chunk: list[str]) -> None:
            try:
                data = await self.request(Call("GET", obj, (("id", ",".join(chunk)), *requested)))
            except NotFoundError:
                # Workfront refuses the whole list when one ID is unknown: ask which exist
                # with an ID-in search (docs/api-notes.md §1 Search: in repeats the parameter)
                params = [("ID", i) for i in chunk]
                params += [("ID_Mod", "in"), *requested, ("$$LIMIT", str(len(chunk)))]
                data = await self._search_page(obj, params)
            rows = data if isinstance(data, list) else [data]
            for row in rows:
                if isinstance(row, dict) and "ID" in row:
                    found[str(row["ID"])] = self._rows(row)

        async with task_group() as tg:
            for chunk in chunks:
                tg.start_soon(fetch, chunk)
        return GetManyResult(
            rows=tuple(found[i] for i in wanted if i in found),
            missing=tuple(i for i in unique if i not in found),
            by_id=found,
        )

    @overload
    def search(
        self,
        obj: type[M],
        where: Where = None,
        *,
        fields: str | Iterable[str] = (),
        sort: Iterable[str | tuple[str, str]] = (),
        limit: int | None = None,
        page_size: int = 2000,
    ) -> Search[M]: ...

    @overload
    def search(
        self,
        obj: str,
        where: Where = None,
        *,
        fields: str | Iterable[str] = (),
        sort: Iterable[str | tuple[str, str]] = (),
        limit: int | None = None,
        page_size: int = 2000,
    ) -> Search[Row]: ...

    def search(
        self,
        obj: str | type[Model],
        where: Where = None,
        *,
        fields: str | Iterable[str] = (),
        sort: Iterable[str | tuple[str, str]] = (),
        limit: int | None = None,
        page_size: int = 2000,
    ) -> Search[Any]:
        """An immutable ``Search`` over ``obj``; ``async for`` yields every match.

        ``obj`` is an object code (rows are dicts) or a generated row class
        (``Task``: rows are ``Task`` instances, decoded straight from the answer,
        and ``fields=`` defaults to the class's fields; see
        :mod:`workfront_async.models`). ``where`` is a query expression
        (``Q.status == "CUR"``, ``TaskQ.status == "CUR"``), a mapping of
        parameter names to a value or a list of values, or ``(name, value)`` pairs.
        """
        code, model, field_list = _typed(obj, fields)
        s: Search[Any] = Search(
            backend=self,
            obj=check_name("obj", code),
            limit=limit,
            page_size=page_size,
            parse_dates=self.parse_dates and model is None,
            model=model,
        )
        s = s.where(where)
        if field_list:
            s = s.fields(*field_list)
        sort_list = list(sort)
        if sort_list:
            s = s.sort(*sort_list)
        return s

    async def _search_page(
        self, obj: str, params: Sequence[tuple[str, str]], parse: Any = None
    ) -> Any:
        return await self.request(Call("GET", f"{obj}/search", tuple(params), parse=parse))

    async def _count(self, obj: str, params: Sequence[tuple[str, str]]) -> int:
        call = Call("GET", f"{obj}/count", tuple(params))
        return parse_count(await self.request(call), f"GET {call.path}")

    async def count(self, obj: str | type[Model], where: Where = None) -> int:
        """How many ``obj`` (an object code or a generated row class) match
        ``where`` (``GET /<obj>/count``)."""
        call = count_call(_typed(obj, ())[0], where)
        return parse_count(await self.request(call), f"GET {call.path}")

    async def report(
        self,
        obj: str,
        where: Where = None,
        *,
        group_by: str | Iterable[str] = (),
        aggregates: Mapping[str, str] | None = None,
        rollup: bool = False,
    ) -> dict[str, Any]:
        """A grouped aggregate (``GET /<obj>/report``, docs/api-notes.md §1 Report):
        ``group_by=["project:name"]``, ``aggregates={"hours": "sum"}``."""
        call = report_call(obj, where, group_by=group_by, aggregates=aggregates, rollup=rollup)
        data = await self.request(call)
        if not isinstance(data, dict):
            raise ResponseError(f"GET {call.path} did not return an object")
        return data

    @traced("query", obj_of_call)
    async def named_query(
        self, obj: str, name: str, *, fields: str | Iterable[str] = (), **params: Any
    ) -> Any:
        """A named query such as ``GET /work/myWork`` (docs/api-notes.md §1 Named queries)."""
        call = named_query_call(obj, name, fields=fields, params=params)
        return self._rows(await self.request(call))

    @overload
    async def metadata(self, obj: None = None) -> ApiMetadata: ...

    @overload
    async def metadata(self, obj: str) -> ObjectMetadata: ...

    async def metadata(self, obj: str | None = None) -> ApiMetadata | ObjectMetadata:
        """API metadata (docs/api-notes.md §4 "Metadata").

        ``wf.metadata()`` (``GET /metadata``) lists the object types in
        ``.objects``; ``wf.metadata("proj")`` (``GET /proj/metadata``) describes
        one: ``name``, ``label``, ``obj_code``, ``flags``, ``fields``,
        ``references``, ``collections``, ``search``, ``actions``, ``queries``,
        ``operations``. Both keep the whole answer in ``.raw`` and read like it.
        """
        call = metadata_call(obj)
        if obj is None:
            return ApiMetadata.from_json(await self.request(call))
        return ObjectMetadata.from_json(await self.request(call), what=call.path)

    def batch(self, *, atomic: bool = False, concurrent: bool = False) -> Batch:
        """A builder for several calls in one ``POST /batch`` request
        (docs/api-notes.md §4 "Batch"): add calls, then ``await batch.send()``.

        ``b.get``, ``b.search``, ``b.count``, ``b.report``, ``b.named_query``,
        ``b.metadata``, ``b.create``, ``b.update``, ``b.delete`` and
        ``b.action`` each add one item and return its position; ``send()``
        returns the results in that order. See :class:`Batch`.
        """
        return Batch(self, atomic=atomic, concurrent=concurrent)

    # -- writes ------------------------------------------------------------------------

    async def create(
        self, obj: str, data: Mapping[str, Any], *, fields: str | Iterable[str] = ()
    ) -> Row:
        """Create one object (``POST /<obj>`` with ``updates=``); returns it."""
        call = create_call(obj, data, fields=fields)
        return self._one(await self.request(call), call.path)

    async def copy(
        self,
        obj: str,
        source_id: str,
        data: Mapping[str, Any] | None = None,
        *,
        options: Sequence[str] | None = None,
        fields: str | Iterable[str] = (),
    ) -> Row:
        """Copy an object (``POST /<obj>?copySourceID=<ID>``, docs/api-notes.md §1 Create)."""
        obj = check_name("obj", obj)
        params: list[tuple[str, str]] = [("copySourceID", check_name("source_id", source_id))]
        if data:
            params.append(("updates", updates_json(data, "copy()")))
        if options:
            params.append(("options", encode_json(list(options))))
        params.extend(field_params(fields))
        call = Call("POST", obj, tuple(params), idempotent=False)
        return self._one(await self.request(call), obj)

    async def update(
        self, obj: str, id: str, data: Mapping[str, Any], *, fields: str | Iterable[str] = ()
    ) -> Row:
        """Edit one object (``PUT /<obj>/<ID>`` with ``updates=``); returns it."""
        call = update_call(obj, id, data, fields=fields)
        return self._one(await self.request(call), call.path)

    async def delete(self, obj: str, id: str, *, force: bool = False) -> None:
        """Delete one object (``DELETE /<obj>/<ID>``; ``force=True`` removes dependents)."""
        await self.request(delete_call(obj, id, force=force))

    async def _bulk(
        self, obj: str, items: Sequence[Mapping[str, Any]], *, create: bool, atomic: bool
    ) -> list[Row]:
        obj = check_name("obj", obj)
        what = "bulk_create()" if create else "bulk_update()"
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise QueryError(f"{what}: item {i} is a {type(item).__name__}, not a mapping")
            if not create and not item.get("ID"):
                raise QueryError(f"bulk_update(): item {i} has no 'ID'; every item needs one")
        if atomic and len(items) > BULK_MAX:
            raise QueryError(
                f"{what} with atomic=True takes at most {BULK_MAX} items (got {len(items)}): "
                "atomicity cannot span several calls; split the work or use atomic=False"
            )
        chunks = [
            list(range(i, min(i + BULK_MAX, len(items)))) for i in range(0, len(items), BULK_MAX)
        ]
        succeeded: dict[int, Row] = {}
        failed: dict[int, BaseException] = {}

        async def run(positions: list[int]) -> None:
            params: list[tuple[str, str]] = [
                ("updates", encode_json([dict(items[p]) for p in positions]))
            ]
            if create:
                params.append(("method", "POST"))  # docs/api-notes.md §1 Bulk
            if atomic:
                params.append(("atomic", "true"))
            try:
                data = await self.request(Call("PUT", obj, tuple(params), idempotent=False))
            except Exception as exc:
                if atomic:
                    raise
                for p in positions:
                    failed[p] = exc
                return
            if atomic:
                return
            rows = data if isinstance(data, list) else []
            if len(rows) != len(positions):
                err = ResponseError(
                    f"{what}: sent {len(positions)} items, got {len(rows)} results back"
                )
                for p in positions:
                    failed[p] = err
                return
            for p, row in zip(positions, rows, strict=True):
                succeeded[p] = self._rows(row)

        if atomic:
            for chunk in chunks:
                await run(chunk)
            return []
        async with task_group() as tg:
            for chunk in chunks:
                tg.start_soon(run, chunk)
        if failed:
            raise BulkError(f"{what} on {obj}", succeeded=succeeded, failed=failed)
        return [succeeded[i] for i in range(len(items))]

    @traced("bulk_create", obj_of_call)
    async def bulk_create(
        self, obj: str, items: Sequence[Mapping[str, Any]], *, atomic: bool = False
    ) -> list[Row]:
        """Create many objects, 100 per call (``PUT /<obj>?updates=[...]&method=POST``),
        chunks concurrently under the limiter. Returns the created objects in input
        order; a partial failure raises ``BulkError`` saying which items failed.
        With ``atomic=True`` (at most 100 items) Workfront answers only success, so
        the result is an empty list."""
        return await self._bulk(obj, list(items), create=True, atomic=atomic)

    @traced("bulk_update", obj_of_call)
    async def bulk_update(
        self, obj: str, items: Sequence[Mapping[str, Any]], *, atomic: bool = False
    ) -> list[Row]:
        """Edit many objects (each item carries its ``ID``), 100 per call
        (``PUT /<obj>?updates=[...]``); otherwise like ``bulk_create``."""
        return await self._bulk(obj, list(items), create=False, atomic=atomic)

    @traced("bulk_delete", obj_of_call)
    async def bulk_delete(self, obj: str, ids: Iterable[str], *, force: bool = False) -> None:
        """Delete many objects concurrently. An ID that is already gone (deleted by
        a cascade, docs/api-notes.md §1 Delete) counts as done; other failures raise
        ``BulkError`` listing them by input position."""
        obj = check_name("obj", obj)
        id_list = [check_name("id", i) for i in ids]
        succeeded: dict[int, str] = {}
        failed: dict[int, BaseException] = {}

        async def one(pos: int, id_: str) -> None:
            try:
                await self.delete(obj, id_, force=force)
            except NotFoundError:
                pass
            except Exception as exc:
                failed[pos] = exc
                return
            succeeded[pos] = id_

        async with task_group() as tg:
            for pos, id_ in enumerate(id_list):
                tg.start_soon(one, pos, id_)
        if failed:
            raise BulkError(f"bulk_delete() on {obj}", succeeded=succeeded, failed=failed)

    async def action(self, obj: str, id: str, name: str, **params: Any) -> Any:
        """Run an action on an object (``PUT /<obj>/<ID>/<action>``, API notes §1 Actions)."""
        return await self.request(action_call(obj, id, name, params))

    async def move(self, task_id: str, project_id: str) -> Any:
        """Move a task to another project (``PUT /task/<ID>/move?projectID=``)."""
        return await self.action(
            "task", task_id, "move", projectID=check_name("project_id", project_id)
        )

    async def share(
        self,
        obj: str,
        id: str,
        accessor_id: str,
        accessor_obj_code: Literal["USER", "TEAMOB"] | str = "USER",
        core_action: str = "VIEW",
    ) -> Any:
        """Share an object (``PUT /<obj>/<ID>/share?accessorID=&accessorObjCode=&coreAction=``)."""
        return await self.action(
            obj,
            id,
            "share",
            accessorID=check_name("accessor_id", accessor_id),
            accessorObjCode=accessor_obj_code,
            coreAction=core_action,
        )

    async def upload(self, name: str, content: Upload) -> str:
        """Upload a file (``POST /upload``, multipart field ``uploadedFile``) and
        return its handle. ``content`` is bytes, a binary file or an async
        iterable of bytes (read into memory before sending)."""
        data: Any
        if isinstance(content, (bytes, bytearray, memoryview)):
            data = bytes(content)
        elif isinstance(content, AsyncIterable):
            data = b"".join([bytes(chunk) async for chunk in content])
        elif hasattr(content, "read"):
            data = content.read()
            if inspect.isawaitable(data):
                data = await data
            if not isinstance(data, bytes):
                raise QueryError("upload() needs a file opened in binary mode ('rb')")
        else:
            raise QueryError(
                "upload() takes bytes, a binary file or an async byte stream, "
                f"not {type(content).__name__}"
            )
        files = {"uploadedFile": (check_name("name", name), data, "application/octet-stream")}
        result = await self.request(Call("POST", "upload", files=files, idempotent=False))
        handle = result.get("handle") if isinstance(result, Mapping) else None
        if not handle:
            raise ResponseError("POST upload answered without a handle")
        return str(handle)

    async def attach_document(
        self,
        handle: str,
        name: str,
        obj_code: str,
        obj_id: str,
        *,
        file_name: str | None = None,
        version: str = "v1.0",
    ) -> Row:
        """Create a document from an upload handle, attached to an object
        (``POST /document?updates={name, handle, docObjCode, objID, currentVersion}``)."""
        return await self.create(
            "document",
            {
                "name": name,
                "handle": handle,
                "docObjCode": obj_code,
                "objID": obj_id,
                "currentVersion": {"version": version, "fileName": file_name or name},
            },
        )

    async def upload_document(self, name: str, content: Upload, obj_code: str, obj_id: str) -> Row:
        """``upload`` then ``attach_document``: the new document."""
        handle = await self.upload(name, content)
        return await self.attach_document(handle, name, obj_code, obj_id)

    # -- authentication ----------------------------------------------------------------

    async def login(self, username: str, password: str) -> dict[str, Any]:
        """Log in with a username and password (``POST /login``, credentials in the
        form body); later calls use the session (``SessionID`` header). Returns
        ``{"userID": ...}``; the session ID itself stays inside the client."""
        auth = PasswordAuth(username, password)
        self._check_open()
        await auth.prepare(self._sender)
        self._sender.auth = auth
        return {"userID": auth.user_id}

    async def logout(self) -> None:
        """End the session (``GET /logout``) and forget the credentials."""
        auth = self._sender.auth
        if auth is not None:
            await auth.close(self._sender)
        self._sender.auth = None

    async def _api_key_action(self, action: str, username: str, password: str) -> Any:
        call = Call(
            "PUT",
            "user",
            (("action", action), ("username", username), ("password", masked(password))),
            idempotent=False,
            params_in_body=True,
        )
        return await self.request(call, authenticate=False)

    async def generate_api_key(self, username: str, password: str) -> str:
        """Generate a new API key for a user (``PUT /user?action=generateApiKey``)."""
        return _result(await self._api_key_action("generateApiKey", username, password))

    async def get_api_key(self, username: str, password: str) -> str:
        """The user's current API key (``PUT /user?action=getApiKey``)."""
        return _result(await self._api_key_action("getApiKey", username, password))

    async def clear_api_key(self, username: str, password: str) -> None:
        """Invalidate the user's API key (``PUT /user?action=clearApiKey``)."""
        await self._api_key_action("clearApiKey", username, password)

    # -- export and sync ---------------------------------------------------

    @overload
    def export(
        self,
        obj: type[M],
        where: Where = None,
        *,
        fields: str | Iterable[str] = (),
        page_size: int = 2000,
        sort: Iterable[str | tuple[str, str]] = (),
        ordered: bool = False,
        consistency: Literal["offset", "keyset"] = "offset",
        limit: int | None = None,
        progress: Callable[[ExportProgress], Any] | None = None,
    ) -> TypedExport[M]: ...

    @overload
    def export(
        self,
        obj: str,
        where: Where = None,
        *,
        fields: str | Iterable[str] = (),
        page_size: int = 2000,
        sort: Iterable[str | tuple[str, str]] = (),
        ordered: bool = False,
        consistency: Literal["offset", "keyset"] = "offset",
        limit: int | None = None,
        progress: Callable[[ExportProgress], Any] | None = None,
    ) -> Export: ...

    def export(
        self,
        obj: str | type[Model],
        where: Where = None,
        *,
        fields: str | Iterable[str] = (),
        page_size: int = 2000,
        sort: Iterable[str | tuple[str, str]] = (),
        ordered: bool = False,
        consistency: Literal["offset", "keyset"] = "offset",
        limit: int | None = None,
        progress: Callable[[ExportProgress], Any] | None = None,
    ) -> Export:
        """Every ``obj`` matching ``where``, fetched page by page concurrently
        under this client's limiter; see :mod:`workfront_async.export`.

        Use as ``async with wf.export(...) as rows: async for row in rows: ...``
        (or ``async for page in rows.pages()`` for lists of rows).
        ``consistency="keyset"`` pages by ID and yields every row that exists
        for the whole export exactly once even while others change;
        ``"offset"`` is exact only while nothing changes. Memory stays bounded
        by ((concurrency + 2) x page size). With a generated row class as
        ``obj`` (``Task``) the rows are its instances, and typed outputs
        (``to_arrow``, ``write``, data frames) take their columns from the class.
        """
        from ..export._export import Export, SearchFetcher, TypedExport, export_pages

        code, model, field_list = _typed(obj, fields)
        field_params(field_list)  # bad field paths fail here, before the count is sent
        fetcher = SearchFetcher(self, check_name("obj", code), field_list, model=model)
        tokens = self.limiter.total_tokens
        workers = 10 if tokens == float("inf") else max(1, int(tokens))
        sort_keys = list(normalize_sort(sort))
        kind = Export if model is None else TypedExport
        return kind(
            lambda: export_pages(
                fetcher,
                where,
                workers=workers,
                page_size=page_size,
                sort=sort_keys,
                ordered=ordered,
                consistency=consistency,
                limit=limit,
                progress=progress,
            ),
            fetcher=fetcher,
        )

    def changes_since(
        self,
        obj: str,
        since: SyncCursor | datetime | None,
        *,
        fields: str | Iterable[str] = (),
        where: Where = None,
    ) -> ChangeFeed:
        """The ``obj`` rows whose ``lastUpdateDate`` is at or after ``since``
        (a cursor from a previous run, an aware datetime, or ``None`` for all),
        oldest change first. After iterating, store ``feed.cursor`` for the
        next run (docs/api-notes.md §2 "Batch (polling)")."""
        from ._changes import ChangeFeed

        field_list = [fields] if isinstance(fields, str) else list(fields)
        return ChangeFeed(self, check_name("obj", obj), since, fields=field_list, where=where)

    def journal(
        self,
        obj_code: str,
        *,
        fields: str | Iterable[str] = (),
        field_names: Iterable[str] = (),
        since: datetime | None = None,
        where: Where = None,
    ) -> Search[Row]:
        """Journal entries (field-level old/new values) of ``obj_code`` objects,
        optionally only for ``field_names`` and since ``since``, oldest first
        (docs/api-notes.md §2 "Field history")."""
        from ..query import Expr, Q

        cond: Expr = Q.objObjCode == obj_code.upper()
        names = list(field_names)
        if names:
            cond = cond & Q.fieldName.isin(names)
        if since is not None:
            cond = cond & (Q.entryDate >= since)
        field_list = [fields] if isinstance(fields, str) else list(fields)
        wanted = field_list or list(JOURNAL_FIELDS)
        search = self.search("JRNLE", cond, fields=wanted, sort=[("entryDate", "asc")])
        return search.where(where) if where is not None else search

    @property
    def subscriptions(self) -> Subscriptions:
        """Event subscriptions: ``create``, ``list``, ``get``, ``delete``."""
        from ._subscriptions import Subscriptions

        return Subscriptions(self)


def _result(data: Any) -> str:
    value = data.get("result") if isinstance(data, Mapping) else data
    if not isinstance(value, str) or not value:
        raise ResponseError("the API key action answered without a key")
    return value
