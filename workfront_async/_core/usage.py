"""What a client has used of the tenant's API: a snapshot for scripts and notebooks.

Every client counts, with or without OpenTelemetry: its API calls, the HTTP
requests they took (retries and token requests included), the answers of 429,
the retries, the time spent waiting for a slot of the concurrency limiter and
the bytes sent and received. ``client.usage()`` returns a frozen
:class:`Usage`; ``workfront-async --stats`` prints it when a command ends.
The counting is a few integer additions per HTTP request, never per row.
"""

from __future__ import annotations

import attrs

__all__ = ["Usage", "UsageCounts"]


def _size(n: int) -> str:
    if n < 1000:
        return f"{n:,} bytes"
    value = float(n)
    for unit in ("KB", "MB", "GB"):
        value /= 1000
        if value < 1000 or unit == "GB":
            break
    return f"{value:,.1f} {unit}"


@attrs.frozen(slots=True)
class Usage:
    """A client's use of the API so far (``client.usage()``).

    ``calls``: API calls made through the client (each method call, each page
    of a search or an export, each batch); ``requests``: the HTTP requests
    they took, retries and token requests included; ``throttled``: answers of
    429 (the tenant's cap was full); ``retries``: requests sent again after a
    failure; ``slot_wait``: seconds spent waiting for a slot of the
    concurrency limiter, summed over requests (several wait at once, so it can
    exceed the time elapsed); ``bytes_sent``: the URLs and bodies of the
    requests (uploaded files not included); ``bytes_received``: the bodies of
    the answers.
    """

    calls: int = 0
    requests: int = 0
    throttled: int = 0
    retries: int = 0
    slot_wait: float = 0.0
    bytes_sent: int = 0
    bytes_received: int = 0

    def __str__(self) -> str:
        return (
            f"{self.calls:,} calls in {self.requests:,} requests "
            f"({self.retries:,} retries, {self.throttled:,} answered 429); "
            f"{self.slot_wait:.2f} s waiting for a slot; "
            f"sent {_size(self.bytes_sent)}, received {_size(self.bytes_received)}"
        )


class UsageCounts:
    """The running counts behind :class:`Usage`, kept by one client's sender."""

    __slots__ = (
        "bytes_received",
        "bytes_sent",
        "calls",
        "requests",
        "retries",
        "slot_wait",
        "throttled",
    )

    def __init__(self) -> None:
        self.calls = 0
        self.requests = 0
        self.throttled = 0
        self.retries = 0
        self.slot_wait = 0.0
        self.bytes_sent = 0
        self.bytes_received = 0

    def snapshot(self) -> Usage:
        return Usage(
            calls=self.calls,
            requests=self.requests,
            throttled=self.throttled,
            retries=self.retries,
            slot_wait=self.slot_wait,
            bytes_sent=self.bytes_sent,
            bytes_received=self.bytes_received,
        )

    def __repr__(self) -> str:
        return f"<UsageCounts {self.snapshot()}>"
