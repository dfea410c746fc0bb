"""Row-level security as the CLI meets it (PostgreSQL, revision 0006_row_security).

A linked login runs the same statements as the operator acting `--as` its user; the
server filters them. Two things differ, and this module handles both:

- **Silent filtering.** An INSERT ... SELECT whose rows fail a policy inserts fewer
  rows, and an UPDATE or DELETE outside the login's reach changes fewer rows, with no
  error. Writers compare affected row counts with what they meant to change
  (`expect_rows`) and turn a shortfall into exit 3, never a silent no-op.
- **Invisible rows.** The CLI answers "not allowed" (exit 3) for an object of the
  actor's client that their grants do not allow changing, "whether or not they may
  read it", and "not found" (exit 4) for an unknown id. Under row-level security an
  unreadable object is simply absent; `session_events` and `video_communities` ask
  the database (SECURITY DEFINER helpers, limited to the login's own client) which of
  the missing ids exist there, so both answers stay what the operator gets.

A refusal raised by the database itself (SQLSTATE 42501: a privilege not granted, a
`WITH CHECK` policy, the guard triggers) is translated by store.engine.translate_errors
(see `denied`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Connection, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY

from sessionmig.errors import PermissionDenied
from sessionmig.i18n import _

INSUFFICIENT_PRIVILEGE = "42501"

_ACTIVE = "sessionmig_row_security"
# False before the tables exist (`db init` on an empty database) and for the owner.
ACTIVE_SQL = "coalesce(row_security_active(to_regclass('migration_record')), false)"


def remember(conn: Connection, filtered: bool) -> None:
    """What the write lock's statement said (store.engine.writing)."""
    conn.connection.info[_ACTIVE] = filtered


def active(conn: Connection) -> bool:
    """Whether the server filters this connection's reads and writes: PostgreSQL, a login
    that is neither the schema's owner nor a superuser (nor BYPASSRLS). Writers learn it
    with the store's lock; a reader asks once per pooled connection (a connection keeps
    its login)."""
    if conn.dialect.name != "postgresql":
        return False
    info = conn.connection.info
    if _ACTIVE not in info:
        info[_ACTIVE] = bool(conn.execute(text(f"SELECT {ACTIVE_SQL}")).scalar_one())
    return bool(info[_ACTIVE])


def server_now(conn: Connection) -> datetime | None:
    """The server's clock (the transaction's `now()`) when row-level security is active:
    the guard triggers stamp records, tombstones and status changes with it, whatever
    the client sends, and the CLI reports what was stored. None otherwise."""
    if not active(conn):
        return None
    value = conn.execute(text("SELECT now()")).scalar_one()
    assert isinstance(value, datetime)
    return value


# SQLAlchemy keeps an INSERT's row count only when asked (UPDATE and DELETE always).
COUNT_ROWS = {"preserve_rowcount": True}


def expect_rows(result: Any, expected: int, refusal: str) -> None:
    """Exit 3 (`refusal`) when a write changed fewer rows than it meant to: row-level
    security left some out. The transaction then rolls back whole."""
    if result.rowcount != expected:
        raise PermissionDenied(refusal)


def _owners(conn: Connection, function: str, ids: Sequence[int]) -> dict[int, int]:
    if not ids or not active(conn):
        return {}
    rows = conn.execute(
        text(f"SELECT id, owner FROM {function}(:ids)").bindparams(
            bindparam("ids", type_=ARRAY(BigInteger))
        ),
        {"ids": [int(i) for i in ids]},
    ).all()
    return {int(i): int(o) for i, o in rows}


def session_events(conn: Connection, ids: Sequence[int]) -> dict[int, int]:
    """Of `ids`, the sessions of the login's own client that it cannot read, with their
    event: {session_id: event_id}. Empty where row-level security is not active."""
    return _owners(conn, "sm_client_sessions", ids)


def video_communities(conn: Connection, ids: Sequence[int]) -> dict[int, int]:
    """Of `ids`, the videos of the login's own client, with their community."""
    return _owners(conn, "sm_client_videos", ids)


def migrate_videos(conn: Connection, community_id: int, ids: Sequence[int]) -> dict[int, int]:
    """A linked client admin's drafts of `ids` in the community, with their copies of the
    sessions' speakers and partners, made by the database (`sm_migrate_videos`,
    revision 0007): {session_id: video_id} for each draft made. A session the function
    may not move is left out (the caller's count check refuses the batch); a login that
    is not a client admin is refused with SQLSTATE 42501."""
    rows = conn.execute(
        text("SELECT made_session, made_video FROM sm_migrate_videos(:community, :ids)").bindparams(
            bindparam("ids", type_=ARRAY(BigInteger))
        ),
        {"community": community_id, "ids": [int(i) for i in ids]},
    ).all()
    return {int(s): int(v) for s, v in rows}


def denied(exc: Any) -> PermissionDenied | None:
    """The one-line exit 3 for a driver error that is the server's refusal (SQLSTATE
    42501), or None for any other error."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
        return None
    first = (str(orig).strip().splitlines() or [""])[0]
    return PermissionDenied(
        _("the database refused this for your login: {error}").format(error=first)
    )
