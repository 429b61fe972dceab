"""Relaxed JSON, as Adobe's "API basics" page writes the ``updates=`` parameter.

The page writes its JSON edits the way JavaScript writes object literals:
``updates={ name: "New Project Name", status: "CUR" }`` and
``updates={ accessRules: [ {accessorID: 'abc123', accessorObjCode: 'USER', coreAction: 'VIEW'} ] }``
(keys without quotes, strings in single quotes). Strict JSON is tried first
(``orjson``); this parser reads what strict JSON refuses. It takes the JSON5
grammar without its numeric extras:

- object keys as strings or as identifiers (``[A-Za-z_$][A-Za-z0-9_$]*``);
- strings in double or single quotes, with JSON's escapes plus ``\\'``,
  ``\\v``, ``\\0``, ``\\xHH`` and a backslash before a line end (JSON5);
- a trailing comma after the last element of an object or array;
- comments (``// ...`` and ``/* ... */``);
- numbers as JSON writes them, with an optional leading ``+``, a leading or
  trailing decimal point, or in hexadecimal (``0x1F``).

``Infinity`` and ``NaN`` are refused (the API stores no such number), as are
values without quotes other than ``true``, ``false`` and ``null``. The parser
is bounded: at most ``MAX_DEPTH`` nested objects and arrays and ``MAX_CHARS``
characters, each read once.
"""

from __future__ import annotations

import re
from typing import Any, Final

__all__ = ["MAX_CHARS", "MAX_DEPTH", "RelaxedJSONError", "loads"]

MAX_DEPTH: Final = 64
MAX_CHARS: Final = 1_000_000

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_NUMBER = re.compile(
    r"[+-]?(?:0[xX][0-9a-fA-F]+|(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
)
_SPACE = frozenset(" \t\n\r\v\f\u00a0\ufeff\u2028\u2029")
_ESCAPES = {
    '"': '"',
    "'": "'",
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "0": "\0",
}
_WORDS = {"true": True, "false": False, "null": None}


