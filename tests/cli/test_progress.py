"""The export progress bar: redrawn in place on a terminal, log lines elsewhere."""

from __future__ import annotations

import io
import logging

import pytest

from workfront_async.cli._progress import ProgressBar
from workfront_async.export import ExportProgress


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_bar_shows_rows_rate_and_eta() -> None:
    out = FakeTTY()
    bar = ProgressBar(out, width=10)
    bar(ExportProgress(rows_done=0, rows_total=1000, elapsed=0.0))
    bar(ExportProgress(rows_done=250, rows_total=1000, elapsed=2.0))
    bar.close()
    text = out.getvalue()
    assert text.count("\r") == 3
    assert "[##--------]  25.0% 250/1,000 rows  125 rows/s  ETA 00:06" in text
    assert text.endswith("\n")


def test_unknown_total_shows_elapsed() -> None:
    line = ProgressBar(FakeTTY()).render(
        ExportProgress(rows_done=5000, rows_total=None, elapsed=65)
    )
    assert line == "5,000 rows  77 rows/s  elapsed 01:05"


def test_not_a_terminal_logs_instead(caplog: pytest.LogCaptureFixture) -> None:
    out = io.StringIO()
    bar = ProgressBar(out, log_every=0.0)
    with caplog.at_level(logging.INFO, logger="workfront_async.cli"):
        bar(ExportProgress(rows_done=10, rows_total=20, elapsed=1.0))
        bar.close()
    assert out.getvalue() == ""
    assert len(caplog.records) == 2
    assert "10/20 rows" in caplog.records[0].getMessage()
