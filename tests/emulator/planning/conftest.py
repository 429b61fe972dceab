"""Fixtures of the embedded Planning API tests."""

from __future__ import annotations

import pytest

from workfront_async.testing.planning import PlanningBackend

from ._support import make_backend


@pytest.fixture
def backend() -> PlanningBackend:
    return make_backend()
