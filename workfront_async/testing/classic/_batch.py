"""``POST /batch``: several relative requests run with the batch's credentials
(docs/api-notes.md §4 "Batch")."""

from __future__ import annotations

from typing import Any

from .._server._errors import ServerError
from .._server._http import Request, first, parse_params
from ._call import ClassicCall, Relayed, all_values, truthy
from ._filters import (
    bad_request,
)

MAX_BATCH = 100  # requests in one batch


# -- batch ---------------------------------------------------------------------


def batch(call: ClassicCall) -> Any:
    """``POST /batch`` with repeated ``uri=`` (docs/api-notes.md §4 "Batch", recorded batch.json).

    Each ``uri`` is a relative request (``task/search?status=INP``, ``task?method=POST&
    updates=...``) run as if sent alone with the batch's credentials, in order
    (``concurrent=true`` is accepted and runs them in order too). Not atomic: the
    answer lists ``{"data": <answer>}`` per request, or ``{"error": {...}}`` for a
    request that failed (the others still run). Atomic: all of them or none;
    ``{"success": true}``, or the first failure's error with nothing kept.
    """
    uris = all_values(call.params, "uri")
    if not uris:
        raise bad_request(
            "batch needs at least one uri=<relative request>, e.g. uri=task/search?status=INP",
            status=400,
        )
    if len(uris) > MAX_BATCH:
        raise bad_request(
            f"a batch takes at most {MAX_BATCH} requests, got {len(uris)}; split it", status=400
        )
    atomic = truthy(call.p("atomic"))
    inner = [_inner_request(call, uri) for uri in uris]

    def run(req: Request | ServerError) -> tuple[int, Any]:
        if isinstance(req, ServerError):
            return req.status, req.body()
        reply = call.dispatch(req)
        call.changes.extend(reply.changes)
        return reply.status, reply.body

    if atomic:

        def all_or_nothing() -> None:
            for req in inner:
                status, body = run(req)
                if status >= 400:
                    raise Relayed(status, body)

        call.savepoint(all_or_nothing)
        return {"success": True}
    out: list[dict[str, Any]] = []
    for req in inner:
        _, body = run(req)
        out.append(body)  # the inner answer as sent: {"data": ...} or {"error": ...}
    return out


def _inner_request(call: ClassicCall, uri: str) -> Request | ServerError:
    """One ``uri=`` of a batch -> the request it stands for, or the error it gets."""
    from urllib.parse import unquote

    limit = call.req.max_uri_bytes
    if limit is not None and len(uri.encode("utf-8")) > limit:
        return ServerError(
            f"Request-URI Too Long: {len(uri.encode('utf-8'))} bytes, the limit is {limit}",
            status=414,
            error_class="com.attask.common.URITooLongException",
        )
    raw_path, _, query = uri.strip().partition("?")
    path = unquote(raw_path).strip("/")
    if not path:
        return bad_request(f"batch uri {uri[:80]!r} names no object type", status=400)
    if path.split("/")[0].lower() == "batch":
        return bad_request("a batch cannot hold another batch", status=400)
    params = parse_params(query)
    names = {k for k, _ in params}
    # the batch's own credentials stand for each request in it
    for name in ("apiKey", "sessionID"):
        value = call.p(name)
        if value is not None and name not in names:
            params.append((name, value))
    headers = {
        k: v for k, v in call.req.headers.items() if k not in ("content-type", "content-length")
    }
    return Request(
        method=(first(params, "method") or "GET").upper(),
        path=f"{call.prefix}/{path}",
        params=tuple(params),
        headers=headers,
        max_uri_bytes=limit,
    )
