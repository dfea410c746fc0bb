"""The one transaction that applies a migration batch (R5, R6, R7, R9, R11).

Set-based: a fixed number of statements whatever the batch size (INSERT ... SELECT
with the batch's ids as one parameter). The actor, the community, the event and the
plan are read inside the write transaction, after taking the locks (the store's
write lock, store.engine.writing; on PostgreSQL then the session rows FOR UPDATE,
read again with a fresh statement), so a loser of a race sees the winner's records
and reports `already_migrated` or a refusal. A UNIQUE migration record per session
is the last guard. Either the whole batch is written or nothing is.
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, false, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from sessionmig.access import Actor
from sessionmig.errors import NotFound
from sessionmig.migration import (
    MIGRATED,
    Outcome,
    SessionFacts,
    check_may_migrate,
    plan,
    select_all_eligible,
)
from sessionmig.store import tables as t
from sessionmig.store.engine import translate_errors, writing
from sessionmig.store.idsets import in_ids
from sessionmig.store.queries import current_actor, reading, require_community, require_event

Step = Callable[[str], None]

# Fault injection for the crash-safety tests: SIGKILL this process at a named point.
CRASH_ENV = "SESSIONMIG_TEST_CRASH_AT"


def _crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class MigrationResult:
    dry_run: bool
    actor: Actor
    community: dict[str, Any]
    event: dict[str, Any]
    outcomes: list[Outcome] = field(default_factory=list)
    migrated_at: datetime | None = None

    @property
    def refused(self) -> bool:
        return any(o.outcome == "refused" for o in self.outcomes)


def event_sessions(engine: Engine, actor: Actor, event_id: int) -> list[SessionFacts]:
    """Every session of an event of the actor's client, with where it has moved."""
    with translate_errors(engine.url), engine.connect() as conn:
        require_event(conn, actor, event_id)
        return _facts(conn, event_id, None)


def _facts(conn: Connection, event_id: int, ids: Sequence[int] | None) -> list[SessionFacts]:
    s, r, c = t.session, t.record, t.community
    stmt = (
        select(s.c.id, s.c.title, s.c.format, s.c.source_kind, r.c.community_id, c.c.title)
        .select_from(s)
        .outerjoin(r, r.c.session_id == s.c.id)
        .outerjoin(c, c.c.id == r.c.community_id)
        .where(s.c.event_id == event_id)
        .order_by(s.c.id)
    )
    if ids is not None:
        stmt = stmt.where(in_ids(s.c.id, ids, conn.dialect.name))
    return [SessionFacts(*row) for row in conn.execute(stmt).all()]


def _lock_sessions(conn: Connection, event_id: int, ids: Sequence[int] | None) -> None:
    """PostgreSQL: lock the rows about to change, in id order (no deadlock between
    batches). SQLite already holds the database's write lock (BEGIN IMMEDIATE)."""
    if conn.dialect.name != "postgresql":
        return
    s = t.session
    stmt = select(s.c.id).where(s.c.event_id == event_id).order_by(s.c.id).with_for_update()
    if ids is not None:
        stmt = stmt.where(in_ids(s.c.id, ids, "postgresql"))
    conn.execute(stmt).all()


def migrate(
    engine: Engine,
    actor: Actor,
    *,
    community_id: int,
    event_id: int,
    session_ids: Sequence[int] | None,
    strict: bool = False,
    dry_run: bool = False,
    step: Step | None = None,
) -> MigrationResult:
    """Migrate `session_ids` of the event (or, with None, all eligible ones) into the
    community. R1 is checked first: a refused actor changes nothing."""
    check_may_migrate(actor)
    # A batch creates a few small objects per session and keeps them all: the cyclic
    # garbage collector would rescan them again and again (~25% of a 100,000-session
    # batch, benchmarks/run.py P2) for nothing to free.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        try:
            return _migrate_once(
                engine, actor, community_id, event_id, session_ids, strict, dry_run, step
            )
        except IntegrityError:
            # Lost a race that the locks did not serialise: the unique record per session
            # refused our write and the transaction rolled back. Re-plan: the winner's
            # sessions are now `already_migrated` or refused.
            return _migrate_once(
                engine, actor, community_id, event_id, session_ids, strict, dry_run, step
            )
    finally:
        if was_enabled:
            gc.enable()


