"""The classic wing of the embedded Workfront: the REST API (``/attask/api``) and
event subscriptions over one tenant (SQLite). The modules inside are private."""

from __future__ import annotations

from ._event_routes import EventsAPI
from ._routes import ClassicAPI

__all__ = ["ClassicAPI", "EventsAPI"]
