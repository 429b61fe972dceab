"""HTTP nodes: each sends one request with one HTTP library and returns status,
headers and body. The protocol and its errors are in ``_base``; the nodes are
``_httpx`` (the default, any httpx transport) and ``_aiohttp`` (extra
``[fast]``, imported only when chosen). The name-to-node table lives above
them, in ``_core.transport``, so nothing here knows which nodes exist."""

from ._base import (
    ACCEPT_ENCODING,
    DEFAULT_MAX_ANSWER_BYTES,
    AnswerTooLarge,
    BodyReader,
    Files,
    HttpNode,
    HttpResponse,
    NodeError,
    NodeTimeout,
    SensitiveHeaders,
)
from ._httpx import HttpxNode, pool_limits

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_MAX_ANSWER_BYTES",
    "AnswerTooLarge",
    "BodyReader",
    "Files",
    "HttpNode",
    "HttpResponse",
    "HttpxNode",
    "NodeError",
    "NodeTimeout",
    "SensitiveHeaders",
    "pool_limits",
]
