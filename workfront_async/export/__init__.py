"""Exports: concurrent paged export, file writers and progress reporting."""

from __future__ import annotations

from ._export import (
    Export,
    ExportProgress,
    PageFetcher,
    export_pages,
    export_rows,
    keyset_partitions,
)
from ._writers import FORMATS, ExportWriter, flatten_row, open_writer

__all__ = [
    "Export",
    "ExportProgress",
    "ExportWriter",
    "FORMATS",
    "PageFetcher",
    "export_pages",
    "export_rows",
    "flatten_row",
    "keyset_partitions",
    "open_writer",
]
