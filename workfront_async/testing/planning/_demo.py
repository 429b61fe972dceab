"""Demo data of the embedded Planning tenant: deterministic for a seed."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._backend import PlanningBackend

__all__ = ["populate"]

_BASE = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
_USERS = tuple(f"{n:024X}@AdobeID" for n in range(0x5A1B0001, 0x5A1B0001 + 12))
_WORDS = (
    "Spring",
    "Summer",
    "Holiday",
    "Launch",
    "Brand",
    "Retail",
    "Digital",
    "Email",
    "Social",
    "Partner",
    "Loyalty",
    "Webinar",
    "Search",
    "Video",
    "Print",
)
_CHANNELS = ["Email", "Social", "Search", "Display", "Video", "Events", "Print"]
_STATUSES = ["Planned", "In progress", "On hold", "Done", "Cancelled"]
_TACTIC_TYPES = ["Paid", "Owned", "Earned"]
_REGIONS = ["EMEA", "NA", "LATAM", "APAC"]


def _when(rng: random.Random, days: int = 400) -> datetime:
    return _BASE + timedelta(minutes=rng.randrange(days * 24 * 60))


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _maybe(rng: random.Random, value: object, p_empty: float = 0.1) -> object:
    return None if rng.random() < p_empty else value


def populate(backend: PlanningBackend, *, seed: int, records_per_type: int) -> None:
    """Add the demo workspaces, record types and records to ``backend``."""
    rng = random.Random(seed)
    marketing = backend.add_workspace(
        "Marketing plan", id="ws000001", description="Campaigns and their tactics"
    )
    products = backend.add_workspace("Product launches", id="ws000002")

    tactics = backend.add_record_type(
        marketing.id,
        "Tactics",
        [
            {"id": "name", "name": "Name", "type": "text"},
            {"id": "cost", "name": "Cost", "type": "currency"},
            {"id": "tacticType", "name": "Type", "type": "single select", "options": _TACTIC_TYPES},
            {"id": "live", "name": "Live", "type": "boolean"},
            {"id": "launchDate", "name": "Launch date", "type": "date"},
        ],
        id="rt000001",
    )
    campaigns = backend.add_record_type(
        marketing.id,
        "Campaigns",
        [
            {"id": "name", "name": "Name", "type": "text"},
            {"id": "description", "name": "Description", "type": "long text"},
            {"id": "code", "name": "Code", "type": "formula"},
            {"id": "website", "name": "Website", "type": "url"},
            {"id": "priority", "name": "Priority", "type": "number"},
            {"id": "progress", "name": "Progress", "type": "percentage"},
            {"id": "budget", "name": "Budget", "type": "currency"},
            {"id": "startDate", "name": "Start date", "type": "date"},
            {"id": "status", "name": "Status", "type": "single select", "options": _STATUSES},
            {"id": "channels", "name": "Channels", "type": "multi select", "options": _CHANNELS},
            {"id": "owners", "name": "Owners", "type": "people"},
            {"id": "tactics", "name": "Tactics", "type": "reference", "recordTypeId": tactics.id},
            {"id": "approved", "name": "Approved", "type": "boolean"},
            {
                "id": "tacticCost",
                "name": "Tactic cost",
                "type": "lookup",
                "linkedField": {"type": "currency"},
            },
            {"id": "createdAt", "name": "Created", "type": "created at"},
            {"id": "createdBy", "name": "Created by", "type": "created by"},
            {"id": "updatedAt", "name": "Last modified", "type": "updated at"},
            {"id": "updatedBy", "name": "Last modified by", "type": "updated by"},
        ],
        id="rt000002",
    )
    launches = backend.add_record_type(
        products.id,
        "Launches",
        [
            {"id": "name", "name": "Name", "type": "text"},
            {"id": "sku", "name": "SKU", "type": "text"},
            {"id": "price", "name": "Price", "type": "currency"},
            {"id": "launchDate", "name": "Launch date", "type": "date"},
            {"id": "regions", "name": "Regions", "type": "multi select", "options": _REGIONS},
            {"id": "team", "name": "Team", "type": "people"},
            {"id": "confirmed", "name": "Confirmed", "type": "boolean"},
            {"id": "createdAt", "name": "Created", "type": "created at"},
        ],
        id="rt000003",
    )

    tactic_ids: list[str] = []
    tactic_cost: dict[str, float] = {}
    for n in range(records_per_type):
        created = _when(rng)
        cost = round(rng.uniform(100, 50_000), 2)
        record = backend.add_record(
            tactics.id,
            {
                "name": f"{rng.choice(_WORDS)} {rng.choice(_CHANNELS)} tactic {n + 1}",
                "cost": _maybe(rng, cost),
                "tacticType": _maybe(rng, rng.choice(_TACTIC_TYPES)),
                "live": rng.random() < 0.5,
                "launchDate": _maybe(rng, _iso(_when(rng, 500))),
            },
            created_by=rng.choice(_USERS),
            created_at=created,
        )
        tactic_ids.append(record.id)
        tactic_cost[record.id] = cost

    for n in range(records_per_type):
        created = _when(rng)
        creator = rng.choice(_USERS)
        linked = rng.sample(tactic_ids, k=min(len(tactic_ids), rng.randrange(0, 4)))
        name = f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} campaign {n + 1}"
        edited = rng.random() < 0.6
        backend.add_record(
            campaigns.id,
            {
                "name": name,
                "description": _maybe(rng, f"{name}: reach {rng.randrange(1, 90)}k people", 0.3),
                "code": f"CMP-{n + 1:05d}",
                "website": _maybe(rng, f"https://example.com/campaigns/{n + 1}", 0.4),
                "priority": _maybe(rng, rng.randrange(1, 6)),
                "progress": _maybe(rng, rng.randrange(0, 101)),
                "budget": _maybe(rng, round(rng.uniform(1_000, 250_000), 2)),
                "startDate": _maybe(rng, _iso(_when(rng, 500))),
                "status": _maybe(rng, rng.choice(_STATUSES)),
                "channels": rng.sample(_CHANNELS, k=rng.randrange(0, 4)),
                "owners": rng.sample(_USERS, k=rng.randrange(0, 3)),
                "tactics": linked,
                "approved": rng.random() < 0.4,
                "tacticCost": tactic_cost[linked[0]] if linked else None,
            },
            created_by=creator,
            created_at=created,
            updated_by=rng.choice(_USERS) if edited else creator,
            updated_at=created + timedelta(hours=rng.randrange(1, 2000)) if edited else created,
        )

    for n in range(records_per_type):
        backend.add_record(
            launches.id,
            {
                "name": f"{rng.choice(_WORDS)} launch {n + 1}",
                "sku": f"SKU-{rng.randrange(10_000, 99_999)}",
                "price": _maybe(rng, round(rng.uniform(5, 2_000), 2)),
                "launchDate": _maybe(rng, _iso(_when(rng, 700))),
                "regions": rng.sample(_REGIONS, k=rng.randrange(0, 3)),
                "team": rng.sample(_USERS, k=rng.randrange(0, 4)),
                "confirmed": rng.random() < 0.3,
            },
            created_by=rng.choice(_USERS),
            created_at=_when(rng),
        )
