"""The export progress bar: fitted to the terminal's width on a terminal, log
lines elsewhere."""

from __future__ import annotations

import io
import logging
import re

import pytest

from workfront_async.cli._progress import ProgressBar, describe
from workfront_async.export import ExportProgress

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def _lines(text: str) -> list[str]:
    """What stays on screen: each redraw starts after a carriage return."""
    plain = ANSI.sub("", text)
    return [part for line in plain.split("\n") for part in line.split("\r") if part.strip()]


@pytest.mark.parametrize("columns", [50, 120])
def test_terminal_bar_fits_the_width_and_shows_rows_rate_and_eta(columns: int) -> None:
    out = FakeTTY()
    with ProgressBar(out, width=columns) as bar:
        bar(ExportProgress(rows_done=0, rows_total=1000, elapsed=0.0))
        bar(ExportProgress(rows_done=250, rows_total=1000, elapsed=2.0))
    lines = _lines(out.getvalue())
    assert lines
    # Never wider than the terminal: a wider line would wrap and scroll on every redraw.
    assert max(len(line) for line in lines) <= columns
    last = lines[-1]
    assert "250/1,000 rows" in last
    assert "25%" in last
    assert "ETA 00:06" in last
    if columns >= 80:
        assert "125 rows/s" in last
    assert ANSI.sub("", out.getvalue()).endswith("\n")


@pytest.mark.parametrize("columns", [24, 32, 50])
def test_a_narrow_terminal_keeps_the_whole_count(columns: int) -> None:
    # the rate, the ETA, the percentage and then the bar give way; the count never
    out = FakeTTY()
    with ProgressBar(out, width=columns) as bar:
        bar(ExportProgress(rows_done=20_000, rows_total=20_000, elapsed=1.62))
    last = _lines(out.getvalue())[-1]
    assert len(last) <= columns
    assert "20,000/20,000 rows" in last


def test_a_narrow_terminal_keeps_the_count_when_the_total_is_unknown() -> None:
    out = FakeTTY()
    with ProgressBar(out, width=24) as bar:
        bar(ExportProgress(rows_done=20_000, rows_total=None, elapsed=1.62))
    assert "20,000 rows" in _lines(out.getvalue())[-1]


def test_bar_is_finished_when_the_export_fails() -> None:
    out = FakeTTY()
    bar = ProgressBar(out, width=60)

    def interrupted_export() -> None:
        with bar:
            bar(ExportProgress(rows_done=10, rows_total=100, elapsed=1.0))
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted_export()
    text = out.getvalue()
    assert ANSI.sub("", text).endswith("\n")
    assert "\x1b[?25h" in text  # the cursor is shown again


def test_unknown_total_shows_elapsed() -> None:
    line = describe(ExportProgress(rows_done=5000, rows_total=None, elapsed=65))
    assert line == "5,000 rows  77 rows/s  elapsed 01:05"


def test_not_a_terminal_logs_instead(caplog: pytest.LogCaptureFixture) -> None:
    out = io.StringIO()
    bar = ProgressBar(out, log_every=0.0)
    with caplog.at_level(logging.INFO, logger="workfront_async.cli"), bar:
        bar(ExportProgress(rows_done=10, rows_total=20, elapsed=1.0))
    assert out.getvalue() == ""
    assert len(caplog.records) == 2
    assert "10/20 rows" in caplog.records[0].getMessage()
