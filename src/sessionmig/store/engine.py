"""Engine and transaction setup per backend, and the translation of driver errors.

SQLite: foreign keys on, a busy timeout, and write transactions opened with
`BEGIN IMMEDIATE` (a deferred read-then-write transaction fails at once with
"database is locked" whatever the timeout). PostgreSQL: connect and lock
timeouts so an unreachable or locked server ends in exit 5, not a hang.

Every write transaction is opened by `writing()`, which takes the store's write lock
first: the writers validate and decide inside it.
"""

from __future__ import annotations

import logging
import math
import os
import re
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
)

from sessionmig.errors import PermissionDenied, StoreUnavailable, UsageError
from sessionmig.i18n import _

# The Alembic revision the code expects; tests/test_schema.py keeps it equal to the
# head of migrations/versions, so commands never import Alembic to check it.
SCHEMA_HEAD = "0007_migrate_videos"
# Every revision this version knows, oldest first (tests/test_schema.py: Alembic's own
# history). A store stamped with anything else was made by a newer sessionmig.
KNOWN_REVISIONS = (
    "0001_initial",
    "0002_append_only",
    "0003_store_id",
    "0004_email_key",
    "0005_logins",
    "0006_row_security",
    "0007_migrate_videos",
)

DEFAULT_BUSY_TIMEOUT = 30.0
# One day: longer than any writer holds the store, far below what SQLite's and
# PostgreSQL's millisecond timeouts can hold (PostgreSQL: 2^31 - 1 ms, ~24.8 days).
MAX_BUSY_TIMEOUT = 86_400.0


def default_url() -> str:
    from platformdirs import user_data_path

    path = Path(user_data_path("sessionmig", appauthor=False)) / "sessionmig.db"
    return f"sqlite:///{path}"


def busy_timeout() -> float:
    raw = os.environ.get("SESSIONMIG_BUSY_TIMEOUT", "")
    if not raw:
        return DEFAULT_BUSY_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 <= value <= MAX_BUSY_TIMEOUT):
        raise UsageError(
            _("SESSIONMIG_BUSY_TIMEOUT: {value} is not a number of seconds from 0 to {max}").format(
                value=repr(raw), max=f"{MAX_BUSY_TIMEOUT:.0f}"
            )
        )
    return value


def parse_url(raw: str) -> URL:
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        raise UsageError(_("--db: not a database URL (e.g. sqlite:///path/to.db)")) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise UsageError(
            _("--db: unsupported database {name} (use sqlite or postgresql)").format(
                name=repr(url.get_backend_name())
            )
        )
    return url


# The connection parameters libpq takes a secret from (libpq's "Parameter Key Words").
# Keys are matched case-insensitively, after the URL's percent-decoding: make_url
# decodes `pass%77ord` to `password`.
SECRET_KEYS = frozenset({"password", "sslpassword"})
_MASK = "***"
# `password=value` or `sslpassword = 'quoted \' value'` in a conninfo string echoed by a
# driver message, whatever the value is.
_CONNINFO_SECRET = re.compile(r"(?i)(\b(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s'\"&]+)")


def _as_url(url: URL | str) -> URL | None:
    if isinstance(url, URL):
        return url
    try:
        return make_url(url)
    except Exception:
        return None


def secrets_of(url: URL | str) -> list[str]:
    """Every secret the URL hands to the driver: its userinfo password and the values of
    its `password` and `sslpassword` parameters."""
    parsed = _as_url(url)
    if parsed is None:
        return []
    found = [str(parsed.password)] if parsed.password else []
    for key, value in parsed.query.items():
        if key.lower() in SECRET_KEYS:
            found.extend(v for v in ((value,) if isinstance(value, str) else value) if v)
    return found


def _spellings(secret: str) -> set[str]:
    """The ways a message may spell a secret: as is, percent-encoded, quoted for a libpq
    conninfo string, escaped inside a Python repr."""
    return {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        secret.replace("\\", "\\\\").replace("'", "\\'"),
        repr(secret)[1:-1],
    }


