"""`sessionmig history`: the migration records (R11), newest first, filtered, scoped."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sessionmig.commands.history import parse_when
from sessionmig.errors import UsageError
from sessionmig.store import identity
from tests import sample
from tests.conftest import BACKENDS, Cli, assert_sound, migrate_sessions, shared_cli

KEYS = [
    "session_id",
    "session_title",
    "event_id",
    "event_name",
    "community_id",
    "community_title",
    "actor_email",
    "actor_name",
    "migrated_at",
    "video_id",
    "video_status",
    "login",
]

ZOE = "zoe@acme.test"  # a second client admin
BENELUX_CLOSING = 1101  # a second eligible session of event 11

T1 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
T3 = datetime(2026, 11, 23, 23, 59, 59, 500000, tzinfo=UTC)
T4 = datetime(2026, 11, 24, 8, 30, tzinfo=UTC)


def build(cli: Cli) -> None:
    """Records, newest first: 1101 (T4, zoe, event 11 -> 51), 1100 (T3, ana, 11 -> 50),
    1001 (T2, zoe, 10 -> 51), then 1000 and 1006 in one batch (T1, ana, 10 -> 50);
    and client 2's 9000 (T3)."""
    data = sample.export()
    data["users"].append(
        {
            "id": 9,
            "client_id": 1,
            "email": ZOE,
            "name": "Zoé Admin",
            "grants": [sample.grant("admin", "client")],
        }
    )
    data["sessions"].append(
        {
            "id": BENELUX_CLOSING,
            "event_id": 11,
            "title": "Benelux closing",
            "summary": "",
            "format": "online",
            "source": {"kind": "url", "ref": "https://example.test/embed/1101"},
            "thumbnail": None,
            "speaker_ids": [],
            "partner_ids": [],
        }
    )
    assert cli.load(data).exit_code == 0
    migrate_sessions(cli, 50, 10, [sample.ONLINE_FILE, sample.ONLINE_FILE_2], at=T1)
    migrate_sessions(cli, 51, 10, [sample.ONLINE_URL], actor_email=ZOE, at=T2)
    migrate_sessions(cli, 50, 11, [sample.EVENT11_ONLINE], at=T3)
    migrate_sessions(cli, 51, 11, [BENELUX_CLOSING], actor_email=ZOE, at=T4)
    migrate_sessions(
        cli, 95, 90, [sample.OTHER_CLIENT_SESSION], actor_email=sample.OTHER_ADMIN, at=T3
    )


@pytest.fixture(scope="module", params=BACKENDS)
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cli]:
    """The records above, shared by the tests that only read them."""
    yield from shared_cli(request, tmp_path_factory, build)


def tied_batch(cli: Cli) -> list[int]:
    """The T1 batch's sessions, latest record id first (the tie-break)."""
    from sqlalchemy import text

    engine = cli.engine()
    with engine.connect() as conn:
        ids = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT session_id FROM migration_record "
                    "WHERE session_id IN (1000, 1006) ORDER BY id DESC"
                )
            )
        ]
    engine.dispose()
    return ids


def sessions(cli: Cli, *args: str, actor: str = sample.ADMIN) -> list[int]:
    r = cli("history", *args, "--format", "json", actor=actor)
    assert r.exit_code == 0, r.stderr
    return [row["session_id"] for row in r.json()]


def test_newest_first_with_exactly_the_specs_keys(store: Cli) -> None:
    r = store("history", "--format", "json", actor=sample.ADMIN)
    assert r.exit_code == 0, r.stderr
    records: list[dict[str, Any]] = r.json()
    assert all(list(rec) == KEYS for rec in records)
    assert [rec["session_id"] for rec in records] == [1101, 1100, 1001, *tied_batch(store)]
    newest = records[0]
    assert isinstance(newest["video_id"], int)
    del newest["video_id"]
    # Issue 11: the login that wrote the record (PostgreSQL's session_user, else the OS user).
    assert newest.pop("login") == (
        "postgres" if store.url.startswith("postgresql") else identity.os_login()
    )
    assert newest == {
        "session_id": 1101,
        "session_title": "Benelux closing",
        "event_id": 11,
        "event_name": "Benelux Days",
        "community_id": 51,
        "community_title": "Benelux Replays",
        "actor_email": ZOE,
        "actor_name": "Zoé Admin",
        "migrated_at": "2026-11-24T08:30:00Z",
        "video_status": "draft",
    }
    assert [rec["migrated_at"] for rec in records] == [
        "2026-11-24T08:30:00Z",
        "2026-11-23T23:59:59Z",
        "2026-11-23T00:00:00Z",
        "2026-11-20T09:00:00Z",
        "2026-11-20T09:00:00Z",
    ]
    assert_sound(store)


