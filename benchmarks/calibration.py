"""Calibration clients for the over-HTTP sections: what the server, the
loopback and this machine allow, measured in the same run as ours.

* ``raw``: a minimal asyncio client (``asyncio.open_connection``, one
  keep-alive connection per slot, ``Content-Length`` bodies) that reads every
  page and, with ``decode``, ``orjson.loads`` it. Without ``decode`` it is the
  *ceiling*: the server and the socket alone.
* ``aiohttp_bare``: ``aiohttp.ClientSession`` with ``C`` connections,
  ``read()`` + ``orjson.loads``.

All of them fetch the same pages (``ID_Sort=asc``, ``$$FIRST``/``$$LIMIT``)
with ``C`` requests in flight and skip the count request our export sends.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

import orjson

__all__ = ["aiohttp_bare", "fetch_bodies", "raw"]

API = "/attask/api/v21.0/task/search"


def _target(first: int, page_size: int, key: str) -> bytes:
    return f"{API}?apiKey={key}&ID_Sort=asc&%24%24FIRST={first}&%24%24LIMIT={page_size}".encode()


async def _raw_worker(
    host: str,
    port: int,
    key: str,
    offsets: list[int],
    page_size: int,
    decode: bool,
    keep: list[bytes] | None,
) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    rows = 0
    try:
        while offsets:
            first = offsets.pop()
            writer.write(
                b"GET %s HTTP/1.1\r\nHost: %s\r\nAccept: */*\r\n\r\n"
                % (_target(first, page_size, key), host.encode())
            )
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length)
            if status != 200:
                raise RuntimeError(f"the raw client got {status} for $$FIRST={first}")
            if keep is not None:
                keep.append(body)
            if decode:
                rows += len(orjson.loads(body)["data"])
            else:
                rows += body.count(b'"objCode":"TASK"')
    finally:
        writer.close()
    return rows


async def _raw(
    base_url: str, key: str, total: int, page_size: int, cap: int, decode: bool
) -> tuple[int, float]:
    parts = urlsplit(base_url)
    assert parts.hostname is not None
    assert parts.port is not None
    offsets = list(range(0, total, page_size))[::-1]
    started = time.perf_counter()
    counts = await asyncio.gather(
        *(
            _raw_worker(parts.hostname, parts.port, key, offsets, page_size, decode, None)
            for _ in range(cap)
        )
    )
    return sum(counts), time.perf_counter() - started


def raw(
    base_url: str, key: str, total: int, page_size: int, cap: int, *, decode: bool
) -> tuple[int, float]:
    """Rows read and seconds taken by the raw client (``decode=False``: the ceiling)."""
    return asyncio.run(_raw(base_url, key, total, page_size, cap, decode))


def fetch_bodies(base_url: str, key: str, total: int, page_size: int) -> list[bytes]:
    """Every page body, in order (for the ``orjson.loads`` baseline)."""
    parts = urlsplit(base_url)
    assert parts.hostname is not None
    assert parts.port is not None
    offsets = list(range(0, total, page_size))[::-1]
    bodies: list[bytes] = []
    asyncio.run(_raw_worker(parts.hostname, parts.port, key, offsets, page_size, False, bodies))
    return bodies


async def _aiohttp(
    base_url: str, key: str, total: int, page_size: int, cap: int
) -> tuple[int, float]:
    import aiohttp
    import yarl

    offsets = list(range(0, total, page_size))[::-1]
    connector = aiohttp.TCPConnector(limit=cap)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()

        async def worker() -> int:
            rows = 0
            while offsets:
                first = offsets.pop()
                url = yarl.URL(base_url + _target(first, page_size, key).decode(), encoded=True)
                async with session.get(url) as response:
                    body = await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"aiohttp got {response.status}")
                rows += len(orjson.loads(body)["data"])
            return rows

        counts = await asyncio.gather(*(worker() for _ in range(cap)))
        return sum(counts), time.perf_counter() - started


def aiohttp_bare(
    base_url: str, key: str, total: int, page_size: int, cap: int
) -> tuple[int, float]:
    """Rows read and seconds taken by a bare aiohttp client with ``orjson.loads``."""
    return asyncio.run(_aiohttp(base_url, key, total, page_size, cap))
