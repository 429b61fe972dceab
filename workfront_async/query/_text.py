"""Parse the query language written as text, safely.

The text is Python expression syntax over bare field names::

    status == "CUR" | assignedTo.name.contains("Steve")
    (plannedHours >= 8) & ~project.name.icontains("test")
    status in ["CUR", "PLN"] and not assignedTo.name is None

It is parsed with :mod:`ast` and walked node by node: only field names,
attribute access, ``[...]`` subscripts with a string, literals, the query
methods, comparisons, ``& | ~`` and ``and or not`` are accepted. Nothing is
ever evaluated by Python, so the text cannot run code.

Besides the Python operators the text accepts ``and``/``or``/``not`` (which
bind looser than comparisons, so ``a == 1 or b == 2`` needs no parentheses),
``x in [...]`` / ``x not in [...]`` for ``isin``/``notin`` and ``x is None`` /
``x is not None`` for ``is_null``/``not_null``. Fields may be written with
the ``Q.`` prefix of the Python spelling (``Q.status == "CUR"``).

Hostile text is refused with a :class:`QueryError`, never a ``RecursionError``
or ``MemoryError``: the text is at most ``MAX_TEXT`` characters and conditions
nest at most ``MAX_NESTING`` levels (a chain of ``&`` or ``|`` does not nest).
Two values joined by ``|`` or ``&`` (``priority == 1 | 2``) are refused
rather than folded by Python into another number.
"""

from __future__ import annotations

import ast
import tokenize
from collections.abc import Callable
from typing import Any

from .._core.exceptions import QueryError
from ._expr import MAX_NESTING, Expr, Hole, and_, or_

__all__ = ["parse_query"]

MAX_TEXT = 100_000
_METHODS = frozenset(
    {
        "contains",
        "icontains",
        "not_contains",
        "isin",
        "notin",
        "between",
        "is_null",
        "not_null",
        "after",
        "before",
        "op",
        "has_any",
        "has_all",
        "has_none",
        "is_exactly",
    }
)
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}


def parse_query(text: str) -> Any:
    """Turn query text into a ``Q`` expression. Raises :class:`QueryError`
    pointing at the line and column of anything it does not accept, and, when
    the text looks like another query language (``status = INP``, ``&&``,
    ``AND``, ``like``, unquoted text), the corrected query to write."""
    try:
        return _parse(text)
    except QueryError as exc:
        hint = suggest(text)
        if hint is None:
            raise
        raise QueryError(f"{exc}\n{hint}") from None


def _parse(text: str) -> Any:
    from . import Q

    if len(text) > MAX_TEXT:
        raise QueryError(f"query text is {len(text)} characters; at most {MAX_TEXT} are accepted")
    source = text.strip()
    if not source:
        raise QueryError('the query text is empty; write a condition such as status == "CUR"')
    try:
        tree = ast.parse(source, mode="eval")
    except (RecursionError, MemoryError):
        # CPython's parser gives up on very deep nesting this way (e.g. 20,000 `~`).
        raise QueryError(
            "the query is too deep for Python's parser (very long chains of & or |, or "
            "deep nesting); join many conditions with `and` / `or`, which stay flat, or "
            'list values with status in ["CUR", "PLN"]'
        ) from None
    except SyntaxError as exc:
        lineno = exc.lineno or 1
        if not exc.offset:
            # Python reports "unexpected end of input" at offset 0.
            lines = source.splitlines() or [""]
            lineno = len(lines)
            col, msg = len(lines[-1]), "the query ends too early"
        else:
            col, msg = exc.offset - 1, exc.msg
        raise QueryError(_pointer(source, lineno, col, f"syntax error: {msg}")) from None
    depth = _nesting(tree.body)
    if depth > MAX_NESTING:
        raise QueryError(_too_deep(depth))
    return _Walker(source, Q).walk(tree.body)


def _too_deep(depth: int) -> str:
    return (
        f"the query nests too deeply ({depth} levels; at most {MAX_NESTING}): drop doubled "
        "not/~, join conditions in one flat chain (a and b and c), or list values "
        'with status in ["CUR", "PLN"]'
    )


