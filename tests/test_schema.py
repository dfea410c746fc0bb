"""One declaration of the schema: the SQLModel models (store/models.py).

Alembic owns the store's schema and its revisions match the models; the Core tables the
commands run on (store/tables.py) are generated from the models by
`python -m sessionmig.store.codegen`, and fail here when they are not what it writes."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    CheckConstraint,
    Column,
    Computed,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    literal_column,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import ColumnCollectionConstraint

from sessionmig.store import engine as store_engine
from sessionmig.store import schema
from tests.conftest import Cli


class _Upper(TypeDecorator[str]):
    """A project-specific type: the generator cannot know how to import it."""

    impl = String
    cache_ok = True


def _type_name(column: Column[Any]) -> str:
    # sqlmodel's AutoString is a String with a MySQL-only default length.
    name = type(column.type).__name__
    return "String" if name == "AutoString" else name


def describe(metadata: MetaData) -> dict[str, Any]:
    """Everything a table declaration decides, in comparable form."""
    dialects = (sqlite.dialect(), postgresql.dialect())
    out: dict[str, Any] = {}
    for table in metadata.tables.values():
        columns = [
            (
                c.name,
                _type_name(c),
                [c.type.compile(d) for d in dialects],
                c.nullable,
                c.primary_key,
                c.autoincrement,
                None if c.default is None else repr(c.default.arg),  # type: ignore[attr-defined]
                None if c.server_default is None else str(c.server_default.arg),  # type: ignore[attr-defined]
                c.comment,
            )
            for c in table.columns
        ]
        constraints = []
        for k in table.constraints:
            assert isinstance(k, ColumnCollectionConstraint)
            if isinstance(k, PrimaryKeyConstraint) and not k.columns:
                continue  # every table has one, empty when it has no key
            extra: Any = None
            if isinstance(k, ForeignKeyConstraint):
                extra = ([e.target_fullname for e in k.elements], k.ondelete, k.onupdate)
            elif isinstance(k, CheckConstraint):
                extra = str(k.sqltext)
            constraints.append(
                (
                    type(k).__name__,
                    str(k.name),
                    [c.name for c in k.columns],
                    extra,
                    k.deferrable,
                    k.initially,
                )
            )
        indexes = [(str(i.name), [c.name for c in i.columns], i.unique) for i in table.indexes]
        out[table.name] = {
            "columns": columns,
            "constraints": sorted(constraints, key=repr),
            "indexes": sorted(indexes),
        }
    return out


def test_schema_head_constant_matches_alembic() -> None:
    assert schema.head_revision() == store_engine.SCHEMA_HEAD


def test_known_revisions_are_alembics_history() -> None:
    """What `refuse_newer_schema` knows is every revision Alembic has, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(schema.alembic_config())
    history = [r.revision for r in script.walk_revisions("base", "heads")][::-1]
    assert tuple(history) == store_engine.KNOWN_REVISIONS
    assert store_engine.KNOWN_REVISIONS[-1] == store_engine.SCHEMA_HEAD


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
    """The generated Core tables declare exactly what the models declare: columns with
    their types on each dialect, nullability, keys, defaults; every constraint with its
    name and options; every index; the naming convention."""
    from sqlmodel import SQLModel

    from sessionmig.store import models, tables

    assert models is not None
    assert describe(tables.metadata) == describe(SQLModel.metadata)
    assert tables.metadata.naming_convention == SQLModel.metadata.naming_convention


def test_committed_tables_py_is_what_codegen_writes() -> None:
    """tables.py is generated: a model changed without `python -m sessionmig.store.codegen`
    fails here (and in CI), not in production."""
    from sessionmig.store import codegen

    expected = codegen.models_source()
    committed = codegen.TABLES_PY.read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            expected.splitlines(keepends=True),
            "tables.py (committed)",
            "tables.py (generated from models.py)",
        )
    )
    assert committed == expected, f"run {codegen.COMMAND}:\n{diff[:4000]}"


def test_codegen_command_checks_and_rewrites_a_stale_file(tmp_path: Path) -> None:
    from sessionmig.store import codegen

    stale = tmp_path / "tables.py"
    stale.write_text(codegen.TABLES_PY.read_text(encoding="utf-8").replace("500", "499"))
    said: list[str] = []
    assert codegen.main(["--check", "--path", str(stale)], out=said.append) == 1
    assert "out of date" in said[-1] and codegen.COMMAND in said[-1]
    assert codegen.main(["--path", str(stale)], out=said.append) == 0
    assert stale.read_text(encoding="utf-8") == codegen.models_source()
    assert codegen.main(["--check", "--path", str(stale)], out=said.append) == 0
    assert codegen.main(["--path", str(stale)], out=said.append) == 0
    assert said[-1] == "tables.py is up to date with models.py"


def test_codegen_command_runs_as_documented() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sessionmig.store.codegen", "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "up to date" in proc.stdout