class RelaxedJSONError(ValueError):
    """Text that is not relaxed JSON; the message names the line and column."""


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, message: str, pos: int | None = None) -> RelaxedJSONError:
        at = self.pos if pos is None else pos
        line = self.text.count("\n", 0, at) + 1
        column = at - (self.text.rfind("\n", 0, at) + 1) + 1
        return RelaxedJSONError(f"{message} at line {line} column {column} (char {at})")

    def skip(self) -> None:
        """Whitespace and comments."""
        text, n = self.text, len(self.text)
        while self.pos < n:
            ch = text[self.pos]
            if ch in _SPACE:
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = n if end < 0 else end + 1
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.fail("unterminated /* comment")
                self.pos = end + 2
            else:
                return

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def value(self, depth: int) -> Any:
        self.skip()
        ch = self.peek()
        if ch == "{":
            return self.obj(depth + 1)
        if ch == "[":
            return self.array(depth + 1)
        if ch in ('"', "'"):
            return self.string()
        if ch == "":
            raise self.fail("a value was expected, the text ended")
        number = _NUMBER.match(self.text, self.pos)
        if number:
            return self.number(number.group())
        word = _IDENT.match(self.text, self.pos)
        if word and word.group() in _WORDS:
            self.pos = word.end()
            return _WORDS[word.group()]
        if word:
            raise self.fail(
                f"{word.group()!r} is not a value: put text in quotes ('...' or \"...\")"
            )
        raise self.fail(f"unexpected character {ch!r}")

    def number(self, raw: str) -> int | float:
        self.pos += len(raw)
        follows = self.peek()
        if follows and (follows.isalnum() or follows in "_$."):
            raise self.fail(f"a number cannot be followed by {follows!r}")
        body = raw.lstrip("+-")
        sign = -1 if raw.startswith("-") else 1
        if body[:2] in ("0x", "0X"):
            return sign * int(body[2:], 16)
        if any(c in body for c in ".eE"):
            return sign * float(body)
        return sign * int(body)

    def string(self) -> str:
        quote = self.text[self.pos]
        start = self.pos
        self.pos += 1
        out: list[str] = []
        text, n = self.text, len(self.text)
        while True:
            if self.pos >= n:
                raise self.fail("unterminated string", start)
            ch = text[self.pos]
            if ch == quote:
                self.pos += 1
                return "".join(out)
            if ch in "\n\r":
                raise self.fail("a line end inside a string (write \\n)", self.pos)
            if ch != "\\":
                out.append(ch)
                self.pos += 1
                continue
            self.pos += 1
            if self.pos >= n:
                raise self.fail("unterminated string", start)
            esc = text[self.pos]
            self.pos += 1
            if esc in _ESCAPES:
                out.append(_ESCAPES[esc])
            elif esc in ("u", "x"):
                width = 4 if esc == "u" else 2
                digits = text[self.pos : self.pos + width]
                if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                    raise self.fail(f"\\{esc} needs {width} hexadecimal digits")
                code = int(digits, 16)
                self.pos += width
                low = text[self.pos + 2 : self.pos + 6]
                if (
                    0xD800 <= code < 0xDC00
                    and text.startswith("\\u", self.pos)
                    and len(low) == 4
                    and all(c in "0123456789abcdefABCDEF" for c in low)
                    and 0xDC00 <= int(low, 16) < 0xE000
                ):
                    # a surrogate pair written as two escapes is one character (as in JSON)
                    code = 0x10000 + ((code - 0xD800) << 10) + (int(low, 16) - 0xDC00)
                    self.pos += 6
                out.append(chr(code))
            elif esc == "\r":
                if text.startswith("\n", self.pos):
                    self.pos += 1
            elif esc in "\n\u2028\u2029":
                pass  # a line continuation
            elif esc.isdigit():
                raise self.fail(f"\\{esc} is not an escape")
            else:
                out.append(esc)  # JSON5: any other character stands for itself

    def key(self) -> str:
        ch = self.peek()
        if ch in ('"', "'"):
            return self.string()
        word = _IDENT.match(self.text, self.pos)
        if word is None:
            raise self.fail("a key was expected (a name or a quoted string)")
        self.pos = word.end()
        return word.group()

    def obj(self, depth: int) -> dict[str, Any]:
        if depth > MAX_DEPTH:
            raise self.fail(f"more than {MAX_DEPTH} nested objects and arrays")
        self.pos += 1
        out: dict[str, Any] = {}
        while True:
            self.skip()
            if self.peek() == "}":
                self.pos += 1
                return out
            name = self.key()
            self.skip()
            if self.peek() != ":":
                raise self.fail(f"':' was expected after the key {name!r}")
            self.pos += 1
            out[name] = self.value(depth)
            self.skip()
            ch = self.peek()
            if ch == ",":
                self.pos += 1
            elif ch == "}":
                self.pos += 1
                return out
            else:
                raise self.fail("',' or '}' was expected")

    def array(self, depth: int) -> list[Any]:
        if depth > MAX_DEPTH:
            raise self.fail(f"more than {MAX_DEPTH} nested objects and arrays")
        self.pos += 1
        out: list[Any] = []
        while True:
            self.skip()
            if self.peek() == "]":
                self.pos += 1
                return out
            out.append(self.value(depth))
            self.skip()
            ch = self.peek()
            if ch == ",":
                self.pos += 1
            elif ch == "]":
                self.pos += 1
                return out
            else:
                raise self.fail("',' or ']' was expected")


def loads(text: str) -> Any:
    """Parse relaxed JSON; ``RelaxedJSONError`` says where it stops making sense."""
    if len(text) > MAX_CHARS:
        raise RelaxedJSONError(f"the text is longer than {MAX_CHARS} characters")
    reader = _Reader(text)
    result = reader.value(0)
    reader.skip()
    if reader.pos != len(text):
        raise reader.fail("extra text after the value")
    return result
