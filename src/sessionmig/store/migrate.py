"""The one transaction that applies a migration batch (R5, R6, R7, R9, R11).

Set-based: a fixed number of statements whatever the batch size (INSERT ... SELECT
with the batch's ids as one parameter). The actor, the community, the event and the
plan are read inside the write transaction, after taking the locks (the store's
write lock, store.engine.writing; on PostgreSQL then the session rows FOR UPDATE,
read again with a fresh statement), so a loser of a race sees the winner's records
and reports `already_migrated` or a refusal. A UNIQUE migration record per session
is the last guard. Either the whole batch is written or nothing is.

A reviewed plan (`apply_plan`, `migrate --plan FILE`) goes through the same
transaction and the same writes (`_write`): only what decides the batch differs, the
plan's sessions read again inside the lock and re-checked by `plans.recheck`.
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, false, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from sessionmig import plans
from sessionmig.access import Actor
from sessionmig.emails import email_key
from sessionmig.errors import NotFound, PermissionDenied, UsageError
from sessionmig.i18n import _
from sessionmig.migration import (
    MIGRATED,
    Outcome,
    SessionFacts,
    check_may_migrate,
    plan,
    select_all_eligible,
)
from sessionmig.store import rowsecurity
from sessionmig.store import tables as t
from sessionmig.store.engine import page_cache, translate_errors, writing
from sessionmig.store.identity import written_login
from sessionmig.store.idsets import in_ids
from sessionmig.store.queries import current_actor, reading, require_community, require_event
from sessionmig.store.storeinfo import read_store_id

T = TypeVar("T")

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
    store_id: str | None = None
    # With `fingerprints=True` (a dry run that writes a plan): the fingerprint of each
    # session that would be migrated, read in the same transaction as the outcomes.
    fingerprints: dict[int, plans.Fingerprint] = field(default_factory=dict)

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
    fingerprints: bool = False,
) -> MigrationResult:
    """Migrate `session_ids` of the event (or, with None, all eligible ones) into the
    community. R1 is checked first: a refused actor changes nothing. With
    `fingerprints` (a dry run that writes a plan), the result carries the store's id
    and the fingerprint of each session that would move."""
    check_may_migrate(actor)
    return _batch(
        lambda: _migrate_once(
            engine,
            actor,
            community_id,
            event_id,
            session_ids,
            strict,
            dry_run,
            step,
            fingerprints,
        )
    )


def _batch(run: Callable[[], T]) -> T:
    """Run one batch (retried once if it lost a race), without the cyclic GC."""
    # A batch creates a few small objects per session and keeps them all: the cyclic
    # garbage collector would rescan them again and again (~25% of a 100,000-session
    # batch, benchmarks/run.py P2) for nothing to free.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        try:
            return run()
        except IntegrityError:
            # Lost a race that the locks did not serialise: the unique record per session
            # refused our write and the transaction rolled back. Decide again: the
            # winner's sessions are now `already_migrated` or refused.
            return run()
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _transaction(
    engine: Engine, actor: Actor, *, dry_run: bool
) -> Iterator[tuple[Connection, Actor]]:
    """A batch's transaction and its actor. A dry run only reads; a migration decides
    inside the store's write lock (store.engine.writing), with the actor as the store
    holds them now, checked for R1 again. Commits when the block ends; rolls back on
    any error."""
    if dry_run:
        with reading(engine) as conn:
            yield conn, actor
        return
    with writing(engine) as conn, page_cache(conn):
        actor = current_actor(conn, actor)
        check_may_migrate(actor)
        yield conn, actor


def _migrate_once(
    engine: Engine,
    actor: Actor,
    community_id: int,
    event_id: int,
    session_ids: Sequence[int] | None,
    strict: bool,
    dry_run: bool,
    step: Step | None,
    fingerprints: bool = False,
) -> MigrationResult:
    tick = step or (lambda _label: None)
    with _transaction(engine, actor, dry_run=dry_run) as (conn, actor):
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
                raise NotFound(
                    _("session {id} not found in event {event}").format(
                        id=missing[0], event=event_id
                    )
                )
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
        if fingerprints:
            result.store_id = read_store_id(conn)
            current = _current(conn, actor, [f.id for f in the_plan.to_migrate])
            result.fingerprints = {i: plans.fingerprint(c.content) for i, c in current.items()}
        tick("planned")
        if dry_run or not the_plan.to_migrate:
            return result
        now = rowsecurity.server_now(conn) or datetime.now(UTC)
        video_ids = _write(
            conn, actor, community_id, [f.id for f in the_plan.to_migrate], now, tick
        )
        _crash_point("commit")
    return _migrated(result, now, video_ids)


def _migrated(result: MigrationResult, now: datetime, video_ids: dict[int, int]) -> MigrationResult:
    """The result after the commit: each migrated session with its video."""
    result.migrated_at = now
    result.outcomes = [
        Outcome(o.session_id, o.title, o.outcome, o.code, o.reason, video_ids[o.session_id])
        if o.outcome == MIGRATED
        else o
        for o in result.outcomes
    ]
    return result


# --- reviewed plans (migrate --plan FILE) --------------------------------------------------


def apply_plan(
    engine: Engine,
    actor: Actor,
    the_plan: plans.Plan,
    *,
    dry_run: bool = False,
    step: Step | None = None,
) -> MigrationResult:
    """Apply exactly a reviewed plan, all or nothing, as `actor` (R1 is theirs to pass;
    the records name them). Inside the write lock, on rows locked for the batch, every
    session of the plan is read again (set-based: a fixed number of statements) and
    re-checked by `plans.recheck`: if any is gone, moved, no longer eligible or
    changed, nothing is written and the result says why. With `dry_run`, the same
    check, and nothing written either way.

    A plan of another store is a UsageError (exit 2); its community or event gone or
    unreadable, NotFound (exit 4), as for `migrate`."""
    check_may_migrate(actor)
    return _batch(lambda: _apply_plan_once(engine, actor, the_plan, dry_run, step))


def _apply_plan_once(
    engine: Engine, actor: Actor, the_plan: plans.Plan, dry_run: bool, step: Step | None
) -> MigrationResult:
    tick = step or (lambda _label: None)
    with _transaction(engine, actor, dry_run=dry_run) as (conn, actor):
        here = read_store_id(conn)
        if here != the_plan.store_id:
            raise UsageError(
                _(
                    "--plan: this plan was made on store {planned}, this is store "
                    "{here}: make the plan on this store"
                ).format(
                    planned=the_plan.store_id,
                    here=here or _("(no id: run `sessionmig db init`)"),
                )
            )
        community = require_community(conn, actor, the_plan.community_id)
        event = require_event(conn, actor, the_plan.event_id)
        ids = the_plan.ids
        if not dry_run:
            _lock_ids(conn, actor, ids)
        checked = plans.recheck(the_plan, _current(conn, actor, ids), _moved(conn, actor, ids))
        result = MigrationResult(
            dry_run=dry_run,
            actor=actor,
            community={"id": community.id, "title": community.title},
            event={"id": event.id, "name": event.name},
            outcomes=list(checked.outcomes),
            store_id=here,
        )
        tick("checked")
        if dry_run or not checked.to_migrate:
            return result
        now = rowsecurity.server_now(conn) or datetime.now(UTC)
        video_ids = _write(conn, actor, the_plan.community_id, list(checked.to_migrate), now, tick)
        _crash_point("commit")
    return _migrated(result, now, video_ids)


def _lock_ids(conn: Connection, actor: Actor, ids: Sequence[int]) -> None:
    """PostgreSQL: lock the plan's session rows of the actor's client, wherever they are
    now (another event included), in id order. SQLite holds the database's write lock."""
    if conn.dialect.name != "postgresql" or not ids:
        return
    s = t.session
    conn.execute(
        select(s.c.id)
        .where(s.c.client_id == actor.client_id, in_ids(s.c.id, ids, "postgresql"))
        .order_by(s.c.id)
        .with_for_update()
    ).all()


