"""`sessionmig sessions delete`: remove a session from its event (R10), in one write
transaction.

What it writes: a tombstone in `deleted_session` (so re-loading an export that still
lists the session skips it instead of resurrecting it), then the session itself,
whose speaker and partner links cascade. What it never touches: the community video
(it owns copies of every carried field, its speakers and its partners: R5, R10) and
the migration record (append-only, it remembers the session's title and the event's
name: R11). A session that never migrated is removed entirely, tombstone aside.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select

from sessionmig.access import Actor, edit_reach
from sessionmig.errors import NotFound, PermissionDenied
from sessionmig.i18n import _
from sessionmig.store import rowsecurity
from sessionmig.store import tables as t
from sessionmig.store.engine import writing
from sessionmig.store.identity import written_login
from sessionmig.store.queries import current_actor, reading


def _target(conn: Connection, actor: Actor, session_id: int) -> Any:
    """The session, its event and where it moved; NotFound outside the client,
    PermissionDenied (exit 3) when the grants do not allow deleting it, readable or not."""
    s, e, r, c = t.session, t.event, t.record, t.community
    stmt = (
        select(
            s.c.id,
            s.c.client_id,
            s.c.title,
            s.c.event_id,
            e.c.name.label("event_name"),
            e.c.audience_id,
            r.c.community_id,
            c.c.title.label("community_title"),
            r.c.video_id,
        )
        .select_from(s)
        .join(e, e.c.id == s.c.event_id)
        .outerjoin(r, r.c.session_id == s.c.id)
        .outerjoin(c, c.c.id == r.c.community_id)
        .where(s.c.id == session_id, s.c.client_id == actor.client_id)
    )
    row = conn.execute(stmt).first()
    if row is None:
        # Under row-level security a session of the client that the login cannot read
        # is absent: still "not allowed", as for the operator acting as that user.
        hidden = rowsecurity.session_events(conn, [session_id])
        if session_id in hidden:
            raise _refusal(actor, session_id, hidden[session_id])
        raise NotFound(_("session {id} not found").format(id=session_id))
    if not edit_reach(actor).covers_event(row.event_id, row.audience_id):
        raise _refusal(actor, session_id, row.event_id)
    return row


def _refusal(actor: Actor, session_id: int, event_id: int) -> PermissionDenied:
    return PermissionDenied(
        _(
            "{actor} may not delete session {id}: it needs an admin or "
            "contributor grant covering its event (#{event})"
        ).format(actor=actor.email, id=session_id, event=event_id)
    )


def _describe(row: Any) -> dict[str, Any]:
    return {
        "session_id": row.id,
        "title": row.title,
        "event_id": row.event_id,
        "event_name": row.event_name,
        "community_id": row.community_id,
        "community_title": row.community_title,
        "video_id": row.video_id,
    }


def preview(engine: Engine, actor: Actor, session_id: int) -> dict[str, Any]:
    """What `delete_session` would remove, checked (exit 4 / 3) before any question."""
    with reading(engine) as conn:
        return _describe(_target(conn, actor, session_id))


def delete_session(engine: Engine, actor: Actor, session_id: int) -> dict[str, Any]:
    """Write the tombstone and delete the session, in one transaction."""
    s, d = t.session, t.deleted_session
    with writing(engine) as conn:
        actor = current_actor(conn, actor)
        now = rowsecurity.server_now(conn) or datetime.now(UTC)
        if conn.dialect.name == "postgresql":
            # Serialises with a migration of the same session (it locks this row too).
            # Then a fresh statement reads where the session moved: read in the
            # statement that waited for the lock, the outer-joined record would come
            # from the snapshot taken before the migration committed (READ COMMITTED).
            conn.execute(
                select(s.c.id)
                .where(s.c.id == session_id, s.c.client_id == actor.client_id)
                .with_for_update()
            ).all()
        row = _target(conn, actor, session_id)
        # A stale tombstone for a live session (an inconsistency `db check` reports)
        # must not make the delete fail: the new one replaces it. A login under
        # row-level security may not delete tombstones: it keeps the stale one (the
        # database's delete guard only asks that one exists).
        stale = False
        if rowsecurity.active(conn):
            found = conn.execute(select(d.c.session_id).where(d.c.session_id == row.id))
            stale = found.first() is not None
        else:
            conn.execute(delete(d).where(d.c.session_id == row.id))
        if not stale:
            conn.execute(
                insert(d).values(
                    session_id=row.id,
                    client_id=row.client_id,
                    event_id=row.event_id,
                    title=row.title,
                    deleted_by_user_id=actor.id,
                    deleted_at=now,
                    login=written_login(conn),
                )
            )
        # session_speaker and session_partner rows go with it (ON DELETE CASCADE).
        gone = conn.execute(delete(s).where(s.c.id == row.id, s.c.client_id == row.client_id))
        rowsecurity.expect_rows(gone, 1, _refusal(actor, session_id, row.event_id).message)
    return {**_describe(row), "deleted_by": actor.email, "deleted_at": now}
