"""The public surface: everything in ``__all__`` imports, nothing private leaks."""

from __future__ import annotations

import importlib

import pytest

import workfront_async

PUBLIC_MODULES = [
    "workfront_async",
    "workfront_async.classic",
    "workfront_async.cli",
    "workfront_async.codegen",
    "workfront_async.events",
    "workfront_async.planning",
    "workfront_async.export",
    "workfront_async.models",
    "workfront_async.query",
    "workfront_async.testing",
]


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_all_names_import(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert module.__all__ == sorted(module.__all__, key=str), "keep __all__ sorted"
    for name in module.__all__:
        assert getattr(module, name) is not None, name


def test_errors_form_one_tree() -> None:
    from workfront_async import WorkfrontError

    for name in workfront_async.__all__:
        obj = getattr(workfront_async, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert issubclass(obj, WorkfrontError), name


def test_query_error_is_value_error() -> None:
    assert issubclass(workfront_async.QueryError, ValueError)


def test_timeout_is_builtin_timeout_without_shadowing_it() -> None:
    assert issubclass(workfront_async.RequestTimeout, TimeoutError)
    assert "TimeoutError" not in workfront_async.__all__
