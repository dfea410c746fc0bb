"""e-mail keys: app_user.email_key (unique) and migration_record.actor_email_key

E-mail addresses are compared by `sessionmig.emails.email_key` (canonical caseless
matching, computed in Python so both backends agree); the keys are backfilled here for
the rows already in the store. Two users whose addresses have one key (possible before:
the old UNIQUE(email) is case-sensitive) stop the upgrade with one line naming them.

No table is rebuilt: SQLite adds the columns in place (`NOT NULL DEFAULT ''`, the only
way to add a NOT NULL column there; the loader and the migration always write the key),
so foreign keys and the append-only triggers stay. The triggers are lifted only for the
backfill of the records' keys, inside this transaction.

Revision ID: 0004_email_key
Revises: 0003_store_id
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sessionmig.emails import email_key
from sessionmig.errors import StoreUnavailable

revision: str = "0004_email_key"
down_revision: str | None = "0003_store_id"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "migration records are append-only"  # as in 0002_append_only


def _add_key_columns(sqlite: bool) -> None:
    for table, column in (("app_user", "email_key"), ("migration_record", "actor_email_key")):
        if sqlite:
            op.execute(
                sa.text(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR(500) NOT NULL DEFAULT ''")
            )
        else:
            op.add_column(table, sa.Column(column, sa.String(500), nullable=True))


def _backfill_users(bind: sa.Connection) -> None:
    users = bind.execute(sa.text("SELECT id, email FROM app_user ORDER BY id")).all()
    owner: dict[str, int] = {}
    rows = []
    for user_id, email in users:
        key = email_key(email)
        if key in owner:
            raise StoreUnavailable(
                f"cannot upgrade the schema to {revision}: users {owner[key]} and {user_id} "
                f"have the same e-mail address once compared without case ({key!r}); give "
                "one of them another address (a `load` with an older sessionmig), then retry"
            )
        owner[key] = user_id
        rows.append({"id": user_id, "key": key})
    if rows:
        bind.execute(sa.text("UPDATE app_user SET email_key = :key WHERE id = :id"), rows)


def _backfill_records(bind: sa.Connection, sqlite: bool) -> None:
    emails = [
        e for (e,) in bind.execute(sa.text("SELECT DISTINCT actor_email FROM migration_record"))
    ]
    if not emails:
        return
    if sqlite:
        op.execute(sa.text("DROP TRIGGER trg_migration_record_no_update"))
    else:
        op.execute(
            sa.text("ALTER TABLE migration_record DISABLE TRIGGER trg_migration_record_no_change")
        )
    bind.execute(
        sa.text("UPDATE migration_record SET actor_email_key = :key WHERE actor_email = :email"),
        [{"email": e, "key": email_key(e)} for e in emails],
    )
    if sqlite:
        op.execute(
            sa.text(
                "CREATE TRIGGER trg_migration_record_no_update BEFORE UPDATE ON migration_record "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
        )
    else:
        op.execute(
            sa.text("ALTER TABLE migration_record ENABLE TRIGGER trg_migration_record_no_change")
        )


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    _add_key_columns(sqlite)
    _backfill_users(bind)
    _backfill_records(bind, sqlite)
    if not sqlite:
        op.alter_column("app_user", "email_key", existing_type=sa.String(500), nullable=False)
        op.alter_column(
            "migration_record", "actor_email_key", existing_type=sa.String(500), nullable=False
        )
    op.create_index("ix_app_user_email_key", "app_user", ["email_key"], unique=True)
    op.create_index(
        "ix_migration_record_actor", "migration_record", ["client_id", "actor_email_key"]
    )


def downgrade() -> None:
    op.drop_index("ix_migration_record_actor", table_name="migration_record")
    op.drop_index("ix_app_user_email_key", table_name="app_user")
    for table, column in (("migration_record", "actor_email_key"), ("app_user", "email_key")):
        # Both backends drop a column in place (SQLite >= 3.35): no table rebuild.
        op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
