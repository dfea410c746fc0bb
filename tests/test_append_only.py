"""R11: migration records are append-only. The database itself refuses UPDATE and
DELETE (and TRUNCATE on PostgreSQL), whoever sends them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests import sample
from tests.conftest import BACKENDS, Cli, assert_sound, migrate_sessions, shared_cli

MESSAGE = "migration records are append-only"


def build(cli: Cli) -> None:
    assert cli.load(sample.export()).exit_code == 0
    migrate_sessions(cli, 50, 10, [sample.ONLINE_FILE, sample.ONLINE_URL])


@pytest.fixture(scope="module", params=BACKENDS)
def migrated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cli]:
    """Two real migrations; every write attempted on it is refused and rolled back."""
    yield from shared_cli(request, tmp_path_factory, build)


def records(cli: Cli) -> list[tuple[Any, ...]]:
    engine = cli.engine()
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text("SELECT * FROM migration_record ORDER BY id"))]
    engine.dispose()
    return rows


def refused(cli: Cli, sql: str) -> None:
    engine = cli.engine()
    try:
        with pytest.raises(DBAPIError) as info, engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()
    assert MESSAGE in str(info.value)


def test_r11_update_and_delete_are_refused(migrated: Cli) -> None:
    before = records(migrated)
    assert len(before) == 2
    for sql in (
        "UPDATE migration_record SET session_title = 'forged' WHERE session_id = 1000",
        "UPDATE migration_record SET community_id = 51",
        "DELETE FROM migration_record WHERE session_id = 1000",
        "DELETE FROM migration_record",
    ):
        refused(migrated, sql)
    assert records(migrated) == before
    assert_sound(migrated)


def test_r11_truncate_is_refused_on_postgresql(migrated: Cli) -> None:
    if not migrated.url.startswith("postgresql"):
        pytest.skip("SQLite has no TRUNCATE (DELETE without WHERE is refused above)")
    before = records(migrated)
    refused(migrated, "TRUNCATE migration_record")
    refused(migrated, "TRUNCATE migration_record CASCADE")
    assert records(migrated) == before


def test_inserting_is_still_possible_and_commands_never_rewrite_records(cli: Cli) -> None:
    """Migrating appends; publishing, deleting the session (migrated or not) and
    re-loading leave the records as they were, and the store sound."""
    build(cli)
    before = records(cli)
    migrate_sessions(cli, 51, 10, [sample.ONLINE_FILE_2])
    after = records(cli)
    assert after[:2] == before and len(after) == 3
    engine = cli.engine()
    with engine.connect() as conn:
        video_id = conn.execute(
            text("SELECT video_id FROM migration_record WHERE session_id = 1000")
        ).scalar_one()
    engine.dispose()
    for args in (
        ("videos", "publish", str(video_id)),
        ("sessions", "delete", "1000", "--yes"),
        ("sessions", "delete", str(sample.IN_PERSON), "--yes"),
    ):
        r = cli(*args, actor=sample.ADMIN)
        assert r.exit_code == 0, r.stderr
        assert_sound(cli)
    assert cli.load(sample.export()).exit_code == 0
    assert records(cli) == after
    assert_sound(cli)