def _migrate_once(
    engine: Engine,
    actor: Actor,
    community_id: int,
    event_id: int,
    session_ids: Sequence[int] | None,
    strict: bool,
    dry_run: bool,
    step: Step | None,
) -> MigrationResult:
    tick = step or (lambda _label: None)
    # A dry run only reads; a migration decides inside the store's write lock.
    with reading(engine) if dry_run else writing(engine) as conn:
        if not dry_run:
            actor = current_actor(conn, actor)
            check_may_migrate(actor)
        community = require_community(conn, actor, community_id)
        event = require_event(conn, actor, event_id)
        wanted = list(dict.fromkeys(session_ids)) if session_ids is not None else None
        if not dry_run:
            _lock_sessions(conn, event_id, wanted)
        facts = _facts(conn, event_id, wanted)
        if wanted is not None:
            found = {f.id for f in facts}
            missing = [i for i in wanted if i not in found]
            if missing:
                raise NotFound(f"session {missing[0]} not found in event {event_id}")
            by_id = {f.id: f for f in facts}
            requested = [by_id[i] for i in wanted]
        else:
            chosen = set(select_all_eligible(facts, community_id))
            requested = [f for f in facts if f.id in chosen]
        the_plan = plan(community_id, requested, strict=strict)
        result = MigrationResult(
            dry_run=dry_run,
            actor=actor,
            community={"id": community.id, "title": community.title},
            event={"id": event.id, "name": event.name},
            outcomes=list(the_plan.outcomes),
        )
        tick("planned")
        if dry_run or not the_plan.to_migrate:
            return result
        now = datetime.now(UTC)
        video_ids = _write(
            conn, actor, community_id, [f.id for f in the_plan.to_migrate], now, tick
        )
        _crash_point("commit")
    result.migrated_at = now
    result.outcomes = [
        Outcome(o.session_id, o.title, o.outcome, o.code, o.reason, video_ids[o.session_id])
        if o.outcome == MIGRATED
        else o
        for o in result.outcomes
    ]
    return result


def _write(
    conn: Connection,
    actor: Actor,
    community_id: int,
    ids: list[int],
    now: datetime,
    tick: Step,
) -> dict[int, int]:
    """The writes of one batch, each one statement for the whole batch."""
    s, e, v, r = t.session, t.event, t.video, t.record
    d = conn.dialect.name
    # R5 + R7: the video carries title, summary, video, thumbnail, the source event's
    # name, and is created as a draft.
    conn.execute(
        insert(v).from_select(
            [
                "client_id",
                "community_id",
                "status",
                "title",
                "summary",
                "source_kind",
                "source_ref",
                "thumbnail",
                "source_event_id",
                "source_event_name",
                "source_session_id",
                "created_at",
            ],
            select(
                s.c.client_id,
                literal(community_id),
                literal("draft"),
                s.c.title,
                s.c.summary,
                s.c.source_kind,
                s.c.source_ref,
                s.c.thumbnail,
                e.c.id,
                e.c.name,
                s.c.id,
                literal(now, v.c.created_at.type),
            )
            .select_from(s)
            .join(e, e.c.id == s.c.event_id)
            .where(in_ids(s.c.id, ids, d)),
        )
    )
    # R5: the session's speakers and partners, as the video's own copies.
    ss, sp, sk = t.session_speaker, t.speaker, t.video_speaker
    conn.execute(
        insert(sk).from_select(
            ["video_id", "position", "speaker_id", "name", "company"],
            select(v.c.id, ss.c.position, sp.c.id, sp.c.name, sp.c.company)
            .select_from(v)
            .join(ss, ss.c.session_id == v.c.source_session_id)
            .join(sp, sp.c.id == ss.c.speaker_id)
            .where(in_ids(v.c.source_session_id, ids, d)),
        )
    )
    spn, pa, vp = t.session_partner, t.partner, t.video_partner
    conn.execute(
        insert(vp).from_select(
            ["video_id", "position", "partner_id", "name"],
            select(v.c.id, spn.c.position, pa.c.id, pa.c.name)
            .select_from(v)
            .join(spn, spn.c.session_id == v.c.source_session_id)
            .join(pa, pa.c.id == spn.c.partner_id)
            .where(in_ids(v.c.source_session_id, ids, d)),
        )
    )
    tick("videos")
    _crash_point("videos")
    # R6: no longer available on the event; still listed in the back-office.
    conn.execute(update(s).where(in_ids(s.c.id, ids, d)).values(is_public=false()))
    tick("hidden")
    _crash_point("hidden")
    # R11 (and R8's notice): who, when, which session from which event, to which community.
    conn.execute(
        insert(r).from_select(
            [
                "client_id",
                "session_id",
                "session_title",
                "event_id",
                "event_name",
                "community_id",
                "video_id",
                "actor_user_id",
                "actor_email",
                "actor_name",
                "migrated_at",
            ],
            select(
                s.c.client_id,
                s.c.id,
                s.c.title,
                e.c.id,
                e.c.name,
                literal(community_id),
                v.c.id,
                literal(actor.id),
                literal(actor.email),
                literal(actor.name),
                literal(now, r.c.migrated_at.type),
            )
            .select_from(s)
            .join(e, e.c.id == s.c.event_id)
            .join(v, v.c.source_session_id == s.c.id)
            .where(in_ids(s.c.id, ids, d)),
        )
    )
    tick("records")
    _crash_point("records")
    rows = conn.execute(
        select(v.c.source_session_id, v.c.id).where(in_ids(v.c.source_session_id, ids, d))
    ).all()
    return {int(a): int(b) for a, b in rows}
