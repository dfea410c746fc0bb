"""Test fixtures: a fresh store per test on SQLite and, when SESSIONMIG_TEST_PG_URL
names a PostgreSQL server, on PostgreSQL too (one database per test, cloned from a
template initialised once per worker)."""

from __future__ import annotations

import functools
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# The suite reads English (its assertions are the English wording), whatever the
# developer's locale: set before sessionmig is imported, since the help texts are made in
# the process's language when the commands are declared. Subprocesses inherit it (the
# helpers that drop SESSIONMIG_* variables keep this one); French tests set it, or call
# `i18n.activate("fr")` (the `french` fixture).
os.environ["SESSIONMIG_LANG"] = "en"

from sqlalchemy import Engine, event
from typer.testing import CliRunner

from sessionmig import i18n
from sessionmig.cli import app
from tests import sample

PG_ENV = "SESSIONMIG_TEST_PG_URL"


@pytest.fixture
def french() -> Iterator[None]:
    """This test's process speaks French (what is said and shown from now on; help
    texts, made at import, stay English in-process: French help is tested in a
    subprocess), then English again."""
    i18n.activate("fr")
    try:
        yield
    finally:
        i18n.activate("en")


BACKENDS = ["sqlite", "postgresql"]


def pg_server_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def _pg_admin_engine():  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(pg_server_url() or "")
    return create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sessionmig.store import engine as store_engine
    from sessionmig.store import schema

    path = tmp_path_factory.mktemp("template") / "template.db"
    eng = store_engine.create(store_engine.parse_url(f"sqlite:///{path}"))
    schema.upgrade(eng)
    eng.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from sessionmig.store import engine as store_engine
    from sessionmig.store import schema

    name = f"sm_tpl_{_worker()}_{uuid.uuid4().hex[:6]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_server_url() or "").set(database=name)
    eng = store_engine.create(url)
    schema.upgrade(eng)
    eng.dispose()
    group = _group_role_of(url.render_as_string(hide_password=False))
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    _drop_role(admin, group)
    admin.dispose()


def _group_role_of(url: str) -> str | None:
    """The store's group role (store/identity.py): cluster-wide, so a test database's
    own one is dropped with it (copies of the template share the template's)."""
    from sqlalchemy import create_engine, text

    from sessionmig.store.identity import group_role_for

    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            if conn.execute(text("SELECT to_regclass('store_info')")).scalar() is None:
                return None
            sid = conn.execute(text("SELECT id FROM store_info")).scalar()
    finally:
        eng.dispose()
    return None if sid is None else group_role_for(str(sid))


def _drop_role(admin: Any, role: str | None) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    if role is None:
        return
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    except DBAPIError:
        pass  # still used by another database of this run: its own teardown drops it


def _fresh_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "store.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    if not pg_server_url():
        pytest.skip(f"PostgreSQL: set {PG_ENV} to run")
    template_name: str = request.getfixturevalue("pg_template")
    with _pg_database(template_name) as url:
        yield url


@contextmanager
def _pg_database(template: str | None = None, prefix: str = "sm") -> Iterator[str]:
    """A PostgreSQL database of its own (a copy of `template`, or empty), dropped after."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        like = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{like}'))
    url = make_url(pg_server_url() or "").set(database=name).render_as_string(hide_password=False)
    inherited = _group_role_of(url) if template else None
    try:
        yield url
    finally:
        try:
            group = _group_role_of(url)
        except Exception:  # the test may have broken the database: still drop it
            group = None
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if group != inherited:
            _drop_role(admin, group)
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, initialised, empty store on each backend."""
    yield from _fresh_url(request.param, request, tmp_path)


@pytest.fixture
def empty_db_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database (no schema at all) on the backend of `db_url`: what `db init`
    meets the first time."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with _pg_database(prefix="sm_empty") as url:
        yield url


@pytest.fixture
def sqlite_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from _fresh_url("sqlite", request, tmp_path)


# --- every write holds the store lock ------------------------------------------------------

WRITE_VERBS = {"insert", "update", "delete", "create", "alter", "drop", "truncate", "replace"}


def is_write(statement: str) -> bool:
    """A statement that changes the store, or locks rows to change them."""
    words = statement.split(None, 1)
    return bool(words) and (words[0].lower() in WRITE_VERBS or "for update" in statement.lower())


_guarding = False


@contextmanager
def writes_need_the_store_lock() -> Iterator[None]:
    """While in the block, a write statement that runs outside `store.engine.writing()`
    raises: every command run through `Cli` is checked, so a writer that opens its own
    transaction (and skips the store lock) fails the tests of its command."""
    global _guarding
    was, _guarding = _guarding, True
    try:
        yield
    finally:
        _guarding = was