def _current(conn: Connection, actor: Actor, ids: Sequence[int]) -> dict[int, plans.Current]:
    """The sessions of the actor's client among `ids` as they are now: their event and
    everything a fingerprint covers. Three statements whatever the number of ids."""
    if not ids:
        return {}
    s, e, d = t.session, t.event, conn.dialect.name
    rows = conn.execute(
        select(
            s.c.id,
            s.c.title,
            s.c.summary,
            s.c.format,
            s.c.source_kind,
            s.c.source_ref,
            s.c.thumbnail,
            e.c.id,
            e.c.name,
        )
        .select_from(s)
        .join(e, e.c.id == s.c.event_id)
        .where(s.c.client_id == actor.client_id, in_ids(s.c.id, ids, d))
    ).all()
    # The same joins and order as the copies `_write` makes (R5).
    ss, sp = t.session_speaker, t.speaker
    speakers: dict[int, list[tuple[int, str, str | None]]] = {}
    for sid, spk_id, name, company in conn.execute(
        select(ss.c.session_id, sp.c.id, sp.c.name, sp.c.company)
        .select_from(ss)
        .join(sp, sp.c.id == ss.c.speaker_id)
        .where(in_ids(ss.c.session_id, ids, d))
        .order_by(ss.c.session_id, ss.c.position, sp.c.id)
    ):
        speakers.setdefault(sid, []).append((spk_id, name, company))
    spn, pa = t.session_partner, t.partner
    partners: dict[int, list[tuple[int, str]]] = {}
    for sid, partner_id, name in conn.execute(
        select(spn.c.session_id, pa.c.id, pa.c.name)
        .select_from(spn)
        .join(pa, pa.c.id == spn.c.partner_id)
        .where(in_ids(spn.c.session_id, ids, d))
        .order_by(spn.c.session_id, spn.c.position, pa.c.id)
    ):
        partners.setdefault(sid, []).append((partner_id, name))
    out: dict[int, plans.Current] = {}
    for sid, title, summary, fmt, kind, ref, thumb, event_id, event_name in rows:
        out[sid] = plans.Current(
            event_id=event_id,
            event_name=event_name,
            facts=SessionFacts(sid, title, fmt, kind),
            content=plans.SessionContent(
                title=title,
                summary=summary,
                format=fmt,
                source_kind=kind,
                source_ref=ref,
                thumbnail=thumb,
                speakers=tuple(speakers.get(sid, ())),
                partners=tuple(partners.get(sid, ())),
                event_name=event_name,
            ),
        )
    return out


