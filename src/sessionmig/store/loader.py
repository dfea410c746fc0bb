"""`sessionmig load`: upsert a validated back-office export in one transaction.

Set-based: one executemany per table (dialect upserts, `INSERT ... ON CONFLICT (id)
DO UPDATE`), link tables replaced per session in chunks. No ORM objects per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from sessionmig.emails import email_key
from sessionmig.errors import InvalidInput
from sessionmig.export_format import ExportIn, Known, check_references, parse
from sessionmig.i18n import ngettext
from sessionmig.store import tables as t
from sessionmig.store.engine import writing

CHUNK = 5_000  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits

Progress = Callable[[str, int], None]


@dataclass
class LoadReport:
    counts: dict[str, int] = field(default_factory=dict)
    skipped_deleted: list[int] = field(default_factory=list)


def _chunks(seq: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def snapshot(conn: Connection) -> tuple[Known, set[int]]:
    """Ids already in the store with their client, and the deleted sessions' ids."""
    known = Known()
    known.clients = {r[0] for r in conn.execute(select(t.client.c.id))}
    for attr, table in (
        ("audiences", t.audience),
        ("events", t.event),
        ("communities", t.community),
        ("speakers", t.speaker),
        ("partners", t.partner),
        ("sessions", t.session),
        ("users", t.app_user),
    ):
        getattr(known, attr).update(
            (r[0], r[1]) for r in conn.execute(select(table.c.id, table.c.client_id))
        )
    known.emails = {
        r[0]: r[1] for r in conn.execute(select(t.app_user.c.email_key, t.app_user.c.id))
    }
    deleted = {r[0] for r in conn.execute(select(t.deleted_session.c.session_id))}
    return known, deleted


def _upsert(
    conn: Connection, table: Table, rows: list[dict[str, Any]], keep: Sequence[str] = ()
) -> None:
    """Insert or update by primary key; columns in `keep` are never overwritten."""
    if not rows:
        return
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table)
    updates = {c: stmt.excluded[c] for c in rows[0] if c != "id" and c not in keep}
    conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=updates), rows)


def _replace(
    conn: Connection, table: Table, key: str, owners: list[int], rows: list[dict[str, Any]]
) -> None:
    for part in _chunks(owners):
        conn.execute(delete(table).where(table.c[key].in_(part)))
    if rows:
        conn.execute(table.insert(), rows)


def load(engine: Engine, raw: bytes, progress: Progress | None = None) -> LoadReport:
    """Validate the whole export, then write it in one transaction (or write nothing).

    The file's own validity is checked before any lock; its references to what the
    store holds (ids, owners, deleted sessions) inside the store's exclusive lock."""
    data, errors = parse(raw)
    if data is None:
        raise InvalidInput(_summary(errors), errors)
    step = progress or (lambda _label, _n: None)
    # Exclusive: no other writer runs until this load commits, so the ids, owners and
    # tombstones it checks against are still true when it writes.
    with writing(engine, exclusive=True) as conn:
        known, deleted = snapshot(conn)
        errors = check_references(data, known)
        if errors:
            raise InvalidInput(_summary(errors), errors)
        report = _write(conn, data, deleted, step)
    return report


def _summary(errors: list[str]) -> str:
    n = len(errors)
    return ngettext(
        "the file is invalid ({n} error); nothing was written",
        "the file is invalid ({n} errors); nothing was written",
        n,
    ).format(n=n)


def _write(conn: Connection, data: ExportIn, deleted: set[int], step: Progress) -> LoadReport:
    report = LoadReport()
    audience_client = {a.id: a.client_id for a in data.audiences}
    audience_client.update(
        (r[0], r[1])
        for r in conn.execute(select(t.audience.c.id, t.audience.c.client_id))
        if r[0] not in audience_client
    )

    _upsert(conn, t.client, [{"id": c.id, "name": c.name} for c in data.clients])
    step("clients", len(data.clients))
    _upsert(conn, t.audience, [a.model_dump() for a in data.audiences])
    step("audiences", len(data.audiences))
    _upsert(
        conn,
        t.app_user,
        [
            {
                "id": u.id,
                "client_id": u.client_id,
                "email": u.email,
                "email_key": email_key(u.email),
                "name": u.name,
            }
            for u in data.users
        ],
    )
    _replace(
        conn,
        t.user_grant,
        "user_id",
        [u.id for u in data.users],
        [
            {"user_id": u.id, "role": g.role, "scope": g.scope, "scope_id": g.scope_id}
            for u in data.users
            for g in u.grants
        ],
    )
    step("users", len(data.users))
    _upsert(
        conn,
        t.event,
        [{**e.model_dump(), "client_id": audience_client[e.audience_id]} for e in data.events],
    )
    step("events", len(data.events))
    _upsert(
        conn,
        t.community,
        [{**c.model_dump(), "client_id": audience_client[c.audience_id]} for c in data.communities],
    )
    step("communities", len(data.communities))
    _upsert(conn, t.speaker, [s.model_dump() for s in data.speakers])
    step("speakers", len(data.speakers))
    _upsert(conn, t.partner, [p.model_dump() for p in data.partners])
    step("partners", len(data.partners))

    event_client = {r[0]: r[1] for r in conn.execute(select(t.event.c.id, t.event.c.client_id))}
    sessions = [s for s in data.sessions if s.id not in deleted]
    report.skipped_deleted = [s.id for s in data.sessions if s.id in deleted]
    rows = []
    speaker_rows: list[dict[str, Any]] = []
    partner_rows: list[dict[str, Any]] = []
    for s in sessions:
        client = event_client[s.event_id]
        rows.append(
            {
                "id": s.id,
                "client_id": client,
                "event_id": s.event_id,
                "title": s.title,
                "summary": s.summary,
                "format": s.format,
                "source_kind": s.source.kind if s.source else None,
                "source_ref": s.source.ref if s.source else None,
                "thumbnail": s.thumbnail,
                "is_public": True,
            }
        )
        speaker_rows.extend(
            {"session_id": s.id, "speaker_id": sp, "client_id": client, "position": i}
            for i, sp in enumerate(s.speaker_ids)
        )
        partner_rows.extend(
            {"session_id": s.id, "partner_id": p, "client_id": client, "position": i}
            for i, p in enumerate(s.partner_ids)
        )
    # R6: re-loading an export never makes a migrated session public again.
    _upsert(conn, t.session, rows, keep=("is_public",))
    step("sessions", len(rows))
    ids = [s.id for s in sessions]
    _replace(conn, t.session_speaker, "session_id", ids, speaker_rows)
    _replace(conn, t.session_partner, "session_id", ids, partner_rows)
    step("links", len(speaker_rows) + len(partner_rows))

    report.counts = {
        "clients": len(data.clients),
        "audiences": len(data.audiences),
        "users": len(data.users),
        "events": len(data.events),
        "communities": len(data.communities),
        "speakers": len(data.speakers),
        "partners": len(data.partners),
        "sessions": len(rows),
    }
    return report