@event.listens_for(Engine, "before_cursor_execute")
def _check_write_holds_the_lock(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if (
        _guarding
        and is_write(statement)
        and not conn.get_execution_options().get("sessionmig_locked")
    ):
        raise AssertionError(f"a write outside store.engine.writing(): {statement[:200]}")


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


# --- every JSON the tool prints in the test suite is validated against its schema --------

# Commands that print JSON without a schema of their own, and why. Empty: every command
# that prints JSON has one (sessionmig.schemas.COMMANDS); a new command fails
# `validate_output` until it gets one (one line in sessionmig.schemas.REGISTRY).
NOT_VALIDATED: dict[str, str] = {}


@functools.cache
def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    from sessionmig import schemas

    schema = schemas.schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid(name: str, document: Any) -> None:
    """`document` validates against `sessionmig schema NAME`; the errors are listed."""
    errors = sorted(_validator(name).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, f"not a valid {name} document:\n" + "\n".join(
        f"  {'/'.join(map(str, e.path)) or '(top)'}: {e.message[:300]}" for e in errors[:20]
    )


def _command(args: list[str]) -> tuple[str, list[str]]:
    """The command path (`sessions list`) and its own arguments, past the root options."""
    import typer

    i = 0
    while i < len(args) and args[i] in ("--db", "--as"):
        i += 2
    rest = args[i:]
    if not rest:
        return "", []
    group = typer.main.get_command(app).commands.get(rest[0])  # type: ignore[attr-defined]
    if getattr(group, "commands", None) and len(rest) > 1:
        return f"{rest[0]} {rest[1]}", rest[2:]
    return rest[0], rest[1:]


def _option(args: list[str], *flags: str) -> str | None:
    for i, arg in enumerate(args):
        for flag in flags:
            if arg == flag and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(flag + "="):
                return arg.split("=", 1)[1]
    return None


def validate_output(args: list[str], run: Run) -> None:
    """The documents a command printed (stdout with `--format json`) or wrote (a plan,
    `--plan-out`), validated against their schemas. Called by every `Cli` run."""
    from sessionmig import schemas

    if run.exit_code not in (0, 1):
        return
    command, rest = _command(args)
    plan_out = _option(rest, "--plan-out") if command == "migrate" else None
    if plan_out is not None:
        text = run.stdout if plan_out == "-" else Path(plan_out).read_text(encoding="utf-8")
        assert_valid("plan", json.loads(text))
    if (_option(rest, "--format", "-f") or "").lower() != "json" or plan_out == "-":
        return
    if command == "schema":
        document = json.loads(run.stdout)
        if rest and not rest[0].startswith("-"):
            from jsonschema import Draft202012Validator

            Draft202012Validator.check_schema(document)
        else:
            assert document == schemas.names()
        return
    if command in NOT_VALIDATED:
        return
    assert command in schemas.COMMANDS, (
        f"`{command} --format json` printed JSON but has no schema: add it to "
        "sessionmig.schemas.REGISTRY (or to NOT_VALIDATED in tests/conftest.py, saying why)"
    )
    assert_valid(schemas.COMMANDS[command], json.loads(run.stdout))


class Cli:
    """Runs `sessionmig` through its Typer app against one store."""

    def __init__(self, url: str, tmp_path: Path) -> None:
        self.url = url
        self.tmp_path = tmp_path
        self.runner = CliRunner()

    def __call__(
        self,
        *args: str,
        actor: str | None = None,
        input: str | None = None,
        env: dict[str, str] | None = None,
    ) -> Run:
        full_env = {
            "SESSIONMIG_DB": self.url,
            "COLUMNS": "250",
            "SESSIONMIG_NO_PROMPT": "1",
            "SESSIONMIG_ACTOR": actor or "",
            "SESSIONMIG_LANG": "en",
        }
        full_env.update(env or {})
        with writes_need_the_store_lock():
            result = self.runner.invoke(
                app, list(args), input=input, env=full_env, catch_exceptions=False
            )
        run = Run(result.exit_code, result.stdout, result.stderr)
        validate_output(list(args), run)
        return run

    def load(self, data: dict[str, Any]) -> Run:
        path = self.tmp_path / f"export-{uuid.uuid4().hex[:6]}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        return self("load", str(path))

    def engine(self):  # type: ignore[no-untyped-def]
        from sessionmig.store import engine as store_engine

        return store_engine.create(store_engine.parse_url(self.url))


@pytest.fixture
def cli(db_url: str, tmp_path: Path) -> Cli:
    return Cli(db_url, tmp_path)


@pytest.fixture
def loaded(cli: Cli) -> Cli:
    """A store holding tests/sample.py's export."""
    r = cli.load(sample.export())
    assert r.exit_code == 0, r.stderr
    return cli


def table_counts(url: str) -> dict[str, int]:
    """Rows per table: proves that a refused command wrote nothing."""
    from sqlalchemy import Table, func, select

    from sessionmig.store import engine as store_engine
    from sessionmig.store import tables as t

    eng = store_engine.create(store_engine.parse_url(url))
    names = [n for n in dir(t) if isinstance(getattr(t, n), Table)]
    with eng.connect() as conn:
        out = {
            n: conn.execute(select(func.count()).select_from(getattr(t, n))).scalar_one()
            for n in names
        }
    eng.dispose()
    return out


def data_rows(url: str) -> int:
    """Rows of the client data, every table but the store's own id (store_info)."""
    counts = table_counts(url)
    assert counts.pop("store_info") == 1
    return sum(counts.values())


def dump_store(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table except surrogate grant ids, sorted: a store fingerprint."""
    from sqlalchemy import Table, select

    from sessionmig.store import engine as store_engine
    from sessionmig.store import tables as t

    eng = store_engine.create(store_engine.parse_url(url))
    out: dict[str, list[tuple[Any, ...]]] = {}
    with eng.connect() as conn:
        for n in dir(t):
            table = getattr(t, n)
            if not isinstance(table, Table):
                continue
            cols = [c for c in table.c if not (n == "user_grant" and c.name == "id")]
            out[n] = sorted((tuple(r) for r in conn.execute(select(*cols))), key=repr)
    eng.dispose()
    return out


class Hold:
    """A test-side transaction that holds a lock until `release()`: on SQLite the
    database's write lock (`BEGIN IMMEDIATE`), on PostgreSQL whatever `pg_sql` takes."""

    def __init__(self, url: str, *pg_sql: str) -> None:
        import sqlite3

        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        parsed = make_url(url)
        self._sqlite: sqlite3.Connection | None = None
        self._pg: Any = None
        if parsed.get_backend_name() == "sqlite":
            assert parsed.database
            self._sqlite = sqlite3.connect(parsed.database, isolation_level=None)
            self._sqlite.execute("BEGIN IMMEDIATE")
        else:
            self._engine = create_engine(parsed, poolclass=NullPool)
            self._pg = self._engine.connect()
            self._pg.begin()
            for sql in pg_sql:
                self._pg.execute(text(sql))

    def release(self) -> None:
        if self._sqlite is not None:
            self._sqlite.rollback()
            self._sqlite.close()
            self._sqlite = None
        if self._pg is not None:
            self._pg.rollback()
            self._pg.close()
            self._engine.dispose()
            self._pg = None


def store_id(url: str) -> str:
    """The store's id (store_info), read directly."""
    from sessionmig.store import engine as store_engine
    from sessionmig.store.storeinfo import read_store_id

    eng = store_engine.create(store_engine.parse_url(url))
    with eng.connect() as conn:
        found = read_store_id(conn)
    eng.dispose()
    assert found is not None
    return found


def assert_sound(cli: Cli) -> None:
    """`db check` finds nothing wrong: call it at the end of a scenario."""
    r = cli("db", "check")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert r.stdout.startswith("store is sound: "), r.stdout


def migrate_sessions(
    cli: Cli,
    community_id: int,
    event_id: int,
    session_ids: list[int],
    *,
    actor_email: str = sample.ADMIN,
    at: Any = None,
) -> dict[int, int]:
    """Migrate through the store (not the CLI) and return {session_id: video_id}.

    `at` (an aware datetime) freezes the migration's clock, to make records at
    chosen times."""
    import contextlib
    from datetime import datetime, tzinfo
    from unittest import mock

    from sessionmig.context import AppContext
    from sessionmig.store import migrate as store_migrate

    app_ctx = AppContext(db=cli.url)
    actor = AppContext(db=cli.url, actor_email=actor_email).actor()
    with contextlib.ExitStack() as stack:
        if at is not None:
            frozen = at

            class Frozen(datetime):
                @classmethod
                def now(cls, tz: tzinfo | None = None) -> Any:
                    return frozen.astimezone(tz)

            stack.enter_context(mock.patch.object(store_migrate, "datetime", Frozen))
        result = store_migrate.migrate(
            app_ctx.engine(),
            actor,
            community_id=community_id,
            event_id=event_id,
            session_ids=session_ids,
        )
    app_ctx.engine().dispose()
    assert not result.refused, result.outcomes
    return {o.session_id: o.video_id for o in result.outcomes if o.video_id is not None}


def shared_cli(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    build: Callable[[Cli], None],
) -> Iterator[Cli]:
    """A store built once per module and backend, for tests that only read it (the
    body of a `scope="module", params=BACKENDS` fixture). Much faster than a fresh
    store per test; a test that writes must use `cli`/`loaded` instead."""
    tmp = tmp_path_factory.mktemp("shared")
    urls = _fresh_url(request.param, request, tmp)
    url = next(urls)
    try:
        cli = Cli(url, tmp)
        build(cli)
        yield cli
    finally:
        next(urls, None)  # drops the PostgreSQL database
