"""How many rows a listing asks the store for, and what comes back.

Shared by the commands (which build a `Window` from `--limit`/`--all` and the format),
the store (which turns it into SQL `LIMIT`) and `render` (which says what was left
out). Imported at start-up: no heavy imports here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

# The largest LIMIT both SQLite and PostgreSQL accept (a signed 64-bit integer).
MAX_LIMIT = 2**63 - 1


# NamedTuples, not dataclasses: this module is imported at start-up, where a frozen
# dataclass costs about a millisecond to create.


class Window(NamedTuple):
    """At most `limit` rows (None: every row). With `count_rest`, the store also says how
    many rows matched beyond `limit`, so that a table can say what it left out."""

    limit: int | None = None
    count_rest: bool = False


EVERY_ROW = Window()


class Page(NamedTuple):
    """The rows of a listing, in order, and how many matching rows were left out.

    `rows` is only ever iterated once by `render`, so a store may hand over an
    iterator (JSON and CSV need no list); a table materialises its bounded rows."""

    rows: Iterable[Mapping[str, Any]]
    left_out: int = 0
