"""Schema ownership: Alembic upgrades the store to head (`sessionmig db init`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """Create or upgrade the schema to head, all in one transaction; a no-op when it is
    current. Returns the revisions before and after, both read inside the store's
    exclusive lock: of several concurrent `db init`, one upgrades and the others find
    the schema current (and say so). The store's id exists afterwards (revision
    0003_store_id makes it; a deleted row is made again)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    from sessionmig.store.engine import refuse_newer_schema, writing
    from sessionmig.store.storeinfo import ensure_store_id

    cfg = alembic_config()
    with writing(engine, exclusive=True) as conn:
        before = MigrationContext.configure(conn).get_current_revision()
        refuse_newer_schema(before, engine.url)  # Alembic would not know that revision
        # Handed a connection already in a transaction, Alembic runs every migration
        # in it and leaves the commit to `writing` (one transaction for the lot).
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        ensure_store_id(conn)
        after = MigrationContext.configure(conn).get_current_revision()
    return before, after
