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


def _count(p: Any) -> str:
    done = int(p.completed)
    if p.total is None:
        return f"{done:,} rows"
    return f"{done:,}/{int(p.total):,} rows"


class _FittedLine:
    """One progress line drawn at render time for the width it is given: the
    count always (it is what the user watches), then the percentage, the ETA
    and the rate while they fit; the bar takes what is left, or goes."""

    MIN_BAR = 10

    def __init__(self, task: Any) -> None:
        self.task = task

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.progress_bar import ProgressBar as Bar
        from rich.table import Column, Table
        from rich.text import Text

        task = self.task
        width = options.max_width
        # (kind, text, style), in the order shown
        parts: list[tuple[str, str, str]] = []
        if task.total:
            parts.append(("pct", f"{min(task.completed / task.total, 1.0):4.0%}", ""))
        parts.append(("count", _count(task), ""))
        parts.append(("rate", task.fields.get("rate", ""), "cyan"))
        parts.append(("eta", task.fields.get("eta", ""), "yellow"))
        parts = [p for p in parts if p[1]]
        # The count always stays; the others give way: the rate, the ETA, the percentage.
        for kind in ("rate", "eta", "pct"):
            if _length(parts) + 1 + self.MIN_BAR <= width:
                break
            parts = [p for p in parts if p[0] != kind]
        text = Text()
        for i, (_, part, style) in enumerate(parts):
            if i:
                text.append("  ")
            text.append(part, style=style)
        bar_width = width - _length(parts) - 1
        if bar_width < self.MIN_BAR:
            text.truncate(width, overflow="ellipsis")
            yield text
            return
        grid = Table.grid(Column(width=bar_width, no_wrap=True), Column(no_wrap=True), padding=0)
        bar = Bar(total=task.total, completed=task.completed, width=bar_width)
        grid.add_row(bar, Text(" ").append_text(text))
        yield grid


def _length(parts: list[tuple[str, str, str]]) -> int:
    return sum(len(text) for _, text, _ in parts) + 2 * max(len(parts) - 1, 0)


class ProgressBar:
    """Draw :class:`ExportProgress` reports. Use as a context manager so that
    the bar is finished (or removed) however the export ends, Ctrl-C included.

    On a terminal it is a ``rich.progress`` line that re-measures the terminal
    on every redraw, so it never wraps, and gives up the rate, the ETA, the
    percentage and the bar, in that order, before it cuts the row count;
    elsewhere it logs an INFO line every ``log_every`` seconds and once at the
    end.
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
            from rich.progress import Progress, ProgressColumn
            from rich.table import Column

            class Fitted(ProgressColumn):
                def render(self, task: Any) -> Any:
                    return _FittedLine(task)

                def get_table_column(self) -> Column:
                    return Column(ratio=1, no_wrap=True)

            console = Console(file=self.stream, force_terminal=True, width=width)
            self._progress = Progress(
                Fitted(),
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
