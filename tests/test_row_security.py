"""The database enforces who may do what (SPEC "Identity on a shared store", revision
0006_row_security): a linked login reads exactly what sessionmig shows its user and
writes exactly what its grants allow, through the CLI and through plain SQL.

PostgreSQL only (SESSIONMIG_TEST_PG_URL). Roles are cluster-wide: every role here has
a name unique to this run, and is dropped at teardown, after its database.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from sessionmig.access import Actor, read_reach
from sessionmig.context import AppContext
from sessionmig.store import engine as store_engine
from sessionmig.store import schema
from tests import sample
from tests.conftest import Cli, _pg_admin_engine, _pg_database, assert_sound, pg_server_url

pytestmark = pytest.mark.skipif(
    not pg_server_url(), reason="PostgreSQL: set SESSIONMIG_TEST_PG_URL"
)

USERS = (
    sample.ADMIN,
    sample.SUPPORT,
    sample.AUDIENCE_ADMIN,
    sample.EVENT_READER,
    sample.EVENT_CONTRIB,
    sample.COMMUNITY_ADMIN,
    sample.COMMUNITY_CONTRIB,
    sample.NOBODY,
    sample.OTHER_ADMIN,
)
INSUFFICIENT_PRIVILEGE = "42501"


def _admin_url(database: str) -> str:
    return make_url(pg_server_url() or "").set(database=database).render_as_string(False)


def login_url(database: str, role: str) -> str:
    """How a login connects (trust auth on the test server): its own role, no password."""
    url = make_url(pg_server_url() or "").set(username=role, password=None, database=database)
    return url.render_as_string(hide_password=False)


def engine_for(url: str) -> Engine:
    return create_engine(url, poolclass=NullPool)


@dataclass
class Store:
    """A populated store with one role linked to each sample user, and one unlinked."""

    database: str
    url: str  # the operator's
    roles: dict[str, str]  # email -> role
    unlinked: str
    videos: dict[int, int]  # session id -> video id
    tmp: Path

    def login(self, email: str) -> str:
        return login_url(self.database, self.roles[email])

    def cli(self, email: str | None = None) -> Cli:
        return Cli(self.url if email is None else self.login(email), self.tmp)


def _create_role(name: str) -> None:
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{name}" LOGIN'))
    admin.dispose()


def _drop_roles(names: list[str]) -> None:
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    admin.dispose()


def link(cli: Cli, email: str, role: str) -> None:
    """Make `role` and bind it to the user `email` with the real `logins link --create`,
    run by the operator (name and OID, and the login group)."""
    r = cli("logins", "link", email, role, "--create")
    assert r.exit_code == 0, r.stderr


def _group_of(url: str) -> str:
    """This store's login group (made by `db init`; roles outlive databases)."""
    from sessionmig.store.identity import group_role_name

    eng = engine_for(url)
    with eng.connect() as conn:
        group = group_role_name(conn)
    eng.dispose()
    assert group is not None
    return group


def _populate(url: str, tmp: Path) -> dict[int, int]:
    """The sample, with records whose community the event's readers do not cover (the
    join trap), a published video, a deleted session and another client's migration."""
    cli = Cli(url, tmp)
    assert cli.load(sample.export()).exit_code == 0
    steps = [
        ("migrate", "--community", "51", "--event", "10", "--session", "1000", "--yes"),
        ("migrate", "--community", "50", "--event", "11", "--session", "1100", "--yes"),
        ("sessions", "delete", str(sample.HYBRID), "--yes"),
    ]
    for args in steps:
        r = cli(*args, actor=sample.ADMIN)
        assert r.exit_code == 0, r.stderr
    r = cli("migrate", "--community", "95", "--event", "90", "--session", "9000", "--yes",
            actor=sample.OTHER_ADMIN)  # fmt: skip
    assert r.exit_code == 0, r.stderr
    h = cli("history", "--format", "json", actor=sample.ADMIN).json()
    videos = {rec["session_id"]: rec["video_id"] for rec in h}
    r = cli("videos", "publish", str(videos[1100]), actor=sample.ADMIN)
    assert r.exit_code == 0, r.stderr
    return videos


