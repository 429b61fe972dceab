"""Statuses (``CSTEM``, custom enums) and the tenant's customer (``CUST``): the
rows every tenant starts with and the named queries over them.

Statuses live at two levels (Adobe's "Core API changes: Status search
responses" page, help/quicksilver/wf-api/api/api-changes-search.md): the
system's (``groupID`` null), which every group inherits, and a group's own.
``CSTEM/search`` reads the stored rows, so ``CSTEM/search?groupID=<ID>&enumClass=STATUS_TASK``
answers a group's own statuses only, as the page says it does now; the named
queries ``projectGroupStatuses``, ``taskGroupStatuses`` and
``opTaskGroupStatuses`` with ``groupID=`` answer the full list of a group, the
system's statuses labelled with the group's ID followed by the group's own, and
``includeHidden=true`` adds the hidden ones (the queries are in ``_named``).
"""

from __future__ import annotations

from typing import Any, Final

from ._store import Store, derived_id

__all__ = ["CUSTOMER_CURRENCY", "SYSTEM_STATUSES", "seed", "status_row"]

# enumClass -> (value, label, color) of the system's statuses. Projects: the recorded
# namedQuery.json (docs/api-notes.md §4 "Named query"); tasks: the page's example
# answer (NEW 1C68FF, INP 39FF39, CPL FF3939); issues: the statuses the demo's issues
# take, in the emulator's colours.
SYSTEM_STATUSES: Final[dict[str, tuple[tuple[str, str, str], ...]]] = {
    "STATUS_PROJ": (
        ("PLN", "Planning", "6B6B6B"),
        ("CUR", "Current", "3F7F1F"),
        ("ONH", "On Hold", "F1A33A"),
        ("CPL", "Complete", "0078D7"),
        ("DED", "Dead", "C60000"),
        ("REQ", "Requested", "9A5BA8"),
    ),
    "STATUS_TASK": (
        ("NEW", "New", "1C68FF"),
        ("INP", "In Progress", "39FF39"),
        ("CPL", "Complete", "FF3939"),
    ),
    "STATUS_OPTASK": (
        ("NEW", "New", "1C68FF"),
        ("INP", "In Progress", "39FF39"),
        ("CPL", "Complete", "FF3939"),
        ("CLS", "Closed", "6B6B6B"),
    ),
}
# the customer every tenant has (CUST/currentCustomer); its currency is the login's
CUSTOMER_NAME: Final = "Acme"
CUSTOMER_CURRENCY: Final = "USD"


def status_row(
    enum_class: str,
    value: str,
    label: str,
    color: str,
    *,
    group_id: str | None = None,
    equates_with: str | None = None,
    hidden: bool = False,
    locked: bool = False,
) -> dict[str, Any]:
    """A CSTEM row; its ID is made from its class, group and value (no random draw)."""
    return {
        "ID": derived_id("CSTEM", enum_class, group_id or "", value),
        "value": value,
        "label": label,
        "color": color,
        "equatesWith": equates_with or value,
        "enumClass": enum_class,
        "groupID": group_id,
        "description": None,
        "isHidden": int(hidden),
        "isLocked": int(locked),
        "isPrimary": 0,
        "valueAsInt": None,
        "extRefID": None,
        "_de": {},
    }


def seed(store: Store, customer_id: str) -> None:
    """The rows every tenant starts with: the system's statuses and the customer."""
    rows = [
        status_row(enum_class, value, label, color, locked=True)
        for enum_class, statuses in SYSTEM_STATUSES.items()
        for value, label, color in statuses
    ]
    store.insert_many_raw("CSTEM", rows)
    store.insert_raw(
        "CUST",
        {
            "ID": customer_id,
            "name": CUSTOMER_NAME,
            "description": None,
            "currency": CUSTOMER_CURRENCY,
            "timeZone": "UTC",
            "_de": {},
        },
    )
