"""Event subscriptions: typed events and an ASGI receiver for deliveries."""

from __future__ import annotations

from ._receiver import Event, EventReceiver, parse_event
from ._subscriptions import FilterGroup, SubscriptionFilter, Subscriptions

__all__ = [
    "Event",
    "EventReceiver",
    "FilterGroup",
    "SubscriptionFilter",
    "Subscriptions",
    "parse_event",
]