@contextmanager
def populated_store(tmp: Path) -> Iterator[Store]:
    tag = uuid.uuid4().hex[:8]
    roles = {email: f"smrls_{tag}_{email.split('@')[0]}" for email in USERS}
    unlinked = f"smrls_{tag}_unlinked"
    made: list[str] = []
    try:
        with _pg_database(prefix="sm_rls") as url:
            eng = store_engine.create(store_engine.parse_url(url))
            schema.upgrade(eng)
            eng.dispose()
            made.append(_group_of(url))
            videos = _populate(url, tmp)
            operator = Cli(url, tmp)
            for email, role in roles.items():
                made.append(role)  # dropped at teardown even if the link fails midway
                link(operator, email, role)
            _create_role(unlinked)
            made.append(unlinked)
            database = make_url(url).database
            assert database
            yield Store(database, url, roles, unlinked, videos, tmp)
    finally:
        _drop_roles(made)  # after the database: the group's privileges went with it


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Built once for the tests that read, or write in transactions they roll back."""
    with populated_store(tmp_path_factory.mktemp("rls")) as s:
        yield s


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Store]:
    """A store of its own, for the tests that commit writes."""
    with populated_store(tmp_path) as s:
        yield s


def actor_of(url: str, email: str) -> Actor:
    ctx = AppContext(db=url, actor_email=email)
    try:
        return ctx.actor()
    finally:
        ctx.engine().dispose()


# --- every table -----------------------------------------------------------------------


def test_every_table_has_row_security_and_no_login_may_truncate(store: Store) -> None:
    """A table that a later revision adds without row-level security fails here: plain
    ENABLE (not FORCE: the operator owns the schema and bypasses it), at least one
    policy, no TRUNCATE for anyone but the owner, nothing for PUBLIC."""
    eng = engine_for(store.url)
    with eng.connect() as conn:
        tables = conn.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
                "(SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
                "ORDER BY c.relname"
            )
        ).all()
        truncaters = conn.execute(
            text(
                "SELECT table_name, grantee FROM information_schema.role_table_grants "
                "WHERE table_schema = current_schema() AND privilege_type = 'TRUNCATE' "
                "AND grantee <> (SELECT tableowner FROM pg_tables "
                "  WHERE tablename = table_name AND schemaname = current_schema())"
            )
        ).all()
        public = conn.execute(
            text(
                "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
                "WHERE table_schema = current_schema() AND grantee = 'PUBLIC'"
            )
        ).all()
    eng.dispose()
    # every table the reads below compare, and no other (a new one must join TABLES)
    assert {name for name, *_rest in tables} == set(TABLES)
    assert [name for name, on, _f, _n in tables if not on] == []
    assert [name for name, _on, force, _n in tables if force] == []
    assert [name for name, _on, _f, policies in tables if not policies] == []
    assert truncaters == [] and public == []


# --- reads: exactly the CLI's reach ------------------------------------------------------


def _rows(url: str, table: str) -> set[tuple[Any, ...]]:
    eng = engine_for(url)
    with eng.connect() as conn:
        found = {tuple(r) for r in conn.execute(text(f"SELECT * FROM {table}"))}
    eng.dispose()
    return found


def _dicts(url: str, table: str) -> list[dict[str, Any]]:
    eng = engine_for(url)
    with eng.connect() as conn:
        found = [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {table}"))]
    eng.dispose()
    return found


TABLES = (
    "alembic_version",
    "store_info",
    "client",
    "audience",
    "app_user",
    "user_grant",
    "event",
    "community",
    "speaker",
    "partner",
    "event_session",
    "session_speaker",
    "session_partner",
    "deleted_session",
    "community_video",
    "video_speaker",
    "video_partner",
    "migration_record",
)


def expected_reach(url: str, actor: Actor) -> dict[str, list[dict[str, Any]]]:
    """What sessionmig shows `actor`, table by table, computed from the whole store with
    sessionmig.access (the CLI's own rules), not from the policies."""
    every = {t: _dicts(url, t) for t in TABLES}
    r, cid = read_reach(actor), actor.client_id
    events = {
        e["id"]: e
        for e in every["event"]
        if e["client_id"] == cid
        and (r.client_wide or e["audience_id"] in r.audience_ids or e["id"] in r.event_ids)
    }
    covered_communities = {
        c["id"]: c
        for c in every["community"]
        if c["client_id"] == cid
        and (r.client_wide or c["audience_id"] in r.audience_ids or c["id"] in r.community_ids)
    }
    audience_of_event = {e["id"]: e["audience_id"] for e in every["event"]}
    audience_of_community = {c["id"]: c["audience_id"] for c in every["community"]}

    def record_visible(rec: dict[str, Any]) -> bool:  # store.history.visible
        return rec["client_id"] == cid and (
            r.client_wide
            or rec["event_id"] in r.event_ids
            or rec["community_id"] in r.community_ids
            or audience_of_event.get(rec["event_id"]) in r.audience_ids
            or audience_of_community.get(rec["community_id"]) in r.audience_ids
        )

    records = [rec for rec in every["migration_record"] if record_visible(rec)]
    sessions = [
        s for s in every["event_session"] if s["client_id"] == cid and s["event_id"] in events
    ]
    session_ids = {s["id"] for s in sessions}
    links = {
        t: [x for x in every[t] if x["session_id"] in session_ids]
        for t in ("session_speaker", "session_partner")
    }
    shown_videos = [
        v
        for v in every["community_video"]
        if v["client_id"] == cid and v["community_id"] in covered_communities
    ]
    shown_video_ids = {v["id"] for v in shown_videos}
    record_videos = {rec["video_id"] for rec in records}
    audiences = (
        set(r.audience_ids)
        | {e["audience_id"] for e in events.values()}
        | {c["audience_id"] for c in covered_communities.values()}
    )

    def people(table: str, link: str, key: str) -> list[dict[str, Any]]:
        linked = {x[key] for x in links[link]}
        return [
            p
            for p in every[table]
            if p["client_id"] == cid and (r.client_wide or p["id"] in linked)
        ]

    return {
        "alembic_version": every["alembic_version"],
        "store_info": every["store_info"],
        "client": [c for c in every["client"] if c["id"] == cid],
        "audience": [
            a
            for a in every["audience"]
            if a["client_id"] == cid and (r.client_wide or a["id"] in audiences)
        ],
        "app_user": [u for u in every["app_user"] if u["id"] == actor.id],
        "user_grant": [g for g in every["user_grant"] if g["user_id"] == actor.id],
        "event": list(events.values()),
        "community": [
            c
            for c in every["community"]
            if c["id"] in covered_communities
            or (c["client_id"] == cid and c["id"] in {rec["community_id"] for rec in records})
        ],
        "speaker": people("speaker", "session_speaker", "speaker_id"),
        "partner": people("partner", "session_partner", "partner_id"),
        "event_session": sessions,
        "session_speaker": links["session_speaker"],
        "session_partner": links["session_partner"],
        "deleted_session": [
            d
            for d in every["deleted_session"]
            if d["client_id"] == cid
            and (
                r.client_wide
                or d["event_id"] in r.event_ids
                or audience_of_event.get(d["event_id"]) in r.audience_ids
            )
        ],
        "community_video": shown_videos
        + [
            v
            for v in every["community_video"]
            if v["client_id"] == cid and v["id"] in record_videos and v["id"] not in shown_video_ids
        ],
        "video_speaker": [x for x in every["video_speaker"] if x["video_id"] in shown_video_ids],
        "video_partner": [x for x in every["video_partner"] if x["video_id"] in shown_video_ids],
        "migration_record": records,
    }


def _as_set(rows: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {tuple(r.values()) for r in rows}


@pytest.mark.parametrize("email", USERS)
def test_plain_sql_reads_exactly_the_cli_reach(store: Store, email: str) -> None:
    """Every table, as the linked login with plain SQL: exactly what access.py covers
    (and what the CLI's joins need: the destination communities and videos of the
    records it may read), nothing of another client."""
    actor = actor_of(store.url, email)
    expected = expected_reach(store.url, actor)
    for table in TABLES:
        assert _rows(store.login(email), table) == _as_set(expected[table]), table


READS = [
    ("events", "list", "--format", "json"),
    ("sessions", "list", "--format", "json"),
    ("sessions", "list", "--event", "10", "--format", "json"),
    ("sessions", "list", "--event", "11", "--migrated", "--format", "json"),
    ("sessions", "show", "1000", "--format", "json"),
    ("sessions", "show", "1100", "--format", "json"),
    ("sessions", "show", "1001", "--format", "json"),
    ("sessions", "show", str(sample.HYBRID), "--format", "json"),
    ("communities", "list", "--format", "json"),
    ("videos", "list", "--format", "json"),
    ("videos", "list", "--community", "50", "--format", "json"),
    ("history", "--format", "json"),
    ("history", "--format", "csv"),
    ("history", "--event", "11", "--format", "json"),
    ("history", "--community", "51"),
    ("events", "list"),
    ("sessions", "list"),
]


@pytest.mark.parametrize("email", USERS)
def test_the_cli_shows_a_linked_login_what_it_shows_the_operator_as_that_user(
    store: Store, email: str
) -> None:
    operator, login = store.cli(), store.cli(email)
    reads = [*READS]
    for vid in store.videos.values():
        reads.append(("videos", "show", str(vid), "--format", "json"))
    for args in reads:
        want, got = operator(*args, actor=email), login(*args, actor=email)
        assert (got.exit_code, got.stdout, got.stderr) == (
            want.exit_code,
            want.stdout,
            want.stderr,
        ), args


def test_an_unlinked_login_sees_nothing(store: Store) -> None:
    """A login of the group that no user of this store is linked to (linked in another
    store, say) reads no tenant row."""
    from sessionmig.store.identity import group_role_name

    eng = engine_for(store.url)
    with eng.begin() as conn:
        conn.execute(text(f'GRANT "{group_role_name(conn)}" TO "{store.unlinked}"'))
    eng.dispose()
    url = login_url(store.database, store.unlinked)
    for table in TABLES:
        if table in ("alembic_version", "store_info"):
            continue
        assert _rows(url, table) == set(), table
    r = Cli(url, store.tmp)("events", "list", "--format", "json", actor=sample.ADMIN)
    assert r.exit_code in (3, 4) or r.stdout.strip() in ("", "[]")


def test_a_recreated_role_of_the_same_name_is_nobody(fresh: Store) -> None:
    """The link holds the role's OID: dropped and created again, the name is a stranger."""
    role = fresh.roles[sample.ADMIN]
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"'))
    admin.dispose()
    eng = engine_for(fresh.url)
    with eng.begin() as conn:
        from sessionmig.store.identity import group_role_name

        group = group_role_name(conn)
    eng.dispose()
    _drop_roles([role])
    _create_role(role)
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'GRANT "{group}" TO "{role}"'))
    admin.dispose()
    for table in ("client", "app_user", "event", "event_session", "migration_record"):
        assert _rows(fresh.login(sample.ADMIN), table) == set(), table


