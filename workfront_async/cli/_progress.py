"""The export progress bar: rich's, redrawn in place on a terminal (fitted to
its width, with rows, rows/s and ETA), plain log lines elsewhere."""

from __future__ import annotations

import logging
import sys
import time
from types import TracebackType
from typing import Any, TextIO

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


def describe(p: ExportProgress) -> str:
    """One line of text for a progress report (log lines, the final summary)."""
    rate = f"{p.rows_per_second:,.0f} rows/s"
    if p.rows_total:
        frac = min(p.rows_done / p.rows_total, 1.0)
        return f"{frac:6.1%} {p.rows_done:,}/{p.rows_total:,} rows  {rate}  ETA {_duration(p.eta)}"
    return f"{p.rows_done:,} rows  {rate}  elapsed {_duration(p.elapsed)}"


class ProgressBar:
    """Draw :class:`ExportProgress` reports. Use as a context manager so that
    the bar is finished (or removed) however the export ends, Ctrl-C included.

    On a terminal it is a ``rich.progress`` bar that re-measures the terminal
    on every redraw, so it never wraps; elsewhere it logs an INFO line every
    ``log_every`` seconds and once at the end.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        log_every: float = 5.0,
        width: int | None = None,
        force_terminal: bool | None = None,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.log_every = log_every
        self._last_log = 0.0
        self._last: ExportProgress | None = None
        self._progress: Any = None
        self._task: Any = None
        tty = force_terminal
        if tty is None:
            try:
                tty = bool(self.stream.isatty())
            except (AttributeError, ValueError):
                tty = False
        self.tty = tty
        if tty:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
            )

            console = Console(file=self.stream, force_terminal=True, width=width)
            self._progress = Progress(
                BarColumn(bar_width=None),
                TaskProgressColumn(),
                MofNCompleteColumn(),
                TextColumn("rows"),
                TextColumn("{task.fields[rate]}", style="cyan"),
                TextColumn("{task.fields[eta]}", style="yellow"),
                console=console,
                transient=False,
                redirect_stdout=False,
                redirect_stderr=False,
                expand=True,
            )

    def __enter__(self) -> ProgressBar:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task("export", total=None, rate="", eta="")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __call__(self, p: ExportProgress) -> None:
        self._last = p
        if self._progress is not None:
            if self._task is None:
                self.__enter__()
            self._progress.update(
                self._task,
                completed=p.rows_done,
                total=p.rows_total,
                rate=f"{p.rows_per_second:,.0f} rows/s",
                eta=f"ETA {_duration(p.eta)}" if p.rows_total else _duration(p.elapsed),
            )
            return
        now = time.monotonic()
        if now - self._last_log >= self.log_every:
            self._last_log = now
            log.info("%s", describe(p))

    def close(self) -> None:
        """Finish the bar: the last state stays on screen, the cursor on a new line."""
        if self._progress is not None:
            progress, self._progress = self._progress, None
            progress.stop()
            return
        if self._last is not None and not self.tty:
            last, self._last = self._last, None
            log.info("%s", describe(last))
