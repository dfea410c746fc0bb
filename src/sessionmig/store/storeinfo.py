"""The store's id (store_info, one row): made once by `db init`, named by every
migration plan (`migrate --dry-run --plan-out`), shown by `db init` and `db check`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from sessionmig.store import tables as t


def read_store_id(conn: Connection) -> str | None:
    """The store's id, or None when its row is missing (a store edited by hand:
    `db check` reports it, `db init` makes a new one)."""
    value = conn.execute(select(t.store_info.c.id)).scalar()
    return None if value is None else str(value)


def ensure_store_id(conn: Connection) -> str:
    """The store's id, made now if the row is missing. Revision 0003_store_id writes it
    when it creates the table; this only repairs a store whose row was deleted. The
    singleton key and ON CONFLICT DO NOTHING make a concurrent caller's row win."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    row = {"singleton": 1, "id": str(uuid.uuid4()), "created_at": datetime.now(UTC)}
    conn.execute(
        dialect.insert(t.store_info)
        .values(row)
        .on_conflict_do_nothing(index_elements=["singleton"])
    )
    found = read_store_id(conn)
    assert found is not None
    return found
