"""The report every peer script prints: ``{"<operation>": {"ok": bool, "detail": str}}``."""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from typing import Any

REPORT: dict[str, dict[str, Any]] = {}


def check(condition: object, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def run(name: str, fn: Callable[[], object]) -> None:
    try:
        detail = fn()
    except Exception as exc:  # a peer failing is what the report records
        where = traceback.extract_tb(exc.__traceback__)[-1]
        text = f"{type(exc).__name__}: {exc} (at {where.filename.split('/')[-1]}:{where.lineno})"
        REPORT[name] = {"ok": False, "detail": text[:500]}
    else:
        REPORT[name] = {"ok": True, "detail": str(detail)[:300]}


def emit() -> None:
    sys.stdout.write(json.dumps(REPORT))
