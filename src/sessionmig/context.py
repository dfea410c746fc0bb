"""What every command shares: the database URL and the acting user, resolved lazily.

Imported at start-up: the store is imported only when a command touches it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sessionmig.errors import StoreUnavailable, UsageError, os_reason
from sessionmig.i18n import _

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from sessionmig.access import Actor


@dataclass
class AppContext:
    db: str | None = None
    actor_email: str | None = None
    _engine: Any = field(default=None, repr=False)
    _actor: Any = field(default=None, repr=False)
    # What this run has committed, in words, so that no later error, interruption or
    # output failure says "nothing was changed" (the root command reads `commit_note`).
    _committed: list[str] = field(default_factory=list, repr=False)
    # A write transaction committed that no command has described yet.
    _unreported_commit: bool = field(default=False, repr=False)

    def committed(self, what: str | None) -> None:
        """Record what a write just committed, in words, or None when it changed nothing
        (a command calls it right after the store; every write transaction commits, a
        no-op too)."""
        if what:
            self._committed.append(what)
        self._unreported_commit = False

    def commit_note(self) -> str | None:
        """`already committed: …` when this run changed the store, else None."""
        parts = list(self._committed)
        if self._unreported_commit:
            parts.append(
                _(
                    "a change was committed just before this happened "
                    "(see `sessionmig history` and `sessionmig db check`)"
                )
            )
        return _("already committed: {what}").format(what="; ".join(parts)) if parts else None

    def _on_commit(self, conn: Any) -> None:
        if conn.get_execution_options().get("sessionmig_write"):
            self._unreported_commit = True

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
                _make_store_directory(os.path.dirname(url.database))
                for suffix in ("", *store_engine.SQLITE_SIDE_FILES):
                    _make_private(url.database + suffix, store_engine.PRIVATE_FILE)
            eng = store_engine.create(url)
            from sqlalchemy import event

            event.listen(eng, "commit", self._on_commit)
            if require_schema:
                with store_engine.translate_errors(url):
                    current = store_engine.schema_revision(eng)
                store_engine.refuse_newer_schema(current, url)
                if current != store_engine.SCHEMA_HEAD:
                    if self.is_default_store:
                        from sessionmig.store import schema

                        with store_engine.translate_errors(url):
                            schema.upgrade(eng)
                        made = (
                            _("the embedded store was created ({where})")
                            if current is None
                            else _("the embedded store was upgraded ({where})")
                        )
                        self.committed(made.format(where=store_engine.safe_url(url)))
                    elif current is None:
                        raise StoreUnavailable(
                            store_engine.not_initialised(store_engine.safe_url(url))
                        )
                    else:
                        raise StoreUnavailable(
                            _(
                                "the database schema is at {revision}, this version needs "
                                "{head}: run `sessionmig --db {where} db init`"
                            ).format(
                                revision=current,
                                head=store_engine.SCHEMA_HEAD,
                                where=store_engine.safe_url(url),
                            )
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
                raise UsageError(_("no acting user: pass --as EMAIL or set SESSIONMIG_ACTOR"))
            require_text("--as", self.actor_email)
            from sessionmig.store import queries

            self._actor = queries.resolve_actor(self, self.actor_email)
        return self._actor  # type: ignore[no-any-return]


def require_text(option: str, value: str) -> str:
    """`value` when it is text; a command-line word that holds bytes which are not UTF-8
    (Python hands them over as lone surrogates) is exit 2, not a driver's crash."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(_("{option}: not valid UTF-8 text").format(option=option)) from None
    return value


# The embedded store is private to its OS user, whatever the umask (SPEC, "Identity on a
# shared store"): its directory 0700; the file modes are store.engine.PRIVATE_FILE.
PRIVATE_DIR = 0o700


def _make_store_directory(path: str) -> None:
    """The default store's directory; one line and exit 5 when it cannot be made (a
    read-only parent, XDG_DATA_HOME naming a file)."""
    try:
        os.makedirs(path, mode=PRIVATE_DIR, exist_ok=True)
    except OSError as exc:
        raise StoreUnavailable(
            _(
                "cannot create the store directory {path}: {error} "
                "(give another place with --db sqlite:///PATH, SESSIONMIG_DB or XDG_DATA_HOME)"
            ).format(path=path, error=os_reason(exc))
        ) from None
    if not os.path.isdir(path):
        raise StoreUnavailable(
            _("cannot create the store directory {path}: not a directory").format(path=path)
        )
    _make_private(path, PRIVATE_DIR)


def _make_private(path: str, mode: int) -> None:
    """Take group and other access away from what the current user owns (a store made
    by an older sessionmig, or a directory made under a permissive umask)."""
    try:
        st = os.stat(path)
        if st.st_uid == os.getuid() and st.st_mode & 0o077:
            os.chmod(path, mode)
    except OSError:
        pass  # nothing to tighten, or not ours: SQLite reports what matters
