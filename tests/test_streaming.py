"""Streamed listings (SPEC "Scale"): JSON and CSV rows are fetched in chunks and written
as they come, on SQLite and PostgreSQL.

The chunk size is forced down to `CHUNK` rows (`SESSIONMIG_TEST_CHUNK_ROWS`) and the
driver's cursors are watched (`Fetches`): the listing's own statement must be read by
`fetchmany(CHUNK)` calls only, as many as its rows need, on PostgreSQL through a
server-side (named) cursor, after one plain read of CHUNK + 1 rows (the probe: a listing
of one chunk is read by that one statement, and declares no cursor). The documents printed are the same bytes as with one chunk
(what the listing printed before it streamed), JSON being `json.dumps(rows, indent=2)`.
A database failing midway (SQLite: the driver raises on a fetch; PostgreSQL: the
server ends the session between two fetches) is exit 5, one line on stderr, no
traceback, and stdout holds the rows written before it: incomplete.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from benchmarks.synthetic import BENCH_ADMIN_EMAIL, synthetic_export
from sessionmig.store.queries import CHUNK_ROWS_ENV
from tests.conftest import Cli

CHUNK = 2
N_SESSIONS = 40
N_EVENTS = 7  # events i and i+3 share audience i % 3, as community i does


@dataclass(frozen=True)
class Listing:
    argv: tuple[str, ...]
    main_sql: str  # a regex matching the listing's own statement, and no other
    key: str  # a key identifying a row


LISTINGS = {
    "history": Listing(("history",), r"FROM migration_record JOIN community", "session_id"),
    "videos list": Listing(("videos", "list"), r"FROM community_video JOIN community", "id"),
    "sessions list": Listing(("sessions", "list"), r"FROM event_session JOIN event", "id"),
    "events list": Listing(("events", "list"), r"FROM event JOIN audience", "id"),
    "communities list": Listing(("communities", "list"), r"FROM community JOIN audience", "id"),
}


@pytest.fixture
def store(cli: Cli) -> Cli:
    """A synthetic store: 40 sessions in 7 events, 3 communities, and the eligible
    sessions of three events migrated (videos and migration records)."""
    data = synthetic_export(N_SESSIONS, n_events=N_EVENTS, seed=3)
    r = cli.load(data)
    assert r.exit_code == 0, r.stderr
    communities = [c["id"] for c in data["communities"]]
    events = [e["id"] for e in data["events"]]
    for event, community in ((events[0], communities[0]), (events[1], communities[1])):
        r = cli(
            "migrate",
            "--community",
            str(community),
            "--event",
            str(event),
            "--all-eligible",
            "--yes",
            actor=BENCH_ADMIN_EMAIL,
        )
        assert r.exit_code == 0, r.stderr
    r = cli(
        "migrate",
        "--community",
        str(communities[0]),
        "--event",
        str(events[3]),
        "--all-eligible",
        "--yes",
        actor=BENCH_ADMIN_EMAIL,
    )
    assert r.exit_code == 0, r.stderr
    return cli


def run(cli: Cli, listing: Listing, *extra: str, chunk: int | None = CHUNK) -> Any:
    env = {CHUNK_ROWS_ENV: str(chunk)} if chunk else None
    return cli(*listing.argv, *extra, actor=BENCH_ADMIN_EMAIL, env=env)


# --- watching the driver's cursors ---------------------------------------------------------


@dataclass
class Read:
    sql: str
    server_side: bool
    fetches: list[tuple[str, int | None, int]] = field(default_factory=list)  # kind, size, rows


class Fetches:
    """Every statement a command runs and how its rows were fetched. With
    `fail_after=n`, the first fetch of the statement matching `main_sql` once it has
    given n rows fails as a database does."""

    def __init__(self, main_sql: str, fail_after: int | None = None) -> None:
        self.main = re.compile(main_sql)
        self.fail_after = fail_after
        self.reads: list[Read] = []

    def main_reads(self) -> list[Read]:
        return [r for r in self.reads if self.main.search(r.sql)]

    def fetched(self, read: Read, kind: str, size: int | None, rows: int) -> None:
        read.fetches.append((kind, size, rows))

    def should_fail(self, read: Read) -> bool:
        return (
            self.fail_after is not None
            and self.main.search(read.sql) is not None
            and sum(n for _k, _s, n in read.fetches) >= self.fail_after
        )


@contextmanager
def watching_sqlite(monkeypatch: pytest.MonkeyPatch, watch: Fetches) -> Iterator[Fetches]:
    class Cursor(sqlite3.Cursor):
        read: Read | None = None

        def execute(self, sql: str, params: Any = ()) -> Any:  # type: ignore[override]
            self.read = Read(sql, server_side=False)
            watch.reads.append(self.read)
            return super().execute(sql, params)

        def _fetch(self, kind: str, size: int | None, call: Any) -> Any:
            if self.read is not None and watch.should_fail(self.read):
                raise sqlite3.OperationalError("disk I/O error")
            rows = call()
            if self.read is not None:
                watch.fetched(
                    self.read, kind, size, len(rows) if kind != "one" else int(bool(rows))
                )
            return rows

        def fetchmany(self, size: int | None = None) -> list[Any]:
            call = (
                (lambda: super(Cursor, self).fetchmany(size))
                if size is not None
                else super().fetchmany
            )
            return self._fetch("many", size, call)  # type: ignore[no-any-return]

        def fetchall(self) -> list[Any]:
            return self._fetch("all", None, super().fetchall)  # type: ignore[no-any-return]

        def fetchone(self) -> Any:
            return self._fetch("one", None, super().fetchone)

    class Connection(sqlite3.Connection):
        def cursor(self, factory: Any = Cursor) -> Any:  # type: ignore[override]
            return super().cursor(factory)

    real_connect = sqlite3.dbapi2.connect

    def connect(*args: Any, **kwargs: Any) -> Any:
        kwargs["factory"] = Connection
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(sqlite3.dbapi2, "connect", connect)
    yield watch


@contextmanager
def watching_pg(monkeypatch: pytest.MonkeyPatch, watch: Fetches, url: str) -> Iterator[Fetches]:
    import psycopg
    from sqlalchemy.engine import make_url

    reads: dict[int, Read] = {}
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

    def wrap(cls: type, server_side: bool) -> None:
        real_execute = cls.execute  # type: ignore[attr-defined]

        def execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            reads[id(self)] = read = Read(str(query), server_side)
            watch.reads.append(read)
            return real_execute(self, query, *args, **kwargs)

        monkeypatch.setattr(cls, "execute", execute)
        for kind, name in (("many", "fetchmany"), ("all", "fetchall"), ("one", "fetchone")):
            real = getattr(cls, name)

            def fetch(self: Any, *args: Any, _real: Any = real, _kind: str = kind) -> Any:
                read = reads.get(id(self))
                if read is not None and watch.should_fail(read):
                    # The server ends the session between two fetches: the next is real.
                    pid = self.connection.info.backend_pid
                    with psycopg.connect(conninfo, autocommit=True) as admin:
                        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
                rows = _real(self, *args)
                if read is not None:
                    size = args[0] if args else None
                    n = len(rows) if _kind != "one" else int(rows is not None)
                    watch.fetched(read, _kind, size, n)
                return rows

            monkeypatch.setattr(cls, name, fetch)

    wrap(psycopg.ServerCursor, True)
    wrap(psycopg.Cursor, False)
    yield watch


@contextmanager
def watching(
    monkeypatch: pytest.MonkeyPatch, cli: Cli, listing: Listing, fail_after: int | None = None
) -> Iterator[Fetches]:
    watch = Fetches(listing.main_sql, fail_after)
    if cli.url.startswith("sqlite"):
        with watching_sqlite(monkeypatch, watch):
            yield watch
    else:
        with watching_pg(monkeypatch, watch, cli.url):
            yield watch
    monkeypatch.undo()


def streamed_read(cli: Cli, watch: Fetches) -> Read:
    """The read of a listing of several chunks that streams its rows. On PostgreSQL it
    comes after the probe, a plain read of CHUNK + 1 rows whose extra row says that the
    listing needs a server-side cursor."""
    reads = watch.main_reads()
    if cli.url.startswith("sqlite"):
        (read,) = reads
        return read
    probe, read = reads
    assert not probe.server_side and probe.fetches == [("all", None, CHUNK + 1)], probe
    assert " LIMIT " in probe.sql, probe.sql  # a bound parameter: CHUNK + 1, as fetched
    assert read.server_side, "PostgreSQL streams through a server-side cursor"
    return read


# --- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_json_is_complete_and_fetched_in_chunks(
    store: Cli, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = LISTINGS[name]
    whole = run(store, listing, "--format", "json", chunk=None)  # one chunk of 1000
    assert whole.exit_code == 0, whole.stderr
    expected = whole.json()
    assert len(expected) >= 3, name  # several chunks of CHUNK rows
    with watching(monkeypatch, store, listing) as watch:
        r = run(store, listing, "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""
    # The same bytes as in one chunk, and what json.dumps of the whole list writes.
    assert r.stdout == whole.stdout
    assert r.stdout == json.dumps(expected, ensure_ascii=False, indent=2) + "\n"
    keys = [row[listing.key] for row in expected]
    assert len(keys) == len(set(keys)), "a row twice"

    read = streamed_read(store, watch)
    assert {kind for kind, _size, _rows in read.fetches} == {"many"}, read.fetches  # chunks only
    assert {size for _k, size, _r in read.fetches} == {CHUNK}, read.fetches
    assert sum(rows for _k, _s, rows in read.fetches) == len(expected)
    # As many fetches as the chunks, and one more only when the last chunk was full.
    assert len(read.fetches) == len(expected) // CHUNK + 1, read.fetches


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_csv_is_complete_and_fetched_in_chunks(
    store: Cli, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = LISTINGS[name]
    rows = run(store, listing, "--format", "json", chunk=None).json()
    whole = run(store, listing, "--format", "csv", chunk=None)
    with watching(monkeypatch, store, listing) as watch:
        r = run(store, listing, "--format", "csv")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == whole.stdout
    table = list(csv.DictReader(io.StringIO(r.stdout, newline="")))
    assert [row[listing.key] for row in table] == [str(row[listing.key]) for row in rows]
    read = streamed_read(store, watch)
    assert {kind for kind, _s, _r in read.fetches} == {"many"}
    assert sum(n for _k, _s, n in read.fetches) == len(rows)
    assert len(read.fetches) == len(rows) // CHUNK + 1


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_a_database_failing_midway_is_exit_5_with_one_line(
    store: Cli, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = LISTINGS[name]
    rows = run(store, listing, "--format", "json", chunk=None).json()
    assert len(rows) > CHUNK  # a fetch after the first chunk has rows to give
    with watching(monkeypatch, store, listing, fail_after=CHUNK):
        r = run(store, listing, "--format", "json")
    assert r.exit_code == 5, (r.stdout, r.stderr)
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error: "), lines
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout
    # The first chunk was written before the failure; the document is incomplete.
    assert r.stdout.startswith("[\n  {")
    first = json.dumps(rows[0], ensure_ascii=False, indent=2).replace("\n", "\n  ")
    assert first in r.stdout
    assert not r.stdout.endswith("]\n")
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.stdout)


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_csv_failing_midway_is_exit_5(
    store: Cli, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = LISTINGS[name]
    whole = run(store, listing, "--format", "csv", chunk=None)
    with watching(monkeypatch, store, listing, fail_after=CHUNK):
        r = run(store, listing, "--format", "csv")
    assert r.exit_code == 5, (r.stdout, r.stderr)
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("error: ")
    assert whole.stdout.startswith(r.stdout) and r.stdout != whole.stdout


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_limit_and_columns_stream_too(
    store: Cli, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = LISTINGS[name]
    rows = run(store, listing, "--format", "json", chunk=None).json()
    key = listing.key
    with watching(monkeypatch, store, listing) as watch:
        r = run(store, listing, "--format", "json", "--limit", "3", "--columns", key)
    assert r.exit_code == 0, r.stderr
    assert r.json() == [{key: row[key]} for row in rows[:3]]
    (read,) = watch.main_reads()
    assert sum(n for _k, _s, n in read.fetches) == 3
    if store.url.startswith("postgresql"):
        # LIMIT 3 is the probe's own (CHUNK + 1): the window is read whole, no cursor.
        assert not read.server_side and [k for k, _s, _r in read.fetches] == ["all"]
    else:
        assert {kind for kind, _s, _r in read.fetches} == {"many"}


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_a_listing_of_one_chunk_is_one_plain_statement_on_postgresql(
    store: Cli, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server-side cursor costs five round trips however short the listing; a listing
    that fits in one chunk is read by its probe alone: one statement, no cursor, no
    transaction of its own."""
    if not store.url.startswith("postgresql"):
        pytest.skip("PostgreSQL's server-side cursor")
    listing = LISTINGS[name]
    with watching(monkeypatch, store, listing) as watch:
        r = run(store, listing, "--format", "json", chunk=1000)
    assert r.exit_code == 0, r.stderr
    (read,) = watch.main_reads()
    assert not read.server_side
    assert [(k, n) for k, _s, n in read.fetches] == [("all", len(r.json()))]
    assert not any(x.server_side for x in watch.reads)
    assert not [x.sql for x in watch.reads if x.sql.strip().upper() in ("BEGIN", "ROLLBACK")]


