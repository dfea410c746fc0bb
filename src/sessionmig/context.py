"""What every command shares: the database URL and the acting user, resolved lazily.

Imported at start-up: the store is imported only when a command touches it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sessionmig.errors import PermissionDenied, StoreUnavailable, UsageError, os_reason
from sessionmig.i18n import _

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from sessionmig.access import Actor
    from sessionmig.store.identity import Login


@dataclass
class AppContext:
    db: str | None = None
    actor_email: str | None = None
    _engine: Any = field(default=None, repr=False)
    _actor: Any = field(default=None, repr=False)
    _login: Any = field(default=None, repr=False)
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

    def _on_commit(self) -> None:
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
            store_engine.on_committed(eng, self._on_commit)
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

    def _on_postgres(self) -> bool:
        return (self.db or "").lower().startswith("postgres")

    def login(self, *, require_schema: bool = True) -> Login:
        """Who is connected (store/identity.py): on PostgreSQL the database login, on
        SQLite the OS user, always the operator."""
        if self._login is None:
            from sessionmig.store import identity, queries

            with queries.reading(self.engine(require_schema=require_schema)) as conn:
                self._login = identity.who(conn, linked=require_schema)
        return self._login  # type: ignore[no-any-return]

    def require_operator(self, command: str, *, require_schema: bool = True) -> None:
        """`load`, `db init`, `db check`, `demo` and `logins` are the operator's (the
        schema's owner, a superuser or a BYPASSRLS role): anyone else is exit 3."""
        if not self._on_postgres():
            return  # SQLite: whoever opens the file owns it
        login = self.login(require_schema=require_schema)
        if not login.operator:
            raise PermissionDenied(
                _(
                    "`sessionmig {command}` is for the operator only (the owner of the "
                    "schema); logged in as {login}"
                ).format(command=command, login=login.login)
            )

    def actor(self) -> Actor:
        """The acting user: `--as` for the operator; on PostgreSQL a linked login acts as
        its own user (`--as` optional, someone else's refused)."""
        if self._actor is None:
            from sessionmig.emails import email_key

            if not self.actor_email and not self._on_postgres():
                raise UsageError(_("no acting user: pass --as EMAIL or set SESSIONMIG_ACTOR"))
            if self.actor_email:
                require_text("--as", self.actor_email)
            login = self.login()
            if login.operator:
                if not self.actor_email:
                    raise UsageError(_("no acting user: pass --as EMAIL or set SESSIONMIG_ACTOR"))
                email: str | None = self.actor_email
                user_id = None
            elif login.user_id is None:
                from sessionmig.store.engine import not_linked

                raise PermissionDenied(not_linked(login.login))
            else:
                assert login.email is not None
                if self.actor_email and email_key(self.actor_email) != email_key(login.email):
                    raise PermissionDenied(
                        _("logged in as {login} ({email}); --as {other} refused").format(
                            login=login.login, email=login.email, other=self.actor_email
                        )
                    )
                email, user_id = None, login.user_id
            from sessionmig.store import queries

            with queries.reading(self.engine()) as conn:
                self._actor = queries.resolve_actor(conn, email, user_id)
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
