"""Column types of the runtime tables that SQLModel would otherwise provide.

The models (models.py) get `sqlmodel.sql.sqltypes.UTCDateTime` for every `datetime`
field; the generated tables.py must not import SQLModel (start-up cost), so the code
generator renders this twin instead. Same storage (`DateTime(timezone=True)`), same
conversions: aware datetimes in, UTC out, a naive value refused. tests/test_schema.py
checks that both behave alike.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Interval, TypeDecorator
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql.operators import OperatorType
from sqlalchemy.types import TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes, returned in UTC (the semantics of sqlmodel's UTCDateTime)."""

    impl = DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def __repr__(self) -> str:
        return "UTCDateTime()"

    def coerce_compared_value(self, op: OperatorType | None, value: Any) -> TypeEngine[Any]:
        # `created_at - timedelta(...)` compares with an interval, not a datetime.
        if isinstance(value, timedelta):
            return Interval()
        return self

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("Datetime values must have timezone information")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            # SQLite has no time zones: the store keeps UTC without an offset.
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
