"""`sessionmig db check`: the store's invariants. Each test breaks the store on purpose
with raw SQL (foreign keys and triggers off where needed) and expects the violation
named with its ids.

Every kind of violation is made inside a transaction on a shared store, checked by
the very queries `db check` runs (the same lines it prints), then rolled back, so
that the whole catalogue stays fast; the command itself (exit 1, text and JSON) is
tested on a store broken for good."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import Connection, text

from sessionmig.store import check
from tests import sample
from tests.conftest import BACKENDS, Cli, migrate_sessions, shared_cli, store_id


def build(cli: Cli) -> dict[str, int]:
    """Sessions 1000 and 1001 migrated into community 50; returns their video ids
    (`v1000`) and record ids (`r1000`)."""
    assert cli.load(sample.export()).exit_code == 0
    videos = migrate_sessions(cli, 50, 10, [sample.ONLINE_FILE, sample.ONLINE_URL])
    engine = cli.engine()
    with engine.connect() as conn:
        records = dict(conn.execute(text("SELECT session_id, id FROM migration_record")).all())
    engine.dispose()
    return {f"v{s}": v for s, v in videos.items()} | {f"r{s}": r for s, r in records.items()}


@pytest.fixture(scope="module", params=BACKENDS)
def sound(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Cli, dict[str, int]]]:
    """A sound store shared by the tests that break it only inside a rolled-back
    transaction."""
    ids: dict[str, int] = {}
    for cli in shared_cli(request, tmp_path_factory, lambda c: ids.update(build(c))):
        yield cli, ids


@contextmanager
def tampered(
    cli: Cli,
    statements: list[str],
    *,
    sqlite_first: tuple[str, ...] = (),
    pg_first: tuple[str, ...] = (),
) -> Iterator[Connection]:
    """A connection that sees `statements` applied with the schema's guards off
    (SQLite: foreign keys off; PostgreSQL: replica mode, where no foreign key or user
    trigger fires), inside a transaction rolled back on exit."""
    sqlite = cli.url.startswith("sqlite")
    engine = cli.engine()
    try:
        with engine.connect() as conn:
            if sqlite:
                # Outside any transaction, where SQLite honours it.
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
            else:
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for sql in (*(sqlite_first if sqlite else pg_first), *statements):
                conn.execute(text(sql))
            yield conn
            conn.rollback()
    finally:
        engine.dispose()


def tamper(cli: Cli, statements: list[str]) -> None:
    """The same, committed: the store stays broken."""
    if cli.url.startswith("sqlite"):
        raw = sqlite3.connect(cli.url.removeprefix("sqlite:///"))
        try:
            raw.executescript(";\n".join(statements) + ";")
        finally:
            raw.close()
        return
    engine = cli.engine()
    with engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for sql in statements:
            conn.execute(text(sql))
    engine.dispose()


@dataclass(frozen=True)
class Breakage:
    statements: list[str]
    expected: list[str]
    sqlite_first: tuple[str, ...] = ()
    pg_first: tuple[str, ...] = ()


COPY_VIDEO_900 = (
    "INSERT INTO community_video (id, client_id, community_id, status, title, summary, "
    "source_kind, source_ref, thumbnail, source_event_id, source_event_name, "
    "source_session_id, created_at, status_changed_at) "
    "SELECT 900, client_id, 51, status, title, summary, source_kind, source_ref, thumbnail, "
    "source_event_id, source_event_name, source_session_id, created_at, status_changed_at "
    "FROM community_video WHERE id = {v1000}"
)
COPY_RECORD_900 = (
    "INSERT INTO migration_record (id, client_id, session_id, session_title, event_id, "
    "event_name, community_id, video_id, actor_user_id, actor_email, actor_email_key, "
    "actor_name, migrated_at) "
    "SELECT 900, client_id, session_id, session_title, event_id, event_name, 51, 900, "
    "actor_user_id, actor_email, actor_email_key, actor_name, migrated_at "
    "FROM migration_record WHERE session_id = 1000"
)

BREAKAGES = {
    "r6_migrated_session_made_public_again": Breakage(
        ["UPDATE event_session SET is_public = TRUE WHERE id = 1000"],
        [
            "migrated_session_public: session 1000 has migration record {r1000} but is "
            "still public on its event (R6)"
        ],
    ),
    "hidden_session_never_migrated": Breakage(
        ["UPDATE event_session SET is_public = FALSE WHERE id = 1002"],
        [
            "hidden_session_records: session 1002 is hidden from its event but has 0 "
            "migration records, not exactly 1 (R6, R11)"
        ],
    ),
    "r11_record_deleted": Breakage(
        ["DELETE FROM migration_record WHERE session_id = 1000"],
        [
            "hidden_session_records: session 1000 is hidden from its event but has 0 "
            "migration records, not exactly 1 (R6, R11)",
            "video_records: video {v1000} (from session 1000) has 0 migration records, "
            "not exactly 1 (R11)",
        ],
        sqlite_first=("DROP TRIGGER trg_migration_record_no_delete",),
    ),
    "r9_session_in_two_communities": Breakage(
        [COPY_VIDEO_900, COPY_RECORD_900],
        [
            "session_recorded_twice: session 1000 has 2 migration records (communities 50 "
            "and 51); a session moves once (R9)",
            "session_copied_twice: session 1000 has 2 community videos (videos {v1000} and "
            "900); a session moves once (R9)",
            "hidden_session_records: session 1000 is hidden from its event but has 2 "
            "migration records, not exactly 1 (R6, R11)",
        ],
        # Without the UNIQUE constraints that make this impossible.
        sqlite_first=(
            "CREATE TABLE mr AS SELECT * FROM migration_record",
            "DROP TABLE migration_record",
            "ALTER TABLE mr RENAME TO migration_record",
            "CREATE TABLE cv AS SELECT * FROM community_video",
            "DROP TABLE community_video",
            "ALTER TABLE cv RENAME TO community_video",
        ),
        pg_first=(
            "ALTER TABLE migration_record DROP CONSTRAINT uq_migration_record_session_id",
            "ALTER TABLE community_video DROP CONSTRAINT uq_community_video_source_session_id",
        ),
    ),
    "video_deleted": Breakage(
        ["DELETE FROM community_video WHERE id = {v1000}"],
        [
            "record_video_missing: migration record {r1000} (session 1000) names video "
            "{v1000}, which does not exist (R5, R11)",
            "video_copy_orphaned: partner copy at position 0 belongs to video {v1000}, "
            "which does not exist",
            "video_copy_orphaned: partner copy at position 1 belongs to video {v1000}, "
            "which does not exist",
            "video_copy_orphaned: speaker copy at position 0 belongs to video {v1000}, "
            "which does not exist",
            "video_copy_orphaned: speaker copy at position 1 belongs to video {v1000}, "
            "which does not exist",
        ],
    ),
    "video_moved_to_another_community": Breakage(
        ["UPDATE community_video SET community_id = 51 WHERE id = {v1000}"],
        [
            "record_video_mismatch: migration record {r1000} (session 1000, community 50, "
            "client 1) names video {v1000} of community 51, client 1, copied from session 1000"
        ],
    ),
    "r5_video_differs_from_its_record": Breakage(
        [
            "UPDATE community_video SET title = 'Edited', source_event_name = 'Elsewhere' "
            "WHERE id = {v1000}"
        ],
        [
            "video_differs_from_record: video {v1000} differs from migration record {r1000} "
            "(session 1000) in: title, source_event_name (R5)"
        ],
    ),
    "user_email_key_edited_by_hand": Breakage(
        ["UPDATE app_user SET email_key = 'someone@else.test' WHERE id = 1"],
        [
            "user_email_key_stale: user 1: the e-mail key 'someone@else.test' is not the "
            "key of 'ana@acme.test'"
        ],
    ),
    "record_email_key_edited_by_hand": Breakage(
        ["UPDATE migration_record SET actor_email_key = 'ANA@acme.test'"],
        [
            "record_email_key_stale: 2 migration records from {r1000} on: the e-mail key "
            "'ANA@acme.test' is not the key of the actor's address 'ana@acme.test'"
        ],
        sqlite_first=("DROP TRIGGER trg_migration_record_no_update",),
    ),
    "r10_record_of_a_session_gone_without_tombstone": Breakage(
        [
            "DELETE FROM session_speaker WHERE session_id = 1000",
            "DELETE FROM session_partner WHERE session_id = 1000",
            "DELETE FROM event_session WHERE id = 1000",
        ],
        [
            "record_session_gone_without_tombstone: migration record {r1000} names session "
            "1000, which is neither in its event nor recorded as deleted (R10, R11)"
        ],
    ),
    "tombstone_of_a_live_session": Breakage(
        [
            "INSERT INTO deleted_session (session_id, client_id, event_id, title, "
            "deleted_by_user_id, deleted_at) SELECT 1002, 1, 10, 'Live Q&A', 1, migrated_at "
            "FROM migration_record WHERE session_id = 1000"
        ],
        ["tombstone_of_live_session: session 1002 is recorded as deleted but still exists (R10)"],
    ),
    "session_linked_to_another_clients_speaker": Breakage(
        [
            "INSERT INTO session_speaker (session_id, speaker_id, client_id, position) "
            "VALUES (1001, 95, 1, 5)"
        ],
        [
            "session_link_across_clients: session 1001 links speaker 95 as client 1, but the "
            "session is of client 1 and the speaker of client 2"
        ],
    ),
    "session_moved_to_another_client": Breakage(
        ["UPDATE event_session SET client_id = 2 WHERE id = 1001"],
        [
            "owner_across_clients: session in event: session 1001 of client 2 names event 10, "
            "of client 1",
            "record_session_across_clients: migration record {r1001} of client 1 names "
            "session 1001 of client 2",
            "session_link_across_clients: session 1001 links speaker 6 as client 1, but the "
            "session is of client 2 and the speaker of client 1",
        ],
    ),
    "video_moved_to_another_client": Breakage(
        ["UPDATE community_video SET client_id = 2 WHERE id = {v1001}"],
        [
            "owner_across_clients: video in community: video {v1001} of client 2 names "
            "community 50, of client 1",
            "record_video_mismatch: migration record {r1001} (session 1001, community 50, "
            "client 1) names video {v1001} of community 50, client 2, copied from session 1001",
            "video_copy_across_clients: video {v1001} of client 2 carries a copy of speaker 6, "
            "of client 1",
        ],
    ),
    "video_copies_another_clients_speaker": Breakage(
        ["UPDATE video_speaker SET speaker_id = 95 WHERE video_id = {v1000} AND position = 0"],
        [
            "video_copy_across_clients: video {v1000} of client 1 carries a copy of speaker "
            "95, of client 2"
        ],
    ),
    "grant_names_another_clients_event": Breakage(
        [
            "INSERT INTO user_grant (id, user_id, role, scope, scope_id) "
            "VALUES (900, 2, 'reader', 'event', 90)"
        ],
        [
            "grant_outside_client: grant 900 of user 2 (client 1) covers event 90, which is "
            "no event of that client"
        ],
    ),
    "store_id_deleted": Breakage(
        ["DELETE FROM store_info"],
        ["store_id_missing: the store has no id (store_info is empty): run `sessionmig db init`"],
    ),
}


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_db_check_names_each_violation_with_its_ids(
    sound: tuple[Cli, dict[str, int]], name: str
) -> None:
    cli, ids = sound
    breakage = BREAKAGES[name]
    with tampered(
        cli,
        [s.format(**ids) for s in breakage.statements],
        sqlite_first=breakage.sqlite_first,
        pg_first=breakage.pg_first,
    ) as conn:
        lines = [v.line() for v in check.run(conn)]
    expected = [line.format(**ids) for line in breakage.expected]
    for line in expected:
        assert line in lines, (line, lines)
    # Nothing else is reported than the checks this breakage is about.
    assert {line.split(":")[0] for line in lines} == {line.split(":")[0] for line in expected}


def test_the_shared_store_is_sound(sound: tuple[Cli, dict[str, int]]) -> None:
    cli, _ = sound
    sid = store_id(cli.url)
    r = cli("db", "check")
    assert (r.exit_code, r.stdout, r.stderr) == (
        0,
        f"store is sound: 9 sessions, 2 videos, 2 migration records checked; store id {sid}\n",
        "",
    )
    r = cli("db", "check", "-f", "json", actor=None)
    assert (r.exit_code, r.stdout) == (0, "[]\n")
    assert r.stderr == (
        f"store is sound: 9 sessions, 2 videos, 2 migration records checked; store id {sid}\n"
    )


def test_db_check_lists_violations_and_exits_1(cli: Cli) -> None:
    sid = store_id(cli.url)
    r = cli("db", "check")
    assert (r.exit_code, r.stdout) == (
        0,
        f"store is sound: 0 sessions, 0 videos, 0 migration records checked; store id {sid}\n",
    )
    loaded = cli
    ids = build(loaded)
    tamper(
        loaded,
        [
            "UPDATE event_session SET is_public = TRUE WHERE id IN (1000, 1001)",
            "UPDATE event_session SET is_public = FALSE WHERE id = 1002",
        ],
    )
    r = loaded("db", "check")
    assert r.exit_code == 1
    assert r.stdout.splitlines() == [
        f"migrated_session_public: session 1000 has migration record {ids['r1000']} but is "
        "still public on its event (R6)",
        f"migrated_session_public: session 1001 has migration record {ids['r1001']} but is "
        "still public on its event (R6)",
        "hidden_session_records: session 1002 is hidden from its event but has 0 migration "
        "records, not exactly 1 (R6, R11)",
    ]
    assert r.stderr == (
        "error: db check: 3 violations found "
        f"(9 sessions, 2 videos, 2 migration records checked; store id {sid})\n"
    )
    r = loaded("db", "check", "--format", "json")
    assert r.exit_code == 1
    assert r.json() == [
        {
            "check": "migrated_session_public",
            "message": f"session {s} has migration record {ids[f'r{s}']} but is still public "
            "on its event (R6)",
            "ids": {"session_id": s, "record_id": ids[f"r{s}"]},
        }
        for s in (1000, 1001)
    ] + [
        {
            "check": "hidden_session_records",
            "message": "session 1002 is hidden from its event but has 0 migration records, "
            "not exactly 1 (R6, R11)",
            "ids": {"session_id": 1002},
        }
    ]
    assert r.stderr.startswith("error: db check: 3 violations found")


def test_db_init_gives_a_store_whose_id_was_deleted_a_new_one(cli: Cli) -> None:
    """The id is made once; `db init` only makes another when its row is gone (the fix
    `db check` names), and keeps it on later runs."""
    old = store_id(cli.url)
    tamper(cli, ["DELETE FROM store_info"])
    r = cli("db", "check")
    assert r.exit_code == 1 and "store_id_missing" in r.stdout
    assert r.stderr.endswith("store id missing)\n"), r.stderr
    r = cli("db", "init")
    assert r.exit_code == 0, r.stderr
    new = store_id(cli.url)
    assert new != old and f"store id {new}:" in r.stderr
    assert cli("db", "init").exit_code == 0
    assert store_id(cli.url) == new
    assert cli("db", "check").exit_code == 0