def _nesting(root: ast.AST) -> int:
    """How deeply conditions nest in ``root``, counted without recursion. A
    chain of one binary operator (``a & b & c``, parsed as ``(a & b) & c``)
    counts as one level, as the expression tree flattens it."""
    deepest = 0
    stack: list[tuple[ast.AST, int, ast.AST | None]] = [(root, 1, None)]
    while stack:
        node, depth, parent = stack.pop()
        if (
            isinstance(node, ast.BinOp)
            and isinstance(parent, ast.BinOp)
            and type(node.op) is type(parent.op)
            and parent.left is node
        ):
            depth -= 1
        deepest = max(deepest, depth)
        if depth > MAX_NESTING:
            break
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + 1, node))
    return deepest


def _pointer(source: str, lineno: int, col: int, message: str) -> str:
    lines = source.splitlines() or [""]
    line = lines[min(max(lineno, 1), len(lines)) - 1]
    return f"{message} at line {lineno}, column {col + 1}\n  {line}\n  {' ' * col}^"


class _Walker:
    def __init__(self, source: str, root: Any) -> None:
        self.source = source
        self.root = root

    def fail(self, node: ast.AST, message: str) -> QueryError:
        return QueryError(
            _pointer(
                self.source, getattr(node, "lineno", 1), getattr(node, "col_offset", 0), message
            )
        )

    def walk(self, node: ast.expr) -> Any:
        if isinstance(node, ast.BoolOp):
            parts = [self.walk(v) for v in node.values]
            return (and_ if isinstance(node.op, ast.And) else or_)(*parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.Invert)):
            return ~self.walk(node.operand)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitOr, ast.BitAnd)):
            return self.chain(node)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.fail(node, f"expected a condition, found {_describe(node)}")

    def chain(self, node: ast.BinOp) -> Any:
        # `a & b & c` parses as `(a & b) & c`: walk the left spine in a loop,
        # not by recursion, so that long chains cannot exhaust the stack, and
        # combine all operands at once (folding pairwise is quadratic).
        op = type(node.op)
        spine = [node]
        while isinstance(spine[-1].left, ast.BinOp) and type(spine[-1].left.op) is op:
            spine.append(spine[-1].left)
        spine.reverse()
        first = spine[0]
        if _is_literal(first.left) and _is_literal(first.right):
            raise self.fail(first, _two_values(first))
        parts = [self.operand(first.left)] + [self.operand(p.right) for p in spine]
        if all(isinstance(p, Expr) for p in parts[1:]):
            # A value first is a hole that the comparison around fills, as in Python.
            head = parts[0] if isinstance(parts[0], Expr) else Hole(parts[0])
            return (or_ if op is ast.BitOr else and_)(head, *parts[1:])
        out = parts[0]
        for part, right in zip(spine, parts[1:], strict=True):
            try:
                out = out | right if op is ast.BitOr else out & right
            except TypeError as exc:
                raise self.fail(part, str(exc)) from None
        return out  # pragma: no cover - a value after the first always raises above

    def check_values(self, node: ast.BinOp, field: str) -> None:
        first = node
        while isinstance(first.left, ast.BinOp) and type(first.left.op) is type(node.op):
            first = first.left
        if _is_literal(first.left) and _is_literal(first.right):
            raise self.fail(first, _two_values(first, field))

    def operand(self, node: ast.expr) -> Any:
        # Either side of | and & may be a literal: Python's precedence turns
        # `status == "CUR" | cond` into `status == ("CUR" | cond)` and the
        # query language fills the hole, exactly as in Python code.
        if _is_literal(node):
            return self.literal(node)
        return self.walk(node)

    def compare(self, node: ast.Compare) -> Any:
        if len(node.ops) != 1:
            raise self.fail(
                node,
                "chained comparisons are ambiguous; put parentheses around each comparison, "
                'e.g. (status == "CUR") | (priority > 2)',
            )
        op = node.ops[0]
        left, right = node.left, node.comparators[0]
        if isinstance(op, (ast.In, ast.NotIn)):
            field = self.field(left)
            values = self.literal(right)
            if not isinstance(values, (list, tuple)):
                raise self.fail(right, '`in` needs a list, e.g. status in ["CUR", "PLN"]')
            return field.isin(values) if isinstance(op, ast.In) else field.notin(values)
        if isinstance(op, (ast.Is, ast.IsNot)):
            if not (isinstance(right, ast.Constant) and right.value is None):
                raise self.fail(right, "`is` only compares with None (is_null / not_null)")
            field = self.field(left)
            return field.is_null() if isinstance(op, ast.Is) else field.not_null()
        fn = _COMPARE.get(type(op))
        if fn is None:
            raise self.fail(node, f"unsupported comparison {type(op).__name__}")
        if _is_field(left):
            lhs = self.field(left)
            hole = isinstance(right, ast.BinOp) and isinstance(right.op, (ast.BitOr, ast.BitAnd))
            if hole:
                assert isinstance(right, ast.BinOp)
                self.check_values(right, ast.unparse(left))
            rhs = self.walk(right) if hole else self.literal(right)
        elif _is_field(right):
            # `"CUR" == status` is read as `status == "CUR"` (comparison flipped).
            if isinstance(left, ast.BinOp) and isinstance(left.op, (ast.BitOr, ast.BitAnd)):
                self.check_values(left, ast.unparse(right))
            lhs = self.field(right)
            rhs = self.literal(left)
            fn = _COMPARE[_FLIP[type(op)]]
        else:
            raise self.fail(node, "a comparison needs a field on one side")
        try:
            return fn(lhs, rhs)
        except TypeError as exc:
            raise self.fail(node, str(exc)) from None

    def call(self, node: ast.Call) -> Any:
        func = node.func
        if isinstance(func, ast.Name) and func.id == "exists":
            return self.exists(node)
        if isinstance(func, ast.Attribute) and _is_root(func.value) and func.attr == "exists":
            return self.exists(node)  # Q.exists(...), the Python spelling
        if not isinstance(func, ast.Attribute) or func.attr not in _METHODS:
            allowed = ", ".join(sorted(_METHODS))
            raise self.fail(node, f"only these methods can be called: {allowed}")
        field = self.field(func.value)
        args = [self.literal(a) for a in node.args]
        kwargs = {}
        for kw in node.keywords:
            if kw.arg is None:
                raise self.fail(kw.value, "** arguments are not accepted")
            kwargs[kw.arg] = self.literal(kw.value)
        try:
            return getattr(field, func.attr)(*args, **kwargs)
        except (TypeError, ValueError) as exc:
            raise self.fail(node, str(exc)) from None

    def exists(self, node: ast.Call) -> Any:
        if not node.args:
            raise self.fail(
                node, 'exists needs an object code: exists("ASSGN", on={...}, where=...)'
            )
        obj = self.literal(node.args[0])
        kwargs: dict[str, Any] = {}
        for kw in node.keywords:
            if kw.arg == "on":
                kwargs["on"] = self.literal(kw.value)
            elif kw.arg == "where":
                kwargs["where"] = self.walk(kw.value)
            else:
                raise self.fail(kw.value, f"exists takes on= and where=, not {kw.arg}=")
        try:
            return self.root.exists(obj, **kwargs)
        except (TypeError, ValueError) as exc:
            raise self.fail(node, str(exc)) from None

    def field(self, node: ast.expr) -> Any:
        # Names index the query root and fields (never getattr), so that no
        # Python attribute such as __class__ can be reached from the text.
        if isinstance(node, ast.Name):
            return self.root[node.id]
        if isinstance(node, ast.Attribute):
            if _is_root(node.value):
                # The Python spelling `Q.status`, copied from code: the same field.
                return self.root[node.attr]
            return self.field(node.value)[node.attr]
        if isinstance(node, ast.Subscript):
            key = node.slice
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                raise self.fail(node, 'a [...] field name must be a string, e.g. ["DE:Budget"]')
            base = self.root if _is_root(node.value) else self.field(node.value)
            return base[key.value]
        raise self.fail(node, f"expected a field name, found {_describe(node)}")

    def literal(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant) and not isinstance(node.value, (bytes, complex)):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.literal(node.operand)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return [self.literal(e) for e in node.elts]
        if isinstance(node, ast.Dict):
            out = {}
            for k, v in zip(node.keys, node.values, strict=True):
                if k is None:
                    raise self.fail(v, "** in a dict is not accepted")
                out[self.literal(k)] = self.literal(v)
            return out
        raise self.fail(
            node,
            f"expected a value (string, number, list, True/False/None), found {_describe(node)}",
        )


