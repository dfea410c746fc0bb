"""The migration is set-based: `store.migrate.migrate` issues the same number of SQL
statements for a batch of 10 sessions as for a batch of 1,000, on both backends.

Two synthetic clients share one store: client 1 has one event of 10 sessions, client 2
one event of 1,000 (every session made eligible, so the whole batch moves). Statements
are counted with a `before_cursor_execute` listener on the engine, after a warm-up so
that the dialect's first-connect queries are not counted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select

from benchmarks import synthetic
from sessionmig import plans
from sessionmig.access import Actor
from sessionmig.context import AppContext
from sessionmig.store import engine as store_engine
from sessionmig.store import loader
from sessionmig.store import tables as t
from sessionmig.store.migrate import apply_plan, migrate

SMALL, LARGE = 10, 1_000


def _all_eligible(data: dict[str, Any]) -> dict[str, Any]:
    for s in data["sessions"]:
        s["format"] = "online"
        s["source"] = {"kind": "video_file", "ref": f"videos/{s['id']}.mp4"}
    return data


class Batch:
    def __init__(self, url: str, client_id: int, n: int) -> None:
        data = _all_eligible(synthetic.synthetic_export(n, n_events=1, client_id=client_id))
        self.url = url
        self.data = data
        self.event_id: int = data["events"][0]["id"]
        self.community_id: int = data["communities"][0]["id"]
        self.session_ids: list[int] = [s["id"] for s in data["sessions"]]
        self.admin = synthetic.bench_emails(client_id)[0]
        assert len(self.session_ids) == n

    def actor(self) -> Actor:
        return AppContext(db=self.url, actor_email=self.admin).actor()


@pytest.fixture
def store(db_url: str) -> Iterator[tuple[Engine, Batch, Batch]]:
    small, large = Batch(db_url, 1, SMALL), Batch(db_url, 2, LARGE)
    engine = store_engine.create(store_engine.parse_url(db_url))
    for batch in (small, large):
        loader.load(engine, json.dumps(batch.data).encode())
    with engine.connect() as conn:  # warm-up: first-connect queries happen here
        conn.execute(select(1))
    yield engine, small, large
    engine.dispose()


class StatementCounter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def _count(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def run(engine: Engine, batch: Batch, *, explicit: bool, dry_run: bool = False) -> list[str]:
    actor = batch.actor()
    with StatementCounter(engine) as counter:
        result = migrate(
            engine,
            actor,
            community_id=batch.community_id,
            event_id=batch.event_id,
            session_ids=batch.session_ids if explicit else None,
            dry_run=dry_run,
        )
    assert [o.session_id for o in result.outcomes] == batch.session_ids
    assert {o.outcome for o in result.outcomes} == {"migrated"}
    return counter.statements


def records(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.record)).scalar_one())


@pytest.mark.parametrize("explicit", [True, False], ids=["session-ids", "all-eligible"])
def test_statement_count_does_not_grow_with_the_batch(
    store: tuple[Engine, Batch, Batch], explicit: bool
) -> None:
    engine, small, large = store
    few = run(engine, small, explicit=explicit)
    many = run(engine, large, explicit=explicit)
    assert len(few) == len(many), (few, many)
    assert records(engine) == SMALL + LARGE  # both batches really were written
    # The statements are the same ones, only their parameters differ.
    assert few == many
    # 12 on SQLite (and the page cache's three PRAGMAs), 13 on PostgreSQL: the first
    # takes the store's write lock (store.engine.writing; `BEGIN IMMEDIATE` is counted as
    # a statement), the next two re-read the actor inside it, so that grants changed by
    # a load are the ones checked. (On PostgreSQL the lock's statement also says whether
    # row-level security filters the login: store/rowsecurity.py.)
    pragmas = [x for x in few if x.startswith("PRAGMA cache_size")]
    few = [x for x in few if x not in pragmas]
    assert len(few) == (12 if engine.dialect.name == "sqlite" else 13), few
    assert few[0] == "BEGIN IMMEDIATE" or few[0].startswith(
        "SELECT pg_advisory_xact_lock_shared(%(key)s)"
    )
    assert few[1].startswith("SELECT app_user.id") and few[2].startswith("SELECT user_grant")


def test_a_sqlite_migration_reads_through_a_larger_page_cache(
    store: tuple[Engine, Batch, Batch],
) -> None:
    """SQLite's 2 MB page cache is too small for a large batch (P2): the migration's
    transaction sets it to `WRITE_CACHE_KIB`, first thing inside the write lock, and
    gives the connection its own size back at the end; a dry run, a read, keeps it."""
    engine, small, large = store
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's page cache")
    with engine.connect() as conn:
        before = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    assert before == -2000  # SQLite's default: 2,000 KiB
    statements = run(engine, large, explicit=True)
    assert statements[0] == "BEGIN IMMEDIATE"
    assert statements[1:3] == [
        "PRAGMA cache_size",
        f"PRAGMA cache_size = -{store_engine.WRITE_CACHE_KIB}",
    ]
    assert statements[-1] == f"PRAGMA cache_size = {before}"
    assert records(engine) == LARGE
    with engine.connect() as conn:  # the pool's connection, the one the migration used
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar_one() == before
    assert not [x for x in run(engine, small, explicit=True, dry_run=True) if "PRAGMA" in x]


def test_dry_run_statement_count_does_not_grow_with_the_batch(
    store: tuple[Engine, Batch, Batch],
) -> None:
    engine, small, large = store
    few = run(engine, small, explicit=True, dry_run=True)
    many = run(engine, large, explicit=True, dry_run=True)
    assert len(few) == len(many), (few, many)
    assert records(engine) == 0


def plan_of(engine: Engine, batch: Batch) -> tuple[plans.Plan, list[str]]:
    """The plan `migrate --dry-run --plan-out` makes of the batch, and its statements."""
    with StatementCounter(engine) as counter:
        result = migrate(
            engine,
            batch.actor(),
            community_id=batch.community_id,
            event_id=batch.event_id,
            session_ids=batch.session_ids,
            dry_run=True,
            fingerprints=True,
        )
    sessions, already, refused = plans.plan_entries(result.outcomes, result.fingerprints)
    assert len(sessions) == len(batch.session_ids) and result.store_id is not None
    plan = plans.Plan(
        store_id=result.store_id,
        planned_by_email=batch.admin,
        planned_by_name="admin",
        planned_at="2026-11-23T00:00:00Z",
        community_id=batch.community_id,
        community_title=result.community["title"],
        event_id=batch.event_id,
        event_name=result.event["name"],
        sessions=tuple(sessions),
        already_migrated=tuple(already),
        refused=tuple(refused),
    )
    return plan, counter.statements


def test_plans_are_made_and_applied_with_a_constant_number_of_statements(
    store: tuple[Engine, Batch, Batch],
) -> None:
    """The fingerprints of a plan and its re-check inside the lock are set-based too."""
    engine, small, large = store
    (few_plan, few), (many_plan, many) = plan_of(engine, small), plan_of(engine, large)
    assert few == many
    applied = []
    for batch, plan in ((small, few_plan), (large, many_plan)):
        with StatementCounter(engine) as counter:
            result = apply_plan(engine, batch.actor(), plan)
        assert {o.outcome for o in result.outcomes} == {"migrated"}
        applied.append(counter.statements)
    assert applied[0] == applied[1]
    assert records(engine) == SMALL + LARGE
