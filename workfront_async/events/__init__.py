"""Event subscriptions: typed events and an ASGI receiver for deliveries."""

from __future__ import annotations

from ..classic._subscriptions import FilterGroup, SubscriptionFilter, Subscriptions
from ._receiver import Event, EventReceiver, parse_event

__all__ = [
    "Event",
    "EventReceiver",
    "FilterGroup",
    "SubscriptionFilter",
    "Subscriptions",
    "parse_event",
]
