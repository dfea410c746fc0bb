"""Read queries, scoped to the actor's client and grants. Set-based Core statements
returning plain dicts; every listing is one statement.

Listings stream (SPEC "Scale"): for JSON and CSV (a window that counts nothing) the
rows come from `listed`, fetched in chunks of `chunk_rows()` on a connection held open
until the last row is read, and are converted chunk by chunk as the output is written.
"""

from __future__ import annotations

import collections
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    TextualSelect,
    and_,
    event,
    false,
    func,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.engine.cursor import BufferedRowCursorFetchStrategy

from sessionmig.access import Actor, Grant, Reach, read_reach
from sessionmig.emails import email_key
from sessionmig.errors import NotFound, PermissionDenied
from sessionmig.i18n import _
from sessionmig.migration import (
    ELIGIBLE_FORMAT,
    ELIGIBLE_SOURCES,
    SessionFacts,
    eligibility,
    eligibility_code,
)
from sessionmig.paging import EVERY_ROW, MAX_LIMIT, Page, Window
from sessionmig.store import tables as t
from sessionmig.store.engine import translate_errors


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    with translate_errors(engine.url), engine.connect() as conn:
        yield conn


def resolve_actor(conn: Connection, email: str | None = None, user_id: int | None = None) -> Actor:
    """The user named by `email` (`--as`, compared by e-mail key) or by `user_id` (the
    user linked to the login), with their grants."""
    u = t.app_user
    where = u.c.id == user_id if email is None else u.c.email_key == email_key(email)
    row = conn.execute(select(u.c.id, u.c.client_id, u.c.email, u.c.name).where(where)).first()
    if row is None:
        raise PermissionDenied(
            _("unknown user {email}: not a user of any client in this store").format(
                email=repr(email)
            )
        )
    return _with_grants(conn, row)


def _with_grants(conn: Connection, row: Any) -> Actor:
    grants = conn.execute(
        select(t.user_grant.c.role, t.user_grant.c.scope, t.user_grant.c.scope_id)
        .where(t.user_grant.c.user_id == row.id)
        .order_by(t.user_grant.c.id)
    ).all()
    return Actor(
        id=row.id,
        client_id=row.client_id,
        email=row.email,
        name=row.name,
        grants=tuple(Grant(g.role, g.scope, g.scope_id) for g in grants),
    )


def current_actor(conn: Connection, actor: Actor) -> Actor:
    """The actor as the store holds them now: writers call it inside the write lock,
    so grants changed by a `load` that committed meanwhile are the ones checked."""
    u = t.app_user
    row = conn.execute(
        select(u.c.id, u.c.client_id, u.c.email, u.c.name).where(
            u.c.id == actor.id, u.c.client_id == actor.client_id
        )
    ).first()
    if row is None:
        raise PermissionDenied(
            _("unknown user {email}: not a user of any client in this store").format(
                email=repr(actor.email)
            )
        )
    return _with_grants(conn, row)


# --- scoping -------------------------------------------------------------------------


def event_scope(reach: Reach) -> ColumnElement[bool]:
    """Events covered by `reach` (the caller adds the client filter)."""
    if reach.client_wide:
        return true()
    conds: list[ColumnElement[bool]] = []
    if reach.audience_ids:
        conds.append(t.event.c.audience_id.in_(sorted(reach.audience_ids)))
    if reach.event_ids:
        conds.append(t.event.c.id.in_(sorted(reach.event_ids)))
    return or_(*conds) if conds else false()


def community_scope(reach: Reach) -> ColumnElement[bool]:
    if reach.client_wide:
        return true()
    conds: list[ColumnElement[bool]] = []
    if reach.audience_ids:
        conds.append(t.community.c.audience_id.in_(sorted(reach.audience_ids)))
    if reach.community_ids:
        conds.append(t.community.c.id.in_(sorted(reach.community_ids)))
    return or_(*conds) if conds else false()


def eligible_clause() -> ColumnElement[bool]:
    """R4 and R9 in SQL (mirrors migration.eligibility; the record join must be present)."""
    return and_(
        t.session.c.format == ELIGIBLE_FORMAT,
        t.session.c.source_kind.in_(ELIGIBLE_SOURCES),
        t.record.c.id.is_(None),
    )


