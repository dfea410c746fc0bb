"""`sessionmig history`: the migration records (R11), newest first, in one statement.

A record is visible to users whose grants cover its event OR its community (a
client-scope reader sees every record of the client). The record remembers the
session's title and the event's name at migration time, so records of deleted
sessions (R10) still read as they did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Select, and_, false, or_, select, true

from sessionmig.access import Actor, Reach, read_reach
from sessionmig.emails import email_key
from sessionmig.paging import EVERY_ROW, Page, Window
from sessionmig.store import tables as t
from sessionmig.store.queries import listed, require_community, require_event

# The spec's `history --format json` keys, in order (also the table and CSV columns).
KEYS = (
    "session_id",
    "session_title",
    "event_id",
    "event_name",
    "community_id",
    "community_title",
    "actor_email",
    "actor_name",
    "migrated_at",
    "video_id",
    "video_status",
    "login",
)


@dataclass(frozen=True)
class Filters:
    community_id: int | None = None
    event_id: int | None = None
    session_id: int | None = None
    actor_email: str | None = None
    since: datetime | None = None  # inclusive
    before: datetime | None = None  # exclusive


def visible(reach: Reach) -> ColumnElement[bool]:
    """Records whose event or community the grants cover. The event is matched by the
    record's own event id (it outlives the event); its audience through a join."""
    if reach.client_wide:
        return true()
    r, e, c = t.record, t.event, t.community
    conds: list[ColumnElement[bool]] = []
    if reach.audience_ids:
        audiences = sorted(reach.audience_ids)
        conds += [e.c.audience_id.in_(audiences), c.c.audience_id.in_(audiences)]
    if reach.event_ids:
        conds.append(r.c.event_id.in_(sorted(reach.event_ids)))
    if reach.community_ids:
        conds.append(r.c.community_id.in_(sorted(reach.community_ids)))
    return or_(*conds) if conds else false()


def history(engine: Engine, actor: Actor, filters: Filters, window: Window = EVERY_ROW) -> Page:
    """The records the actor may read, filtered, newest first (ties: latest id first).

    `--community` and `--event` must name objects the actor can read (NotFound
    otherwise, like every other command); `--session` and `--actor` only filter, since
    the session may have been deleted and the user renamed.
    """
    r, e, c, v = t.record, t.event, t.community, t.video
    reach = read_reach(actor)
    where: list[ColumnElement[bool]] = [r.c.client_id == actor.client_id, visible(reach)]
    if filters.community_id is not None:
        where.append(r.c.community_id == filters.community_id)
    if filters.event_id is not None:
        where.append(r.c.event_id == filters.event_id)
    if filters.session_id is not None:
        where.append(r.c.session_id == filters.session_id)
    if filters.actor_email is not None:
        where.append(r.c.actor_email_key == email_key(filters.actor_email))
    if filters.since is not None:
        where.append(r.c.migrated_at >= filters.since)
    if filters.before is not None:
        where.append(r.c.migrated_at < filters.before)
    stmt = (
        select(
            r.c.session_id,
            r.c.session_title,
            r.c.event_id,
            r.c.event_name,
            r.c.community_id,
            c.c.title.label("community_title"),
            r.c.actor_email,
            r.c.actor_name,
            r.c.migrated_at,
            r.c.video_id,
            v.c.status.label("video_status"),
            r.c.login,
        )
        .select_from(r)
        .join(c, and_(c.c.id == r.c.community_id, c.c.client_id == r.c.client_id))
        .outerjoin(e, and_(e.c.id == r.c.event_id, e.c.client_id == r.c.client_id))
        .outerjoin(v, v.c.id == r.c.video_id)
        .where(*where)
        .order_by(r.c.migrated_at.desc(), r.c.id.desc())
    )

    def prepare(conn: Connection) -> Select[Any]:
        if filters.community_id is not None:
            require_community(conn, actor, filters.community_id, reach)
        if filters.event_id is not None:
            require_event(conn, actor, filters.event_id, reach)
        return stmt

    return listed(engine, window, prepare)
