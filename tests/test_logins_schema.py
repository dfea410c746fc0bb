"""Revision 0005_logins (issue 11): users get a link to a PostgreSQL role (name and OID),
migration records and tombstones keep the login that wrote them: on PostgreSQL the
database's `session_user` (a trigger, whatever the client sends), on SQLite the OS user
name. Existing stores are upgraded with their data; their old rows keep `login` NULL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from sessionmig.store import engine as store_engine
from sessionmig.store import identity, loader, schema
from sessionmig.store import tables as t
from tests import sample
from tests.conftest import Cli, assert_sound, migrate_sessions, store_id


def _logins(url: str) -> tuple[dict[int, str | None], dict[int, str | None]]:
    eng = store_engine.create(store_engine.parse_url(url))
    with eng.connect() as conn:
        records = dict(conn.execute(select(t.record.c.session_id, t.record.c.login)).all())
        tombs = dict(
            conn.execute(select(t.deleted_session.c.session_id, t.deleted_session.c.login)).all()
        )
    eng.dispose()
    return records, tombs


def _expected_login(url: str) -> str:
    return "postgres" if url.startswith("postgresql") else identity.os_login()


def test_0005_upgrades_a_populated_store_without_stamping_old_rows(
    empty_db_url: str, tmp_path: Path
) -> None:
    from alembic import command

    eng = store_engine.create(store_engine.parse_url(empty_db_url))
    schema.upgrade(eng)
    loader.load(eng, json.dumps(sample.export()).encode("utf-8"))
    eng.dispose()
    cli = Cli(empty_db_url, tmp_path)
    migrate_sessions(cli, 50, 10, [sample.ONLINE_FILE])
    r = cli("sessions", "delete", str(sample.IN_PERSON), "--yes", actor=sample.ADMIN)
    assert r.exit_code == 0, r.stderr
    eng = store_engine.create(store_engine.parse_url(empty_db_url))
    cfg = schema.alembic_config()
    with eng.connect().execution_options(sessionmig_write=True) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004_email_key")
        conn.commit()
    eng.dispose()
    r = cli("events", "list", actor=sample.ADMIN)
    assert r.exit_code == 5 and "db init" in r.stderr
    r = cli("db", "init")
    assert r.exit_code == 0, r.stderr
    assert f"schema upgraded from 0004_email_key to {store_engine.SCHEMA_HEAD}" in r.stderr
    # The old rows keep no login: the upgrade does not stamp them with its own.
    assert _logins(empty_db_url) == ({sample.ONLINE_FILE: None}, {sample.IN_PERSON: None})
    migrate_sessions(cli, 50, 10, [sample.ONLINE_URL])
    r = cli("sessions", "delete", str(sample.HYBRID), "--yes", actor=sample.ADMIN)
    assert r.exit_code == 0, r.stderr
    me = _expected_login(empty_db_url)
    assert _logins(empty_db_url) == (
        {sample.ONLINE_FILE: None, sample.ONLINE_URL: me},
        {sample.IN_PERSON: None, sample.HYBRID: me},
    )
    assert_sound(cli)


def test_new_records_and_tombstones_keep_the_login(loaded: Cli) -> None:
    migrate_sessions(loaded, 50, 10, [sample.ONLINE_FILE])
    r = loaded("sessions", "delete", str(sample.ONLINE_URL), "--yes", actor=sample.ADMIN)
    assert r.exit_code == 0, r.stderr
    me = _expected_login(loaded.url)
    assert _logins(loaded.url) == ({sample.ONLINE_FILE: me}, {sample.ONLINE_URL: me})


def test_pg_a_forged_login_is_replaced_by_session_user(db_url: str) -> None:
    """The trigger sets `login := session_user` whatever the INSERT says."""
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL: the trigger")
    eng = store_engine.create(store_engine.parse_url(db_url))
    with eng.begin() as conn:
        conn.execute(t.client.insert().values(id=1, name="Acme"))
        conn.execute(
            t.deleted_session.insert().values(
                session_id=7,
                client_id=1,
                event_id=1,
                title="x",
                deleted_by_user_id=1,
                deleted_at=datetime.now(UTC),
                login="someone_else",
            )
        )
        got = conn.execute(text("SELECT login FROM deleted_session")).scalar_one()
    eng.dispose()
    assert got == "postgres"


def test_pg_db_init_makes_the_store_group_role(empty_db_url: str, tmp_path: Path) -> None:
    """NOLOGIN, named after the store id: one per store on a shared cluster."""
    if not empty_db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL: roles")
    r = Cli(empty_db_url, tmp_path)("db", "init")
    assert r.exit_code == 0, r.stderr
    name = identity.group_role_for(store_id(empty_db_url))
    eng = store_engine.create(store_engine.parse_url(empty_db_url))
    with eng.connect() as conn:
        assert identity.group_role_name(conn) == name
        row = conn.execute(
            text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :n"), {"n": name}
        ).all()
    eng.dispose()
    assert row == [(False,)] and len(name.encode()) <= 63


def test_group_role_name_is_an_identifier() -> None:
    name = identity.group_role_for("0b5e5a4e-7f6c-4d0e-9a51-3c1f2a9e8d77")
    assert name == "sessionmig_login_0b5e5a4e7f6c4d0e9a513c1f2a9e8d77"
