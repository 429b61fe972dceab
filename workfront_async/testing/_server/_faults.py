"""Injected faults: the error statuses, dropped connections and cut bodies the
emulator answers with, drawn per request from its seeded random generator."""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["FAULT_MESSAGES", "Faults"]

# Workfront's error class and message for each injected status.
FAULT_MESSAGES = {
    429: ("com.attask.common.TooManyRequestsException", "Too many concurrent API requests"),
    500: ("java.lang.RuntimeException", "Internal server error (injected fault)"),
    502: ("com.attask.common.BadGateway", "Bad gateway (injected fault)"),
    503: ("com.attask.common.ServiceUnavailable", "Service unavailable (injected fault)"),
    504: ("com.attask.common.GatewayTimeout", "Gateway timeout (injected fault)"),
}


def _rate(_: Any, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"Faults.{attribute.name} must be between 0 and 1, got {value!r}")


@attrs.frozen
class Faults:
    """Injected failures, drawn per request from the emulator's seeded RNG.

    ``rate``: answer with one of ``statuses`` (Workfront-shaped error body);
    ``drop_rate``: drop the connection without an answer; ``truncate_rate``:
    cut the JSON body in the middle. The request is not processed when it
    gets an error status or is dropped; a truncated answer was processed.
    """

    rate: float = attrs.field(default=0.0, validator=_rate)
    statuses: tuple[int, ...] = attrs.field(default=(429, 500, 503), converter=tuple)
    drop_rate: float = attrs.field(default=0.0, validator=_rate)
    truncate_rate: float = attrs.field(default=0.0, validator=_rate)

    @statuses.validator
    def _check_statuses(self, _: Any, value: tuple[int, ...]) -> None:
        if not value or any(not 400 <= s <= 599 for s in value):
            raise ValueError("Faults.statuses must be a non-empty tuple of 4xx/5xx statuses")