_FLIP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.Eq,
    ast.NotEq: ast.NotEq,
    ast.Lt: ast.Gt,
    ast.LtE: ast.GtE,
    ast.Gt: ast.Lt,
    ast.GtE: ast.LtE,
}


def _two_values(node: ast.BinOp, field: str = "field") -> str:
    sign = "|" if isinstance(node.op, ast.BitOr) else "&"
    left, right = ast.unparse(node.left), ast.unparse(node.right)
    either = "either" if sign == "|" else "both"
    return (
        f"`{left} {sign} {right}` joins two values, which Python would fold into one "
        f"(`1 | 2` is 3): to match {either}, compare the field with each, e.g. "
        f"({field} == {left}) {sign} ({field} == {right})"
        + (f", or write {field} in [{left}, {right}]" if sign == "|" else "")
    )


def _is_root(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "Q"


def _is_field(node: ast.expr) -> bool:
    return isinstance(node, (ast.Name, ast.Attribute, ast.Subscript))


def _is_literal(node: ast.expr) -> bool:
    return isinstance(node, (ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict)) or (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, (ast.USub, ast.UAdd))
        and isinstance(node.operand, ast.Constant)
    )


def _describe(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # pragma: no cover - unparse handles every expression node
        text = type(node).__name__
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(node).__name__.lower()} `{text}`"


