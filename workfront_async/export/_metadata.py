"""Fetch and cache object metadata per client, and build export schemas from it."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .._core.concurrency import task_group
from ._schema import ExportSchema, build_schema, needed_objects

if TYPE_CHECKING:
    from ..classic._client import Workfront

__all__ = ["clear_metadata_cache", "object_metadata", "schema_for"]

# One cache per client: metadata describes the tenant and changes only when
# an admin edits a form, so one fetch per object per client is enough.
_CACHE: weakref.WeakKeyDictionary[Workfront, dict[str, dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


def clear_metadata_cache(wf: Workfront) -> None:
    """Forget the metadata cached for ``wf`` (after a custom form changed)."""
    _CACHE.pop(wf, None)


async def object_metadata(wf: Workfront, obj: str) -> dict[str, Any]:
    """``GET /<obj>/metadata`` (its ``data``), fetched once per client."""
    cache = _CACHE.setdefault(wf, {})
    code = obj.upper()
    if code not in cache:
        answer = await wf.metadata(obj)
        data = answer.raw  # the typed metadata keeps Workfront's own answer
        cache[code] = dict(data) if isinstance(data, Mapping) else {}
    return cache[code]


async def schema_for(
    wf: Workfront,
    obj: str,
    fields: str | Iterable[str] = (),
    *,
    types: Mapping[str, str] | None = None,
    metadata: Mapping[str, Mapping[str, Any]] | None = None,
) -> ExportSchema:
    """The typed schema of exporting ``fields`` of ``obj`` (``print()`` it to
    see the columns). Metadata of every object a field path crosses is
    fetched once per client (concurrently, under its limiter) and cached;
    ``metadata`` (object code -> metadata data) replaces or adds objects, and
    ``types`` overrides single columns (see :func:`build_schema`)."""
    field_list = [fields] if isinstance(fields, str) else list(fields)
    given = {k.upper(): v for k, v in (metadata or {}).items()}
    known: dict[str, Mapping[str, Any]] = dict(given)
    while True:
        missing = needed_objects(obj, field_list or ["ID"], known)
        if not missing:
            break
        found: dict[str, dict[str, Any]] = {}

        async def one(code: str, out: dict[str, dict[str, Any]] = found) -> None:
            out[code] = await object_metadata(wf, code)

        async with task_group() as tg:
            for code in sorted(missing):
                tg.start_soon(one, code)
        known.update(found)
    return build_schema(obj, field_list, known, types=types)
