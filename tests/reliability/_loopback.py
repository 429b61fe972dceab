"""A loopback HTTP/1.1 server whose answers are given as raw bytes.

Each test registers what a path answers (``server.answer(path, status, body,
headers)``): the server reads one request at a time on a kept-alive
connection and writes the registered answer as it is, compressed or not, so
that the client's own decoding is what is tested. It counts the requests per
path and keeps the ones it read (target, headers), to check what reached the wire.
"""

from __future__ import annotations

import re
import socket
import socketserver
import threading
import zlib
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import orjson

from tests.transport._server import read_request

__all__ = ["HANG", "Loopback", "bomb", "gzipped", "serve"]

HANG = b"hang"
"""An answer for ``Loopback.answers``: read the request, never answer."""


def gzipped(data: bytes, *, wbits: int = 31) -> bytes:
    """``data`` compressed: ``wbits=31`` gzip, ``15`` zlib (``deflate``), ``-15`` raw deflate."""
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


def bomb(inflated: int) -> bytes:
    """A gzip body (about a thousandth of its size) that inflates to
    ``inflated`` bytes of valid JSON: a classic count answer with a long pad."""
    head, tail = b'{"data": {"count": 1, "pad": "', b'"}}'
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress(head)]
    left = inflated - len(head) - len(tail)
    block = b"a" * (1 << 20)
    while left > 0:
        parts.append(packer.compress(block[: min(left, len(block))]))
        left -= len(block)
    parts.append(packer.compress(tail))
    parts.append(packer.flush())
    return b"".join(parts)


class Loopback(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.answers: dict[str, bytes] = {}
        self.hits: dict[str, int] = {}
        self.seen: list[tuple[str, list[tuple[str, str]]]] = []
        self.stopping = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def answer(
        self,
        path: str,
        body: bytes | object,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        chunked: bool = False,
    ) -> None:
        """What a request whose path ends with ``path`` gets (``body``: bytes as
        they go on the wire, or an object sent as JSON). ``$ECHO`` in an
        uncompressed body is replaced by the request's ``apiKey`` header, its
        bearer token or its ``apiKey`` parameter: a server that echoes the
        credential it got."""
        raw = body if isinstance(body, bytes) else orjson.dumps(body)
        head = [f"HTTP/1.1 {status} X", "Content-Type: application/json;charset=UTF-8"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if chunked:
            head.append("Transfer-Encoding: chunked")
            third = max(len(raw) // 3, 1)
            pieces = [raw[i : i + third] for i in range(0, len(raw), third)]
            payload = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
        else:
            head.append(f"Content-Length: {len(raw)}")
            payload = raw
        with self.lock:
            self.answers[path] = ("\r\n".join(head) + "\r\n\r\n").encode() + payload


class _Handler(socketserver.BaseRequestHandler):
    server: Loopback

    def handle(self) -> None:
        reader = self.request.makefile("rb")
        sock: socket.socket = self.request
        try:
            while not self.server.stopping.is_set():
                line = reader.readline(65536)
                if not line:
                    return
                _, target, headers, _ = read_request(line, reader)
                path = target.split("?", 1)[0]
                with self.server.lock:
                    self.server.seen.append((target, headers))
                    match = [p for p in self.server.answers if path.endswith(p)]
                    key = max(match, key=len) if match else ""
                    self.server.hits[key] = self.server.hits.get(key, 0) + 1
                    answer = self.server.answers.get(key)
                if answer == HANG:
                    self.server.stopping.wait()  # never answers (until the server stops)
                    return
                if answer is None:
                    answer = b"HTTP/1.1 404 X\r\nContent-Length: 0\r\n\r\n"
                elif b"$ECHO" in answer:
                    answer = _echo(answer, target, headers)
                sock.sendall(answer)
        except (OSError, ValueError):
            return  # the client dropped the connection (an answer refused mid-way)
        finally:
            reader.close()


def _echo(answer: bytes, target: str, headers: list[tuple[str, str]]) -> bytes:
    sent = {k.lower(): v for k, v in headers}
    given = sent.get("apikey") or sent.get("authorization", "").removeprefix("Bearer ")
    if not given:
        given = dict(parse_qsl(urlsplit(target).query)).get("apiKey", "")
    head, _, body = answer.partition(b"\r\n\r\n")
    body = body.replace(b"$ECHO", given.encode())
    head = re.sub(rb"Content-Length: \d+", b"Content-Length: %d" % len(body), head)
    return head + b"\r\n\r\n" + body


def serve() -> Iterator[Loopback]:
    """Run a ``Loopback`` server in a thread for the duration of a fixture."""
    server = Loopback()
    # A short poll interval: shutting the server down waits for one.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join()