# -- hints: the query a person coming from SQL or a shell meant -------------------------

_MAX_HINT_TEXT = 2000  # longer text is machine-made: no guessing
_EQ = "compare with ==, a single = assigns"
_AND_OR = "write and / or (or & / |) instead of && / ||"
_LOWER = "and, or, not, in, is are written in lower case"
_NE = "write != for not equal"
_LIKE = (
    "there is no like operator: .contains() matches part of the text, "
    '.op("like", ...) takes Workfront\'s % wildcards'
)
_QUOTE = "quote text values"
_CONSTANTS = "True, False and None are capitalised"
_IS_NONE = "compare with None as is None / is not None"
_KEYWORDS = frozenset({"and", "or", "not", "in", "is"})
_NULLS = frozenset({"null", "none", "nil"})


def suggest(text: str) -> str | None:
    """``did you mean: <query>  (<why>)`` when rewriting the habits of other
    query languages turns ``text`` into a query that parses; else ``None``."""
    source = text.strip()
    if not source or len(source) > _MAX_HINT_TEXT:
        return None
    reasons: list[str] = []
    try:
        fixed = _fix_values(_fix_tokens(source, reasons), reasons)
    except (SyntaxError, tokenize.TokenError, ValueError, RecursionError, MemoryError):
        return None
    if not reasons or fixed == source:
        return None
    try:
        _parse(fixed)
    except QueryError:
        return None
    return f"did you mean: {fixed}  ({'; '.join(dict.fromkeys(reasons))})"


