"""E-mail addresses match the same way on SQLite and PostgreSQL: one Python normalisation
(Unicode canonical caseless matching: NFD, casefold, NFC), stored in `app_user.email_key`
and `migration_record.actor_email_key` (unique for users), and every comparison is
`key = email_key(input)`: `--as`, `history --actor`, the loader's uniqueness check and
the database's unique index. SQLite's lower() folds ASCII only, so `Élise@acme.test`
could not act at all before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from sessionmig.emails import email_key
from tests import sample
from tests.conftest import (
    BACKENDS,
    Cli,
    _pg_database,
    assert_sound,
    migrate_sessions,
    pg_server_url,
    table_counts,
)

ELISE = "Élise@acme.test"


def with_users(*users: tuple[int, str]) -> dict[str, Any]:
    data = sample.export()
    for uid, email in users:
        data["users"].append(
            {
                "id": uid,
                "client_id": 1,
                "email": email,
                "name": f"User {uid}",
                "grants": [sample.grant("admin", "client")],
            }
        )
    return data


def test_email_key_is_canonical_caseless_matching() -> None:
    assert email_key(ELISE) == "élise@acme.test"
    assert email_key("ÉLISE@ACME.TEST") == email_key("élise@acme.test")
    assert email_key("E\u0301lise@acme.test") == email_key(ELISE)  # decomposed É
    assert email_key("  ana@acme.test ") == "ana@acme.test"
    assert email_key("Straße@acme.test") == email_key("STRASSE@acme.test")  # casefold, not lower
    assert email_key("ΣΊΣΥΦΟΣ@x.test") == email_key("σίσυφος@x.test")  # final sigma


@pytest.mark.parametrize(
    "spelled", [ELISE, "élise@acme.test", "ÉLISE@ACME.TEST", "E\u0301lise@Acme.test"]
)
def test_a_user_with_a_non_ascii_capital_can_act(cli: Cli, spelled: str) -> None:
    assert cli.load(with_users((20, ELISE))).exit_code == 0
    r = cli("events", "list", "--format", "json", actor=spelled)
    assert r.exit_code == 0, r.stderr
    r = cli(
        "migrate", "--community", "50", "--event", "10", "--session", "1000", "--yes", actor=spelled
    )
    assert r.exit_code == 0, r.stderr
    assert_sound(cli)


def test_history_actor_matches_like_as_does(cli: Cli) -> None:
    assert cli.load(with_users((20, ELISE))).exit_code == 0
    migrate_sessions(cli, 50, 10, [sample.ONLINE_FILE], actor_email=ELISE)
    migrate_sessions(cli, 50, 10, [sample.ONLINE_URL])
    for spelled in (ELISE, "élise@ACME.test", "E\u0301LISE@acme.test"):
        rows = cli("history", "--actor", spelled, "--format", "json", actor=sample.ADMIN).json()
        assert [(r["session_id"], r["actor_email"]) for r in rows] == [
            (sample.ONLINE_FILE, ELISE)
        ], spelled


@pytest.mark.parametrize("other", ["élise@acme.test", "ÉLISE@acme.test", "E\u0301lise@acme.test"])
def test_the_loader_refuses_two_users_with_one_address(cli: Cli, other: str) -> None:
    before = table_counts(cli.url)
    r = cli.load(with_users((20, ELISE), (21, other)))
    assert r.exit_code == 2
    assert "users[10].email: " in r.stderr and "is already used by users[9]" in r.stderr
    assert table_counts(cli.url) == before
    # ... and against a user already in the store.
    assert cli.load(with_users((20, ELISE))).exit_code == 0
    r = cli.load(with_users((20, ELISE), (21, other)))
    assert r.exit_code == 2 and "is already used by" in r.stderr


def test_the_database_refuses_two_users_with_one_key(cli: Cli) -> None:
    from sessionmig.store import tables as t

    assert cli.load(with_users((20, ELISE))).exit_code == 0
    eng = cli.engine()
    try:
        with pytest.raises(IntegrityError), eng.begin() as conn:
            conn.execute(
                insert(t.app_user).values(
                    id=21,
                    client_id=1,
                    email="élise@acme.test",
                    email_key=email_key("élise@acme.test"),
                    name="Twin",
                )
            )
    finally:
        eng.dispose()


def test_an_address_too_long_once_case_folded_is_refused(cli: Cli) -> None:
    # U+FB03 (the ffi ligature) is one character that case-folds to three.
    r = cli.load(with_users((20, "\ufb03" * 200 + "@acme.test")))
    assert r.exit_code == 2, r.stderr
    assert "users[9].email: " in r.stderr


# --- the upgrade of a populated store --------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no schema at all) on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    if not pg_server_url():
        pytest.skip("PostgreSQL: set SESSIONMIG_TEST_PG_URL to run")
    with _pg_database(prefix="sm_keys") as url:
        yield url


def _store_before_the_keys(url: str) -> None:
    """Revision 0003 holding users and a migration record, written with the SQL of that
    time (no key columns yet)."""
    from alembic import command

    from sessionmig.store import engine as store_engine
    from sessionmig.store import schema

    eng = store_engine.create(store_engine.parse_url(url))
    cfg = schema.alembic_config()
    with eng.connect().execution_options(sessionmig_write=True) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003_store_id")
        conn.commit()
    with eng.begin() as conn:
        for stmt in (
            "INSERT INTO client (id, name) VALUES (1, 'Acme')",
            "INSERT INTO audience (id, client_id, name) VALUES (2, 1, 'Acme France')",
            "INSERT INTO app_user (id, client_id, email, name) "
            "VALUES (1, 1, 'ana@acme.test', 'Ana'), (2, 1, 'Élise@Acme.test', 'Élise')",
            "INSERT INTO user_grant (user_id, role, scope) VALUES (2, 'admin', 'client')",
            "INSERT INTO community (id, client_id, audience_id, title) VALUES (50, 1, 2, 'C')",
            "INSERT INTO community_video (id, client_id, community_id, status, title, summary,"
            " source_kind, source_ref, source_event_id, source_event_name, source_session_id,"
            " created_at) VALUES (1, 1, 50, 'draft', 'T', '', 'url', 'u', 10, 'E', 1000,"
            " '2026-11-20 09:00:00+00:00')",
            "INSERT INTO migration_record (client_id, session_id, session_title, event_id,"
            " event_name, community_id, video_id, actor_user_id, actor_email, actor_name,"
            " migrated_at) VALUES (1, 1000, 'T', 10, 'E', 50, 1, 2, 'Élise@Acme.test',"
            " 'Élise', '2026-11-20 09:00:00+00:00')",
        ):
            conn.execute(text(stmt))
    eng.dispose()


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    from sessionmig.store import engine as store_engine

    eng = store_engine.create(store_engine.parse_url(url))
    try:
        with eng.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        eng.dispose()


def test_db_init_upgrades_a_populated_store_and_backfills_the_keys(
    empty_url: str, tmp_path: Path
) -> None:
    from sqlalchemy.exc import DBAPIError

    from sessionmig.store import engine as store_engine

    _store_before_the_keys(empty_url)
    cli = Cli(empty_url, tmp_path)
    r = cli("db", "init")
    assert r.exit_code == 0, r.stderr
    assert f"schema upgraded from 0003_store_id to {store_engine.SCHEMA_HEAD}" in r.stderr
    assert _rows(empty_url, "SELECT id, email_key FROM app_user ORDER BY id") == [
        (1, "ana@acme.test"),
        (2, "élise@acme.test"),
    ]
    assert _rows(empty_url, "SELECT actor_email_key FROM migration_record") == [
        ("élise@acme.test",)
    ]
    # The records stay append-only after the backfill.
    eng = store_engine.create(store_engine.parse_url(empty_url))
    try:
        with pytest.raises(DBAPIError, match="append-only"), eng.begin() as conn:
            conn.execute(text("UPDATE migration_record SET actor_name = 'x'"))
    finally:
        eng.dispose()
    r = cli("history", "--actor", "ÉLISE@acme.test", "--format", "json", actor="élise@acme.TEST")
    assert r.exit_code == 0, r.stderr
    assert [row["session_id"] for row in r.json()] == [1000]


def test_an_upgrade_that_would_merge_two_users_is_refused_in_one_line(
    empty_url: str, tmp_path: Path
) -> None:
    from sessionmig.store import engine as store_engine

    _store_before_the_keys(empty_url)
    eng = store_engine.create(store_engine.parse_url(empty_url))
    with eng.begin() as conn:  # allowed by 0002's case-sensitive UNIQUE(email)
        conn.execute(
            text(
                "INSERT INTO app_user (id, client_id, email, name) "
                "VALUES (3, 1, 'élise@acme.test', 'Twin')"
            )
        )
    eng.dispose()
    r = Cli(empty_url, tmp_path)("db", "init")
    assert r.exit_code == 5, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert "users 2 and 3" in lines[0]
    assert _rows(empty_url, "SELECT version_num FROM alembic_version") == [("0003_store_id",)]