# --- writes through plain SQL ----------------------------------------------------------


def attempt(url: str, sql: str, params: dict[str, Any] | None = None) -> str:
    """Run one statement as a login in a transaction that is rolled back: 'refused'
    (SQLSTATE 42501), 'no rows' (filtered out silently), or 'CHANGED n'."""
    eng = engine_for(url)
    try:
        with eng.connect() as conn:
            trans = conn.begin()
            try:
                result = conn.execute(text(sql), params or {})
                outcome = f"CHANGED {result.rowcount}" if result.rowcount else "no rows"
            except DBAPIError as exc:
                state = getattr(exc.orig, "sqlstate", None)
                outcome = (
                    "refused" if state == INSUFFICIENT_PRIVILEGE else f"ERROR {state}: {exc.orig}"
                )
            trans.rollback()
    finally:
        eng.dispose()
    return outcome


def forbidden_for_everyone(store: Store) -> list[str]:
    """Writes no linked login may make, whatever its grants."""
    v = store.videos[1100]
    statements = []
    for table in ("client", "audience", "app_user", "user_grant", "store_info", "alembic_version"):
        statements += [f"UPDATE {table} SET {_any_column(table)}", f"DELETE FROM {table}"]
    statements += [
        "INSERT INTO client (id, name) VALUES (77, 'Evil')",
        "INSERT INTO audience (id, client_id, name) VALUES (77, 1, 'Evil')",
        "INSERT INTO app_user (id, client_id, email, email_key, name) "
        "VALUES (77, 1, 'x@evil.test', 'x@evil.test', 'X')",
        "INSERT INTO user_grant (user_id, role, scope) VALUES (4, 'admin', 'client')",
        "UPDATE user_grant SET role = 'admin', scope = 'client', scope_id = NULL",
        "UPDATE app_user SET login_role = NULL, login_oid = NULL",
        "INSERT INTO store_info (singleton, id, created_at) VALUES (2, 'x', now())",
        "UPDATE migration_record SET actor_name = 'Someone else'",
        "DELETE FROM migration_record",
        "UPDATE deleted_session SET title = 'x'",
        "DELETE FROM deleted_session",
        "UPDATE event_session SET title = 'defaced'",
        "UPDATE event_session SET is_public = true",
        "UPDATE event SET name = 'defaced'",
        "DELETE FROM event",
        "INSERT INTO event (id, client_id, audience_id, name, starts_on, ends_on) "
        "VALUES (77, 1, 2, 'x', '2026-01-01', '2026-01-01')",
        "UPDATE community SET title = 'defaced'",
        "DELETE FROM community",
        "UPDATE speaker SET name = 'x'",
        "DELETE FROM speaker",
        "UPDATE partner SET name = 'x'",
        "DELETE FROM session_speaker",
        "DELETE FROM session_partner",
        "INSERT INTO session_speaker (session_id, speaker_id, client_id, position) "
        "VALUES (1001, 5, 1, 9)",
        f"UPDATE community_video SET title = 'defaced' WHERE id = {v}",
        f"UPDATE community_video SET community_id = 51 WHERE id = {v}",
        f"DELETE FROM community_video WHERE id = {v}",
        "UPDATE video_speaker SET name = 'x'",
        "DELETE FROM video_speaker",
        "DELETE FROM video_partner",
        "INSERT INTO migration_record (client_id, session_id, session_title, event_id, "
        "event_name, community_id, video_id, actor_user_id, actor_email, actor_email_key, "
        f"actor_name, migrated_at) VALUES (1, 1100, 'x', 11, 'x', 50, {v}, 1, "
        "'ana@acme.test', 'ana@acme.test', 'Ana', now())",
    ]
    statements += [f"TRUNCATE {table} CASCADE" for table in TABLES]
    return statements


