"""A scripted HTTP/1.1 server on loopback for the node-parametrised tests.

Real sockets, keep-alive, one thread per connection. What it answers depends
on the object name in the path (``/attask/api/v21.0/<script>/...``): ok,
paged search, connection reset, truncated body, 503, 429 with Retry-After, a
hang, a trickle, a chunked body. It records every request it parsed (method, raw target,
headers, body) and the highest number of requests in flight.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

__all__ = ["Recorded", "ScriptedServer", "read_request", "serve"]


class Recorded:
    """One request as it arrived on the wire."""

    def __init__(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes):
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def params(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.target).query, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


class ScriptedServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.requests: list[Recorded] = []
        self.hits: dict[str, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.connections = 0
        self.stopping = threading.Event()
        self.rows = 0
        self.cap = 10**9
        self.search_seconds = 0.002  # long enough for requests to overlap

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def hit(self, script: str) -> int:
        with self.lock:
            self.hits[script] = self.hits.get(script, 0) + 1
            return self.hits[script]


def _json(status: int, data: Any, extra: bytes = b"") -> bytes:
    body = orjson.dumps(data)
    reason = {200: b"OK", 429: b"Too Many Requests", 503: b"Service Unavailable"}.get(status, b"X")
    return (
        b"HTTP/1.1 %d %s\r\nContent-Type: application/json;charset=UTF-8\r\n"
        b"Content-Length: %d\r\n%s\r\n" % (status, reason, len(body), extra)
    ) + body


def read_request(line: bytes, reader: Any) -> tuple[str, str, list[tuple[str, str]], bytes]:
    """The method, target, headers and body of the request whose first line is
    ``line``, read from ``reader`` (a socket's binary file)."""
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers: list[tuple[str, str]] = []
    while True:
        raw = reader.readline(65536).decode("latin-1")
        if raw in ("\r\n", "\n", ""):
            break
        name, _, value = raw.partition(":")
        headers.append((name.strip(), value.strip()))
    length = int({k.lower(): v for k, v in headers}.get("content-length", 0))
    return method, target, headers, reader.read(length) if length else b""


class _Handler(socketserver.BaseRequestHandler):
    server: ScriptedServer

    def handle(self) -> None:
        with self.server.lock:
            self.server.connections += 1
        reader = self.request.makefile("rb")
        try:
            while not self.server.stopping.is_set():
                line = reader.readline(65536)
                if not line:
                    return
                method, target, headers, body = read_request(line, reader)
                recorded = Recorded(method, target, headers, body)
                with self.server.lock:
                    self.server.requests.append(recorded)
                if not self._answer(recorded):
                    return
        except (OSError, ValueError):
            return
        finally:
            reader.close()

    def _answer(self, req: Recorded) -> bool:
        """Answer one request; ``False`` closes the connection."""
        server = self.server
        parts = req.path.split("/")
        script = parts[4] if len(parts) > 4 else ""
        n = server.hit(script)
        sock: socket.socket = self.request
        if (script == "reset" and n == 1) or script == "resetalways":
            # An RST instead of an answer: SO_LINGER with a zero timeout.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            return False
        if (script == "truncated" and n == 1) or script == "truncatedalways":
            sock.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b'Content-Length: 1000\r\n\r\n{"data": [{"ID": "1"'
            )
            sock.shutdown(socket.SHUT_WR)
            return False
        if script == "unavailable" and n == 1:
            sock.sendall(_json(503, {"error": {"message": "Service Unavailable"}}))
            return True
        if script == "busy" and n == 1:
            busy = {
                "error": {
                    "class": "com.attask.common.TooManyRequestsException",
                    "message": "Too many concurrent API requests",
                }
            }
            sock.sendall(_json(429, busy, b"Retry-After: 0\r\n"))
            return True
        if script == "hang":
            server.stopping.wait()
            return False
        if script == "trickle":
            body = b'{"data": [' + b" " * 100_000 + b"]}"
            sock.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body)
            )
            for i in range(len(body)):
                if server.stopping.is_set():
                    return False
                sock.sendall(body[i : i + 1])
                time.sleep(0.05)
            return False
        if script == "chunked":
            # The body in chunked transfer coding, split mid-value, with a
            # chunk extension and a trailer (RFC 9112 §7.1): keep-alive goes on.
            body = orjson.dumps({"data": {"ID": parts[-1], "objCode": "TASK", "pad": "x" * 5000}})
            pieces = [body[:7], body[7:4000], body[4000:]]
            sock.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
                + b"".join(b"%x;ext=1\r\n%s\r\n" % (len(p), p) for p in pieces)
                + b"0\r\nX-Trailer: t\r\n\r\n"
            )
            return True
        if req.path.endswith("/count"):
            sock.sendall(_json(200, {"data": {"count": server.rows}}))
            return True
        if req.path.endswith("/search"):
            with server.lock:
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
                over = server.in_flight > server.cap
            try:
                time.sleep(server.search_seconds)
                params = dict(req.params)
                first = int(params.get("$$FIRST", "0"))
                limit = int(params.get("$$LIMIT", "100"))
                rows = [
                    {"ID": f"{i:032x}", "name": f"Task {i}", "objCode": "TASK"}
                    for i in range(first, min(first + limit, server.rows))
                ]
            finally:
                with server.lock:
                    server.in_flight -= 1
            if over:
                sock.sendall(_json(500, {"error": {"message": "over the cap"}}))
                return True
            sock.sendall(_json(200, {"data": rows}))
            return True
        if script == "cookie":
            sock.sendall(
                _json(
                    200,
                    {"data": {"ID": parts[-1], "objCode": script}},
                    b"Set-Cookie: attask=session-cookie-value; Path=/\r\n"
                    b"Set-Cookie: sessionID=session-cookie-value; Path=/\r\n",
                )
            )
            return True
        if req.path.endswith("/upload"):
            sock.sendall(_json(200, {"data": {"handle": "h" * 32}}))
            return True
        sock.sendall(_json(200, {"data": {"ID": parts[-1], "objCode": script}}))
        return True


def serve() -> Iterator[ScriptedServer]:
    """Run a ``ScriptedServer`` in a thread for the duration of a fixture."""
    server = ScriptedServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join()
