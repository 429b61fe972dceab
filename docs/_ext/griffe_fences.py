"""A griffe extension for the API reference: docstring examples as fenced code.

The docstrings keep the forms that read well in ``help()`` and an editor: a
doctest session (``>>>``) or a reST literal block (a paragraph ending in
``::`` and an indented block). Rendered as Markdown, a ``>>>`` line is a
nested blockquote that runs into the next paragraph, and ``::`` stays in the
text. This rewrites both into fenced code (``pycon`` for sessions, ``python``
for blocks) when mkdocstrings loads the docstrings, so every docstring gets it
without changing the source.
"""

from __future__ import annotations

import builtins
import re
import textwrap
from typing import Any

import griffe

_PROMPT = re.compile(r"^(?P<indent>\s*)>>> ")
_DOCTEST_FLAGS = re.compile(r"\s*#\s*doctest:.*$")
_ROLE = re.compile(r":(?:class|func|meth|mod|attr|exc|obj|data):`~?(?P<target>[^`]+)`")
_LITERAL = re.compile(r"^(?P<text>.*\S)?\s*::\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def fence_examples(text: str) -> str:
    """``text`` with its doctest sessions and ``::`` literal blocks fenced."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    in_fence = False
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            in_fence = not in_fence
            out.append(line)
            i += 1
            continue
        if in_fence:
            out.append(line)
            i += 1
            continue
        prompt = _PROMPT.match(line)
        if prompt:
            # a session: prompts, continuations and output, up to a blank line
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            indent = prompt["indent"]
            if out and out[-1].strip():
                out.append("")
            block = [_DOCTEST_FLAGS.sub("", b) for b in block]
            out += [f"{indent}```pycon", *block, f"{indent}```"]
            continue
        literal = _LITERAL.match(line)
        if literal and i + 1 < len(lines) and not lines[i + 1].strip():
            # the indented block after a blank line, up to the first line indented less
            base = len(line) - len(line.lstrip())
            j = i + 1
            block = []
            while j < len(lines) and (
                not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > base
            ):
                block.append(lines[j])
                j += 1
            while block and not block[-1].strip():
                block.pop()
                j -= 1
            code = [b for b in textwrap.dedent("\n".join(block)).splitlines()]
            while code and not code[0].strip():
                code.pop(0)
            if code:
                pad = " " * base
                if literal["text"]:
                    out += [literal["text"].rstrip() + ":", ""]
                out += [f"{pad}```python", *(f"{pad}{c}" if c else "" for c in code), f"{pad}```"]
                i = j
                continue
        # Sphinx roles (:class:`X`) read as code
        out.append(_ROLE.sub(lambda m: f"``{m['target']}``", line))
        i += 1
    return "\n".join(out)


def _public_names() -> frozenset[str]:
    """Every name a user imports: the ``__all__`` of the package and of its
    public modules."""
    import importlib

    names: set[str] = set()
    for module in ("", ".query", ".export", ".events", ".planning", ".testing", ".blocking"):
        names.update(getattr(importlib.import_module(f"workfront_async{module}"), "__all__", ()))
    return frozenset(names)


class FenceExamples(griffe.Extension):
    """Rewrite each docstring's examples as fenced code (see the module), and
    leave out base classes a user cannot import (``ClientBase``, mix-ins): the
    reference shows what the API offers, inherited members included, not how
    it is built."""

    def __init__(self) -> None:
        super().__init__()
        self._public = _public_names()

    def _shown(self, base: Any) -> bool:
        name = str(base).split("[", 1)[0].rsplit(".", 1)[-1]
        return name in self._public or name in dir(builtins) or name in ("Generic", "Enum")

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fence_examples(obj.docstring.value)
        if isinstance(obj, griffe.Class):
            # the bases stay (inherited members come through them); the class
            # template of docs/_templates shows only these
            obj.extra["workfront_async"]["bases"] = [b for b in obj.bases if self._shown(b)]