def test_each_filter_alone(store: Cli) -> None:
    batch = tied_batch(store)
    assert sessions(store, "--community", "50") == [1100, *batch]
    assert sessions(store, "--event", "11") == [1101, 1100]
    assert sessions(store, "--session", "1001") == [1001]
    assert sessions(store, "--session", "424242") == []
    assert sessions(store, "--actor", "ZOE@acme.test") == [1101, 1001]
    assert sessions(store, "--actor", "nobody@acme.test") == []
    assert sessions(store, "--since", "2026-11-23") == [1101, 1100, 1001]
    assert sessions(store, "--since", "2026-11-23T23:59:59.5") == [1101, 1100]
    assert sessions(store, "--since", "2026-11-24T09:30:00+01:00") == [1101]
    # A date-only --until includes that whole UTC day.
    assert sessions(store, "--until", "2026-11-23") == [1100, 1001, *batch]
    assert sessions(store, "--until", "2026-11-22") == batch
    # A time with whole seconds includes that second (as listings show them).
    assert sessions(store, "--until", "2026-11-23T00:00:00Z") == [1001, *batch]
    assert sessions(store, "--until", "2026-11-22T23:59:59.999999") == batch
    assert sessions(store, "--limit", "2") == [1101, 1100]
    assert sessions(store, "--limit", "1000") == [1101, 1100, 1001, *batch]


def test_filters_combined(store: Cli) -> None:
    batch = tied_batch(store)
    assert sessions(store, "--community", "51", "--event", "10") == [1001]
    assert sessions(store, "--community", "50", "--event", "10", "--limit", "1") == batch[:1]
    assert sessions(store, "--actor", sample.ADMIN, "--since", "2026-11-21") == [1100]
    assert sessions(
        store, "--actor", ZOE, "--since", "2026-11-22", "--until", "2026-11-23", "--event", "10"
    ) == [1001]
    assert sessions(store, "--session", "1000", "--community", "51") == []


def test_a_record_is_visible_to_grants_covering_its_event_or_community(store: Cli) -> None:
    batch = tied_batch(store)
    visible = {
        sample.SUPPORT: [1101, 1100, 1001, *batch],  # reader of the whole client
        sample.EVENT_READER: [1101, 1100],  # reader of event 11
        sample.EVENT_CONTRIB: [1001, *batch],  # contributor of event 10
        sample.COMMUNITY_ADMIN: [1100, *batch],  # admin of community 50
        # audience 2 holds event 10 and community 50: 1100 came into 50, 1001 from 10.
        sample.AUDIENCE_ADMIN: [1100, 1001, *batch],
        sample.OTHER_ADMIN: [sample.OTHER_CLIENT_SESSION],
        sample.NOBODY: [],
    }
    for user, expected in visible.items():
        assert sessions(store, actor=user) == expected, user
    r = store("history", actor=sample.NOBODY)
    assert (r.exit_code, r.stdout) == (0, "")
    assert r.stderr == "no migration records match\n"


def test_csv_parses_back_and_matches_json(store: Cli) -> None:
    r = store("history", "--format", "csv", actor=sample.SUPPORT)
    assert r.exit_code == 0, r.stderr
    reader = csv.DictReader(io.StringIO(r.stdout))
    assert reader.fieldnames == KEYS
    rows = list(reader)
    as_json = store("history", "--format", "json", actor=sample.SUPPORT).json()
    assert rows == [{k: str(v) for k, v in rec.items()} for rec in as_json]


def test_table_shows_its_default_columns_and_every_key_on_request(store: Cli) -> None:
    # Screens for people: the table shows the few columns support needs first (time,
    # session, title, community, actor); --columns with every JSON key shows them all.
    r = store("history", "--limit", "1", actor=sample.ADMIN)
    assert r.exit_code == 0
    lines = [" ".join(line.split()) for line in r.stdout.splitlines() if line.strip()]
    assert lines[0] == "Migration history"
    assert lines[1] == "Migrated at Session Title Community Actor"
    assert lines[3] == "2026-11-24T08:30:00Z 1101 Benelux closing Benelux Replays zoe@acme.test"
    r = store("history", "--limit", "1", "--columns", ",".join(KEYS), actor=sample.ADMIN)
    assert r.exit_code == 0, r.stderr
    lines = [" ".join(line.split()) for line in r.stdout.splitlines() if line.strip()]
    assert lines[1] == (
        "Session Title Event id Event Community id Community Actor Actor name Migrated at "
        "Video Video status Login"
    )
    assert lines[3].startswith("1101 Benelux closing 11 Benelux Days 51 Benelux Replays ")
    assert "2026-11-24T08:30:00Z" in lines[3]


