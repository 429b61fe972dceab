"""Results of v2 bulk record operations (``/v2/record-types/{id}/records/bulk``).

Pure code: splitting the input into chunks of at most 100 (static/v2.json)
and reading each chunk's ``RecordBulkResponseDto`` (201/200 when every item
succeeded, 207 with per-item results otherwise) into one ``BulkResult`` whose
items keep the caller's input order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from .._core.exceptions import APIError, BulkError, ResponseError, error_for_status

__all__ = ["MAX_BULK", "BulkItem", "BulkResult", "chunks", "read_chunk"]

MAX_BULK: Final = 100  # static/v2.json: records per bulk request


@attrs.frozen
class BulkItem:
    """One input item's outcome: ``index`` in the caller's input, the record
    ``id`` when known, ``record`` (create, update, patch) or ``error``."""

    index: int
    id: str | None
    record: dict[str, Any] | None = None
    error: APIError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@attrs.frozen
class BulkResult:
    """Every item of a bulk call, in input order, plus request-level errors."""

    items: tuple[BulkItem, ...]
    errors: tuple[dict[str, Any], ...] = ()

    @property
    def succeeded(self) -> tuple[BulkItem, ...]:
        return tuple(i for i in self.items if i.ok)

    @property
    def failed(self) -> tuple[BulkItem, ...]:
        return tuple(i for i in self.items if not i.ok)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.errors

    def raise_for_failures(self, what: str) -> None:
        """Raise ``BulkError`` (succeeded and failed keyed by input index) when
        any item failed."""
        if self.ok:
            return
        failed: dict[int, BaseException] = {i.index: i.error for i in self.failed if i.error}
        raise BulkError(
            f"{what}: {self.failed[0].error if self.failed else self.errors[0]}",
            succeeded={i.index: i.record if i.record is not None else i.id for i in self.succeeded},
            failed=failed,
        )


def chunks(items: Sequence[Any], size: int = MAX_BULK) -> list[tuple[int, Sequence[Any]]]:
    """``(start index, items)`` chunks of at most ``size``."""
    return [(start, items[start : start + size]) for start in range(0, len(items), size)]


def _item_error(raw: object, method: str, url: str) -> APIError:
    err = raw if isinstance(raw, Mapping) else {}
    code = str(err.get("code") or "")
    message = str(err.get("message") or "the item failed")
    status = 404 if "NOT_FOUND" in code else 403 if "LIMIT" in code else 400
    details = err.get("details")
    cls = error_for_status(status, code, message)
    return cls(
        message,
        status=status,
        error_class=code,
        method=method,
        url=url,
        detail=dict(details) if isinstance(details, Mapping) else {},
    )


def read_chunk(
    answer: object, start: int, count: int, *, method: str, url: str
) -> tuple[list[BulkItem], list[dict[str, Any]]]:
    """The items of one chunk's answer, indexed in the caller's input."""
    if not isinstance(answer, Mapping) or not isinstance(answer.get("results"), list):
        raise ResponseError(f"{method} {url} answered without a 'results' list")
    by_index: dict[int, BulkItem] = {}
    for position, raw in enumerate(answer["results"]):
        if not isinstance(raw, Mapping):
            raise ResponseError(f"{method} {url}: a result is not an object: {raw!r}")
        index = raw.get("requestIndex", position)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
            raise ResponseError(f"{method} {url}: result with a bad requestIndex {index!r}")
        ident = raw.get("id")
        record = raw.get("record")
        item = BulkItem(
            index=start + index,
            id=ident if isinstance(ident, str) else None,
            record=dict(record) if isinstance(record, Mapping) else None,
            error=_item_error(raw.get("error"), method, url)
            if raw.get("status") == "error"
            else None,
        )
        by_index[index] = item
    missing = [i for i in range(count) if i not in by_index]
    if missing:
        raise ResponseError(
            f"{method} {url} reported {len(by_index)} of {count} items; no result for "
            f"input positions {[start + i for i in missing][:10]}"
        )
    errors = answer.get("errors")
    request_errors = (
        [dict(e) for e in errors if isinstance(e, Mapping)] if isinstance(errors, list) else []
    )
    return [by_index[i] for i in range(count)], request_errors
