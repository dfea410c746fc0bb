"""R10: `sessions delete` removes a session from its event; its community video stays
intact with everything it carried (R5), its migration record stays (R11), and a
tombstone keeps it deleted when an export still listing it is loaded again."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from tests import sample
from tests.conftest import (
    BACKENDS,
    Cli,
    assert_sound,
    migrate_sessions,
    shared_cli,
    table_counts,
)

DELETE_KEYS = {
    "session_id",
    "title",
    "event_id",
    "event_name",
    "community_id",
    "community_title",
    "video_id",
    "deleted_by",
    "deleted_at",
}


def rows_of(cli: Cli, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    from sqlalchemy import text

    engine = cli.engine()
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def video_rows(cli: Cli, video_id: int) -> dict[str, Sequence[tuple[Any, ...]]]:
    """Every stored row that makes up a video, and its migration record."""
    return {
        table: rows_of(cli, f"SELECT * FROM {table} WHERE {key} = :v ORDER BY 1, 2", v=video_id)
        for table, key in (
            ("community_video", "id"),
            ("video_speaker", "video_id"),
            ("video_partner", "video_id"),
            ("migration_record", "video_id"),
        )
    }


def build(cli: Cli) -> None:
    """The sample with session 1000 migrated into community 50."""
    assert cli.load(sample.export()).exit_code == 0
    migrate_sessions(cli, 50, 10, [sample.ONLINE_FILE])


@pytest.fixture(scope="module", params=BACKENDS)
def untouched(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cli]:
    """Shared by the tests where every delete is refused or cancelled (nothing changes)."""
    yield from shared_cli(request, tmp_path_factory, build)


def delete(cli: Cli, session_id: int, *args: str, actor: str = sample.ADMIN) -> Any:
    return cli("sessions", "delete", str(session_id), *args, actor=actor)


def test_r10_deleting_a_migrated_session_keeps_the_video_field_by_field(loaded: Cli) -> None:
    video_id = migrate_sessions(loaded, 50, 10, [sample.ONLINE_FILE])[sample.ONLINE_FILE]
    stored_before = video_rows(loaded, video_id)
    shown_before = loaded("videos", "show", str(video_id), "-f", "json", actor=sample.ADMIN)

    r = delete(loaded, sample.ONLINE_FILE, "--yes", "--format", "json")
    assert r.exit_code == 0, r.stderr
    done = r.json()
    assert set(done) == DELETE_KEYS
    assert done["deleted_at"].endswith("Z")
    del done["deleted_at"]
    assert done == {
        "session_id": 1000,
        "title": "Keynote",
        "event_id": 10,
        "event_name": "Acme Summit 2026",
        "community_id": 50,
        "community_title": "Acme Academy",
        "video_id": video_id,
        "deleted_by": sample.ADMIN,
    }
    assert r.stderr == (
        f"session 1000 deleted; its community video {video_id} is kept intact in "
        "'Acme Academy', and its migration record is kept\n"
    )

    # The session is gone from its event, links included (they cascade).
    assert delete(loaded, sample.ONLINE_FILE, "--yes").exit_code == 4
    assert loaded("sessions", "show", "1000", actor=sample.ADMIN).exit_code == 4
    assert rows_of(loaded, "SELECT session_id FROM session_speaker WHERE session_id = 1000") == []
    assert rows_of(loaded, "SELECT session_id FROM session_partner WHERE session_id = 1000") == []

    # The video: every stored row unchanged, and every R5 field as the session had it.
    assert video_rows(loaded, video_id) == stored_before
    shown = loaded("videos", "show", str(video_id), "-f", "json", actor=sample.ADMIN)
    assert shown.json() == shown_before.json()
    video = shown.json()
    assert video["title"] == "Keynote"
    assert video["summary"] == "Summary of Keynote"
    assert video["source_kind"] == "video_file"
    assert video["source_ref"] == "videos/keynote.mp4"
    assert video["thumbnail"] == "thumbs/1000.jpg"
    assert video["source_event_id"] == 10
    assert video["source_event_name"] == "Acme Summit 2026"
    assert video["source_session_id"] == 1000
    assert video["speakers"] == [
        {"speaker_id": 5, "name": "Lea Dubois", "company": "Acme"},
        {"speaker_id": 6, "name": "Tom Peeters", "company": None},
    ]
    assert video["partners"] == [
        {"partner_id": 7, "name": "Initech"},
        {"partner_id": 8, "name": "Umbrella"},
    ]

    # R11: the record survives with the session's title and the event's name.
    history = loaded("history", "--session", "1000", "-f", "json", actor=sample.SUPPORT).json()
    assert [(h["session_title"], h["event_name"], h["video_id"]) for h in history] == [
        ("Keynote", "Acme Summit 2026", video_id)
    ]
    # The tombstone.
    assert rows_of(
        loaded,
        "SELECT session_id, client_id, event_id, title, deleted_by_user_id FROM deleted_session",
    ) == [(1000, 1, 10, "Keynote", 1)]
    assert_sound(loaded)


def test_reloading_an_export_that_still_lists_it_skips_it(loaded: Cli) -> None:
    migrate_sessions(loaded, 50, 10, [sample.ONLINE_FILE])
    assert delete(loaded, sample.ONLINE_FILE, "--yes").exit_code == 0
    # A session that never moved is removed entirely; its tombstone stays.
    before = table_counts(loaded.url)
    r = delete(loaded, sample.IN_PERSON, "--yes", "-f", "json", actor=sample.EVENT_CONTRIB)
    assert r.exit_code == 0, r.stderr
    done = r.json()
    assert (done["video_id"], done["community_id"], done["community_title"]) == (None, None, None)
    assert r.stderr == f"session {sample.IN_PERSON} deleted\n"
    after = table_counts(loaded.url)
    assert after["session"] == before["session"] - 1
    assert after["session_speaker"] == before["session_speaker"]  # it had no speakers
    assert after["deleted_session"] == before["deleted_session"] + 1 == 2
    assert (after["video"], after["record"]) == (before["video"], before["record"]) == (1, 1)

    path = loaded.tmp_path / "again.json"
    path.write_text(json.dumps(sample.export()), encoding="utf-8")
    r = loaded("load", str(path), "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["skipped_deleted_sessions"] == [sample.ONLINE_FILE, sample.IN_PERSON]
    table = loaded("load", str(path))
    assert table.stderr == (
        f"skipped 2 deleted sessions: {sample.ONLINE_FILE}, {sample.IN_PERSON}\n"
    )
    ids = [s["id"] for s in loaded("sessions", "list", "-f", "json", actor=sample.ADMIN).json()]
    assert sample.ONLINE_FILE not in ids and sample.IN_PERSON not in ids
    assert table_counts(loaded.url) == after
    assert_sound(loaded)


def test_only_editors_of_the_event_may_delete(untouched: Cli) -> None:
    cli = untouched
    before = table_counts(cli.url)
    for user in (
        sample.SUPPORT,  # reads everything, edits nothing
        sample.COMMUNITY_ADMIN,  # cannot even read the event
        sample.EVENT_READER,  # reader of another event
        sample.NOBODY,
    ):
        r = delete(cli, sample.ONLINE_FILE, "--yes", actor=user)
        assert (r.exit_code, r.stdout) == (3, ""), (user, r.stderr)
        assert r.stderr == (
            f"error: {user} may not delete session 1000: it needs an admin or contributor "
            "grant covering its event (#10)\n"
        )
    for sid in (424242, sample.OTHER_CLIENT_SESSION):
        r = delete(cli, sid, "--yes")
        assert (r.exit_code, r.stderr) == (4, f"error: session {sid} not found\n")
    assert delete(cli, 0, "--yes").exit_code == 2
    r = delete(cli, sample.ONLINE_FILE)
    assert r.exit_code == 2
    assert r.stderr == (
        "error: sessions delete: --yes is required when not running interactively\n"
    )
    assert table_counts(cli.url) == before


class FakePrompter:
    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def confirm(self, message: str, *, default: bool = False) -> bool:
        assert default is False
        self.asked.append(message)
        return self.answer


def on_a_terminal(monkeypatch: pytest.MonkeyPatch, answer: bool) -> FakePrompter:
    prompter = FakePrompter(answer)
    monkeypatch.setattr("sessionmig.prompts.can_prompt", lambda: True)
    monkeypatch.setattr("sessionmig.prompts.QuestionaryPrompter", lambda: prompter)
    return prompter


def test_on_a_terminal_no_cancels(untouched: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = untouched
    before = table_counts(cli.url)
    prompter = on_a_terminal(monkeypatch, False)
    # Refusals come before the question.
    assert delete(cli, sample.ONLINE_FILE, actor=sample.SUPPORT).exit_code == 3
    assert delete(cli, 424242).exit_code == 4
    assert prompter.asked == []
    r = delete(cli, sample.ONLINE_FILE)
    assert (r.exit_code, r.stdout) == (130, "")
    assert r.stderr == "error: cancelled, nothing was changed\n"
    assert prompter.asked == [
        "Delete session #1000 'Keynote' from event 'Acme Summit 2026'? Its video "
        "#1 stays in community 'Acme Academy'. This cannot be undone."
    ]
    assert table_counts(cli.url) == before


def test_editors_of_the_event_may_delete_on_a_terminal_after_yes(
    loaded: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate_sessions(loaded, 50, 10, [sample.ONLINE_FILE])
    r = delete(loaded, sample.ONLINE_FILE, "--yes", actor=sample.EVENT_CONTRIB)
    assert r.exit_code == 0, r.stderr
    # Admin of audience 2, which holds event 10; table output.
    r = delete(loaded, sample.ONLINE_URL, "--yes", actor=sample.AUDIENCE_ADMIN)
    assert r.exit_code == 0, r.stderr
    lines = [" ".join(line.split()) for line in r.stdout.splitlines()]
    assert lines[0] == "Deleted session"
    assert "Session 1001" in lines and "Title Panel: the future" in lines
    assert f"Deleted by {sample.AUDIENCE_ADMIN}" in lines
    # On a terminal, without --yes: asked, answered yes.
    prompter = on_a_terminal(monkeypatch, True)
    before = table_counts(loaded.url)
    r = delete(loaded, sample.IN_PERSON, "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["session_id"] == sample.IN_PERSON
    assert prompter.asked == [
        "Delete session #1004 'Workshop' from event 'Acme Summit 2026'? This cannot be undone."
    ]
    assert table_counts(loaded.url)["session"] == before["session"] - 1
    assert_sound(loaded)