def test_codegen_renders_every_feature_it_accepts() -> None:
    """Beyond what models.py uses today: what the generator renders, once executed,
    declares the same tables as its input."""
    from sqlalchemy import (
        BigInteger,
        Boolean,
        CheckConstraint,
        Column,
        DateTime,
        ForeignKey,
        ForeignKeyConstraint,
        Index,
        Integer,
        MetaData,
        Numeric,
        String,
        Table,
        Text,
        UniqueConstraint,
        text,
    )

    from sessionmig.store import codegen
    from sessionmig.store.sqltypes import UTCDateTime

    md = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(constraint_name)s",
        }
    )
    Table(
        "parent",
        md,
        Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
        Column("code", String(12, collation="C"), nullable=False, unique=True),
        Column("kind", String(20), nullable=False, default="plain", server_default="plain"),
        Column("price", Numeric(10, 2), server_default=text("0")),
        Column("flag", Boolean(), default=False, comment="it's a flag"),
        Column("at", UTCDateTime()),
        Column("seen", DateTime(timezone=True), index=True),
        Column("note", Text()),
        UniqueConstraint("id", "code", name="parent_id_code"),
        CheckConstraint("kind <> ''", name="kind"),
        Index("ix_parent_kind_price", "kind", "price", unique=True),
    )
    Table(
        "class",  # a keyword: needs a short name
        md,
        Column(
            "parent_id", BigInteger(), ForeignKey("parent.id", ondelete="CASCADE"), primary_key=True
        ),
        Column("code", String(12), primary_key=True),
        Column("position", Integer(), nullable=False, autoincrement=False, default=0),
        ForeignKeyConstraint(
            ["parent_id", "code"],
            ["parent.id", "parent.code"],
            onupdate="CASCADE",
            deferrable=True,
            initially="DEFERRED",
        ),
    )
    source = codegen.render(
        md.tables.values(), md.naming_convention, short_names={"class": "klass"}
    )
    namespace: dict[str, Any] = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    assert describe(namespace["metadata"]) == describe(md)
    assert list(namespace["metadata"].tables) == ["parent", "class"]
    assert namespace["klass"] is namespace["metadata"].tables["class"]
    assert (
        codegen.render(md.tables.values(), md.naming_convention, short_names={"class": "klass"})
        == source
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            lambda: Column("made", Integer(), default=lambda: 1),
            "column made: only literal defaults",
        ),
        (lambda: Column("made", Integer(), onupdate=1), "column made: onupdate"),
        (lambda: Column("made", Integer(), Computed("id + 1")), "column made: a computed column"),
        (lambda: Column("made", Integer(), info={"a": 1}), "column made: column info"),
        (lambda: Column("made", _Upper()), "column made: no rendering for column type"),
        (lambda: Index("ix_fn", text("lower(name)")), "index ix_fn: an expression index"),
        (lambda: Index("ix_pg", "name", postgresql_using="gin"), "index ix_pg: a dialect option"),
        (lambda: CheckConstraint(literal_column("id") > 0, name="pos"), "only textual CHECK"),
    ],
)
def test_codegen_refuses_what_it_cannot_render(extra: Any, message: str) -> None:
    """A model feature the generator does not know stops it with the table and column
    named, instead of writing a tables.py that silently differs from the model."""
    from sessionmig.store import codegen

    md = MetaData()
    Table("thing", md, Column("id", Integer(), primary_key=True), Column("name", Text()), extra())
    with pytest.raises(codegen.CodegenError, match=re.escape(message)):
        codegen.render(md.tables.values(), {})


@pytest.mark.parametrize("name", ["metadata", "Index", "annotations"])
def test_codegen_refuses_a_table_variable_that_shadows_a_name(name: str) -> None:
    from sessionmig.store import codegen

    md = MetaData()
    Table(name, md, Column("id", Integer(), primary_key=True), Index("ix_x", "id"))
    with pytest.raises(codegen.CodegenError, match="SHORT_NAMES"):
        codegen.render(md.tables.values(), {})
    codegen.render(md.tables.values(), {}, short_names={name: "renamed"})


def test_runtime_utc_datetime_behaves_like_sqlmodels() -> None:
    """The SQLModel-free twin of sqlmodel's UTCDateTime stores and returns the same values."""
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlmodel.sql.sqltypes import UTCDateTime as SQLModelUTCDateTime

    from sessionmig.store.sqltypes import UTCDateTime

    ours, theirs = UTCDateTime(), SQLModelUTCDateTime()
    paris = dt.timezone(dt.timedelta(hours=1))
    values = [
        None,
        dt.datetime(2026, 11, 23, 22, 19, 37, tzinfo=paris),
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    ]
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        assert ours.compile(dialect) == theirs.compile(dialect)
        for value in values:
            assert ours.process_bind_param(value, dialect) == theirs.process_bind_param(
                value, dialect
            )
            stored = None if value is None else value.replace(tzinfo=None)
            for result in (stored, value):
                mine = ours.process_result_value(result, dialect)
                assert mine == theirs.process_result_value(result, dialect)
                assert mine is None or mine.tzinfo is dt.UTC
    with pytest.raises(ValueError):
        ours.process_bind_param(dt.datetime(2026, 1, 1), sqlite.dialect())
    assert repr(ours) == repr(theirs) == "UTCDateTime()"
    week = dt.timedelta(days=7)
    assert type(ours.coerce_compared_value(None, week)) is type(
        theirs.coerce_compared_value(None, week)
    )
    assert ours.coerce_compared_value(None, values[1]) is ours


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