def _offsets(source: str) -> list[int]:
    """The offset where each line of ``source`` starts (index 0 is line 1)."""
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _apply(source: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        source = source[:start] + replacement + source[end:]
    return source


def _spaced(source: str, start: int, end: int, word: str) -> str:
    """``word`` with a space on each side that has none in ``source``."""
    before = "" if start == 0 or source[start - 1].isspace() else " "
    after = "" if end >= len(source) or source[end].isspace() else " "
    return f"{before}{word}{after}"


def _fix_tokens(source: str, reasons: list[str]) -> str:
    """Operators and keywords of other languages: ``=``, ``&&``, ``||``, ``<>``,
    ``AND``/``OR``/``NOT``, ``x like "%a%"``."""
    import io

    starts = _offsets(source)
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER)
    ]

    def at(pos: tuple[int, int]) -> int:
        return starts[pos[0] - 1] + pos[1]

    edits: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        joined = nxt is not None and nxt.start == tok.end
        start, end = at(tok.start), at(tok.end)
        if tok.type == tokenize.OP and tok.string == "=":
            edits.append((start, end, "=="))
            reasons.append(_EQ)
        elif tok.string in ("&", "|") and joined and nxt is not None and nxt.string == tok.string:
            word = "and" if tok.string == "&" else "or"
            edits.append((start, at(nxt.end), _spaced(source, start, at(nxt.end), word)))
            reasons.append(_AND_OR)
            i += 1
        elif tok.string == "<" and joined and nxt is not None and nxt.string == ">":
            edits.append((start, at(nxt.end), "!="))
            reasons.append(_NE)
            i += 1
        elif tok.type == tokenize.NAME and tok.string.lower() in ("like", "ilike", "cilike"):
            if nxt is None or nxt.type not in (tokenize.STRING, tokenize.NAME) or i == 0:
                return source
            pattern = ast.literal_eval(nxt.string) if nxt.type == tokenize.STRING else nxt.string
            if not isinstance(pattern, str):
                return source
            edits.append((at(tokens[i - 1].end), at(nxt.end), _like(tok.string.lower(), pattern)))
            reasons.append(_LIKE)
            i += 1
        elif (
            tok.type == tokenize.NAME
            and tok.string.lower() in _KEYWORDS
            and tok.string != tok.string.lower()
        ):
            edits.append((start, end, tok.string.lower()))
            reasons.append(_LOWER)
        i += 1
    return _apply(source, edits)


def _quoted(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def _like(op: str, pattern: str) -> str:
    core = pattern[1:-1]
    case = "" if op == "like" else "i"
    if len(pattern) > 2 and pattern[0] == pattern[-1] == "%" and not set(core) & {"%", "_"}:
        return f".{case}contains({_quoted(core)})"
    return f'.op("{"like" if op == "like" else "cilike"}", {_quoted(pattern)})'


def _fix_values(source: str, reasons: list[str]) -> str:
    """Values written bare: ``status == INP``, ``[CUR, PLN]``, ``true``, ``= null``."""
    tree = ast.parse(source, mode="eval")
    lines = source.splitlines(keepends=True)
    starts = _offsets(source)

    def at(lineno: int, col: int) -> int:
        # ast columns count UTF-8 bytes; the text is indexed by characters
        line = lines[lineno - 1]
        return starts[lineno - 1] + len(line.encode()[:col].decode(errors="ignore"))

    def span(node: ast.expr) -> tuple[int, int]:
        end_line = node.end_lineno or node.lineno  # set on every parsed node
        end_col = node.end_col_offset or 0
        return at(node.lineno, node.col_offset), at(end_line, end_col)

    edits: list[tuple[int, int, str]] = []

    def value(node: ast.expr) -> None:
        if not isinstance(node, ast.Name):
            return
        start, end = span(node)
        word = node.id.lower()
        if word in ("true", "false"):
            edits.append((start, end, word.capitalize()))
            reasons.append(_CONSTANTS)
        elif word in _NULLS:
            edits.append((start, end, "None"))
            if node.id != "None":
                reasons.append(_CONSTANTS)
        else:
            edits.append((start, end, _quoted(node.id)))
            reasons.append(_QUOTE)

    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare) or len(node.ops) != 1 or not _is_field(node.left):
            continue
        op, right = node.ops[0], node.comparators[0]
        if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, (ast.List, ast.Tuple)):
            for element in right.elts:
                value(element)
            continue
        null = isinstance(right, ast.Name) and right.id.lower() in _NULLS
        if null and isinstance(op, (ast.Eq, ast.NotEq)):
            # `x == null` means `x is None`: rewrite the operator too
            left_end, right_start = span(node.left)[1], span(right)[0]
            negated = "is not" if isinstance(op, ast.NotEq) else "is"
            edits.append((left_end, right_start, f" {negated} "))
            reasons.append(_IS_NONE)
        value(right)
    return _apply(source, edits)