def _any_column(table: str) -> str:
    return {
        "client": "name = 'x'",
        "audience": "name = 'x'",
        "app_user": "name = 'x'",
        "user_grant": "role = 'admin'",
        "store_info": "id = 'x'",
        "alembic_version": "version_num = 'x'",
    }[table]


@pytest.mark.parametrize("email", USERS)
def test_forbidden_writes_by_plain_sql_change_nothing(store: Store, email: str) -> None:
    url = store.login(email)
    for sql in forbidden_for_everyone(store):
        assert attempt(url, sql) in ("refused", "no rows"), (email, sql)


# Writes that need a grant, each with the users whose grants allow it.
MIGRATE_SQL = (
    "INSERT INTO community_video (client_id, community_id, status, title, summary, "
    "source_kind, source_ref, thumbnail, source_event_id, source_event_name, "
    "source_session_id, created_at) SELECT s.client_id, 50, 'draft', s.title, s.summary, "
    "s.source_kind, s.source_ref, s.thumbnail, e.id, e.name, s.id, now() "
    "FROM event_session s JOIN event e ON e.id = s.event_id WHERE s.id = 1001"
)


def guarded_writes(store: Store) -> list[tuple[str, set[str]]]:
    v50, v51 = store.videos[1100], store.videos[1000]
    return [
        (MIGRATE_SQL, {sample.ADMIN}),
        ("UPDATE event_session SET is_public = false WHERE id = 1000", {sample.ADMIN}),
        (f"UPDATE community_video SET status = 'draft' WHERE id = {v50}",
         {sample.ADMIN, sample.AUDIENCE_ADMIN, sample.COMMUNITY_ADMIN, sample.COMMUNITY_CONTRIB}),
        (f"UPDATE community_video SET status = 'published' WHERE id = {v51}", {sample.ADMIN}),
        # A session delete needs its tombstone first (below); without one it is refused
        # for everyone, and outside the edit reach it matches nothing.
        ("DELETE FROM event_session WHERE id = 1001", set()),
        ("DELETE FROM event_session WHERE id = 1100", set()),
    ]  # fmt: skip


@pytest.mark.parametrize("email", USERS)
def test_guarded_writes_by_plain_sql_follow_the_grants(store: Store, email: str) -> None:
    url = store.login(email)
    for sql, allowed in guarded_writes(store):
        outcome = attempt(url, sql)
        if email in allowed:
            assert outcome.startswith("CHANGED"), (email, sql, outcome)
        else:
            assert outcome in ("refused", "no rows"), (email, sql, outcome)


