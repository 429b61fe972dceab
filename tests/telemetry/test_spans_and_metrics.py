"""The spans and metrics of a search, an export, a batch, a Planning search and
bulk call, a retried 429 and a deadline, read back from the OpenTelemetry SDK
(docs/observability.md)."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest
from opentelemetry.trace import SpanKind, StatusCode

from workfront_async import BearerAuth, PlanningV2, RequestTimeout, Retry, Workfront
from workfront_async.testing import Emulator
from workfront_async.testing.planning import PlanningBackend

from ._support import Recorded

PAGE = 50
ROWS = 200  # tasks of the demo tenant at scale 0.01
HTTP_ATTRIBUTES = {
    "http.request.method",
    "url.full",
    "server.address",
    "server.port",
    "http.response.status_code",
}


@pytest.fixture(scope="module")
def emulator() -> Emulator:
    emu = Emulator.with_demo_data(scale=0.01)
    assert len(emu.rows("task")) == ROWS
    return emu


def client(otel: Recorded, emu: Emulator, **kwargs: Any) -> Workfront:
    kwargs.setdefault("transport", emu.transport())
    kwargs.setdefault("retry", Retry().without_backoff())
    return Workfront(otel.base_url, api_key=emu.api_key(), **kwargs)


def _only(spans: list[Any]) -> Any:
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


async def test_a_search_is_one_span_over_its_pages_with_a_client_span_per_request(
    otel: Recorded, emulator: Emulator
) -> None:
    async with client(otel, emulator) as wf:
        rows = await wf.search("task", fields=["name"], page_size=PAGE).all()
    assert len(rows) == ROWS

    search = _only(otel.named("workfront search task"))
    assert search.kind is SpanKind.INTERNAL
    assert search.attributes["workfront.operation"] == "search"
    assert search.attributes["workfront.object_type"] == "task"
    assert search.attributes["workfront.rows"] == ROWS
    assert search.attributes["workfront.pages"] == ROWS // PAGE
    assert search.attributes["server.address"] == otel.host
    assert search.status.status_code is StatusCode.UNSET

    requests = otel.children(search)
    # four full pages and the empty one that ends the search
    assert len(requests) == ROWS // PAGE + 1
    for span in requests:
        assert span.kind is SpanKind.CLIENT
        assert span.name == "GET"
        assert HTTP_ATTRIBUTES <= set(span.attributes)
        assert span.attributes["http.request.method"] == "GET"
        assert span.attributes["server.address"] == otel.host
        assert span.attributes["server.port"] == 443
        assert span.attributes["http.response.status_code"] == 200
        assert span.attributes["url.full"].startswith(f"{otel.base_url}/attask/api/")
        assert "/task/search?" in span.attributes["url.full"]
        assert span.attributes["workfront.limiter.wait_time"] >= 0
        assert span.attributes["workfront.limiter.window"] == 10.0
        assert "error.type" not in span.attributes
        assert "http.request.resend_count" not in span.attributes

    ours = {"workfront.operation": "search", "workfront.object_type": "task"}
    duration = otel.points("http.client.request.duration", **ours)
    assert sum(p.count for p in duration) == len(requests)
    assert {p.attributes["http.response.status_code"] for p in duration} == {200}
    assert {p.attributes["http.request.method"] for p in duration} == {"GET"}
    assert otel.count("workfront.limiter.wait_time", **ours) == len(requests)
    # every request that took a slot gave it back
    assert otel.total("workfront.client.active_requests") == 0
    assert otel.points("workfront.limiter.window")[-1].value == 10.0
    assert otel.points("workfront.client.throttled") == []
    assert otel.points("workfront.client.retries") == []


async def test_an_export_is_one_span_counting_its_rows_and_pages(
    otel: Recorded, emulator: Emulator
) -> None:
    async with client(otel, emulator) as wf, wf.export("task", page_size=PAGE) as export:
        pages = [page async for page in export.pages()]
    assert sum(map(len, pages)) == ROWS

    export_span = _only(otel.named("workfront export task"))
    assert export_span.attributes["workfront.rows"] == ROWS
    assert export_span.attributes["workfront.pages"] == len(pages)
    # the count and every page, fetched by the export's worker tasks, are its children
    requests = otel.children(export_span)
    assert len(requests) >= len(pages) + 1
    assert {s.kind for s in requests} == {SpanKind.CLIENT}
    urls = [s.attributes["url.full"] for s in requests]
    assert sum("/task/count" in u for u in urls) == 1
    assert sum("/task/search?" in u for u in urls) == len(requests) - 1
    assert [s for s in otel.spans() if s.parent is None] == [export_span]

    ours = {"workfront.operation": "export", "workfront.object_type": "task"}
    assert otel.total("workfront.export.rows", **ours) == ROWS
    assert otel.total("workfront.export.pages", **ours) == len(pages)
    assert otel.count("http.client.request.duration", **ours) == len(requests)
    assert otel.total("workfront.client.active_requests") == 0


async def test_an_export_left_early_ends_its_span_without_an_error(
    otel: Recorded, emulator: Emulator
) -> None:
    async with client(otel, emulator) as wf, wf.export("task", page_size=PAGE) as export:
        async for page in export.pages():
            assert len(page) == PAGE
            break
    span = _only(otel.named("workfront export task"))
    assert span.status.status_code is StatusCode.UNSET
    assert "error.type" not in span.attributes
    assert span.attributes["workfront.pages"] == 1
    assert span.attributes["workfront.rows"] == PAGE


async def test_a_batch_is_one_span_over_its_one_request(otel: Recorded, emulator: Emulator) -> None:
    async with client(otel, emulator) as wf:
        batch = wf.batch()
        batch.count("task")
        batch.search("task", limit=5)
        batch.metadata("proj")
        count, rows, _ = await batch.send()
    assert count == ROWS
    assert len(rows) == 5

    span = _only(otel.named("workfront batch"))
    assert span.attributes["workfront.operation"] == "batch"
    assert "workfront.object_type" not in span.attributes
    request = _only(otel.children(span))
    assert request.name == "POST"
    assert request.attributes["url.full"] == f"{otel.base_url}/attask/api/v21.0/batch"
    assert request.attributes["http.request.body.size"] > 0
    assert request.attributes["http.response.body.size"] > 0
    assert len(otel.spans()) == 2
    assert otel.count("http.client.request.duration", **{"workfront.operation": "batch"}) == 1


async def test_single_calls_are_named_after_their_operation(
    otel: Recorded, emulator: Emulator
) -> None:
    async with client(otel, emulator) as wf:
        project = await wf.create("proj", {"name": "Telemetry"})
        await wf.update("proj", project["ID"], {"description": "spans"})
        await wf.get("proj", project["ID"])
        await wf.count("proj")
        await wf.metadata("proj")
        await wf.get_many("proj", [project["ID"]])
        await wf.bulk_update("proj", [{"ID": project["ID"], "description": "metrics"}])
        await wf.delete("proj", project["ID"])
    assert [s.name for s in otel.spans() if s.kind is SpanKind.INTERNAL] == [
        "workfront create proj",
        "workfront update proj",
        "workfront get proj",
        "workfront count proj",
        "workfront metadata proj",
        "workfront get proj",
        "workfront bulk_update proj",
        "workfront delete proj",
    ]
    for span in otel.spans():
        if span.kind is SpanKind.INTERNAL:
            assert len(otel.children(span)) == 1, span.name


async def test_a_planning_search_and_bulk_call(otel: Recorded) -> None:
    emu = Emulator()
    backend = PlanningBackend()
    workspace = backend.add_workspace("W", id="ws-telemetry-1")
    fields = [{"id": "name", "name": "Name", "type": "text"}]
    backend.add_record_type(workspace.id, "Rows", fields, id="rt-telemetry-1")
    emu.planning = backend
    auth = BearerAuth(emu.issue_token())
    async with PlanningV2(
        otel.base_url, auth=auth, transport=emu.transport(), validate=False
    ) as planning:
        created = await planning.records.bulk_create(
            "rt-telemetry-1", [{"name": f"r{i:03d}"} for i in range(150)]
        )
        records = await planning.records.search("rt-telemetry-1", page_size=100).all()
    assert len(created.succeeded) == 150
    assert len(records) == 150

    bulk = _only(otel.named("workfront bulk_create record"))
    assert bulk.attributes["workfront.object_type"] == "record"
    chunks = otel.children(bulk)
    assert [s.name for s in chunks] == ["POST", "POST"]  # 100 records per request
    assert all("/records/bulk" in s.attributes["url.full"] for s in chunks)

    search = _only(otel.named("workfront search record"))
    assert search.attributes["workfront.rows"] == 150
    assert search.attributes["workfront.pages"] == 2
    assert {s.name for s in otel.children(search)} == {"POST"}

    bulk_attributes = {"workfront.operation": "bulk_create", "workfront.object_type": "record"}
    assert otel.count("http.client.request.duration", **bulk_attributes) == 2
    # the record type's ID names no metric
    for points in otel.metrics().values():
        for point in points:
            assert "rt-telemetry-1" not in str(dict(point.attributes))


class _BusyFirst(httpx.AsyncBaseTransport):
    """Answers the first ``busy`` searches with a 429, then lets them through."""

    def __init__(self, inner: httpx.AsyncBaseTransport, busy: int = 1) -> None:
        self.inner = inner
        self.busy = busy

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.busy and request.url.path.endswith("/search"):
            self.busy -= 1
            error = {"error": {"message": "Too many concurrent API requests", "class": "x"}}
            return httpx.Response(429, json=error, headers={"Retry-After": "0"})
        return await self.inner.handle_async_request(request)


async def test_a_429_is_counted_retried_and_cuts_the_window(
    otel: Recorded, emulator: Emulator
) -> None:
    transport = _BusyFirst(emulator.transport())
    async with client(otel, emulator, transport=transport) as wf:
        rows = await wf.search("task", limit=10).all()
        usage = wf.usage()
    assert len(rows) == 10

    search = _only(otel.named("workfront search task"))
    first, second = sorted(otel.children(search), key=lambda s: s.start_time or 0)
    assert first.attributes["http.response.status_code"] == 429
    assert first.attributes["error.type"] == "429"
    assert first.status.status_code is StatusCode.ERROR
    assert "http.request.resend_count" not in first.attributes
    assert second.attributes["http.response.status_code"] == 200
    assert second.attributes["http.request.resend_count"] == 1
    assert "error.type" not in second.attributes
    assert second.attributes["workfront.limiter.window"] == 5.0  # halved by the 429
    assert search.status.status_code is StatusCode.UNSET

    ours = {"workfront.operation": "search", "workfront.object_type": "task"}
    assert otel.total("workfront.client.throttled", **ours) == 1
    assert otel.total("workfront.client.retries", **ours, **{"error.type": "RateLimitError"}) == 1
    assert otel.count("http.client.request.duration", **ours, **{"error.type": "429"}) == 1
    assert otel.points("workfront.limiter.window")[-1].value < 10.0
    assert (usage.requests, usage.throttled, usage.retries) == (2, 1, 1)


async def test_a_deadline_ends_the_request_and_the_operation_with_request_timeout(
    otel: Recorded,
) -> None:
    async def never(request: httpx.Request) -> httpx.Response:
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    retry = Retry(attempts=3, deadline=0.05, backoff_base=0.0)
    async with Workfront(
        otel.base_url, api_key="k" * 32, transport=httpx.MockTransport(never), retry=retry
    ) as wf:
        with anyio.fail_after(30), pytest.raises(RequestTimeout):
            await wf.count("task")

    count = _only(otel.named("workfront count task"))
    assert count.status.status_code is StatusCode.ERROR
    assert count.attributes["error.type"] == "RequestTimeout"
    (event,) = count.events
    assert event.name == "exception"
    assert event.attributes["exception.type"].endswith("RequestTimeout")
    assert "deadline" in event.attributes["exception.message"]

    request = _only(otel.children(count))
    assert request.attributes["error.type"] == "RequestTimeout"
    assert "http.response.status_code" not in request.attributes
    assert request.status.status_code is StatusCode.ERROR
    timeouts = {"workfront.operation": "count", "error.type": "RequestTimeout"}
    assert otel.count("http.client.request.duration", **timeouts) == 1
    assert otel.total("workfront.client.active_requests") == 0