def _moved(conn: Connection, actor: Actor, ids: Sequence[int]) -> dict[int, plans.Moved]:
    """Where the migration records of `ids` say they went (records outlive sessions)."""
    if not ids:
        return {}
    r, c = t.record, t.community
    rows = conn.execute(
        select(r.c.session_id, r.c.community_id, c.c.title)
        .select_from(r)
        .join(c, c.c.id == r.c.community_id)
        .where(r.c.client_id == actor.client_id, in_ids(r.c.session_id, ids, conn.dialect.name))
    ).all()
    return {sid: plans.Moved(cid, title) for sid, cid, title in rows}


def _write(
    conn: Connection,
    actor: Actor,
    community_id: int,
    ids: list[int],
    now: datetime,
    tick: Step,
) -> dict[int, int]:
    """The writes of one batch, each one statement for the whole batch (for a linked
    login on PostgreSQL, the videos and their copies are one call of the database's
    `sm_migrate_videos`, revision 0007). Each must change one row per session: under
    row-level security a row the login may not write is left out silently
    (store/rowsecurity.py), and the batch is then refused whole (exit 3)."""
    s, e, v, r = t.session, t.event, t.video, t.record
    d = conn.dialect.name
    refusal = _(
        "{actor} may not migrate these sessions: the database refused some of the writes"
    ).format(actor=actor.email)
    if rowsecurity.active(conn):
        # A linked login: the database's own function makes the drafts and their copies
        # (revision 0007_migrate_videos), under the same rules and as fast as the
        # operator's statements (`_make_videos`).
        video_ids = rowsecurity.migrate_videos(conn, community_id, ids)
        if len(video_ids) != len(ids):
            raise PermissionDenied(refusal)
    else:
        video_ids = _make_videos(conn, community_id, ids, now)
    tick("videos")
    _crash_point("videos")
    # R6: no longer available on the event; still listed in the back-office.
    hidden = conn.execute(update(s).where(in_ids(s.c.id, ids, d)).values(is_public=false()))
    rowsecurity.expect_rows(hidden, len(ids), refusal)
    tick("hidden")
    _crash_point("hidden")
    # R11 (and R8's notice): who, when, which session from which event, to which community.
    recorded = conn.execute(
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
                "actor_email_key",
                "actor_name",
                "migrated_at",
                "login",
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
                literal(email_key(actor.email)),
                literal(actor.name),
                literal(now, r.c.migrated_at.type),
                literal(written_login(conn), r.c.login.type),
            )
            .select_from(s)
            .join(e, e.c.id == s.c.event_id)
            .join(v, v.c.source_session_id == s.c.id)
            .where(in_ids(s.c.id, ids, d)),
        ),
        execution_options=rowsecurity.COUNT_ROWS,
    )
    rowsecurity.expect_rows(recorded, len(ids), refusal)
    tick("records")
    _crash_point("records")
    return video_ids


def _make_videos(
    conn: Connection, community_id: int, ids: list[int], now: datetime
) -> dict[int, int]:
    """The drafts of the batch and their copies of the sessions' speakers and partners,
    as the operator (or on SQLite) writes them, one statement each: {session_id:
    video_id}."""
    s, e, v = t.session, t.event, t.video
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
        ),
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
    rows = conn.execute(
        select(v.c.source_session_id, v.c.id).where(in_ids(v.c.source_session_id, ids, d))
    ).all()
    return {int(a): int(b) for a, b in rows}
