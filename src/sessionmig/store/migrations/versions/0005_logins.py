"""logins: app_user.login_role/login_oid, migration_record.login, deleted_session.login

Revision ID: 0005_logins
Revises: 0004_email_key
Create Date: 2026-12-02

Issue 11 ("Identity on a shared store"): a user may be linked to one PostgreSQL role
(`logins link`), kept by name and by OID (`login_role` UNIQUE: a role is linked to at
most one user); every migration record and deletion tombstone keeps the login that wrote
it. Existing rows keep `login` NULL: the columns are added without a default (a
`DEFAULT session_user` would stamp every old row with the login running this upgrade).

On PostgreSQL a BEFORE INSERT trigger sets `login := session_user` on both tables,
ignoring whatever the client sends; on SQLite the tool writes the OS user name. The
store's group role (store/identity.py `group_role_name`, derived from the store id) is
created here, NOLOGIN, if it does not exist yet: `logins link` grants it to each linked
login and revision 0006 grants it its privileges. So the operator running `db init` on
PostgreSQL needs CREATEROLE (or to be a superuser).

No table is rebuilt: both backends add (and drop) the columns in place, so foreign keys
and the append-only triggers stay.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sessionmig.store.identity import group_role_for

revision: str = "0005_logins"
down_revision: str | None = "0004_email_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAMPED = ("migration_record", "deleted_session")


def _group_role(bind: sa.Connection) -> str | None:
    store_id = bind.execute(sa.text("SELECT id FROM store_info")).scalar()
    return None if store_id is None else group_role_for(str(store_id))


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("app_user", sa.Column("login_role", sa.Text(), nullable=True))
    op.add_column("app_user", sa.Column("login_oid", sa.BigInteger(), nullable=True))
    op.create_index("ix_app_user_login_role", "app_user", ["login_role"], unique=True)
    for table in STAMPED:
        op.add_column(table, sa.Column("login", sa.Text(), nullable=True))
    if bind.dialect.name != "postgresql":
        return
    op.execute(
        sa.text(
            "CREATE FUNCTION sessionmig_stamp_login() RETURNS trigger "
            "LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$ BEGIN "
            "NEW.login := session_user; RETURN NEW; END $$"
        )
    )
    for table in STAMPED:
        op.execute(
            sa.text(
                f"CREATE TRIGGER trg_{table}_login BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION sessionmig_stamp_login()"
            )
        )
    group = _group_role(bind)
    if group is not None:
        exists = bind.execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": group}
        ).scalar()
        if not exists:
            quoted = bind.dialect.identifier_preparer.quote_identifier(group)
            op.execute(sa.text(f"CREATE ROLE {quoted} NOLOGIN"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in STAMPED:
            op.execute(sa.text(f"DROP TRIGGER IF EXISTS trg_{table}_login ON {table}"))
        op.execute(sa.text("DROP FUNCTION IF EXISTS sessionmig_stamp_login()"))
        group = _group_role(bind)
        if group is not None:
            quoted = bind.dialect.identifier_preparer.quote_identifier(group)
            op.execute(sa.text(f"DROP ROLE IF EXISTS {quoted}"))
    for table in STAMPED:
        op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN login"))
    op.drop_index("ix_app_user_login_role", table_name="app_user")
    for column in ("login_oid", "login_role"):
        op.execute(sa.text(f"ALTER TABLE app_user DROP COLUMN {column}"))
