"""Wildcard helpers (docs/api-notes.md §1 Wildcards)."""

from __future__ import annotations

import pytest

from workfront_async import QueryError
from workfront_async.query import customer, now, today, today_begin, today_end, user


def test_wildcards() -> None:
    assert today() == "$$TODAY"
    assert today(-7, "d") == "$$TODAY-7d"
    assert today(1, "w") == "$$TODAY+1w"
    assert today_begin() == "$$TODAYb"
    assert today_begin("m") == "$$TODAYbm"
    assert today_begin("m", -1, "m") == "$$TODAYbm-1m"
    assert today_end() == "$$TODAYe"
    assert today_end(offset=1, unit="w") == "$$TODAYe+1w"
    assert now() == "$$NOW"
    assert now(-2) == "$$NOW-2h"
    assert now(3, "q") == "$$NOW+3q"
    assert user() == "$$USER.ID"
    assert user("homeGroupID") == "$$USER.homeGroupID"
    assert user("roleIDs") == "$$USER.roleIDs"
    assert customer() == "$$CUSTOMER"
    assert customer("ID") == "$$CUSTOMER.ID"


@pytest.mark.parametrize(
    "build",
    [
        lambda: today(1, "x"),
        lambda: today(1, "dd"),
        lambda: today(1.5, "d"),  # type: ignore[arg-type]
        lambda: today(True, "d"),
        lambda: today_begin("z"),
        lambda: user("a.b"),
        lambda: user("ID&x=1"),
    ],
)
def test_bad_wildcards(build: object) -> None:
    with pytest.raises(QueryError):
        build()  # type: ignore[operator]
