"""The Workfront Planning API of the embedded Workfront: v1 and v2 over one store,
and the wing the host mounts at ``/maestro/api``.

``PlanningBackend`` is the ``PlanningStore`` with its API: ``handle`` takes the
method, the path after ``/maestro/api``, the query pairs and the body, and
returns ``(status, body)``. It never raises for bad input: a refused request
gets a 4xx error body in the shape of the path's API version. Authentication,
limits and I/O belong to the host; the host may set ``acting_user_id`` to the
caller's IMS user ID before a write.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import unquote

import attrs

from .._server._http import Reply, Request
from . import _v1, _v2
from ._call import PlanningCall
from ._errors import PlanningError, planning_error, problem_body, v1_error_body
from ._models import DEMO_EPOCH
from ._store import PlanningStore

__all__ = ["PlanningAPI", "PlanningBackend"]

_MOUNT = "/maestro/api"


class PlanningBackend(PlanningStore):
    """The Planning tenant of the embedded Workfront with its v1 and v2 API.
    See ``_v1`` and ``_v2`` for the wire formats and the search semantics."""

    @classmethod
    def with_demo_data(cls, seed: int = 0, *, records_per_type: int = 1000) -> PlanningBackend:
        """A tenant with two workspaces, three record types using every field
        type, and ``records_per_type`` records of each, the same for a seed."""
        from ._demo import populate

        backend = cls(clock=lambda: DEMO_EPOCH)
        populate(backend, seed=seed, records_per_type=records_per_type)
        backend.set_clock(lambda: datetime.now(UTC))
        return backend

    def handle(
        self, method: str, path: str, query: list[tuple[str, str]], body: bytes
    ) -> tuple[int, object]:
        """Answer one request. ``path`` is the part after ``/maestro/api``, as
        sent (percent-encoded). Returns (HTTP status, JSON-able body, or
        ``b""`` for no body); bad input gives a 4xx error body in the shape of
        the path's API version."""
        raw = path.split("?")[0]
        request = Request(
            method=method.upper(),
            path=unquote(raw),
            params=tuple(query),
            headers={},
            body=body,
            raw_path=raw,
        )
        reply = self.answer(request, raw)
        return reply.status, reply.body

    def answer(self, request: Request, path: str) -> Reply:
        """The reply to ``request``; ``path`` is the part after ``/maestro/api``
        as sent. Routing reads the path before percent-decoding, so an encoded
        ``/`` or ``?`` stays inside its segment, and each path argument is
        decoded after the match. Errors carry their headers (``Allow`` on a 405)."""
        parts = [p for p in path.split("/") if p]
        call = PlanningCall(req=request, method=request.method, store=self)
        try:
            router = _v2.ROUTER if parts[:1] == ["v2"] else _v1.ROUTER
            return router(call, "/" + "/".join(parts))
        except PlanningError as exc:
            return error_reply(exc, path)


def error_reply(exc: PlanningError, path: str) -> Reply:
    """``exc`` as the reply of the API version of ``path`` (after ``/maestro/api``)."""
    v2 = [p for p in path.split("/") if p][:1] == ["v2"]
    body = problem_body(exc) if v2 else v1_error_body(exc)
    return Reply(exc.status, body, headers=exc.headers)


@attrs.frozen
class PlanningAPI:
    """The Planning API as the host mounts it: a bearer session token of the
    tenant authenticates (Adobe's Planning pages: IMS tokens), then the
    backend answers the path after ``/maestro/api``."""

    backend: Callable[[], PlanningBackend | None]
    user_for_session: Callable[[str], str | None]

    def handle(self, request: Request) -> Reply:
        sent = request.raw_path or request.path
        if not sent.startswith(_MOUNT):
            sent = request.path
        path = sent[len(_MOUNT) :]
        bearer = request.headers.get("authorization", "")
        token = bearer[7:].strip() if bearer.lower().startswith("bearer ") else ""
        if not token or self.user_for_session(token) is None:
            # each version's 401 body: v2's problem details (every operation of
            # static/v2.json documents 401 as V2ProblemDetail), v1's error body
            # ("V1 vs V2" guide); the RFC 6750 challenge says what to send
            challenge = 'Bearer error="invalid_token"' if token else "Bearer"
            refused = planning_error(
                401,
                "UNAUTHORIZED",
                "Send a valid bearer token in the Authorization header (an IMS access "
                "token; in the emulator a session token).",
                headers=(("WWW-Authenticate", challenge),),
            )
            return error_reply(refused, path)
        backend = self.backend()
        if backend is None:
            missing = planning_error(
                404, "NOT_FOUND", "The Planning API is not available in this emulator build."
            )
            return error_reply(missing, path)
        return backend.answer(request, path)
