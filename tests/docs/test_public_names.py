"""Public names print under the package, the way users import them."""

from __future__ import annotations

import pickle
import traceback

import pytest

import workfront_async
from workfront_async import QueryError


@pytest.mark.parametrize("name", [n for n in workfront_async.__all__ if n != "__version__"])
def test_public_classes_and_functions_live_under_the_package(name: str) -> None:
    obj = getattr(workfront_async, name)
    if isinstance(obj, type) or (callable(obj) and hasattr(obj, "__qualname__")):
        assert obj.__module__ == "workfront_async"


def test_a_traceback_names_the_public_exception() -> None:
    try:
        raise QueryError("bad")
    except QueryError as exc:
        text = "".join(traceback.format_exception(exc))
    assert text.rstrip().endswith("workfront_async.QueryError: bad")
    assert "_exceptions" not in text.splitlines()[-1]


def test_errors_still_pickle() -> None:
    # pickle finds a class by its __module__: the package must export it.
    again = pickle.loads(pickle.dumps(QueryError("bad")))
    assert type(again) is QueryError
    assert str(again) == "bad"
