"""The Planning wing of the embedded Workfront: the v1 and v2 API over one store.

``PlanningBackend`` (the store with its API) is what ``Emulator.planning``
holds; the modules inside are private.
"""

from __future__ import annotations

from ._backend import PlanningAPI, PlanningBackend
from ._models import (
    DEFAULT_SEARCH_LIMIT,
    MAX_SEARCH_LIMIT,
    PlanningField,
    PlanningRecord,
    PlanningRecordType,
    PlanningWorkspace,
)
from ._store import PlanningStore

__all__ = [
    "DEFAULT_SEARCH_LIMIT",
    "MAX_SEARCH_LIMIT",
    "PlanningAPI",
    "PlanningBackend",
    "PlanningField",
    "PlanningRecord",
    "PlanningRecordType",
    "PlanningStore",
    "PlanningWorkspace",
]
