"""Requests and answers checked against Adobe's Planning OpenAPI files with
openapi-core: httpx requests and responses seen through openapi-core's
protocols, and every error spelled out down to the failing schema rule."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import httpx
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from .patches import patched, raw

__all__ = ["answer_errors", "api", "operation_of", "request_errors"]


@functools.cache
def api(version: str) -> OpenAPI:
    """openapi-core over the patched file of ``version`` (``v1`` or ``v2``),
    with the server as the relative ``/maestro/api``, so any host matches (the
    emulator in process or served on 127.0.0.1, a tenant)."""
    # v1.json documents its answers as "*/*" (springdoc's media type where a
    # controller declares none) with JSON schemas: read them as JSON
    config = Config(extra_media_type_deserializers={"*/*": _json})
    return OpenAPI.from_dict(patched(version, base_url=""), config=config)


def _api_for(request: httpx.Request) -> OpenAPI:
    return api(_version(request.url.path))


def _json(value: bytes, **parameters: str) -> Any:
    return json.loads(value)


class _Request:
    """An httpx request as openapi-core's ``Request`` protocol."""

    def __init__(self, request: httpx.Request) -> None:
        self._request = request
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(request.url.params.multi_items())),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        return f"{self._request.url.scheme}://{self._request.url.netloc.decode()}"

    @property
    def path(self) -> str:
        return self._request.url.path

    @property
    def method(self) -> str:
        return self._request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self._request.content or None

    @property
    def content_type(self) -> str:
        return self._request.headers.get("content-type", "").lower()


class _Response:
    """An httpx response as openapi-core's ``Response`` protocol."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def status_code(self) -> int:
        return self._response.status_code

    @property
    def content_type(self) -> str:
        return self._response.headers.get("content-type", "").lower()

    @property
    def headers(self) -> Headers:
        return Headers(list(self._response.headers.items()))

    @property
    def data(self) -> bytes | None:
        return self._response.content or None


def _spelled(error: BaseException) -> str:
    """An openapi-core error with the schema errors under it."""
    parts = [f"{type(error).__name__}: {error}"]
    cause = error.__cause__
    while cause is not None:
        details = getattr(cause, "schema_errors", None)
        if details:
            parts += [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in details]
        else:
            parts.append(f"{type(cause).__name__}: {cause}")
        cause = cause.__cause__
    return " | ".join(parts)


def _version(path: str) -> str:
    match = re.match(r"/maestro/api/(v\d+)/", path)
    return match.group(1) if match else "v1"


def request_errors(request: httpx.Request) -> list[str]:
    """Why ``request`` does not validate against its version's file (empty: it
    does): openapi-core's findings, and query parameters the operation does not
    define (OpenAPI allows them; a client sending one sends what the service
    ignores)."""
    errors = [_spelled(e) for e in _api_for(request).iter_request_errors(_Request(request))]
    found = operation_of(request.method, request.url.path)
    if found is not None:
        defined = {p["name"] for p in found[1].get("parameters", []) if p["in"] == "query"}
        errors += [
            f"{request.method} {found[0]}: query parameter {name!r} is not defined"
            for name in dict(request.url.params.multi_items())
            if name not in defined
        ]
    return errors


def answer_errors(request: httpx.Request, response: httpx.Response) -> list[str]:
    """Why ``response`` is not an answer its version's file documents for
    ``request`` (status, media type, headers, body schema)."""
    return [
        _spelled(e)
        for e in _api_for(request).iter_response_errors(_Request(request), _Response(response))
    ]


def operation_of(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    """``(path template, operation)`` of the spec operation a request reaches
    (literal segments before templated ones), or ``None``."""
    spec = raw(_version(path))
    local = path.removeprefix("/maestro/api")
    candidates = sorted(spec["paths"], key=lambda p: (p.count("{"), p))
    for template in candidates:
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", template)
        operation = spec["paths"][template].get(method.lower())
        if operation is not None and re.fullmatch(pattern, local):
            return template, operation
    return None