def test_a_table_stays_bounded_and_is_read_at_once(
    store: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table asks for its first rows (and a count): nothing to stream."""
    listing = LISTINGS["sessions list"]
    with watching(monkeypatch, store, listing) as watch:
        r = run(store, listing, "--limit", "5")
    assert r.exit_code == 0, r.stderr
    assert "showing the first 5 of" in r.stderr
    read, count = watch.main_reads()  # the first rows, then COUNT(*) of the same query
    assert sum(n for _k, _s, n in read.fetches) == 6  # LIMIT 6: the sixth says "more"
    assert "count(*)" in count.sql


def test_an_empty_listing_is_an_empty_json_list(store: Cli) -> None:
    r = store(
        "history", "--actor", "nobody@bench.test", "--format", "json", actor=BENCH_ADMIN_EMAIL
    )
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "[]\n"


@pytest.mark.parametrize("migrated_to", [None, 50])
@pytest.mark.parametrize("fmt", ["online", "in_person", "hybrid", "online_live"])
@pytest.mark.parametrize("kind", [None, "video_file", "url", "live", "other"])
def test_the_listing_code_is_the_rules_code(migrated_to: int | None, fmt: str, kind: str) -> None:
    """`sessions list` prints `eligibility_code`, the rules' verdict without its sentence."""
    from sessionmig.migration import SessionFacts, eligibility, eligibility_code

    verdict = eligibility(SessionFacts(1, "t", fmt, kind, migrated_to, "c"))
    assert eligibility_code(migrated_to, fmt, kind) == verdict.code


def test_stream_json_writes_the_bytes_of_json_dumps() -> None:
    """`render.stream_json` writes flat rows itself (the json module's indented encoder
    is written in Python, most of a listing's time) and leaves anything else to the json
    module: either way the bytes of `dump_json` of the whole list, whatever the values,
    the keys and how the rows are cut into batches."""
    import random
    from datetime import UTC, date, datetime, timedelta, timezone
    from enum import StrEnum

    from sessionmig.render import dump_json, stream_json

    class Code(StrEnum):
        a = "a\u00e9"

    values: list[Any] = [
        None,
        True,
        False,
        0,
        -5,
        10**20,
        1.5,
        float("nan"),
        float("-inf"),
        "",
        'q"\\\n\t\x00\x1b\u2028\u202e\ud800é\U0001f600',
        [],
        ["a", 'b"\n'],
        ["a", 1, None],
        [[]],
        {},
        {"k": [1, {"x": None}]},
        (1, "2"),
        datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=UTC),
        datetime(2026, 1, 2, 3, 4, 5),
        datetime(999, 1, 2, tzinfo=timezone(timedelta(hours=2))),
        date(2026, 5, 1),
        Code.a,
    ]
    keys: list[Any] = ["id", "a", "b\u00e9", 'c"', "d\n", Code.a]
    rng = random.Random(13)
    for _ in range(2000):
        row_keys = [rng.choice(keys) for _ in range(rng.randint(0, 5))]
        rows: list[Any] = []
        for _ in range(rng.randint(0, 6)):
            chosen = row_keys if rng.random() < 0.8 else [*reversed(row_keys), "other"]
            if rng.random() < 0.95:
                rows.append({k: rng.choice(values) for k in chosen})
            else:
                rows.append(rng.choice(values))
        batches, i = [], 0
        while i < len(rows):
            j = i + rng.randint(0, 3)
            batches.append(rows[i:j])
            i = j
        whole, streamed = io.StringIO(), io.StringIO()
        dump_json(rows, whole)
        stream_json(batches, streamed)
        assert streamed.getvalue() == whole.getvalue(), rows