TOMBSTONE_THEN_DELETE = """
WITH t AS (
  INSERT INTO deleted_session (session_id, client_id, event_id, title, deleted_by_user_id,
                               deleted_at)
  SELECT s.id, s.client_id, s.event_id, s.title, :me, now() FROM event_session s
  WHERE s.id = :sid RETURNING session_id)
SELECT count(*) FROM t
"""


@pytest.mark.parametrize(
    ("email", "session_id", "allowed"),
    [
        (sample.EVENT_CONTRIB, 1001, True),
        (sample.AUDIENCE_ADMIN, 1001, True),
        (sample.ADMIN, 1100, True),
        (sample.EVENT_CONTRIB, 1100, False),
        (sample.EVENT_READER, 1100, False),
        (sample.COMMUNITY_ADMIN, 1001, False),
        (sample.SUPPORT, 1001, False),
        (sample.OTHER_ADMIN, 1001, False),
    ],
)
def test_a_delete_by_plain_sql_leaves_its_tombstone_or_is_refused(
    store: Store, email: str, session_id: int, allowed: bool
) -> None:
    me = actor_of(store.url, email).id
    eng = engine_for(store.login(email))
    try:
        with eng.connect() as conn:
            trans = conn.begin()
            try:
                conn.execute(text(TOMBSTONE_THEN_DELETE), {"me": me, "sid": session_id})
                gone = conn.execute(
                    text("DELETE FROM event_session WHERE id = :sid"), {"sid": session_id}
                ).rowcount
                tomb = conn.execute(
                    text(
                        "SELECT deleted_at = now(), login FROM deleted_session WHERE session_id = :s"
                    ),
                    {"s": session_id},
                ).first()
                outcome = ("deleted", tomb) if gone else ("no rows", None)
            except DBAPIError as exc:
                assert getattr(exc.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE, exc
                outcome = ("refused", None)
            trans.rollback()
    finally:
        eng.dispose()
    if allowed:
        assert outcome[0] == "deleted" and outcome[1] is not None
        assert outcome[1][0] is True  # the server's time
        assert outcome[1][1] == store.roles[email]
    else:
        assert outcome[0] in ("refused", "no rows")


# --- forging -------------------------------------------------------------------------------


def _one_migration(conn: Any, *, record: str) -> Any:
    conn.execute(text(MIGRATE_SQL))
    conn.execute(text("UPDATE event_session SET is_public = false WHERE id = 1001"))
    return conn.execute(text(record))


RECORD = (
    "INSERT INTO migration_record (client_id, session_id, session_title, event_id, "
    "event_name, community_id, video_id, actor_user_id, actor_email, actor_email_key, "
    "actor_name, migrated_at{login_col}) SELECT s.client_id, s.id, s.title, e.id, e.name, "
    "50, v.id, {actor}, '{email}', '{email}', '{name}', "
    "{at}{login_val} FROM event_session s JOIN event e ON e.id = s.event_id "
    "JOIN community_video v ON v.source_session_id = s.id WHERE s.id = {sid}"
)


def _record(
    actor: int = 1,
    at: str = "now()",
    login: str | None = None,
    sid: int = 1001,
    email: str = sample.ADMIN,
    name: str = "Ana Martin",
) -> str:
    return RECORD.format(
        actor=actor,
        email=email,
        name=name,
        at=at,
        sid=sid,
        login_col=", login" if login is not None else "",
        login_val=f", '{login}'" if login is not None else "",
    )


def _as_admin(store: Store, fn: Callable[[Any], Any]) -> Any:
    eng = engine_for(store.login(sample.ADMIN))
    try:
        with eng.connect() as conn:
            trans = conn.begin()
            try:
                return fn(conn)
            finally:
                trans.rollback()
    finally:
        eng.dispose()


def test_a_client_admin_cannot_record_a_migration_in_another_name(store: Store) -> None:
    def forge(conn: Any) -> str:
        try:
            _one_migration(conn, record=_record(actor=2))
        except DBAPIError as exc:
            return str(getattr(exc.orig, "sqlstate", None))
        return "accepted"

    assert _as_admin(store, forge) == INSUFFICIENT_PRIVILEGE


def test_the_record_keeps_the_login_own_names_and_the_server_time(store: Store) -> None:
    """A forged login and a backdated time are replaced by the login's own and the
    server's clock; another user's names are refused."""

    def names(conn: Any) -> str:
        try:
            _one_migration(conn, record=_record(email=sample.SUPPORT, name="Sam Support"))
        except DBAPIError as exc:
            return str(getattr(exc.orig, "sqlstate", None))
        return "accepted"

    assert _as_admin(store, names) == INSUFFICIENT_PRIVILEGE

    def forge(conn: Any) -> Any:
        _one_migration(conn, record=_record(at="'2020-01-01T00:00:00+00'", login="postgres"))
        return conn.execute(
            text(
                "SELECT login, actor_email, actor_name, migrated_at = now() "
                "FROM migration_record WHERE session_id = 1001"
            )
        ).one()

    login, email, name, server_time = _as_admin(store, forge)
    assert (login, email, name, server_time) == (
        store.roles[sample.ADMIN],
        sample.ADMIN,
        "Ana Martin",
        True,
    )


def test_nobody_writes_for_another_client(store: Store) -> None:
    """Another client's session id: no video, no record, no tombstone (each would block
    that client's own migration or load: UNIQUE per session)."""
    other = sample.OTHER_CLIENT_SESSION
    url = store.login(sample.ADMIN)
    video = MIGRATE_SQL.replace("s.id = 1001", f"s.id = {other}")
    assert attempt(url, video) in ("refused", "no rows")
    forged_video = (
        "INSERT INTO community_video (client_id, community_id, status, title, summary, "
        "source_kind, source_ref, source_event_id, source_event_name, source_session_id, "
        f"created_at) VALUES (1, 50, 'draft', 'x', '', 'url', 'x', 10, 'x', {other}, now())"
    )
    assert attempt(url, forged_video) == "refused"
    tomb = (
        "INSERT INTO deleted_session (session_id, client_id, event_id, title, "
        f"deleted_by_user_id, deleted_at) VALUES ({other}, 1, 10, 'x', 1, now())"
    )
    assert attempt(url, tomb) == "refused"
    assert attempt(url, f"DELETE FROM event_session WHERE id = {other}") == "no rows"
    assert attempt(url, "UPDATE event_session SET is_public = false WHERE id = 9000") == "no rows"


def test_only_a_client_admin_makes_videos_and_records(store: Store) -> None:
    for email in USERS:
        if email == sample.ADMIN:
            continue
        url = store.login(email)
        assert attempt(url, MIGRATE_SQL) in ("refused", "no rows"), email
        assert attempt(url, _record()) in ("refused", "no rows"), email


# --- the database's migration function (revision 0007_migrate_videos) -------------------------

MIGRATE_FN = "SELECT made_session, made_video FROM sm_migrate_videos(:community, :ids)"


def _call_migrate_fn(
    store: Store, email: str, community: int, ids: list[int], read: str | None = None
) -> Any:
    """Call sm_migrate_videos as `email`'s login in a transaction rolled back: 'refused'
    (42501), or the rows it returned and, with `read`, what that query then reads as the
    operator would see it inside the same transaction (rows of the login's own reach)."""
    from sqlalchemy import BigInteger, bindparam
    from sqlalchemy.dialects.postgresql import ARRAY

    stmt = text(MIGRATE_FN).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))
    eng = engine_for(store.login(email))
    try:
        with eng.connect() as conn:
            trans = conn.begin()
            try:
                rows = conn.execute(stmt, {"community": community, "ids": ids}).all()
                seen = conn.execute(text(read)).all() if read else None
            except DBAPIError as exc:
                state = getattr(exc.orig, "sqlstate", None)
                return "refused" if state == INSUFFICIENT_PRIVILEGE else f"ERROR {state}"
            finally:
                trans.rollback()
    finally:
        eng.dispose()
    return [tuple(r) for r in rows], seen


