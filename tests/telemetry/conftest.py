"""The OpenTelemetry SDK, set up once for the session, read back per test.

The library uses the global tracer and meter providers (it depends on the API
only), so they are set once, when this file is collected; a sampler lets
spans be recorded only while a test of this directory holds the ``otel``
fixture, so the rest of the suite pays nothing for them, and the metric
reader collects deltas, so each test sees only what it caused. Every test
names its own tenant host, which the metrics carry as ``server.address``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import (
    Counter,
    Histogram,
    MeterProvider,
    ObservableCounter,
    ObservableGauge,
    ObservableUpDownCounter,
    UpDownCounter,
)
from opentelemetry.sdk.metrics.export import AggregationTemporality, InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from ._support import Recorded, WhileRecording

_DELTA = dict.fromkeys(
    (
        Counter,
        UpDownCounter,
        Histogram,
        ObservableCounter,
        ObservableUpDownCounter,
        ObservableGauge,
    ),
    AggregationTemporality.DELTA,
)


def _install() -> tuple[InMemorySpanExporter, InMemoryMetricReader, WhileRecording]:
    sampler = WhileRecording()
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider(sampler=sampler)
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader(preferred_temporality=_DELTA)
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
    return exporter, reader, sampler


# Installed when this file is collected, before any test runs: a test that sets
# the global providers itself (the docs' console example) cannot take them first.
_SDK = _install()


@pytest.fixture(scope="session")
def _sdk() -> tuple[InMemorySpanExporter, InMemoryMetricReader, WhileRecording]:
    return _SDK


@pytest.fixture
def otel(
    _sdk: tuple[InMemorySpanExporter, InMemoryMetricReader, WhileRecording],
) -> Iterator[Recorded]:
    exporter, reader, sampler = _sdk
    exporter.clear()
    reader.get_metrics_data()  # drop what came before this test
    sampler.on = True
    try:
        yield Recorded(exporter, reader)
    finally:
        sampler.on = False
        exporter.clear()