def require_event(conn: Connection, actor: Actor, event_id: int, reach: Reach | None = None) -> Any:
    """The event row if the actor may read it; NotFound otherwise (another client's id
    and an unknown id give the same answer)."""
    reach = reach or read_reach(actor)
    row = conn.execute(
        select(t.event.c.id, t.event.c.name, t.event.c.audience_id).where(
            t.event.c.id == event_id, t.event.c.client_id == actor.client_id, event_scope(reach)
        )
    ).first()
    if row is None:
        raise NotFound(_("event {id} not found").format(id=event_id))
    return row


def require_community(
    conn: Connection, actor: Actor, community_id: int, reach: Reach | None = None
) -> Any:
    reach = reach or read_reach(actor)
    row = conn.execute(
        select(t.community.c.id, t.community.c.title, t.community.c.audience_id).where(
            t.community.c.id == community_id,
            t.community.c.client_id == actor.client_id,
            community_scope(reach),
        )
    ).first()
    if row is None:
        raise NotFound(_("community {id} not found").format(id=community_id))
    return row


# --- listings --------------------------------------------------------------------------

CHUNK_ROWS = 1000  # rows per fetch of a streamed listing
# The test suite forces small chunks (e.g. 2) to see a listing fetched in several.
CHUNK_ROWS_ENV = "SESSIONMIG_TEST_CHUNK_ROWS"