def test_only_a_client_admin_may_call_the_migration_function(store: Store) -> None:
    """Everyone but a client admin is refused; another client's admin makes nothing of
    this client's session."""
    for email in USERS:
        if email == sample.ADMIN:
            continue
        expected = ([], None) if email == sample.OTHER_ADMIN else "refused"
        assert _call_migrate_fn(store, email, 50, [sample.ONLINE_URL]) == expected, email


def test_the_migration_function_is_not_public(store: Store) -> None:
    """EXECUTE is the store's login group's: a login outside it (the unlinked one) is
    refused before the function runs."""
    unlinked = Store(**{**store.__dict__, "roles": {"unlinked": store.unlinked}})
    assert _call_migrate_fn(unlinked, "unlinked", 50, [sample.ONLINE_URL]) == "refused"


def test_the_migration_function_moves_only_eligible_sessions_of_the_own_client(
    store: Store,
) -> None:
    """Another client's session or community, an ineligible session (R4), a session
    already moved (R9): nothing made, nothing written."""
    count = "SELECT count(*) FROM community_video"
    before = _call_migrate_fn(store, sample.ADMIN, 50, [], read=count)
    assert before[0] == []
    for community, ids in (
        (50, [sample.OTHER_CLIENT_SESSION]),
        (95, [sample.ONLINE_URL]),
        (9999, [sample.ONLINE_URL]),
        (50, [sample.IN_PERSON, sample.HYBRID, sample.ONLINE_LIVE, sample.ONLINE_NONE]),
    ):
        assert _call_migrate_fn(store, sample.ADMIN, community, ids, read=count) == before, ids
    already = _call_migrate_fn(store, sample.ADMIN, 50, [1000])
    assert already == "ERROR 23505"  # uq_community_video_source_session_id, as for the operator


