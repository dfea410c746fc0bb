"""Community videos: the listing, one video with everything it carries (R5), and the
status change that makes a draft visible on its community (R7).

Reads are scoped like communities: a video is readable by any grant covering its
community. Publishing needs `admin` or `contributor` covering it (access.edit_reach).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Select, literal_column, select, union_all, update

from sessionmig.access import Actor, edit_reach, read_reach
from sessionmig.errors import NotFound, PermissionDenied
from sessionmig.i18n import _
from sessionmig.paging import EVERY_ROW, Page, Window
from sessionmig.store import rowsecurity
from sessionmig.store import tables as t
from sessionmig.store.engine import writing
from sessionmig.store.idsets import in_ids
from sessionmig.store.queries import (
    community_scope,
    current_actor,
    listed,
    reading,
    require_community,
)

STATUSES = ("draft", "published")


def _video_select() -> Select[Any]:
    v, c = t.video, t.community
    return (
        select(
            v.c.id,
            v.c.community_id,
            c.c.title.label("community_title"),
            v.c.status,
            v.c.title,
            v.c.summary,
            v.c.source_kind,
            v.c.source_ref,
            v.c.thumbnail,
            v.c.source_event_id,
            v.c.source_event_name,
            v.c.source_session_id,
            v.c.created_at,
            v.c.status_changed_at,
        )
        .select_from(v)
        .join(c, c.c.id == v.c.community_id)
    )


def _copies(
    conn: Connection, video_ids: Sequence[int]
) -> tuple[dict[int, list[Any]], dict[int, list[Any]]]:
    """The videos' own copies of their speakers and partners, in their session's order."""
    speakers: dict[int, list[Any]] = {i: [] for i in video_ids}
    partners: dict[int, list[Any]] = {i: [] for i in video_ids}
    if not video_ids:
        return speakers, partners
    d = conn.dialect.name
    vs, vp = t.video_speaker, t.video_partner
    for row in conn.execute(
        select(vs.c.video_id, vs.c.speaker_id, vs.c.name, vs.c.company)
        .where(in_ids(vs.c.video_id, video_ids, d))
        .order_by(vs.c.video_id, vs.c.position)
    ):
        speakers[row.video_id].append(row)
    for prow in conn.execute(
        select(vp.c.video_id, vp.c.partner_id, vp.c.name)
        .where(in_ids(vp.c.video_id, video_ids, d))
        .order_by(vp.c.video_id, vp.c.position)
    ):
        partners[prow.video_id].append(prow)
    return speakers, partners


def _listing_select() -> Select[Any]:
    """The listing's columns, in its order (speakers and partners come from their own
    tables, between the session's id and `created_at`)."""
    v, c = t.video, t.community
    return (
        select(
            v.c.id,
            v.c.community_id,
            c.c.title.label("community_title"),
            v.c.status,
            v.c.title,
            v.c.source_kind,
            v.c.source_ref,
            v.c.source_event_id,
            v.c.source_event_name,
            v.c.source_session_id,
            v.c.created_at,
        )
        .select_from(v)
        .join(c, c.c.id == v.c.community_id)
    )


def _names(conn: Connection, video_ids: Sequence[int]) -> tuple[dict[int, list[str]], ...]:
    """The names a listing shows of the videos' speakers and of their partners, in
    order: one query for both."""
    speakers: dict[int, list[str]] = {i: [] for i in video_ids}
    partners: dict[int, list[str]] = {i: [] for i in video_ids}
    if video_ids:
        d = conn.dialect.name
        vs, vp = t.video_speaker, t.video_partner
        both = union_all(
            select(
                literal_column("0").label("side"), vs.c.video_id, vs.c.position, vs.c.name
            ).where(in_ids(vs.c.video_id, video_ids, d, "speaker_ids")),
            select(
                literal_column("1").label("side"), vp.c.video_id, vp.c.position, vp.c.name
            ).where(in_ids(vp.c.video_id, video_ids, d, "partner_ids")),
        ).subquery()
        lists = (speakers, partners)
        for side, video_id, name in conn.execute(
            select(both.c.side, both.c.video_id, both.c.name).order_by(
                both.c.side, both.c.video_id, both.c.position
            )
        ).all():
            lists[side][video_id].append(name)
    return speakers, partners


