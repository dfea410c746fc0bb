"""R8: a migrated session, when shown, starts with the migration notice: the community's
title, the NAME of the user who migrated it, and the date and time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from sessionmig.commands.sessions import notice_line
from tests import sample
from tests.conftest import BACKENDS, Cli, assert_sound, migrate_sessions, shared_cli

AT = datetime(2026, 11, 23, 22, 19, 37, tzinfo=UTC)


def build(cli: Cli) -> int:
    """Session 1000 migrated into community 50 by Ana Martin at AT; returns its video id."""
    assert cli.load(sample.export()).exit_code == 0
    return migrate_sessions(cli, 50, 10, [sample.ONLINE_FILE], at=AT)[sample.ONLINE_FILE]


@pytest.fixture(scope="module", params=BACKENDS)
def migrated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Cli, int]]:
    """Shared by the tests that only read."""
    video: list[int] = []
    for cli in shared_cli(request, tmp_path_factory, lambda c: video.append(build(c))):
        yield cli, video[0]


def rows(stdout: str) -> list[str]:
    """The details table's rows, blanks squeezed; the title line dropped."""
    lines = [" ".join(line.split()) for line in stdout.splitlines()]
    return [line for line in lines if line][1:]


def test_r8_notice_is_the_first_row_with_community_name_and_time(
    migrated: tuple[Cli, int],
) -> None:
    cli, _ = migrated
    r = cli("sessions", "show", str(sample.ONLINE_FILE), actor=sample.ADMIN)
    assert r.exit_code == 0, r.stderr
    assert rows(r.stdout)[0] == (
        "Migration Migrated to community 'Acme Academy' (#50) by Ana Martin on 2026-11-23T22:19:37Z"
    )
    assert rows(r.stdout)[1] == f"ID {sample.ONLINE_FILE}"
    assert "ana@acme.test" not in r.stdout  # the user's name, not their e-mail
    assert_sound(cli)


def test_r8_notice_in_json_is_a_migration_object(migrated: tuple[Cli, int]) -> None:
    cli, video_id = migrated
    r = cli("sessions", "show", str(sample.ONLINE_FILE), "-f", "json", actor=sample.ADMIN)
    assert r.exit_code == 0
    assert r.json()["migration"] == {
        "community_id": 50,
        "community_title": "Acme Academy",
        "actor_name": "Ana Martin",
        "actor_email": "ana@acme.test",
        "migrated_at": "2026-11-23T22:19:37Z",
        "video_id": video_id,
    }
    assert r.json()["public"] is False


def test_r8_notice_is_shown_to_everyone_who_may_read_the_session(
    migrated: tuple[Cli, int],
) -> None:
    cli, _ = migrated
    for user in (sample.ADMIN, sample.SUPPORT, sample.AUDIENCE_ADMIN, sample.EVENT_CONTRIB):
        table = cli("sessions", "show", str(sample.ONLINE_FILE), actor=user)
        assert table.exit_code == 0, table.stderr
        assert rows(table.stdout)[0].startswith("Migration Migrated to community 'Acme Academy'")
        data = cli("sessions", "show", str(sample.ONLINE_FILE), "-f", "json", actor=user).json()
        assert data["migration"]["actor_name"] == "Ana Martin"
    # Those who cannot read the session (no grant on its event) do not see it at all.
    for user in (sample.EVENT_READER, sample.COMMUNITY_ADMIN, sample.OTHER_ADMIN):
        r = cli("sessions", "show", str(sample.ONLINE_FILE), actor=user)
        assert (r.exit_code, r.stdout) == (4, "")
        assert r.stderr == f"error: session {sample.ONLINE_FILE} not found\n"


def test_a_session_that_did_not_move_has_no_notice(migrated: tuple[Cli, int]) -> None:
    cli, _ = migrated
    r = cli("sessions", "show", str(sample.ONLINE_URL), actor=sample.ADMIN)
    assert r.exit_code == 0
    assert "Migrat" not in r.stdout
    assert rows(r.stdout)[0] == f"ID {sample.ONLINE_URL}"
    data = cli("sessions", "show", str(sample.ONLINE_URL), "-f", "json", actor=sample.ADMIN)
    assert data.json()["migration"] is None


def test_the_notice_keeps_the_facts_of_the_move_and_prints_them_literally(cli: Cli) -> None:
    """The notice names the user as they were when they migrated (the record is the
    history), the community by its current title, and shows data as plain text."""
    build(cli)
    data = sample.export()
    data["users"][0]["name"] = "Ana Martin-Durand"
    data["communities"][0]["title"] = "Acme Academy (2027)"
    assert cli.load(data).exit_code == 0
    r = cli("sessions", "show", str(sample.ONLINE_FILE), actor=sample.SUPPORT)
    assert rows(r.stdout)[0] == (
        "Migration Migrated to community 'Acme Academy (2027)' (#50) by Ana Martin "
        "on 2026-11-23T22:19:37Z"
    )
    data["communities"][0]["title"] = "[red]Academy[/] \x1b]8;;http://x\x07\u202e"
    assert cli.load(data).exit_code == 0
    r = cli("sessions", "show", str(sample.ONLINE_FILE), actor=sample.ADMIN)
    first = rows(r.stdout)[0]
    assert "[red]Academy[/] \\x1b]8;;http://x\\x07\\u202e" in first
    assert "\x1b" not in r.stdout and "\u202e" not in r.stdout and "\x07" not in r.stdout
    assert_sound(cli)


def test_notice_line_on_a_terminal_shows_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    try:
        monkeypatch.setattr("sessionmig.render.stdout_is_terminal", lambda: True)
        line = notice_line(
            {
                "community_id": 50,
                "community_title": "Acme Academy",
                "actor_name": "Ana Martin",
                "migrated_at": AT,
            }
        )
    finally:
        monkeypatch.undo()
        time.tzset()
    assert line == (
        "Migrated to community 'Acme Academy' (#50) by Ana Martin on 2026-11-23 23:19:37 +01:00"
    )