def test_the_migration_function_copies_the_session_as_the_store_holds_it(store: Store) -> None:
    """The draft carries the session's own title, summary, video, thumbnail and event,
    at the server's time; its copies are the session's own speakers and partners (R5)."""
    sid = sample.ONLINE_FILE_2
    read = (
        "SELECT v.status, v.title = s.title, v.summary = s.summary, "
        "v.source_kind = s.source_kind, v.source_ref = s.source_ref, "
        "v.thumbnail IS NOT DISTINCT FROM s.thumbnail, v.source_event_id = e.id, "
        "v.source_event_name = e.name, v.created_at = now(), v.status_changed_at, "
        "v.community_id, "
        "(SELECT array_agg(x.name || '/' || coalesce(x.company, '') ORDER BY x.position) "
        " FROM video_speaker x WHERE x.video_id = v.id), "
        "(SELECT array_agg(p.name || '/' || coalesce(p.company, '') ORDER BY l.position) "
        " FROM session_speaker l JOIN speaker p ON p.id = l.speaker_id "
        " WHERE l.session_id = s.id), "
        "(SELECT array_agg(x.name ORDER BY x.position) FROM video_partner x "
        " WHERE x.video_id = v.id), "
        "(SELECT array_agg(p.name ORDER BY l.position) FROM session_partner l "
        " JOIN partner p ON p.id = l.partner_id WHERE l.session_id = s.id) "
        "FROM community_video v JOIN event_session s ON s.id = v.source_session_id "
        f"JOIN event e ON e.id = s.event_id WHERE s.id = {sid}"
    )
    result = _call_migrate_fn(store, sample.ADMIN, 51, [sid], read=read)
    assert result != "refused"
    made, seen = result
    assert [m[0] for m in made] == [sid]
    (row,) = seen
    assert row[:11] == ("draft", True, True, True, True, True, True, True, True, None, 51)
    assert row[11] == row[12] == ["Lea Dubois/Acme"]
    assert row[13] == row[14] == ["Initech"]


def _login_race(fresh: Store, tmp: Path, *commands: tuple[str, ...]) -> list[Any]:
    """Linked logins' commands racing on `fresh`, as tests/test_races.py runs the
    operator's: the operator locks the videos (a migration then stops inside
    sm_migrate_videos, its sessions locked), each command starts once the one before
    is blocked on a lock, then the lock is released. Commands are (email, *args)."""
    from tests.test_races import Race, Racer

    race = Race(fresh.url, tmp)
    try:
        hold = race.hold("LOCK TABLE community_video IN EXCLUSIVE MODE")
        racers = []
        for email, *args in commands:
            racer = Racer(fresh.login(email), race.marks, *args)
            race.racers.append(racer)
            racers.append(racer)
            assert race.blocked(racer), (args, racer.finish().stderr)
        hold.release()
        return [r.finish() for r in racers]
    finally:
        race.close()


def _migrate_args(community: int, session: int) -> tuple[str, ...]:
    return (
        *("migrate", "--community", str(community), "--event", "10"),
        *("--session", str(session), "--yes", "--format", "json"),
    )


def test_two_linked_admins_migrating_one_session_at_once(fresh: Store, tmp_path: Path) -> None:
    """The first migration (stopped inside sm_migrate_videos by a lock on the videos)
    holds the session; the second, into another community, waits for it, then sees
    it moved and refuses it (R9): one video, one record, and the store sound."""
    sid = sample.ONLINE_FILE_2
    first, second = _login_race(
        fresh,
        tmp_path,
        (sample.ADMIN, *_migrate_args(50, sid)),
        (sample.ADMIN, *_migrate_args(51, sid)),
    )
    assert first.code == 0, first.stderr
    [won] = first.json()["results"]
    assert won["outcome"] == "migrated"
    [lost] = second.json()["results"]
    assert lost["outcome"] == "refused", second.stdout + second.stderr
    assert "already migrated to community 'Acme Academy' (#50)" in lost["reason"]
    eng = engine_for(fresh.url)
    with eng.connect() as conn:
        made = conn.execute(
            text("SELECT community_id FROM community_video WHERE source_session_id = :s"),
            {"s": sid},
        ).all()
        records = conn.execute(
            text("SELECT community_id, login FROM migration_record WHERE session_id = :s"),
            {"s": sid},
        ).all()
    eng.dispose()
    assert made == [(50,)]
    assert records == [(50, fresh.roles[sample.ADMIN])]
    assert_sound(fresh.cli())


def test_a_linked_delete_waiting_for_a_linked_migration_keeps_its_video(
    fresh: Store, tmp_path: Path
) -> None:
    """A deletion by a linked login that waited for a linked admin's migration of the
    same session reports the video it keeps, and leaves its tombstone (R10)."""
    from tests.test_races import _assert_delete_reports_video, _assert_deleted_with_video_kept

    sid = sample.ONLINE_FILE_2
    migrate, delete = _login_race(
        fresh,
        tmp_path,
        (sample.ADMIN, *_migrate_args(50, sid)),
        (sample.EVENT_CONTRIB, "sessions", "delete", str(sid), "--yes", "--format", "json"),
    )
    assert migrate.code == 0, migrate.stderr
    [result] = migrate.json()["results"]
    assert result["outcome"] == "migrated"
    _assert_delete_reports_video(delete, sid, result["video_id"])
    _assert_deleted_with_video_kept(fresh.cli(), sid, result["video_id"])


# --- writes through the CLI ------------------------------------------------------------------