def scrub(message: str, url: URL | str) -> str:
    """`message` without any secret of `url`, however it is spelled, and without the value
    of any `password=`/`sslpassword=` it quotes from a conninfo string."""
    # Free text is searched for secrets of 4 characters or more: a shorter one would
    # "match" half the words of a message (and the masks would spell it out); the
    # `password=` pattern below and safe_url's masking cover it where it really shows.
    spelled = {s for secret in secrets_of(url) if len(secret) >= 4 for s in _spellings(secret)}
    for spelling in sorted(spelled, key=len, reverse=True):
        message = message.replace(spelling, _MASK)
    return _CONNINFO_SECRET.sub(lambda m: m.group(1) + _MASK, message)


def safe_url(url: URL | str) -> str:
    """The URL as it may be printed: never with a secret (the userinfo password, the
    `password` and `sslpassword` parameters)."""
    parsed = _as_url(url)
    if parsed is None:
        return "<invalid URL>"
    sentinel = "SESSIONMIG-MASKED-SECRET"
    query = {
        key: (sentinel if key.lower() in SECRET_KEYS else value)
        for key, value in parsed.query.items()
    }
    shown = parsed.set(query=query).render_as_string(hide_password=True)
    return scrub(shown.replace(sentinel, _MASK), parsed)


def create(url: URL, timeout: float | None = None) -> Engine:
    timeout = busy_timeout() if timeout is None else timeout
    try:
        if url.get_backend_name() == "sqlite":
            engine = _sqlite_engine(url, timeout)
        else:
            engine = _postgres_engine(url, timeout)
        # How the dialect reads the URL (ports, hosts), checked before any connection.
        engine.dialect.create_connect_args(url)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise UsageError(
            _(
                "--db: the driver for {driver} is not installed "
                "(PostgreSQL needs: pip install 'sessionmig[postgres]')"
            ).format(driver=repr(url.drivername))
        ) from exc
    except (ArgumentError, ValueError, TypeError) as exc:
        raise UsageError(
            _("--db: {error}: {where}").format(error=scrub(str(exc), url), where=safe_url(url))
        ) from None
    return engine


