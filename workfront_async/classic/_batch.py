"""Several API calls in one request: ``POST /batch`` (docs/api-notes.md §4 "Batch").

The form body is ``atomic=<bool>&concurrent=<bool>&uri=<r1>&uri=<r2>...``,
each ``uri`` a relative request with its own query string
(``task/search?status=INP&fields=name``, ``task?method=POST&updates=...``).
A non-atomic batch answers ``{"data": [{"data": <r1>}, {"data": <r2>}]}`` in
order (an item that failed carries ``{"error": ...}`` instead); an atomic one
answers ``{"data": {"success": true}}`` or one error for the whole batch.

``Batch`` is a builder: each method adds one item and returns its position;
``await batch.send()`` sends the items as one request (which takes one slot of
the concurrency limiter). Item URIs and batch sizes are checked before
anything is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from .._core.checks import check_name, normalize_sort
from .._core.exceptions import (
    APIError,
    BulkError,
    PaginationError,
    QueryError,
    ResponseError,
    error_for_status,
)
from .._core.request import Call, query_string
from .._core.telemetry import traced
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
from ._wire import (
    Where,
    field_params,
    where_params,
)

if TYPE_CHECKING:
    from ._client import Workfront

__all__ = ["BATCH_MAX", "Batch", "BatchItem"]

BATCH_MAX: Final = 100
"""Items per ``/batch`` request: the API's limit for bulk writes (docs/api-notes.md §1
"Limits", objects per bulk create/update) applied to batches, whose size
Workfront does not document."""

MAX_PAGE: Final = 2000


@attrs.frozen(slots=True)
class BatchItem:
    """One call of a batch: how it is sent (``method``, ``path``, ``params``) and
    what kind of answer it gives (``kind``: get, search, count, report, create,
    update, delete, action, named_query, metadata)."""

    kind: str
    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    # searches without limit=: a full page means rows may be missing
    full_page: int | None = None

    @classmethod
    def of(cls, kind: str, call: Call) -> BatchItem:
        """The item that sends ``call`` (built as ``Workfront`` builds it) in a batch."""
        return cls(kind, call.method, call.path, call.params)

    @property
    def writes(self) -> bool:
        return self.method != "GET"

    def uri(self) -> str:
        """The relative URI Workfront runs: verbs other than GET ride as ``method=``."""
        params = list(self.params)
        if self.method != "GET":
            params.insert(0, ("method", self.method))
        query = query_string(params)
        return f"{self.path}?{query}" if query else self.path


class Batch:
    """A batch of calls built with ``wf.batch()``; send it with ``await batch.send()``.

    ``atomic=True`` runs every item in one transaction: all succeed or none
    does, and Workfront then answers only success, so ``send()`` returns
    ``[]``. ``concurrent=True`` lets Workfront run the items in parallel
    (non-atomic batches only).
    """

    def __init__(self, wf: Workfront, *, atomic: bool = False, concurrent: bool = False) -> None:
        if not isinstance(atomic, bool) or not isinstance(concurrent, bool):
            raise QueryError("atomic= and concurrent= take True or False")
        if atomic and concurrent:
            raise QueryError(
                "an atomic batch runs in one transaction and cannot be concurrent; "
                "choose atomic=True or concurrent=True"
            )
        self._wf = wf
        self.atomic = atomic
        self.concurrent = concurrent
        self.items: list[BatchItem] = []

    def __repr__(self) -> str:
        return f"Batch(items={len(self.items)}, atomic={self.atomic}, concurrent={self.concurrent})"

    def __len__(self) -> int:
        return len(self.items)

    def _add(self, item: BatchItem) -> int:
        uri = item.uri()
        limit = self._wf.max_uri_bytes
        if len(uri.encode()) > limit:
            raise QueryError(
                f"batch item {len(self.items)} ({item.kind} {item.path}) is a URI of "
                f"{len(uri.encode())} bytes, over the limit of {limit}; send it as its own call"
            )
        self.items.append(item)
        return len(self.items) - 1

    # -- reads -----------------------------------------------------------------------

    def get(self, obj: str, id: str, fields: str | Iterable[str] = ()) -> int:
        """One object by ID; its result is the object."""
        return self._add(BatchItem.of("get", get_call(obj, id, fields)))

    def search(
        self,
        obj: str,
        where: Where = None,
        *,
        fields: str | Iterable[str] = (),
        sort: Iterable[str | tuple[str, str]] = (),
        limit: int | None = None,
        first: int = 0,
    ) -> int:
        """Matching rows, one page: its result is a list of rows.

        With ``limit=`` (1..2000) the result is the first ``limit`` matches from
        offset ``first``. Without it, the page holds up to 2000 rows, and a full
        page is reported as an error in the item's place rather than returned as
        if it were every match (use ``wf.search()`` to page through everything).
        """
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE
        ):
            raise QueryError(f"a batch search takes limit=1..{MAX_PAGE}, not {limit!r}")
        if isinstance(first, bool) or not isinstance(first, int) or first < 0:
            raise QueryError(f"first= is a row offset >= 0, not {first!r}")
        params = where_params(where)
        params.extend(field_params(fields))
        keys = list(normalize_sort(sort)) or [("ID", "asc")]
        if len(keys) == 1:
            params.append((f"{keys[0][0]}_Sort", keys[0][1]))
        else:
            params.extend((f"{name}_{n}_Sort", d) for n, (name, d) in enumerate(keys, 1))
        params += [("$$FIRST", str(first)), ("$$LIMIT", str(limit or MAX_PAGE))]
        path = f"{check_name('obj', obj)}/search"
        full = None if limit is not None else MAX_PAGE
        return self._add(BatchItem("search", "GET", path, tuple(params), full))

    def count(self, obj: str, where: Where = None) -> int:
        """How many match; its result is an ``int``."""
        return self._add(BatchItem.of("count", count_call(obj, where)))

    def report(
        self,
        obj: str,
        where: Where = None,
        *,
        group_by: str | Iterable[str] = (),
        aggregates: Mapping[str, str] | None = None,
        rollup: bool = False,
    ) -> int:
        """A grouped aggregate (see ``Workfront.report``); its result is a mapping."""
        call = report_call(obj, where, group_by=group_by, aggregates=aggregates, rollup=rollup)
        return self._add(BatchItem.of("report", call))

    def named_query(
        self, obj: str, name: str, *, fields: str | Iterable[str] = (), **params: Any
    ) -> int:
        """A named query such as ``work/myWork``; its result is the answer's data."""
        call = named_query_call(obj, name, fields=fields, params=params)
        return self._add(BatchItem.of("named_query", call))

    def metadata(self, obj: str | None = None) -> int:
        """API metadata; its result is an ``ApiMetadata`` or ``ObjectMetadata``."""
        return self._add(BatchItem.of("metadata", metadata_call(obj)))

    # -- writes ----------------------------------------------------------------------

    def create(self, obj: str, data: Mapping[str, Any], *, fields: str | Iterable[str] = ()) -> int:
        """Create one object; its result is the new object."""
        return self._add(BatchItem.of("create", create_call(obj, data, fields=fields)))

    def update(
        self, obj: str, id: str, data: Mapping[str, Any], *, fields: str | Iterable[str] = ()
    ) -> int:
        """Edit one object; its result is the object."""
        return self._add(BatchItem.of("update", update_call(obj, id, data, fields=fields)))

    def delete(self, obj: str, id: str, *, force: bool = False) -> int:
        """Delete one object; its result is ``None``."""
        return self._add(BatchItem.of("delete", delete_call(obj, id, force=force)))

    def action(self, obj: str, id: str, name: str, **params: Any) -> int:
        """Run an action on an object; its result is the answer's data."""
        return self._add(BatchItem.of("action", action_call(obj, id, name, params)))

    # -- sending ---------------------------------------------------------------------

    def _call(self, items: Sequence[BatchItem]) -> Call:
        params = [
            ("atomic", "true" if self.atomic else "false"),
            ("concurrent", "true" if self.concurrent else "false"),
            *(("uri", item.uri()) for item in items),
        ]
        idempotent = not any(item.writes for item in items)
        return Call("POST", "batch", tuple(params), idempotent=idempotent, params_in_body=True)

    @traced("batch")
    async def send(self, *, return_exceptions: bool = False) -> list[Any]:
        """Send the batch; return each item's result in order.

        A non-atomic batch of more than 100 items goes out as several
        ``/batch`` requests, one after the other. When items fail, ``BulkError``
        says which (``failed`` maps positions to typed ``APIError``s,
        ``succeeded`` holds the rest); with ``return_exceptions=True`` the
        errors take their items' places in the list instead. An atomic batch
        returns ``[]`` (Workfront answers only success) or raises the error.
        An empty batch sends nothing.
        """
        items = list(self.items)
        if not items:
            return []
        if self.atomic:
            if len(items) > BATCH_MAX:
                raise QueryError(
                    f"an atomic batch takes at most {BATCH_MAX} items (got {len(items)}): "
                    "atomicity cannot span several requests; split the work or use atomic=False"
                )
            data = await self._wf.request(self._call(items))
            if not (isinstance(data, Mapping) and data.get("success") is True):
                raise ResponseError("an atomic batch answered without success: true")
            return []
        results: list[Any] = []
        for start in range(0, len(items), BATCH_MAX):
            chunk = items[start : start + BATCH_MAX]
            data = await self._wf.request(self._call(chunk))
            if not isinstance(data, list) or len(data) != len(chunk):
                got = len(data) if isinstance(data, list) else type(data).__name__
                raise ResponseError(f"a batch of {len(chunk)} items answered with {got} results")
            results.extend(
                self._result(item, answer) for item, answer in zip(chunk, data, strict=True)
            )
        failed = {i: r for i, r in enumerate(results) if isinstance(r, Exception)}
        if failed and not return_exceptions:
            succeeded = {i: r for i, r in enumerate(results) if i not in failed}
            raise BulkError("batch", succeeded=succeeded, failed=failed)
        return results

    def _result(self, item: BatchItem, answer: Any) -> Any:
        """One item's answer (``{"data": ...}`` or ``{"error": ...}``) as a result
        or an exception instance."""
        where = f"batch item {item.kind} {item.path}"
        if not isinstance(answer, Mapping):
            return ResponseError(f"{where}: the answer is not an object")
        if "error" in answer:
            return _item_error(answer["error"], item)
        if "data" not in answer:
            return ResponseError(f"{where}: the answer has neither data nor error")
        data = answer["data"]
        wf = self._wf
        try:
            if item.kind == "count":
                return parse_count(data, where)
            if item.kind == "search":
                if not isinstance(data, list):
                    return ResponseError(f"{where} did not return a list")
                if item.full_page is not None and len(data) >= item.full_page:
                    return PaginationError(
                        f"{where}: a full page of {len(data)} rows came back, so more may "
                        "match; a batch search is one page: give limit= and first=, or use "
                        "wf.search() to get every row"
                    )
                return wf._rows(data)
            if item.kind in ("get", "create", "update"):
                return wf._one(data, where)
            if item.kind == "delete":
                return None
            if item.kind == "metadata":
                if item.path == "metadata":
                    return ApiMetadata.from_json(data)
                return ObjectMetadata.from_json(data, what=item.path)
            return wf._rows(data)
        except (ResponseError, QueryError, PaginationError) as exc:
            return exc


def _item_error(error: Any, item: BatchItem) -> APIError:
    if isinstance(error, Mapping):
        message = str(error.get("message") or error.get("title") or error.get("msgKey") or "")
        error_class = str(error.get("class") or "")
        detail = {k: v for k, v in error.items() if k not in ("message", "class")}
        status = error.get("status") or error.get("code")
    else:
        message, error_class, detail, status = str(error), "", {}, None
    code = status if isinstance(status, int) and 400 <= status < 600 else 200
    cls = error_for_status(code, error_class, message)
    return cls(
        message,
        status=code,
        error_class=error_class,
        method=item.method,
        url=item.uri(),
        detail=detail,
    )
