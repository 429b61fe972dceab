"""The classic API's search modifiers, as the server reads ``<field>_Mod=<modifier>``.

The emulator's own table, written from Adobe's pages (never taken from a
client's query language, so that a client's mistake cannot pass unseen):

* Adobe, "API basics" (``help/quicksilver/wf-api/general/api-basics.md``,
  section "Using Search Modifiers"): ``eq``, ``ne``, ``gte``, ``lte``,
  ``isnull``, ``notnull``, ``contains``, ``between``, with ``_Range`` as the
  upper bound of ``between``; section "Using OR Statements" uses ``cicontains``.
* Adobe, "Filter and condition modifiers"
  (``help/quicksilver/reports-and-dashboards/reports/reporting-elements/
  filter-condition-modifiers.md``), the text-mode modifiers, which are the
  API's filter syntax: ``cieq``, ``cine``, ``ciin``, ``cinotin``, ``cilike``,
  ``cicontains``, ``cinotcontains``, ``contains``, ``notcontains``, ``in``,
  ``notin``, ``eq``, ``ne``, ``gt``, ``lt``, ``gte``, ``lte``, ``like``,
  ``between``, ``notbetween``, ``notnull`` and the blank tests (written
  ``isblank``/``notblank`` in Adobe's text-mode examples, e.g.
  ``parentID_Mod=isblank``).
* docs/api-notes.md §1 Search, for the modifiers no Adobe page lists but the
  API answers: ``nee``, ``cicontainsany``, ``cicontainsall``, ``startswith``,
  ``cistartswith``, ``endswith``, ``ciendswith``, ``allof``.

What each modifier means (SQL in ``_filters``): ``ci`` compares text without
case; the negations ``ne``, ``cine``, ``notcontains``, ``cinotcontains``,
``notin`` and ``cinotin`` also match an empty (NULL) field, while ``nee`` and
``notbetween`` do not; text modifiers never match a number, date or boolean
field and their negations always do.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "CASE_INSENSITIVE",
    "MODIFIERS",
    "MODIFIER_ORDER",
    "MULTI_VALUE",
    "NO_VALUE",
    "RANGE",
    "TEXT_NEGATED",
    "TEXT_ONLY",
]

# Every modifier the server accepts, grouped by the page that names it.
MODIFIER_ORDER: Final = (
    # API basics, "Using Search Modifiers"
    "eq",
    "ne",
    "gte",
    "lte",
    "isnull",
    "notnull",
    "contains",
    "between",
    # Filter and condition modifiers (text mode)
    "gt",
    "lt",
    "cieq",
    "cine",
    "cicontains",
    "notcontains",
    "cinotcontains",
    "like",
    "cilike",
    "in",
    "ciin",
    "notin",
    "cinotin",
    "notbetween",
    "isblank",
    "notblank",
    # docs/api-notes.md §1 Search
    "nee",
    "cicontainsany",
    "cicontainsall",
    "startswith",
    "cistartswith",
    "endswith",
    "ciendswith",
    "allof",
)
MODIFIERS: Final = frozenset(MODIFIER_ORDER)

# Modifiers that take no value (``description_Mod=isnull`` alone).
NO_VALUE: Final = frozenset({"isnull", "notnull", "isblank", "notblank"})
# Modifiers that take a lower bound (the field) and an upper bound (``_Range``).
RANGE: Final = frozenset({"between", "notbetween"})
# Modifiers whose values are a list (the parameter repeated: ``status=CUR&status=PLN``).
MULTI_VALUE: Final = frozenset(
    {"in", "ciin", "notin", "cinotin", "cicontainsany", "cicontainsall", "allof"}
)
# Modifiers that compare text without case (on text fields; elsewhere as their base).
CASE_INSENSITIVE: Final = frozenset(m for m in MODIFIER_ORDER if m.startswith("ci"))
# Text modifiers: they never match a number, date or boolean field ...
TEXT_ONLY: Final = frozenset(
    {
        "contains",
        "notcontains",
        "cicontains",
        "cinotcontains",
        "cicontainsany",
        "cicontainsall",
        "like",
        "cilike",
        "startswith",
        "cistartswith",
        "endswith",
        "ciendswith",
    }
)
# ... and these negations of them always do.
TEXT_NEGATED: Final = frozenset({"notcontains", "cinotcontains"})
