"""Exports: concurrent paged export, typed schemas from metadata, file writers,
Arrow and data frames, and progress reporting."""

from __future__ import annotations

from ._export import (
    Export,
    ExportProgress,
    PageFetcher,
    TypedExport,
    export_pages,
    export_rows,
    keyset_partitions,
)
from ._metadata import clear_metadata_cache, object_metadata, schema_for
from ._partitions import (
    Partition,
    plan_partitions,
    plan_partitions_blocking,
    plan_planning_partitions,
    read_partition,
    read_partition_blocking,
)
from ._planning import (
    PlanningExport,
    PlanningV1Source,
    RecordSource,
    planning_export,
    planning_schema,
)
from ._schema import Column, ExportSchema, build_schema
from ._writers import FORMATS, ExportWriter, flatten_row, format_of, open_writer

__all__ = [
    "Column",
    "Export",
    "ExportProgress",
    "ExportSchema",
    "ExportWriter",
    "FORMATS",
    "PageFetcher",
    "Partition",
    "PlanningExport",
    "PlanningV1Source",
    "RecordSource",
    "TypedExport",
    "build_schema",
    "clear_metadata_cache",
    "export_pages",
    "export_rows",
    "flatten_row",
    "format_of",
    "keyset_partitions",
    "object_metadata",
    "open_writer",
    "plan_partitions",
    "plan_partitions_blocking",
    "plan_planning_partitions",
    "planning_export",
    "planning_schema",
    "read_partition",
    "read_partition_blocking",
    "schema_for",
]
