"""When OpenTelemetry is absent or switched off nothing changes and nothing is
added; when the httpx instrumentation is active its HTTP spans are not
duplicated; ``client.usage()`` and the CLI's ``--stats`` work either way.

Whether to use OpenTelemetry is decided once per process, so the absent and
switched-off cases run in a child process each.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.trace import SpanKind

from workfront_async import Retry, Usage, Workfront
from workfront_async.cli import main
from workfront_async.testing import Emulator
from workfront_async.testing.pytest_plugin import ServedWorkfront

from ._support import Recorded

ROOT = Path(__file__).resolve().parents[2]

# A search and an export through the emulator, then what the process saw.
_RUN = """
import json, sys
import anyio
from workfront_async import Workfront
from workfront_async.testing import Emulator

async def main():
    emu = Emulator.with_demo_data(scale=0.01)
    async with Workfront(
        "https://child.my.workfront.com", api_key=emu.api_key(), transport=emu.transport()
    ) as wf:
        search = wf.search("task", page_size=50)
        pages = search.pages()
        rows = [row for page in [p async for p in pages] for row in page]
        async with wf.export("task", page_size=50) as export:
            export_pages = export.pages()
            exported = sum([len(p) async for p in export_pages])
        usage = wf.usage()
    return {
        "rows": len(rows),
        "exported": exported,
        "calls": usage.calls,
        "requests": usage.requests,
        "received": usage.bytes_received,
        # the generators handed out are the library's own, with nothing around them
        "generators": [pages.ag_code.co_name, export_pages.ag_code.co_name],
    }

result = anyio.run(main)
"""


def _child(script: str, **env: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_without_opentelemetry_api_nothing_is_imported_and_usage_is_counted() -> None:
    script = (
        "import sys\n"
        "sys.modules['opentelemetry'] = None  # as if opentelemetry-api were not installed\n"
        + _RUN
        + "result['otel'] = sorted(m for m in sys.modules if m.startswith('opentelemetry')"
        " and sys.modules[m] is not None)\n"
        "print(json.dumps(result))\n"
    )
    result = _child(script)
    assert result["rows"] == result["exported"] == 200
    assert result["otel"] == []
    assert result["generators"] == ["pages", "export_pages"]
    assert result["calls"] >= 2 + 4  # the search's pages, the export's count and pages
    assert result["requests"] == result["calls"]
    assert result["received"] > 0


def test_switched_off_it_records_nothing_even_with_an_sdk_installed() -> None:
    setup = """
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
reader = InMemoryMetricReader()
metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
"""
    count = """
data = reader.get_metrics_data()
scopes = [s.scope.name for r in (data.resource_metrics if data else []) for s in r.scope_metrics]
result["spans"] = len(exporter.get_finished_spans())
result["scopes"] = scopes
print(json.dumps(result))
"""
    off = _child(setup + _RUN + count, WORKFRONT_ASYNC_OTEL="off")
    assert off["rows"] == off["exported"] == 200
    assert off["spans"] == 0
    assert "workfront_async" not in off["scopes"]
    assert off["generators"] == ["pages", "export_pages"]
    assert off["calls"] > 0
    # the same run switched on: the child's set-up does record (the test can fail)
    on = _child(setup + _RUN + count)
    assert on["spans"] > 0
    assert "workfront_async" in on["scopes"]
    assert on["generators"] == ["_observed", "_observed"]


async def test_the_httpx_instrumentation_makes_the_http_spans_and_ours_step_aside(
    otel: Recorded, workfront_server: ServedWorkfront, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    def connect() -> Workfront:
        return Workfront(
            workfront_server.base_url,
            api_key=workfront_server.api_key,
            http="httpx",
            retry=Retry.none(),
        )

    instrumentor = HTTPXClientInstrumentor()
    instrumentor.instrument()
    try:
        async with connect() as wf:
            await wf.count("task")
        monkeypatch.setenv("WORKFRONT_ASYNC_OTEL_HTTP", "on")  # forced: both make one
        async with connect() as wf:
            await wf.count("task")
    finally:
        instrumentor.uninstrument()
    first, second = otel.named("workfront count task")

    (theirs,) = otel.children(first)
    assert theirs.kind is SpanKind.CLIENT
    assert theirs.instrumentation_scope is not None
    assert theirs.instrumentation_scope.name == "opentelemetry.instrumentation.httpx"
    assert "workfront.limiter.wait_time" not in theirs.attributes
    # the slot's wait went on the operation instead
    assert all(e.name == "workfront.limiter.wait" for e in first.events)

    scopes = sorted(
        s.instrumentation_scope.name
        for s in otel.spans()
        if s.kind is SpanKind.CLIENT and s.instrumentation_scope is not None
    )
    assert scopes == [
        "opentelemetry.instrumentation.httpx",
        "opentelemetry.instrumentation.httpx",
        "workfront_async",
    ]
    ours = next(s for s in otel.children(second) if s.instrumentation_scope.name != scopes[0])
    assert ours.attributes["http.response.status_code"] == 200


async def test_usage_counts_calls_requests_and_bytes(otel: Recorded) -> None:
    emu = Emulator.with_demo_data(scale=0.01)
    async with Workfront(otel.base_url, api_key=emu.api_key(), transport=emu.transport()) as wf:
        assert wf.usage() == Usage()
        await wf.count("task")
        await wf.search("task", page_size=100).all()
        usage = wf.usage()
    assert isinstance(usage, Usage)
    assert usage.calls == usage.requests == 1 + 3  # a count, two full pages and the last
    assert (usage.throttled, usage.retries) == (0, 0)
    assert usage.bytes_received > 0
    assert usage.bytes_sent > len("task/count")
    assert usage.slot_wait >= 0
    assert re.fullmatch(
        r"4 calls in 4 requests \(0 retries, 0 answered 429\); [0-9.]+ s waiting for a slot; "
        r"sent [0-9.,]+ (bytes|KB), received [0-9.,]+ (KB|MB)",
        str(usage),
    )


def test_the_cli_prints_usage_with_stats(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["count", "task", "--demo-scale", "0.01", "-q", "--stats"])
    out, err = capsys.readouterr()
    assert code == 0
    assert out.strip() == "200"
    assert re.search(r"^workfront-async: usage: \d+ calls in \d+ requests", err, re.M)
    # and not without it
    main(["count", "task", "--demo-scale", "0.01", "-q"])
    assert "usage:" not in capsys.readouterr().err
