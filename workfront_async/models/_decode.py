"""Answers decoded straight into row classes: the response parsers of typed calls.

A classic answer is ``{"data": [...]}`` (a search page) or ``{"data": {...}}``
(one object). The parser of a typed call decodes the body with a
``msgspec.json.Decoder`` of exactly that envelope, holding the row class: no
dict is built. A body that does not fit the envelope (an error, HTTP 200
with ``{"error": ...}`` included, or text that is not JSON) goes to the
untyped parser, which raises the error Workfront meant; a well-formed answer
whose values do not fit the class raises a ``ResponseError`` that says where
and what to do.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

import msgspec

from .._core.exceptions import ResponseError
from .._core.request import decode_page, parse_classic
from ._model import Model

__all__ = ["check_model", "one_parser", "page_parser"]

M = TypeVar("M", bound=Model)


class _Page(msgspec.Struct, Generic[M], gc=False):
    data: list[M]


class _One(msgspec.Struct, Generic[M], gc=False):
    data: M | list[M]


def check_model(model: object) -> type[Model]:
    """``model`` if it is a generated row class, else a clear ``TypeError``."""
    if isinstance(model, type) and issubclass(model, Model) and model.__wf_obj__:
        return model
    raise TypeError(
        f"{model!r} is not a row class of a generated package; pass an object code "
        "('task') or a class that `workfront-async codegen` wrote (Task)"
    )


def _drifted(
    model: type[Model], exc: msgspec.ValidationError, status: int, method: str, url: str
) -> Exception:
    error = ResponseError(
        f"the answer does not fit {model.__name__}: {exc}. The tenant's metadata may have "
        "changed since the package was generated: `workfront-async codegen --check` says "
        "what changed, and generating the package again fixes it",
        status=status,
        method=method,
        url=url,
    )
    # Not retried: the same request would bring the same answer.
    error.retryable = False
    return error


def _parser(model: type[Model], decoder: msgspec.json.Decoder[Any]) -> Any:
    def parse(
        status: int,
        content: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        method: str = "",
        url: str = "",
        secrets: Sequence[str] = (),
    ) -> Any:
        drift: msgspec.ValidationError | None = None
        if status == 200 and content:
            try:
                return decode_page(decoder.decode, content).data
            except msgspec.ValidationError as exc:
                drift = exc
            except msgspec.DecodeError:
                pass
        # Not the envelope: an error (raised here, with its status and class), or a
        # well-formed answer whose values do not fit the class.
        parse_classic(status, content, headers=headers, method=method, url=url, secrets=secrets)
        if drift is not None:
            raise _drifted(model, drift, status, method, url)
        raise ResponseError("the answer is not a classic API answer", method=method, url=url)

    return parse


@functools.cache
def page_parser(model: type[Model]) -> Any:
    """The parser of a search page of ``model`` rows."""
    return _parser(model, msgspec.json.Decoder(_Page[model]))  # type: ignore[valid-type]


@functools.cache
def one_parser(model: type[Model]) -> Any:
    """The parser of one ``model`` object (or a list of them)."""
    return _parser(model, msgspec.json.Decoder(_One[model]))  # type: ignore[valid-type]
