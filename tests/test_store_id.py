"""The store's id (store_info): made once by `db init`, for a new store and for an
existing one upgraded to it, never two (even with concurrent `db init`s), shown by
`db init` and `db check`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import func, select, text

from sessionmig.store import engine as store_engine
from sessionmig.store import loader, schema
from sessionmig.store import tables as t
from tests import sample
from tests.conftest import Cli, assert_sound, dump_store, store_id

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def rows(url: str) -> int:
    eng = store_engine.create(store_engine.parse_url(url))
    with eng.connect() as conn:
        n = conn.execute(select(func.count()).select_from(t.store_info)).scalar_one()
    eng.dispose()
    return int(n)


def test_db_init_makes_the_id_once_and_shows_it(empty_db_url: str, tmp_path: Path) -> None:
    cli = Cli(empty_db_url, tmp_path)
    r = cli("db", "init")
    assert r.exit_code == 0, r.stderr
    sid = store_id(empty_db_url)
    assert UUID.match(sid), sid
    assert f"schema upgraded from nothing to {store_engine.SCHEMA_HEAD}, store id {sid}:" in (
        r.stderr
    )
    r = cli("db", "init")
    assert f"schema is up to date ({store_engine.SCHEMA_HEAD}), store id {sid}:" in r.stderr
    assert store_id(empty_db_url) == sid and rows(empty_db_url) == 1
    r = cli("db", "check")
    assert r.exit_code == 0 and r.stdout.rstrip().endswith(f"; store id {sid}")
    r = cli("db", "check", "--format", "json")
    assert (r.stdout, r.stderr.rstrip()[-36:]) == ("[]\n", sid)


def test_an_existing_store_gets_its_id_from_the_upgrade(empty_db_url: str, tmp_path: Path) -> None:
    """Revision 0003_store_id on a store at 0002 that holds data and a migration: the id
    is made, nothing else changes."""
    from alembic import command

    eng = store_engine.create(store_engine.parse_url(empty_db_url))
    # The data is loaded by today's loader, which writes today's schema; the store then
    # goes back to 0002 (each later revision's downgrade) with its data.
    schema.upgrade(eng)
    loader.load(eng, json.dumps(sample.export()).encode("utf-8"))
    cfg = schema.alembic_config()
    with eng.connect().execution_options(sessionmig_write=True) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002_append_only")
        conn.commit()
    eng.dispose()
    cli = Cli(empty_db_url, tmp_path)
    r = cli("events", "list", actor=sample.ADMIN)
    assert r.exit_code == 5 and "db init" in r.stderr  # an old schema is refused
    r = cli("db", "init")
    assert r.exit_code == 0, r.stderr
    assert f"schema upgraded from 0002_append_only to {store_engine.SCHEMA_HEAD}" in r.stderr
    assert UUID.match(store_id(empty_db_url)) and rows(empty_db_url) == 1
    before = dump_store(empty_db_url)
    r = cli("migrate", "--community", "50", "--event", "10", "--all-eligible", "--yes",
            actor=sample.ADMIN)  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert dump_store(empty_db_url)["store_info"] == before["store_info"]
    assert_sound(cli)


def test_a_second_row_is_impossible(db_url: str) -> None:
    eng = store_engine.create(store_engine.parse_url(db_url))
    with eng.connect() as conn:
        for singleton in (1, 2):
            try:
                with conn.begin():
                    conn.execute(
                        text(
                            "INSERT INTO store_info (singleton, id, created_at) "
                            "VALUES (:s, :id, CURRENT_TIMESTAMP)"
                        ),
                        {"s": singleton, "id": str(uuid.uuid4())},
                    )
            except Exception as exc:  # the primary key, then the CHECK
                assert "store_info" in str(exc) or "constraint" in str(exc).lower(), exc
            else:
                raise AssertionError(f"a second store_info row was accepted ({singleton})")
    eng.dispose()
    assert rows(db_url) == 1


def test_concurrent_db_inits_make_one_id(empty_db_url: str) -> None:
    """Four `db init` at once on an empty database: one store id, and every one that
    succeeds names that id."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "sessionmig", "--db", empty_db_url, "db", "init"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [(p.wait(timeout=120), p.communicate()[1]) for p in procs]
    assert rows(empty_db_url) == 1
    sid = store_id(empty_db_url)
    succeeded = [err for code, err in results if code == 0]
    assert succeeded, results
    for err in succeeded:
        assert f"store id {sid}:" in err, err
    assert all(code == 0 for code, _ in results), results  # the store lock serialises them