def _listing_rows(conn: Connection, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """A chunk of `_listing_select` rows as the listing's dicts (its keys, in its
    order), with the names of their speakers and partners (one query per chunk)."""
    if not rows:
        return []
    speakers, partners = _names(conn, [row[0] for row in rows])
    return [
        {
            "id": vid,
            "community_id": community_id,
            "community_title": community_title,
            "status": status,
            "title": title,
            "source_kind": source_kind,
            "source_ref": source_ref,
            "source_event_id": source_event_id,
            "source_event_name": source_event_name,
            "source_session_id": source_session_id,
            "speakers": speakers[vid],
            "partners": partners[vid],
            "created_at": created_at,
        }
        for (
            vid,
            community_id,
            community_title,
            status,
            title,
            source_kind,
            source_ref,
            source_event_id,
            source_event_name,
            source_session_id,
            created_at,
        ) in rows
    ]


def list_videos(
    engine: Engine,
    actor: Actor,
    *,
    community_id: int | None = None,
    status: str | None = None,
    window: Window = EVERY_ROW,
) -> Page:
    """The videos of the communities the actor can read, by community then id."""
    v = t.video
    reach = read_reach(actor)
    stmt = (
        _listing_select()
        .where(v.c.client_id == actor.client_id, community_scope(reach))
        .order_by(v.c.community_id, v.c.id)
    )
    if community_id is not None:
        stmt = stmt.where(v.c.community_id == community_id)
    if status is not None:
        stmt = stmt.where(v.c.status == status)

    def prepare(conn: Connection) -> Select[Any]:
        if community_id is not None:
            require_community(conn, actor, community_id, reach)
        return stmt

    # The speakers and partners of the rows listed only, one chunk at a time.
    return listed(engine, window, prepare, _listing_rows)


def show_video(engine: Engine, actor: Actor, video_id: int) -> dict[str, Any]:
    """One video with every field it carries (R5): its own copies, not the session's."""
    v = t.video
    with reading(engine) as conn:
        row = conn.execute(
            _video_select().where(
                v.c.id == video_id,
                v.c.client_id == actor.client_id,
                community_scope(read_reach(actor)),
            )
        ).first()
        if row is None:
            raise NotFound(_("video {id} not found").format(id=video_id))
        speakers, partners = _copies(conn, [video_id])
    return {
        **row._mapping,
        "speakers": [
            {"speaker_id": s.speaker_id, "name": s.name, "company": s.company}
            for s in speakers[video_id]
        ],
        "partners": [{"partner_id": p.partner_id, "name": p.name} for p in partners[video_id]],
    }


@dataclass
class StatusChange:
    status: str
    rows: list[dict[str, Any]]  # the videos after the change, in request order
    changed: list[int]
    unchanged: list[int]  # already in the requested status: an idempotent no-op


def set_status(engine: Engine, actor: Actor, video_ids: Sequence[int], status: str) -> StatusChange:
    """Publish or unpublish videos, all or nothing.

    Every id is validated before anything is written: an unknown id or another
    client's is not found (exit 4); a video of the client whose community the actor
    may not edit is refused (exit 3) even when they can read it.
    """
    if status not in STATUSES:
        raise ValueError(status)
    wanted = list(dict.fromkeys(int(i) for i in video_ids))
    v, c = t.video, t.community
    with writing(engine) as conn:
        actor = current_actor(conn, actor)
        d = conn.dialect.name
        stmt = (
            select(v.c.id, v.c.status, v.c.community_id, c.c.audience_id)
            .select_from(v)
            .join(c, c.c.id == v.c.community_id)
            .where(v.c.client_id == actor.client_id, in_ids(v.c.id, wanted, d))
        )
        if d == "postgresql":
            # Serialise with a concurrent publish/unpublish of the same videos. The
            # status decided on is the locked row's own, re-read once the lock is
            # granted; the community joined in can only change in a `load`, which
            # the store lock keeps out.
            stmt = stmt.with_for_update(of=v)
        found = {row.id: row for row in conn.execute(stmt)}
        missing = [i for i in wanted if i not in found]
        # Under row-level security a video of the client that the login cannot read is
        # absent: still "not allowed", as for the operator acting as that user.
        hidden = rowsecurity.video_communities(conn, missing)
        missing = [i for i in missing if i not in hidden]
        if missing:
            raise NotFound(_("video {id} not found").format(id=missing[0]))
        reach = edit_reach(actor)
        refusal = (
            _(
                "{actor} may not publish video {id}: it needs an admin or "
                "contributor grant covering its community (#{community})"
            )
            if status == "published"
            else _(
                "{actor} may not unpublish video {id}: it needs an admin or "
                "contributor grant covering its community (#{community})"
            )
        )
        for i in wanted:
            if i in hidden:
                raise PermissionDenied(refusal.format(actor=actor.email, id=i, community=hidden[i]))
            row = found[i]
            if not reach.covers_community(row.community_id, row.audience_id):
                raise PermissionDenied(
                    refusal.format(actor=actor.email, id=i, community=row.community_id)
                )
        changed = [i for i in wanted if found[i].status != status]
        if changed:
            done = conn.execute(
                update(v)
                .where(in_ids(v.c.id, changed, d))
                .values(status=status, status_changed_at=datetime.now(UTC))
            )
            rowsecurity.expect_rows(
                done,
                len(changed),
                refusal.format(
                    actor=actor.email, id=changed[0], community=found[changed[0]].community_id
                ),
            )
        rows = conn.execute(_listing_select().where(in_ids(v.c.id, wanted, d))).all()
        by_id = {r.id: r for r in rows}
        listing = _listing_rows(conn, [by_id[i] for i in wanted])
    unchanged = [i for i in wanted if i not in changed]
    return StatusChange(status, listing, changed, unchanged)
