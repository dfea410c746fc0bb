"""`sessionmig load`: upsert a validated back-office export in one transaction.

Set-based and lean: the export is validated into compact rows (export_format), then each
table is written in batches straight from them, never as ORM objects or row dicts:

- SQLite: the Core upsert (`INSERT ... ON CONFLICT (id) DO UPDATE`) compiled once,
  then the driver's executemany on plain tuples, `BATCH` rows at a time;
- PostgreSQL: `COPY` (psycopg 3) into a temporary table, then one Core
  `INSERT ... SELECT ... ON CONFLICT (id) DO UPDATE` per table; link rows are copied
  straight into their table.

Link tables are replaced per session (only sessions the store held already can have
links to remove). The cyclic garbage collector is paused while the rows are built and
written: they hold no cycles, and its passes over 10^5 young objects cost a third of
the time.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy import Column, Connection, Engine, MetaData, Table, delete, select
from sqlalchemy.exc import DBAPIError

from sessionmig.errors import InvalidInput
from sessionmig.export_format import (
    Export,
    Known,
    SessionRow,
    check_references,
    decode,
    parse_text,
)
from sessionmig.i18n import ngettext
from sessionmig.store import tables as t
from sessionmig.store.engine import writing

CHUNK = 5_000  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits
BATCH = 10_000  # rows per executemany (SQLite) and per progress step
# Tests make batches small to cross their boundaries; not a setting for people.
BATCH_ENV = "SESSIONMIG_TEST_LOAD_BATCH"

Progress = Callable[[str, int], None]


@dataclass
class LoadReport:
    counts: dict[str, int] = field(default_factory=dict)
    skipped_deleted: list[int] = field(default_factory=list)


def batch_size() -> int:
    raw = os.environ.get(BATCH_ENV, "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else BATCH


def _chunks(seq: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def _batches(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


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


def load(engine: Engine, raw: bytes, progress: Progress | None = None) -> LoadReport:
    """Validate the whole export, then write it in one transaction (or write nothing).

    The file's own validity is checked before any lock; its references to what the
    store holds (ids, owners, deleted sessions) inside the store's exclusive lock.
    `raw` is let go once decoded: a caller that passes it without keeping it frees it."""
    step = progress or (lambda _label, _n: None)
    collecting = gc.isenabled()
    gc.disable()
    try:
        text, errors = decode(raw)
        del raw
        if text is None:
            raise InvalidInput(_summary(errors), errors)
        data, errors = parse_text(text)
        del text
        if data is None:
            raise InvalidInput(_summary(errors), errors)
        # Exclusive: no other writer runs until this load commits, so the ids, owners and
        # tombstones it checks against are still true when it writes.
        with writing(engine, exclusive=True) as conn:
            known, deleted = snapshot(conn)
            errors = check_references(data, known)
            if errors:
                raise InvalidInput(_summary(errors), errors)
            return _write(conn, data, known, deleted, step)
    finally:
        if collecting:
            gc.enable()


def _summary(errors: list[str]) -> str:
    n = len(errors)
    return ngettext(
        "the file is invalid ({n} error); nothing was written",
        "the file is invalid ({n} errors); nothing was written",
        n,
    ).format(n=n)


# --- writing -------------------------------------------------------------------------


class _Writer:
    """Rows into tables, the fastest way each backend has, inside the load's transaction."""

    def __init__(self, conn: Connection, batch: int) -> None:
        self.conn = conn
        self.batch = batch
        self.postgres = conn.dialect.name == "postgresql"

    def rows(
        self,
        table: Table,
        columns: Sequence[str],
        rows: Iterable[tuple[Any, ...]],
        *,
        upsert: bool = True,
        keep: Sequence[str] = (),
        step: Callable[[int], None] | None = None,
    ) -> int:
        """Write `rows` (tuples in the order of `columns`); with `upsert`, a row whose id
        exists updates it, except the columns in `keep`. Returns the number of rows."""
        if self.postgres:
            return self._copy(table, columns, rows, upsert=upsert, keep=keep, step=step)
        from sqlalchemy.dialects import sqlite

        stmt: Any = sqlite.insert(table)
        if upsert:
            stmt = stmt.on_conflict_do_update(
                index_elements=["id"],
                set_={c: stmt.excluded[c] for c in columns if c != "id" and c not in keep},
            )
        compiled = stmt.compile(dialect=self.conn.dialect, column_keys=list(columns))
        assert list(compiled.positiontup or ()) == list(columns), compiled.positiontup
        sql = str(compiled)
        done = 0
        for batch in _batches(rows, self.batch):
            self.conn.exec_driver_sql(sql, batch)
            done += len(batch)
            if step:
                step(done)
        return done

    def _copy(
        self,
        table: Table,
        columns: Sequence[str],
        rows: Iterable[tuple[Any, ...]],
        *,
        upsert: bool,
        keep: Sequence[str],
        step: Callable[[int], None] | None,
    ) -> int:
        from sqlalchemy.dialects import postgresql

        target = table
        if upsert:
            target = Table(
                f"load_{table.name}",
                MetaData(),
                *(Column(c, table.c[c].type) for c in columns),
                prefixes=["TEMPORARY"],
                postgresql_on_commit="DROP",
            )
            target.create(self.conn)
        quote = self.conn.dialect.identifier_preparer.quote
        sql = f"COPY {quote(target.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        done = 0
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with _driver_errors(self.conn, sql), cursor, cursor.copy(sql) as copy:
            # Row by row from the iterable: COPY streams, no batch of rows is built.
            write, batch = copy.write_row, self.batch
            for row in rows:
                write(row)
                done += 1
                if step and done % batch == 0:
                    step(done)
            if step and done % batch:
                step(done)
        if upsert and done:
            ins = postgresql.insert(table)
            self.conn.execute(
                ins.from_select(list(columns), select(*target.c)).on_conflict_do_update(
                    index_elements=["id"],
                    set_={c: ins.excluded[c] for c in columns if c != "id" and c not in keep},
                )
            )
        return done

    def remove(self, table: Table, key: str, owners: Sequence[int]) -> None:
        for part in _chunks(owners):
            self.conn.execute(delete(table).where(table.c[key].in_(part)))


