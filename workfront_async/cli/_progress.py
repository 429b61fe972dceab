"""A one-line progress bar for terminals, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

from ..export import ExportProgress

__all__ = ["ProgressBar"]

log = logging.getLogger("workfront_async.cli")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class ProgressBar:
    """Draw :class:`ExportProgress` reports: a redrawn bar with rows, rows/s and
    ETA on a terminal, an INFO log line every few seconds elsewhere."""

    def __init__(
        self, stream: TextIO | None = None, *, width: int = 30, log_every: float = 5.0
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.log_every = log_every
        self._last_log = 0.0
        self._last: ExportProgress | None = None

    def render(self, p: ExportProgress) -> str:
        rate = f"{p.rows_per_second:,.0f} rows/s"
        if p.rows_total:
            frac = min(p.rows_done / p.rows_total, 1.0)
            filled = int(frac * self.width)
            bar = "#" * filled + "-" * (self.width - filled)
            return (
                f"[{bar}] {frac:6.1%} {p.rows_done:,}/{p.rows_total:,} rows  {rate}  "
                f"ETA {_duration(p.eta)}"
            )
        return f"{p.rows_done:,} rows  {rate}  elapsed {_duration(p.elapsed)}"

    def __call__(self, p: ExportProgress) -> None:
        self._last = p
        if self.tty:
            self.stream.write("\r" + self.render(p) + "\x1b[K")
            self.stream.flush()
            return
        now = time.monotonic()
        if now - self._last_log >= self.log_every:
            self._last_log = now
            log.info("%s", self.render(p))

    def close(self) -> None:
        if self._last is None:
            return
        if self.tty:
            self.stream.write("\r" + self.render(self._last) + "\x1b[K\n")
            self.stream.flush()
        else:
            log.info("%s", self.render(self._last))