def _sqlite_engine(url: URL, timeout: float) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        parent = Path(database).expanduser().parent
        if not parent.is_dir():
            raise StoreUnavailable(
                _("database directory does not exist: {path}").format(path=parent)
            )
        _create_private(Path(database).expanduser())
    engine = create_engine(url, connect_args={"timeout": timeout})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let us emit BEGIN ourselves (pysqlite's own BEGIN is deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("sessionmig_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


# SQLite's page cache holds 2 MB by default (cache_size -2000). A migration of 100,000
# sessions touches more pages than that in each table it reads and writes, and reads
# them back from the operating system again and again: its transaction gets up to 64 MB
# (a cache grows only as pages are read; benchmarks/run.py P2 at 100,000 sessions, 16%
# faster, and time nearer linear in the batch). Not `load`, whose peak memory has a
# budget (P6), nor readers, whose memory stays flat (P5).
WRITE_CACHE_KIB = 64 * 1024


@contextmanager
def page_cache(conn: Connection, kib: int = WRITE_CACHE_KIB) -> Iterator[None]:
    """SQLite: a page cache of up to `kib` KiB on `conn` while the block runs, the
    connection's own size again after it. Nothing elsewhere."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())
    conn.exec_driver_sql(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        if not conn.invalidated:  # a connection gone bad is not reused: nothing to give back
            conn.exec_driver_sql(f"PRAGMA cache_size = {before}")


# A SQLite store file is created 0600 whatever the umask; SQLite gives its journal, WAL
# and shared-memory files the database file's mode (checked by tests/test_private_store.py).
PRIVATE_FILE = 0o600
SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")


def _create_private(path: Path) -> None:
    """Create the database file before SQLite does, readable and writable by its owner
    only. An existing file is left as it is (`--db` names the user's own file)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except OSError:
        return  # it exists, or cannot be made: SQLite says why when it opens it
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)


def _postgres_engine(url: URL, timeout: float) -> Engine:
    # psycopg logs a warning ("error ignored terminating Pipeline") when an interrupted
    # statement leaves its pipeline; with no handler anywhere, logging's last resort
    # prints it on stderr after our one line. The interruption is reported already.
    psycopg_log = logging.getLogger("psycopg")
    if not any(isinstance(h, logging.NullHandler) for h in psycopg_log.handlers):
        psycopg_log.addHandler(logging.NullHandler())
    lock_ms = max(1, int(timeout * 1000))
    return create_engine(
        url,
        connect_args={
            "connect_timeout": max(1, min(10, int(timeout) or 1)),
            "options": f"-c lock_timeout={lock_ms} -c statement_timeout=0",
        },
    )


# PostgreSQL advisory locks are per database, so one key serves the whole store.
STORE_LOCK_KEY = 0x73657373696F6E6D  # b"sessionm"

# The race tests (tests/test_races.py) need to know that a writer has reached the lock:
# with this set to a directory, a writer touches DIR/<pid> just before asking for it.
LOCK_MARKS_ENV = "SESSIONMIG_TEST_LOCK_MARKS"


@contextmanager
def writing(engine: Engine, *, exclusive: bool = False) -> Iterator[Connection]:
    """The one way to open a write transaction: every writer uses it, and validates
    and decides on what it reads inside, so it acts on the latest committed state.

    SQLite: `BEGIN IMMEDIATE` takes the database's single write lock, so writers
    run one at a time. PostgreSQL: a transaction-scoped advisory lock on one key,
    exclusive for `load` and `db init`, shared for the others, which then lock the
    rows they change (`FOR UPDATE`): a load runs alone, with its snapshot of known
    ids and tombstones and its reference checks taken after every other writer has
    committed, while migrations, deletions and publications of different rows run
    side by side. An advisory lock needs no table (`db init` on an empty database
    takes it before Alembic creates `alembic_version`), waits at most the
    connection's `lock_timeout` (then exit 5, like any lock), and its functions are
    executable by PUBLIC, so logins under row-level security can take it too.
    Commits when the block ends; rolls back on any error.
    """
    marks = os.environ.get(LOCK_MARKS_ENV)
    with (
        translate_errors(engine.url),
        engine.connect().execution_options(sessionmig_write=True) as conn,
    ):
        if marks:
            Path(marks, str(os.getpid())).touch()
        with conn.begin():  # SQLite: BEGIN IMMEDIATE (see _sqlite_engine)
            if conn.dialect.name == "postgresql":
                from sessionmig.store import rowsecurity

                take = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
                # The same statement says whether row-level security filters this login
                # (store/rowsecurity.py), so a writer needs no statement more for it.
                _, filtered = conn.execute(
                    text(f"SELECT {take}(:key), {rowsecurity.ACTIVE_SQL}"),
                    {"key": STORE_LOCK_KEY},
                ).one()
                rowsecurity.remember(conn, bool(filtered))
            yield conn.execution_options(sessionmig_locked=True)
        # Only here has the database said yes: SQLAlchemy's `commit` event fires before
        # the driver commits, so a failed commit would be told as done.
        ref = _COMMITTED.get(engine)
        hook = ref() if ref is not None else None
        if hook is not None:
            hook()


# engine -> what to call once a write transaction of `writing` has committed.
# Engine -> a weak reference to its hook: the hook (a context's bound method) holds the
# engine, so a strong value here would keep every engine, its pool and its connections
# alive for the life of the process.
_COMMITTED: weakref.WeakKeyDictionary[Engine, weakref.WeakMethod[Callable[[], None]]] = (
    weakref.WeakKeyDictionary()
)


def on_committed(engine: Engine, hook: Callable[[], None]) -> None:
    """Call `hook` (a bound method, held weakly) each time a write transaction of
    `writing` on `engine` has committed (the database confirmed it); a failed commit or a
    rollback calls nothing. Neither the engine nor the hook's object is kept alive."""
    _COMMITTED[engine] = weakref.WeakMethod(hook)


@contextmanager
def translate_errors(url: URL | str) -> Iterator[None]:
    """Driver errors a user can cause become StoreUnavailable (exit 5), one line each."""
    try:
        yield
    except OperationalError as exc:
        raise StoreUnavailable(describe_operational(exc, url)) from None
    except IntegrityError:
        raise  # a lost race: the store layer's own business (store/migrate.py retries)
    except DBAPIError as exc:
        if exc.statement is None:
            # Raised while connecting: the driver refused the URL's parameters.
            raise UsageError(
                _("--db: {error}: {where}").format(error=_first_line(exc, url), where=safe_url(url))
            ) from None
        if type(exc) is DatabaseError:
            # SQLite's "file is not a database", "database disk image is malformed".
            raise StoreUnavailable(describe_operational(exc, url)) from None
        from sessionmig.store.rowsecurity import denied

        refusal = denied(exc)
        if refusal is not None:
            # PostgreSQL's row-level security or privileges refused a login's statement.
            raise refusal from None
        raise


def _first_line(exc: DBAPIError, url: URL | str) -> str:
    msg = str(exc.orig) if exc.orig is not None else str(exc)
    first = msg.strip().splitlines()[0] if msg.strip() else _("unknown error")
    return scrub(first, url)


def describe_operational(exc: DBAPIError, url: URL | str) -> str:
    first = _first_line(exc, url)
    lowered = first.lower()
    where = safe_url(url)
    if (
        "locked" in lowered
        or "lock timeout" in lowered
        or "canceling statement due to lock" in lowered
    ):
        return _(
            "the database is locked by another writer (waited past its busy timeout); "
            "retry later: {where}"
        ).format(where=where)
    if "no such table" in lowered or ("relation" in lowered and "does not exist" in lowered):
        return not_initialised(where)
    if "unable to open database" in lowered:
        return _("cannot open the database: {where}").format(where=where)
    if "file is not a database" in lowered:
        return _("not a SQLite database (the file holds something else): {where}").format(
            where=where
        )
    if "malformed" in lowered:
        return _("the database file is damaged ({error}): {where}").format(error=first, where=where)
    return _("the database is unreachable ({error}): {where}").format(error=first, where=where)


def not_initialised(where: str) -> str:
    return _(
        "the database schema is not initialised: run `sessionmig --db {where} db init`"
    ).format(where=where)


def refuse_newer_schema(revision: str | None, url: URL | str) -> None:
    """Exit 5 for a store whose schema a newer sessionmig made: this version can neither
    read it safely nor upgrade it (`db init` would not know the revision either)."""
    if revision is not None and revision not in KNOWN_REVISIONS:
        from sessionmig import __version__

        raise StoreUnavailable(
            _(
                "the database schema is at {revision}, made by a newer sessionmig than this "
                "one ({version}, schema {head}): upgrade sessionmig to use {where}"
            ).format(revision=revision, version=__version__, head=SCHEMA_HEAD, where=safe_url(url))
        )


def not_linked(login: str) -> str:
    """The refusal of a PostgreSQL login that is neither the operator nor linked."""
    return _(
        "logged in as {login}, which is linked to no user of this store: "
        "the operator links it with `sessionmig logins link EMAIL {login}`"
    ).format(login=login)


def schema_revision(engine: Engine) -> str | None:
    """The Alembic revision stamped in the store, or None when there is none."""
    with engine.connect() as conn:
        try:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        except (OperationalError, DBAPIError) as exc:
            msg = str(exc.orig).lower() if exc.orig is not None else ""
            if "no such table" in msg or "does not exist" in msg:
                return None
            if getattr(exc.orig, "sqlstate", None) == "42501":
                conn.rollback()
                login = str(conn.execute(text("SELECT session_user")).scalar())
                raise PermissionDenied(not_linked(login)) from None
            raise
        return None if row is None else str(row[0])