@contextmanager
def _driver_errors(conn: Connection, statement: str) -> Iterator[None]:
    """A driver error raised outside SQLAlchemy (psycopg's COPY) as SQLAlchemy's own, so
    that store.engine.translate_errors turns it into its one line (exit 5)."""
    dbapi = conn.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as exc:
        raise DBAPIError.instance(statement, None, exc, dbapi.Error) from exc


SESSION_COLUMNS = (
    "id",
    "client_id",
    "event_id",
    "title",
    "summary",
    "format",
    "source_kind",
    "source_ref",
    "thumbnail",
    "is_public",
)
LINK_COLUMNS = {
    "speaker": ("session_id", "speaker_id", "client_id", "position"),
    "partner": ("session_id", "partner_id", "client_id", "position"),
}


def _write(
    conn: Connection, data: Export, known: Known, deleted: set[int], step: Progress
) -> LoadReport:
    out = _Writer(conn, batch_size())
    report = LoadReport()
    audience_client = dict(known.audiences)
    audience_client.update((a.id, a.client_id) for a in data.audiences)
    event_client = dict(known.events)
    event_client.update((e.id, audience_client[e.audience_id]) for e in data.events)

    out.rows(t.client, ("id", "name"), data.clients)
    step("clients", len(data.clients))
    out.rows(t.audience, ("id", "client_id", "name"), data.audiences)
    step("audiences", len(data.audiences))
    out.rows(
        t.app_user,
        ("id", "client_id", "email", "email_key", "name"),
        (u[:5] for u in data.users),
    )
    out.remove(t.user_grant, "user_id", [u.id for u in data.users if u.id in known.users])
    out.rows(
        t.user_grant,
        ("user_id", "role", "scope", "scope_id"),
        ((u.id, *g) for u in data.users for g in u.grants),
        upsert=False,
    )
    step("users", len(data.users))
    out.rows(
        t.event,
        ("id", "client_id", "audience_id", "name", "starts_on", "ends_on"),
        (
            (e.id, audience_client[e.audience_id], e.audience_id, e.name, *_days(conn, e))
            for e in data.events
        ),
    )
    step("events", len(data.events))
    out.rows(
        t.community,
        ("id", "client_id", "audience_id", "title"),
        ((c.id, audience_client[c.audience_id], c.audience_id, c.title) for c in data.communities),
    )
    step("communities", len(data.communities))
    out.rows(t.speaker, ("id", "client_id", "name", "company"), data.speakers)
    step("speakers", len(data.speakers))
    out.rows(t.partner, ("id", "client_id", "name"), data.partners)
    step("partners", len(data.partners))

    sessions = data.sessions
    if deleted:
        report.skipped_deleted = [s.id for s in sessions if s.id in deleted]
        sessions = [s for s in sessions if s.id not in deleted]
    # R6: re-loading an export never makes a migrated session public again.
    written = out.rows(
        t.session,
        SESSION_COLUMNS,
        (
            (s.id, event_client[s.event_id], *s[1:8], True)  # event_id .. thumbnail
            for s in sessions
        ),
        keep=("is_public",),
        step=lambda n: step("sessions", n),
    )
    step("sessions", written)
    again = [s.id for s in sessions if s.id in known.sessions]
    links = 0
    for kind, table, ids_of in (
        ("speaker", t.session_speaker, _speaker_ids),
        ("partner", t.session_partner, _partner_ids),
    ):
        out.remove(table, "session_id", again)
        links += out.rows(
            table,
            LINK_COLUMNS[kind],
            (
                (s.id, ref, event_client[s.event_id], i)
                for s in sessions
                for i, ref in enumerate(ids_of(s))
            ),
            upsert=False,
        )
    step("links", links)

    report.counts = {
        "clients": len(data.clients),
        "audiences": len(data.audiences),
        "users": len(data.users),
        "events": len(data.events),
        "communities": len(data.communities),
        "speakers": len(data.speakers),
        "partners": len(data.partners),
        "sessions": written,
    }
    return report


def _speaker_ids(s: SessionRow) -> tuple[int, ...]:
    return s.speaker_ids


def _partner_ids(s: SessionRow) -> tuple[int, ...]:
    return s.partner_ids


def _days(conn: Connection, e: Any) -> tuple[Any, Any]:
    """An event's dates as the column stores them: SQLAlchemy's Date type writes ISO
    text on SQLite (the driver's own date adapter is deprecated); psycopg takes dates."""
    if conn.dialect.name == "postgresql":
        return e.starts_on, e.ends_on
    return e.starts_on.isoformat(), e.ends_on.isoformat()
