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

import attrs

from .._server._errors import NOT_FOUND_CLASS, AuthFailure, ServerError
from .._server._http import Reply, Request
from . import _v1, _v2
from ._call import PlanningCall
from ._errors import PlanningError, problem_body, v1_error_body
from ._models import DEMO_EPOCH
from ._store import PlanningStore

__all__ = ["PlanningAPI", "PlanningBackend"]


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
        """Answer one request. ``path`` is the part after ``/maestro/api``.
        Returns (HTTP status, JSON-able body, or ``b""`` for no body); bad
        input gives a 4xx error body in the shape of the path's API version."""
        path = path.split("?")[0]
        parts = [p for p in path.split("/") if p]
        v2 = bool(parts) and parts[0] == "v2"
        request = Request(
            method=method.upper(), path=path, params=tuple(query), headers={}, body=body
        )
        call = PlanningCall(req=request, method=request.method, store=self)
        try:
            router = _v2.ROUTER if v2 else _v1.ROUTER
            reply = router(call, "/" + "/".join(parts))
        except PlanningError as exc:
            return exc.status, problem_body(exc) if v2 else v1_error_body(exc)
        return reply.status, reply.body


class _Refused(ServerError):
    def body(self) -> dict[str, object]:
        return {"error": {"class": self.error_class, "message": self.message}}


@attrs.frozen
class PlanningAPI:
    """The Planning API as the host mounts it: a bearer session token of the
    tenant authenticates (Adobe's Planning pages: IMS tokens), then the
    backend answers the path after ``/maestro/api``."""

    backend: Callable[[], PlanningBackend | None]
    user_for_session: Callable[[str], str | None]

    def handle(self, request: Request) -> Reply:
        bearer = request.headers.get("authorization", "")
        token = bearer[7:].strip() if bearer.lower().startswith("bearer ") else ""
        if not token or self.user_for_session(token) is None:
            refused = AuthFailure(
                "send a valid bearer token in the Authorization header (a session token)"
            )
            return Reply(401, refused.body())
        backend = self.backend()
        if backend is None:
            return Reply(
                404,
                _Refused(
                    "the Planning API is not available in this emulator build",
                    status=404,
                    error_class=NOT_FOUND_CLASS,
                ).body(),
            )
        status, payload = backend.handle(
            request.method, request.path[len("/maestro/api") :], list(request.params), request.body
        )
        return Reply(int(status), payload)
