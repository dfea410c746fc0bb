"""A set of ids as ONE bound parameter, so a statement's size and count do not grow
with the batch: a JSON array read by `json_each` on SQLite, an array with `= ANY` on
PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, any_, bindparam, column, func, select
from sqlalchemy.dialects.postgresql import ARRAY


def in_ids(col: Any, ids: Iterable[int], dialect: str, name: str = "ids") -> ColumnElement[bool]:
    values = [int(i) for i in ids]
    if dialect == "postgresql":
        return col == any_(bindparam(name, values, type_=ARRAY(BigInteger)))  # type: ignore[no-any-return]
    each = func.json_each(bindparam(name, json.dumps(values))).table_valued("value")
    return col.in_(select(column("value")).select_from(each))  # type: ignore[no-any-return]