def chunk_rows() -> int:
    raw = os.environ.get(CHUNK_ROWS_ENV, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else CHUNK_ROWS


Rows = Sequence[Any]  # SQLAlchemy rows: tuples in the select's order
Convert = Callable[[Connection, Rows], Iterable[dict[str, Any]]]


def _sql_text(value: str) -> str:
    """A constant of the code (never data) as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _sql_ids(column: str, ids: Iterable[int]) -> str:
    """`column IN (1, 2, 3)`: ids from the actor's grants, integers written as such."""
    return f"{column} IN ({', '.join(str(int(i)) for i in sorted(ids))})"


class Aggregate(NamedTuple):
    """A listing's statement written in SQL, for the one-statement aggregates (`events
    list`, `communities list`): a few rows, where building, caching and compiling a
    Core statement cost more than the query itself on a small store (about 1 ms
    against 0.4). `body` is the statement without its ORDER BY, `where` its filters
    (ids written as integers, the client's id a bound parameter), `order` its ORDER BY
    clause; `types` types the results that need it, by name (dates)."""

    body: str
    where: str
    order: str
    client_id: int
    types: Mapping[str, Any] | None = None

    def statement(self, limit: int | None = None) -> TextualSelect:
        sql = f"{self.body} {self.order}"
        params: dict[str, Any] = {"client_id": self.client_id}
        if limit is not None:
            sql += " LIMIT :row_limit"
            params["row_limit"] = limit
        return (
            text(sql.replace("{where}", self.where))
            .bindparams(**params)
            .columns(**(self.types or {}))
        )

    def counted(self) -> TextualSelect:
        sql = f"SELECT count(*) FROM ({self.body}) AS listed"
        return (
            text(sql.replace("{where}", self.where)).bindparams(client_id=self.client_id).columns()
        )


Listable = Select[Any] | Aggregate


def _limited(stmt: Listable, limit: int) -> Any:
    return stmt.statement(limit) if isinstance(stmt, Aggregate) else stmt.limit(limit)


def _whole(stmt: Listable) -> Any:
    return stmt.statement() if isinstance(stmt, Aggregate) else stmt


def _count_of(stmt: Listable) -> Any:
    if isinstance(stmt, Aggregate):
        return stmt.counted()
    return select(func.count()).select_from(stmt.order_by(None).subquery())


def as_dicts(_conn: Connection, rows: Rows) -> Iterable[dict[str, Any]]:
    """Rows as dicts keyed by the select's labels (a Row unpacks like a tuple: far
    cheaper than its mapping view)."""
    if not rows:
        return []
    keys = tuple(rows[0]._fields)
    return [dict(zip(keys, row, strict=True)) for row in rows]


class Streamed:
    """The rows of a streamed listing: the dicts of one statement, fetched
    `chunk_rows()` at a time on a connection it holds (one read transaction) until the
    last row is read or `close()` is called. Iterating gives the rows; `chunks()` the
    same rows a fetched chunk at a time. A database error midway is raised by the
    iteration, as `StoreUnavailable` (exit 5)."""

    __slots__ = ("_chunks",)

    def __init__(self, chunks: Iterator[list[dict[str, Any]]]) -> None:
        self._chunks = chunks

    def chunks(self) -> Iterator[list[dict[str, Any]]]:
        return self._chunks

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return itertools.chain.from_iterable(self._chunks)

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


def listed(
    engine: Engine,
    window: Window,
    prepare: Callable[[Connection], Listable],
    convert: Convert = as_dicts,
) -> Page:
    """A listing's page: `prepare(conn)` checks what must be checked first (the objects
    named by the options, which raise NotFound) and returns the ordered statement;
    `convert` turns a chunk of its rows into the listing's dicts.

    A table's bounded window (`count_rest`) reads its few rows and count at once, as
    `fetch` does. Any other window streams: the statement is executed here (so that
    errors of the checks and of the statement come before any output), and its rows
    are fetched in chunks while the caller writes them (`_stream`: on PostgreSQL one
    statement when the rows fit in one chunk, else a server-side cursor; SQLite steps
    the statement one chunk per fetch).
    """
    if window.count_rest:
        with reading(engine) as conn:
            rows, left_out = fetch(conn, prepare(conn), window)
            return Page(list(convert(conn, rows)), left_out)
    stream = _stream(engine, window, prepare, convert)
    next(stream)  # checked and executed: the first chunk is the caller's to fetch
    return Page(Streamed(stream))


def _stream(
    engine: Engine,
    window: Window,
    prepare: Callable[[Connection], Listable],
    convert: Convert,
) -> Iterator[list[dict[str, Any]]]:
    """The listing's rows a chunk per fetch: through a server-side cursor on PostgreSQL,
    the statement stepped one chunk per `fetchmany` on SQLite.

    On PostgreSQL a listing that fits in one chunk is read by one statement instead. A
    server-side cursor costs five round trips however short the listing (BEGIN,
    DECLARE, its description, FETCH, ROLLBACK) where one SELECT costs one: the probe
    asks first for one chunk and a row (a LIMIT; the window's own limit when smaller),
    in autocommit, and only when that extra row comes does the listing begin its
    transaction and declare its cursor, reading the first chunk's rows a second time
    (the probe's are not kept: the cursor's read is the listing, in one snapshot).
    SQLite has no round trips to save: a probe would only repeat the first chunk.
    """
    with reading(engine) as conn:
        pg = conn.dialect.name == "postgresql"
        if pg:
            conn.execution_options(isolation_level="AUTOCOMMIT")  # no BEGIN for the probe
        listable = prepare(conn)
        size = chunk_rows()
        if pg:
            probe = size + 1 if window.limit is None else min(window.limit, size + 1)
            rows = conn.execute(_limited(listable, probe)).all()
            if len(rows) < probe or probe == window.limit:  # every row is here
                yield []  # primed (never reaches the caller)
                if rows:
                    yield list(convert(conn, rows))
                return
            del rows
            conn.exec_driver_sql("BEGIN")
        stmt = _whole(listable) if window.limit is None else _limited(listable, window.limit)
        try:
            result = conn.execute(stmt.execution_options(yield_per=size, **{_CHUNKS_ONLY: True}))
        except BaseException:
            if pg:
                _end(conn)
            raise
        yield []  # primed
        try:
            while chunk := result.fetchmany(size):
                yield list(convert(conn, chunk))
                if len(chunk) < size:
                    break  # the last: no fetch more (a round trip on PostgreSQL) to see it
        finally:
            try:
                if pg:
                    _end(conn)  # first: PostgreSQL drops the cursor with the transaction,
            finally:  # and psycopg then sends no CLOSE of its own (a round trip)
                result.close()


def _end(conn: Connection) -> None:
    """End the transaction `_stream` began on PostgreSQL (not on a connection lost
    midway: the transaction went with it)."""
    if not conn.invalidated:
        conn.exec_driver_sql("ROLLBACK")


# An execution option of a streamed statement: its rows are fetched in chunks only.
# SQLAlchemy's streamed result otherwise fetches one row as it starts (for drivers that
# describe a result only then), which on PostgreSQL is one more FETCH, a round trip;
# psycopg's server-side cursor is described when it is declared.
_CHUNKS_ONLY = "sessionmig_chunks_only"


@event.listens_for(Engine, "before_cursor_execute")
def _chunks_only(
    _conn: Any, cursor: Any, _sql: str, _params: Any, context: Any, _many: bool
) -> None:
    if context is not None and context.execution_options.get(_CHUNKS_ONLY):
        context.cursor_fetch_strategy = BufferedRowCursorFetchStrategy(
            cursor, context.execution_options, initial_buffer=collections.deque()
        )


def fetch(conn: Connection, stmt: Listable, window: Window) -> tuple[Sequence[Any], int]:
    """The rows of `stmt` (ordered) within `window`, and how many matched beyond it.

    A bounded window asks the database for `limit + 1` rows: the extra row tells
    whether anything was left out, and only then, when the window asks for it, one
    `COUNT(*)` of the same statement says how many. A table of the first 100 of
    100,000 records thus reads 101 rows and counts, instead of rendering them all.
    """
    if window.limit is None:
        return conn.execute(_whole(stmt)).all(), 0
    if not window.count_rest:
        return conn.execute(_limited(stmt, window.limit)).all(), 0
    rows = conn.execute(_limited(stmt, min(window.limit + 1, MAX_LIMIT))).all()
    if len(rows) <= window.limit:
        return rows, 0
    total = conn.execute(_count_of(stmt)).scalar_one()
    return rows[: window.limit], max(0, int(total) - window.limit)


def _event_where(reach: Reach) -> str:
    """event_scope in SQL (events named `event`)."""
    if reach.client_wide:
        return ""
    conds = []
    if reach.audience_ids:
        conds.append(_sql_ids("event.audience_id", reach.audience_ids))
    if reach.event_ids:
        conds.append(_sql_ids("event.id", reach.event_ids))
    return f" AND ({' OR '.join(conds)})" if conds else " AND 1 = 0"


def _community_where(reach: Reach) -> str:
    """community_scope in SQL (communities named `community`)."""
    if reach.client_wide:
        return ""
    conds = []
    if reach.audience_ids:
        conds.append(_sql_ids("community.audience_id", reach.audience_ids))
    if reach.community_ids:
        conds.append(_sql_ids("community.id", reach.community_ids))
    return f" AND ({' OR '.join(conds)})" if conds else " AND 1 = 0"


# The events with their sessions counted: every session, the eligible ones (R4 and R9,
# as eligible_clause says), the migrated ones.
_EVENTS_SQL = f"""SELECT event.id AS id, event.name AS name, audience.name AS audience,
event.starts_on AS starts_on, event.ends_on AS ends_on, count(event_session.id) AS sessions,
coalesce(sum(CASE WHEN event_session.format = {_sql_text(ELIGIBLE_FORMAT)}
AND event_session.source_kind IN ({", ".join(_sql_text(k) for k in ELIGIBLE_SOURCES)})
AND migration_record.id IS NULL THEN 1 ELSE 0 END), 0) AS eligible,
count(migration_record.id) AS migrated
FROM event JOIN audience ON audience.id = event.audience_id
LEFT OUTER JOIN event_session ON event_session.event_id = event.id
LEFT OUTER JOIN migration_record ON migration_record.session_id = event_session.id
WHERE event.client_id = :client_id{{where}}
GROUP BY event.id, event.name, audience.name, event.starts_on, event.ends_on"""


def list_events(engine: Engine, actor: Actor, window: Window = EVERY_ROW) -> Page:
    e = t.event
    stmt = Aggregate(
        _EVENTS_SQL,
        _event_where(read_reach(actor)),
        "ORDER BY event.starts_on, event.id",
        actor.client_id,
        {"starts_on": e.c.starts_on.type, "ends_on": e.c.ends_on.type},
    )
    return listed(engine, window, lambda _conn: stmt)


def _source_label(kind: str | None) -> str:
    return kind or "none"


def list_sessions(
    engine: Engine,
    actor: Actor,
    *,
    event_id: int | None = None,
    eligible: bool = False,
    migrated: bool = False,
    public: bool = False,
    window: Window = EVERY_ROW,
) -> Page:
    """The back-office listing: migrated sessions included, with their community."""
    s, e, r, c = t.session, t.event, t.record, t.community
    reach = read_reach(actor)
    stmt = (
        select(
            s.c.id,
            s.c.event_id,
            s.c.title,
            s.c.format,
            s.c.source_kind,
            s.c.is_public,
            r.c.community_id,
            c.c.title.label("community"),
        )
        .select_from(s)
        .join(e, e.c.id == s.c.event_id)
        .outerjoin(r, r.c.session_id == s.c.id)
        .outerjoin(c, c.c.id == r.c.community_id)
        .where(s.c.client_id == actor.client_id, event_scope(reach))
        .order_by(s.c.event_id, s.c.id)
    )
    if event_id is not None:
        stmt = stmt.where(s.c.event_id == event_id)
    if eligible:
        stmt = stmt.where(eligible_clause())
    if migrated:
        stmt = stmt.where(r.c.id.is_not(None))
    if public:
        stmt = stmt.where(s.c.is_public.is_(True))

    def prepare(conn: Connection) -> Select[Any]:
        if event_id is not None:
            require_event(conn, actor, event_id, reach)
        return stmt

    return listed(engine, window, prepare, _session_rows)


def _session_rows(_conn: Connection, rows: Rows) -> list[dict[str, Any]]:
    # Rows unpack like tuples (positional, in the select's order): far cheaper than
    # 15 attribute look-ups by name per row; the eligibility's code without its sentence.
    # Exactly the listing's keys, in its order: the JSON writes these dicts as they are.
    return [
        {
            "id": sid,
            "event_id": ev_id,
            "title": title,
            "format": fmt,
            "source": _source_label(kind),
            "public": bool(is_public),
            "eligibility": eligibility_code(community_id, fmt, kind),
            "community_id": community_id,
            "community": community,
        }
        for sid, ev_id, title, fmt, kind, is_public, community_id, community in rows
    ]


# The communities with their videos counted: drafts, published, all. Each count is its
# own subquery on the community's entries of the (community_id, status) index: no video
# row is read, where a join grouped by community read and sorted every one of them
# (SQLite, 1,000 sessions: 0.05 ms against 0.29).
_VIDEOS_OF = "SELECT count(*) FROM community_video AS v WHERE v.community_id = community.id"
_COMMUNITIES_SQL = f"""SELECT community.id AS id, community.title AS title,
audience.name AS audience,
({_VIDEOS_OF} AND v.status = 'draft') AS drafts,
({_VIDEOS_OF} AND v.status = 'published') AS published,
({_VIDEOS_OF}) AS videos
FROM community JOIN audience ON audience.id = community.audience_id
WHERE community.client_id = :client_id{{where}}"""


def list_communities(engine: Engine, actor: Actor, window: Window = EVERY_ROW) -> Page:
    stmt = Aggregate(
        _COMMUNITIES_SQL,
        _community_where(read_reach(actor)),
        "ORDER BY community.title, community.id",
        actor.client_id,
    )
    return listed(engine, window, lambda _conn: stmt)


def _names(conn: Connection, link: Any, other: Any, key: str, session_id: int) -> list[str]:
    rows = conn.execute(
        select(other.c.name)
        .select_from(link)
        .join(other, other.c.id == link.c[key])
        .where(link.c.session_id == session_id)
        .order_by(link.c.position, other.c.name)
    ).all()
    return [r.name for r in rows]


def show_session(engine: Engine, actor: Actor, session_id: int) -> dict[str, Any]:
    """One session with, when it has moved, the migration notice of R8."""
    s, e, r, c = t.session, t.event, t.record, t.community
    with reading(engine) as conn:
        row = conn.execute(
            select(
                s,
                e.c.name.label("event"),
                r.c.community_id,
                c.c.title.label("community_title"),
                r.c.actor_name,
                r.c.actor_email,
                r.c.migrated_at,
                r.c.video_id,
            )
            .select_from(s)
            .join(e, e.c.id == s.c.event_id)
            .outerjoin(r, r.c.session_id == s.c.id)
            .outerjoin(c, c.c.id == r.c.community_id)
            .where(
                s.c.id == session_id,
                s.c.client_id == actor.client_id,
                event_scope(read_reach(actor)),
            )
        ).first()
        if row is None:
            raise NotFound(_("session {id} not found").format(id=session_id))
        speakers = _names(conn, t.session_speaker, t.speaker, "speaker_id", session_id)
        partners = _names(conn, t.session_partner, t.partner, "partner_id", session_id)
    verdict = eligibility(
        SessionFacts(
            row.id, row.title, row.format, row.source_kind, row.community_id, row.community_title
        )
    )
    migration = None
    if row.community_id is not None:
        migration = {
            "community_id": row.community_id,
            "community_title": row.community_title,
            "actor_name": row.actor_name,
            "actor_email": row.actor_email,
            "migrated_at": row.migrated_at,
            "video_id": row.video_id,
        }
    return {
        "id": row.id,
        "event_id": row.event_id,
        "event": row.event,
        "title": row.title,
        "summary": row.summary,
        "format": row.format,
        "source": _source_label(row.source_kind),
        "source_ref": row.source_ref,
        "thumbnail": row.thumbnail,
        "speakers": speakers,
        "partners": partners,
        "public": bool(row.is_public),
        "eligibility": verdict.code,
        "eligibility_reason": verdict.reason,
        "migration": migration,
    }
