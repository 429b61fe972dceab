"""Reading back what the library reported to the OpenTelemetry SDK (see conftest.py)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult

_HOSTS = itertools.count(1)


class WhileRecording(Sampler):
    """Records spans only while a test holds the ``otel`` fixture."""

    on = False

    def should_sample(
        self,
        parent_context: Any,
        trace_id: int,
        name: str,
        kind: Any = None,
        attributes: Any = None,
        links: Any = None,
        trace_state: Any = None,
    ) -> SamplingResult:
        if not self.on:
            return SamplingResult(Decision.DROP)
        return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes)

    def get_description(self) -> str:
        return "WhileRecording"


class Recorded:
    """What the code under test reported: finished spans and metric points."""

    def __init__(self, exporter: InMemorySpanExporter, reader: InMemoryMetricReader) -> None:
        self._exporter = exporter
        self._reader = reader
        self._points: dict[str, list[Any]] = {}
        self.host = f"tenant{next(_HOSTS)}.my.workfront.com"
        self.base_url = f"https://{self.host}"

    def spans(self) -> list[ReadableSpan]:
        return list(self._exporter.get_finished_spans())

    def named(self, name: str) -> list[ReadableSpan]:
        return [s for s in self.spans() if s.name == name]

    def children(self, parent: ReadableSpan) -> list[ReadableSpan]:
        ctx = parent.get_span_context()
        assert ctx is not None
        return [s for s in self.spans() if s.parent is not None and s.parent.span_id == ctx.span_id]

    def metrics(self) -> dict[str, list[Any]]:
        """Every data point so far, by metric name (collected as deltas and kept)."""
        data = self._reader.get_metrics_data()
        for resource in data.resource_metrics if data is not None else ():
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    self._points.setdefault(metric.name, []).extend(metric.data.data_points)
        return self._points

    def points(self, name: str, **attributes: Any) -> list[Any]:
        """The data points of ``name`` for this test's tenant with ``attributes``."""
        wanted = {"server.address": self.host, **attributes}
        return [
            p
            for p in self.metrics().get(name, [])
            if all(p.attributes.get(k) == v for k, v in wanted.items())
        ]

    def total(self, name: str, **attributes: Any) -> float:
        """The sum of the counter or histogram ``name`` for this test's tenant."""
        points = self.points(name, **attributes)
        return sum(p.sum if hasattr(p, "bucket_counts") else p.value for p in points)

    def count(self, name: str, **attributes: Any) -> int:
        """How many measurements the histogram ``name`` took for this test's tenant."""
        return sum(p.count for p in self.points(name, **attributes))


def attribute_values(spans: Sequence[ReadableSpan], points: dict[str, list[Any]]) -> list[str]:
    """Every text a span or a metric point carries: span names, attributes,
    event names and attributes, link attributes, status descriptions, metric
    names and point attributes."""
    out: list[str] = []

    def add(attributes: Any) -> None:
        for key, value in (attributes or {}).items():
            out.append(str(key))
            if isinstance(value, (list, tuple)):
                out.extend(str(v) for v in value)
            else:
                out.append(str(value))

    for span in spans:
        out.append(span.name)
        add(span.attributes)
        add(span.resource.attributes)
        if span.status.description:
            out.append(span.status.description)
        for event in span.events:
            out.append(event.name)
            add(event.attributes)
        for link in span.links:
            add(link.attributes)
    for name, data_points in points.items():
        out.append(name)
        for point in data_points:
            add(point.attributes)
    return out
