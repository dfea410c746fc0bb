"""migration records are append-only: triggers refuse UPDATE, DELETE (and TRUNCATE)

Revision ID: 0002_append_only
Revises: 0001_initial
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_append_only"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "migration records are append-only"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                sa.text(
                    f"CREATE TRIGGER trg_migration_record_no_{verb.lower()} "
                    f"BEFORE {verb} ON migration_record "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
                )
            )
        return
    op.execute(
        sa.text(
            "CREATE FUNCTION migration_record_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'raise_exception'; "
            "END $$"
        )
    )
    op.execute(
        sa.text(
            "CREATE TRIGGER trg_migration_record_no_change BEFORE UPDATE OR DELETE "
            "ON migration_record FOR EACH ROW EXECUTE FUNCTION migration_record_append_only()"
        )
    )
    op.execute(
        sa.text(
            "CREATE TRIGGER trg_migration_record_no_truncate BEFORE TRUNCATE "
            "ON migration_record FOR EACH STATEMENT "
            "EXECUTE FUNCTION migration_record_append_only()"
        )
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(sa.text("DROP TRIGGER IF EXISTS trg_migration_record_no_update"))
        op.execute(sa.text("DROP TRIGGER IF EXISTS trg_migration_record_no_delete"))
        return
    op.execute(
        sa.text("DROP TRIGGER IF EXISTS trg_migration_record_no_truncate ON migration_record")
    )
    op.execute(sa.text("DROP TRIGGER IF EXISTS trg_migration_record_no_change ON migration_record"))
    op.execute(sa.text("DROP FUNCTION IF EXISTS migration_record_append_only()"))
