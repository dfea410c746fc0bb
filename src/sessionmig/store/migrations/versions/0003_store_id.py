"""the store's id: one row in store_info, made once (new and existing stores alike)

Revision ID: 0003_store_id
Revises: 0002_append_only
Create Date: 2026-11-24

A migration plan (`migrate --dry-run --plan-out`) names the store it was made on;
`migrate --plan` refuses a plan of another store. The id is a random UUID written
here, in the same transaction that creates the table, so every store gets exactly
one: a fresh one through `db init`, an existing one through the `db init` that
upgrades it. `singleton = 1` (the primary key, CHECKed) makes a second row
impossible, and the insert does nothing if a row is already there.

Issue 11 (row-level security on PostgreSQL): the login group needs SELECT on this
table (it holds no tenant data: no policy), and no login but the operator may write it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision: str = "0003_store_id"
down_revision: str | None = "0002_append_only"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "store_info",
        sa.Column("singleton", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("id", sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("singleton = 1", name=op.f("ck_store_info_one_row")),
        sa.PrimaryKeyConstraint("singleton", name=op.f("pk_store_info")),
    )
    # Both SQLite (>= 3.24) and PostgreSQL know ON CONFLICT DO NOTHING.
    insert = sa.text(
        "INSERT INTO store_info (singleton, id, created_at) VALUES (1, :id, :at) "
        "ON CONFLICT (singleton) DO NOTHING"
    ).bindparams(sa.bindparam("at", type_=sqltypes.UTCDateTime()))
    op.get_bind().execute(insert, {"id": str(uuid.uuid4()), "at": datetime.now(UTC)})


def downgrade() -> None:
    op.drop_table("store_info")