def test_history_keys_are_the_spec_keys() -> None:
    from sessionmig.commands.history import HISTORY
    from sessionmig.store.history import KEYS as STORE_KEYS

    assert list(HISTORY.keys) == KEYS == list(STORE_KEYS)


def test_records_keep_what_they_remember(cli: Cli) -> None:
    """Deleted sessions keep their records; renamed sessions and events keep their
    names of the time; the video's status is the current one."""
    build(cli)
    store = cli
    data = sample.export()
    data["sessions"][1]["title"] = "Panel (renamed)"
    data["events"][0]["name"] = "Acme Summit (renamed)"
    assert store.load(data).exit_code == 0
    assert store("sessions", "delete", "1000", "--yes", actor=sample.ADMIN).exit_code == 0
    records = {
        rec["session_id"]: rec
        for rec in store("history", "-f", "json", actor=sample.SUPPORT).json()
    }
    assert (records[1000]["session_title"], records[1000]["event_name"]) == (
        "Keynote",
        "Acme Summit 2026",
    )
    assert records[1001]["session_title"] == "Panel: the future"
    published = store("videos", "publish", str(records[1001]["video_id"]), actor=sample.ADMIN)
    assert published.exit_code == 0
    rec = store("history", "--session", "1001", "-f", "json", actor=sample.ADMIN).json()[0]
    assert rec["video_status"] == "published"
    assert_sound(store)


def test_an_unknown_foreign_or_unreadable_community_or_event_is_not_found(store: Cli) -> None:
    cases = [
        (sample.ADMIN, "--community", "95"),  # another client's
        (sample.ADMIN, "--community", "424242"),
        (sample.ADMIN, "--event", "90"),
        (sample.ADMIN, "--event", "424242"),
        (sample.COMMUNITY_ADMIN, "--community", "51"),  # not covered by their grants
        (sample.EVENT_READER, "--event", "10"),
    ]
    for user, option, value in cases:
        r = store("history", option, value, actor=user)
        what = option.removeprefix("--")
        assert (r.exit_code, r.stdout, r.stderr) == (4, "", f"error: {what} {value} not found\n")


BAD_OPTIONS = [
    (["--since", "yesterday"], "--since: 'yesterday' is not an ISO 8601 date"),
    (["--until", "2026-02-30"], "--until: '2026-02-30' is not a valid date"),
    # Day first is the French manner (what a French terminal shows, read in every
    # language); month first, as in 11/23/2026, is not a date.
    (["--until", "11/23/2026"], "--until: '11/23/2026' is not a valid date"),
    (["--until", "2026/11/23"], "--until: '2026/11/23' is not an ISO 8601 date"),
    (["--since", "2026-11-24", "--until", "2026-11-23"], "--since 2026-11-24 is after"),
    (["--limit", "0"], "--limit"),
    (["--limit", "-1"], "--limit"),
    (["--limit", "many"], "--limit"),
    (["--limit", str(2**64)], "--limit"),
    (["--limit", "5", "--all"], "--limit and --all"),
    (["--columns", "session_id,nope"], "--columns: unknown key 'nope'"),
    (["--community", "0"], "--community"),
    (["--event", "-5"], "--event"),
    (["--session", "0"], "--session"),
    (["--actor", " "], "--actor"),
]


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    # Refused before the store is opened: this one does not even exist.
    cli = Cli(f"sqlite:///{tmp_path}/never-created.db", tmp_path)
    for args, needle in BAD_OPTIONS:
        r = cli("history", *args, actor=sample.ADMIN)
        assert r.exit_code == 2, (args, r.stderr)
        assert needle in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)
        assert r.stdout == ""
    assert not (tmp_path / "never-created.db").exists()


def test_parse_when() -> None:
    assert parse_when("--since", "2026-11-23") == datetime(2026, 11, 23, tzinfo=UTC)
    assert parse_when("--until", "2026-11-23", end=True) == datetime(2026, 11, 24, tzinfo=UTC)
    assert parse_when("--since", "2026-11-23T10:15:30+02:00") == datetime(
        2026, 11, 23, 8, 15, 30, tzinfo=UTC
    )
    assert parse_when("--since", "2026-11-23 10:15") == datetime(2026, 11, 23, 10, 15, tzinfo=UTC)
    assert parse_when("--until", "2026-11-23T10:15Z", end=True) == datetime(
        2026, 11, 23, 10, 16, tzinfo=UTC
    )
    assert parse_when("--until", "2026-11-23T10:15:30.25", end=True) == datetime(
        2026, 11, 23, 10, 15, 30, 250001, tzinfo=UTC
    )
    for bad in ("", "2026-11-23Z", "2026-11-23T25:00", "now", "2026-11-23T10:15:30+2"):
        with pytest.raises(UsageError):
            parse_when("--since", bad)