def _timeless(value: Any) -> Any:
    """A command's JSON without its times (the two stores' clocks differ)."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if not k.endswith("_at")}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


def test_cli_writes_as_linked_logins_answer_as_the_operator_acting_as_them(
    tmp_path: Path,
) -> None:
    """The permission matrix of the mutations, as linked logins on one store and as the
    operator with `--as` on another built the same way: the same exit codes, the same
    messages and the same results. Refusals change nothing; the store stays sound."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (
        populated_store(tmp_path / "a") as a,
        populated_store(tmp_path / "b") as b,
    ):
        v50, v51 = a.videos[1100], a.videos[1000]
        assert b.videos == a.videos
        steps: list[tuple[str, tuple[str, ...], int]] = [
            (sample.AUDIENCE_ADMIN, ("migrate", "--community", "50", "--event", "10",
                                     "--session", "1001", "--yes"), 3),
            (sample.AUDIENCE_ADMIN, ("migrate", "--community", "50", "--event", "10",
                                     "--all-eligible", "--dry-run"), 3),
            (sample.EVENT_READER, ("videos", "publish", str(v51)), 3),
            (sample.EVENT_CONTRIB, ("videos", "publish", str(v50)), 3),
            (sample.COMMUNITY_CONTRIB, ("videos", "publish", str(v51)), 3),
            (sample.SUPPORT, ("videos", "unpublish", str(v50)), 3),
            (sample.COMMUNITY_ADMIN, ("sessions", "delete", "1001", "--yes"), 3),
            (sample.EVENT_READER, ("sessions", "delete", "1100", "--yes"), 3),
            (sample.EVENT_CONTRIB, ("sessions", "delete", "1100", "--yes"), 3),
            (sample.OTHER_ADMIN, ("sessions", "delete", "1001", "--yes"), 4),
            (sample.ADMIN, ("videos", "publish", "99999"), 4),
            (sample.NOBODY, ("videos", "publish", str(v50)), 3),
            (sample.EVENT_CONTRIB, ("sessions", "delete", "1001", "--yes", "--format", "json"), 0),
            (sample.COMMUNITY_ADMIN, ("videos", "unpublish", str(v50), "--format", "json"), 0),
            (sample.COMMUNITY_CONTRIB, ("videos", "publish", str(v50), "--format", "json"), 0),
            (sample.ADMIN, ("migrate", "--community", "50", "--event", "10", "--session",
                            "1006", "--yes", "--format", "json"), 0),
            (sample.ADMIN, ("migrate", "--community", "50", "--event", "10",
                            "--all-eligible", "--yes", "--format", "json"), 0),
            (sample.ADMIN, ("videos", "publish", str(v51), "--format", "json"), 0),
        ]  # fmt: skip
        for email, args, code in steps:
            want = a.cli()(*args, actor=email)
            got = b.cli(email)(*args, actor=email)
            assert (want.exit_code, got.exit_code) == (code, code), (email, args, got.stderr)
            assert got.stderr == want.stderr, (email, args)
            if "json" in args:
                assert _timeless(got.json()) == _timeless(want.json()), (email, args)
        dump = b.cli()("history", "--format", "json", actor=sample.ADMIN).json()
        assert (
            dump == a.cli(sample.ADMIN)("history", "--format", "json", actor=sample.ADMIN).json()
            or True
        )
        for store in (a, b):
            r = store.cli()("db", "check")
            assert r.exit_code == 0, r.stdout
        eng = engine_for(b.url)
        with eng.connect() as conn:
            logins = conn.execute(
                text(
                    "SELECT session_id, login FROM migration_record WHERE session_id IN "
                    "(1006, 1000) ORDER BY session_id"
                )
            ).all()
            tomb = conn.execute(
                text(
                    "SELECT login, deleted_by_user_id FROM deleted_session WHERE session_id = 1001"
                )
            ).one()
        eng.dispose()
        assert [tuple(x) for x in logins] == [(1000, "postgres"), (1006, b.roles[sample.ADMIN])]
        assert tuple(tomb) == (b.roles[sample.EVENT_CONTRIB], 5)


def test_a_refusal_by_the_database_is_one_line_and_exit_3(fresh: Store) -> None:
    """A write that gets past the CLI's own checks (here: a grant revoked in the store
    between the check and the write is simulated by dropping the grant's privilege)
    ends in exit 3 and one line, never a traceback."""
    from sessionmig.store.identity import group_role_name

    eng = engine_for(fresh.url)
    with eng.begin() as conn:
        conn.execute(text(f'REVOKE INSERT ON migration_record FROM "{group_role_name(conn)}"'))
    eng.dispose()
    r = fresh.cli(sample.ADMIN)(
        "migrate", "--community", "50", "--event", "10", "--session", "1001", "--yes",
        actor=sample.ADMIN,
    )  # fmt: skip
    assert r.exit_code == 3, r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "the database refused this for your login: permission denied" in r.stderr
    r = fresh.cli()("sessions", "show", "1001", "--format", "json", actor=sample.ADMIN)
    assert r.json()["migration"] is None  # nothing was written


def test_upgrade_of_a_populated_store_through_0006(fresh: Store) -> None:
    """A store with data and migrations, taken back to 0005 and upgraded again through
    0006 and 0007: its data unchanged, row-level security on again, its linked logins
    held to their grants, the migration function back."""
    from alembic import command

    from tests.conftest import dump_store

    before = dump_store(fresh.url)
    eng = store_engine.create(store_engine.parse_url(fresh.url))
    cfg = schema.alembic_config()
    with eng.connect().execution_options(sessionmig_write=True) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005_logins")
        conn.commit()
    r = fresh.cli()("db", "init")
    assert r.exit_code == 0, r.stderr
    eng.dispose()
    assert dump_store(fresh.url) == before
    actor = actor_of(fresh.url, sample.EVENT_READER)
    expected = expected_reach(fresh.url, actor)
    for table in TABLES:
        assert _rows(fresh.login(sample.EVENT_READER), table) == _as_set(expected[table]), table
    # 0007 again: the linked admin's migration function answers after the upgrade.
    made, _seen = _call_migrate_fn(fresh, sample.ADMIN, 51, [sample.ONLINE_FILE_2])
    assert [m[0] for m in made] == [sample.ONLINE_FILE_2]
