"""Alembic owns the schema: head matches the code's expectation and the models."""

from __future__ import annotations

from sessionmig.store import engine as store_engine
from sessionmig.store import schema
from tests.conftest import Cli


def test_schema_head_constant_matches_alembic() -> None:
    assert schema.head_revision() == store_engine.SCHEMA_HEAD


def test_migrations_match_the_models(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    eng = store_engine.create(store_engine.parse_url(db_url))
    with eng.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    eng.dispose()
    assert diff == []


def test_runtime_tables_match_the_migrated_schema(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from sessionmig.store import tables

    eng = store_engine.create(store_engine.parse_url(db_url))
    with eng.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    eng.dispose()
    assert diff == []


def test_runtime_tables_are_the_models_tables() -> None:
    from sqlmodel import SQLModel

    from sessionmig.store import models, tables

    assert models is not None
    core = {name: sorted(c.name for c in t.c) for name, t in tables.metadata.tables.items()}
    orm = {name: sorted(c.name for c in t.c) for name, t in SQLModel.metadata.tables.items()}
    assert core == orm


def test_db_init_is_idempotent(cli: Cli) -> None:
    r = cli("db", "init")
    assert r.exit_code == 0
    assert "up to date" in r.stderr


def test_uninitialised_explicit_store_is_exit_5(tmp_path) -> None:  # type: ignore[no-untyped-def]
    c = Cli(f"sqlite:///{tmp_path}/empty.db", tmp_path)
    r = c("events", "list", actor="a@b.test")
    assert r.exit_code == 5
    assert "db init" in r.stderr
    assert c("db", "init").exit_code == 0
    assert c("events", "list", actor="a@b.test").exit_code == 3  # now: unknown user


def test_default_store_is_created_on_first_use(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    from typer.testing import CliRunner

    from sessionmig.cli import app

    r = CliRunner().invoke(
        app, ["events", "list"], env={"SESSIONMIG_DB": "", "SESSIONMIG_ACTOR": "a@b.test"}
    )
    assert r.exit_code == 3, r.stderr
    assert (tmp_path / "data" / "sessionmig" / "sessionmig.db").exists()


def test_bad_and_unreachable_urls(tmp_path) -> None:  # type: ignore[no-untyped-def]
    r = Cli("notaurl", tmp_path)("events", "list", actor="a@b.test")
    assert r.exit_code == 2 and "not a database URL" in r.stderr
    r = Cli("mysql://x@y/z", tmp_path)("events", "list", actor="a@b.test")
    assert r.exit_code == 2 and "unsupported database" in r.stderr
    secret = "postgresql+psycopg://bob:s3cr3t-pw@127.0.0.1:1/nodb"
    r = Cli(secret, tmp_path)(
        "events", "list", actor="a@b.test", env={"SESSIONMIG_BUSY_TIMEOUT": "1"}
    )
    assert r.exit_code == 5
    assert "s3cr3t-pw" not in r.stderr + r.stdout
    assert "unreachable" in r.stderr
