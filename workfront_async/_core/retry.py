"""The retry policy: which failures are retried, how long to wait, when to give up.

Pure: the policy decides, the transport sleeps. In the spirit of stamina: a
total deadline, capped exponential back-off with jitter, ``Retry-After``
honoured, only idempotent calls retried unless the caller opts in, and a
switch that zeroes the back-off for tests.
"""

from __future__ import annotations

import random
from typing import Final

import attrs

from .exceptions import APIError, QueryError, ResponseError, TransportError

__all__ = ["Retry"]

_RETRYABLE_STATUS: Final = frozenset({429, 502, 503, 504})


def _positive_int(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise QueryError(f"Retry({attribute.name}={value}): must be at least 1 (1 = no retries)")


def _non_negative(_inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise QueryError(f"Retry({attribute.name}={value}): must not be negative")


@attrs.frozen(slots=True)
class Retry:
    """How a failed call is retried.

    ``attempts`` counts the first try (``attempts=1`` never retries);
    ``deadline`` caps the total time in seconds spent on one call including
    back-off; the wait before retry ``n`` is ``min(backoff_max,
    backoff_base * 2**(n-1))``, randomised to between half and all of that when
    ``jitter`` is on, or the server's ``Retry-After`` when it is longer.
    Writes (create, update, delete, actions, uploads) are retried only with
    ``retry_writes=True``.
    """

    attempts: int = attrs.field(default=5, validator=_positive_int)
    deadline: float = attrs.field(default=120.0, validator=_non_negative)
    backoff_base: float = attrs.field(default=0.5, validator=_non_negative)
    backoff_max: float = attrs.field(default=30.0, validator=_non_negative)
    jitter: bool = True
    retry_writes: bool = False

    @classmethod
    def none(cls) -> Retry:
        """A policy that never retries."""
        return cls(attempts=1)

    def without_backoff(self) -> Retry:
        """The same policy with every wait zeroed (``Retry-After`` ignored): for tests."""
        return attrs.evolve(self, backoff_base=0.0, backoff_max=0.0)

    def is_retryable(self, error: BaseException, *, idempotent: bool) -> bool:
        """Whether ``error`` may be retried for a call that is (or is not) idempotent."""
        if not idempotent and not self.retry_writes:
            return False
        if isinstance(error, APIError):
            return error.status in _RETRYABLE_STATUS or bool(error.retryable)
        if isinstance(error, ResponseError):
            # an answer that the same request would bring again (too large, or
            # not fitting a typed row class) says so with ``retryable = False``
            return bool(error.retryable)
        return isinstance(error, TransportError)

    def delay(
        self,
        retry_number: int,
        *,
        retry_after: float | None = None,
        rng: random.Random | None = None,
    ) -> float:
        """Seconds to wait before retry number ``retry_number`` (1 = the first retry)."""
        if self.backoff_max == 0:
            return 0.0
        wait = min(self.backoff_max, self.backoff_base * 2.0 ** max(0, retry_number - 1))
        if self.jitter and wait > 0:
            wait = (rng or random).uniform(wait / 2, wait)
        if retry_after is not None and retry_after > wait:
            wait = retry_after
        return wait
