"""What every command shares: the database URL and the acting user, resolved lazily.

Imported at start-up: the store is imported only when a command touches it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sessionmig.errors import StoreUnavailable, UsageError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from sessionmig.access import Actor


@dataclass
class AppContext:
    db: str | None = None
    actor_email: str | None = None
    _engine: Any = field(default=None, repr=False)
    _actor: Any = field(default=None, repr=False)

    @property
    def is_default_store(self) -> bool:
        return not self.db

    def engine(self, *, require_schema: bool = True) -> Engine:
        """The engine; the embedded default store is created and initialised on first use."""
        if self._engine is None:
            from sessionmig.store import engine as store_engine

            if self.db:
                url = store_engine.parse_url(self.db)
            else:
                url = store_engine.parse_url(store_engine.default_url())
                assert url.database is not None
                os.makedirs(os.path.dirname(url.database), exist_ok=True)
            eng = store_engine.create(url)
            if require_schema:
                with store_engine.translate_errors(url):
                    current = store_engine.schema_revision(eng)
                if current != store_engine.SCHEMA_HEAD:
                    if self.is_default_store:
                        from sessionmig.store import schema

                        with store_engine.translate_errors(url):
                            schema.upgrade(eng)
                    elif current is None:
                        raise StoreUnavailable(
                            "the database schema is not initialised: run "
                            f"`sessionmig --db {store_engine.safe_url(url)} db init`"
                        )
                    else:
                        raise StoreUnavailable(
                            f"the database schema is at {current}, this version needs "
                            f"{store_engine.SCHEMA_HEAD}: run "
                            f"`sessionmig --db {store_engine.safe_url(url)} db init`"
                        )
            self._engine = eng
        return self._engine  # type: ignore[no-any-return]

    def safe_db(self) -> str:
        from sessionmig.store import engine as store_engine

        return store_engine.safe_url(self.db or store_engine.default_url())

    def actor(self) -> Actor:
        """The acting user (`--as`); required by every command that reads a client's data."""
        if self._actor is None:
            if not self.actor_email:
                raise UsageError("no acting user: pass --as EMAIL or set SESSIONMIG_ACTOR")
            from sessionmig.store import queries

            self._actor = queries.resolve_actor(self, self.actor_email)
        return self._actor  # type: ignore[no-any-return]
