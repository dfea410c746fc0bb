"""`sessionmig videos`: list, show (R5), publish and unpublish (R7, permissions)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import sample
from tests.conftest import (
    BACKENDS,
    Cli,
    assert_sound,
    dump_store,
    migrate_sessions,
    shared_cli,
    table_counts,
)

LIST_KEYS = [
    "id",
    "community_id",
    "community_title",
    "status",
    "title",
    "source_kind",
    "source_ref",
    "source_event_id",
    "source_event_name",
    "source_session_id",
    "speakers",
    "partners",
    "created_at",
]

ROLES = ("admin", "contributor", "reader")
SCOPES = {"client": None, "audience": 2, "event": 10, "community": 50}


def role_email(role: str, scope: str) -> str:
    return f"{role}.{scope}@acme.test"


def export_with_every_role() -> dict[str, Any]:
    """The sample plus one user per role and scope, all covering community 50 or
    event 10 (audience 2)."""
    data = sample.export()
    next_id = 100
    for role in ROLES:
        for scope, scope_id in SCOPES.items():
            data["users"].append(
                {
                    "id": next_id,
                    "client_id": 1,
                    "email": role_email(role, scope),
                    "name": f"{role} of {scope}",
                    "grants": [sample.grant(role, scope, scope_id)],
                }
            )
            next_id += 1
    return data


def build(cli: Cli) -> dict[int, int]:
    """Sessions 1000 and 1001 in community 50, 1100 in community 51, 9000 (client 2) in 95;
    returns {session id: video id}."""
    r = cli.load(export_with_every_role())
    assert r.exit_code == 0, r.stderr
    ids = migrate_sessions(cli, 50, 10, [sample.ONLINE_FILE, sample.ONLINE_URL])
    ids |= migrate_sessions(cli, 51, 11, [sample.EVENT11_ONLINE])
    ids |= migrate_sessions(
        cli, 95, 90, [sample.OTHER_CLIENT_SESSION], actor_email=sample.OTHER_ADMIN
    )
    return ids


@pytest.fixture
def videos(cli: Cli) -> tuple[Cli, dict[int, int]]:
    """The videos of `build`, in a store of the test's own (for tests that write)."""
    return cli, build(cli)


@pytest.fixture(scope="module", params=BACKENDS)
def shelf(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Cli, dict[int, int]]]:
    """The videos of `build`, shared by the tests that only read or are refused."""
    ids: dict[int, int] = {}
    for cli in shared_cli(request, tmp_path_factory, lambda c: ids.update(build(c))):
        yield cli, ids


def listed(cli: Cli, *args: str, actor: str = sample.ADMIN) -> list[dict[str, Any]]:
    r = cli("videos", "list", *args, "--format", "json", actor=actor)
    assert r.exit_code == 0, r.stderr
    rows: list[dict[str, Any]] = r.json()
    return rows


def status_of(cli: Cli, video_id: int) -> str:
    r = cli("videos", "show", str(video_id), "-f", "json", actor=sample.ADMIN)
    assert r.exit_code == 0, r.stderr
    status: str = r.json()["status"]
    return status


def test_r5_list_carries_the_sessions_content(shelf: tuple[Cli, dict[int, int]]) -> None:
    cli, ids = shelf
    rows = listed(cli)
    # By community, then id.
    assert [r["id"] for r in rows] == [*sorted((ids[1000], ids[1001])), ids[1100]]
    assert all(list(r) == LIST_KEYS for r in rows)
    by_session = {r["source_session_id"]: r for r in rows}
    keynote = by_session[1000]
    created = keynote.pop("created_at")
    assert created.endswith("Z")
    assert keynote == {
        "id": ids[1000],
        "community_id": 50,
        "community_title": "Acme Academy",
        "status": "draft",
        "title": "Keynote",
        "source_kind": "video_file",
        "source_ref": "videos/keynote.mp4",
        "source_event_id": 10,
        "source_event_name": "Acme Summit 2026",
        "source_session_id": 1000,
        "speakers": ["Lea Dubois", "Tom Peeters"],
        "partners": ["Initech", "Umbrella"],
    }
    panel = by_session[1001]
    assert (panel["source_kind"], panel["source_ref"]) == (
        "url",
        "https://player.vimeo.com/video/1",
    )
    assert panel["speakers"] == ["Tom Peeters"] and panel["partners"] == []
    assert_sound(cli)


def test_list_filters_by_community_and_status(shelf: tuple[Cli, dict[int, int]]) -> None:
    cli, ids = shelf
    assert [r["id"] for r in listed(cli, "--community", "51")] == [ids[1100]]
    assert len(listed(cli, "--status", "draft")) == 3
    assert listed(cli, "--status", "published") == []
    assert listed(cli, "--status", "PUBLISHED", "--community", "50") == []
    bad = cli("videos", "list", "--status", "archived", actor=sample.ADMIN)
    assert bad.exit_code == 2 and "archived" in bad.stderr


def test_list_csv_parses_back(shelf: tuple[Cli, dict[int, int]]) -> None:
    cli, ids = shelf
    r = cli("videos", "list", "--community", "50", "--format", "csv", actor=sample.ADMIN)
    assert r.exit_code == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(rows[0]) == LIST_KEYS
    assert [int(x["id"]) for x in rows] == sorted((ids[1000], ids[1001]))
    keynote = next(x for x in rows if x["source_session_id"] == "1000")
    assert keynote["speakers"] == "Lea Dubois; Tom Peeters"
    assert keynote["title"] == "Keynote" and keynote["created_at"].endswith("Z")


def test_reads_are_scoped_to_communities_the_grants_cover(
    shelf: tuple[Cli, dict[int, int]],
) -> None:
    cli, ids = shelf
    in_50 = sorted((ids[1000], ids[1001]))
    assert [r["id"] for r in listed(cli, actor=sample.COMMUNITY_ADMIN)] == in_50
    assert [r["id"] for r in listed(cli, actor=sample.AUDIENCE_ADMIN)] == in_50
    assert [r["id"] for r in listed(cli, actor=sample.SUPPORT)] == [*in_50, ids[1100]]
    # An event grant covers no community.
    assert listed(cli, actor=sample.EVENT_CONTRIB) == []
    assert [r["id"] for r in listed(cli, actor=sample.OTHER_ADMIN)] == [ids[9000]]
    r = cli("videos", "show", str(ids[1100]), actor=sample.COMMUNITY_ADMIN)
    assert (r.exit_code, r.stderr) == (4, f"error: video {ids[1100]} not found\n")
    r = cli("videos", "list", "--community", "51", actor=sample.COMMUNITY_ADMIN)
    assert (r.exit_code, r.stderr) == (4, "error: community 51 not found\n")
    for community in ("95", "424242"):
        r = cli("videos", "list", "--community", community, actor=sample.ADMIN)
        assert (r.exit_code, r.stderr) == (4, f"error: community {community} not found\n")


def test_r5_show_has_every_carried_field(shelf: tuple[Cli, dict[int, int]]) -> None:
    cli, ids = shelf
    vid = ids[1000]
    r = cli("videos", "show", str(vid), "--format", "json", actor=sample.COMMUNITY_CONTRIB)
    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert data["created_at"].endswith("Z")
    del data["created_at"]
    assert data == {
        "id": vid,
        "community_id": 50,
        "community_title": "Acme Academy",
        "status": "draft",
        "title": "Keynote",
        "summary": "Summary of Keynote",
        "source_kind": "video_file",
        "source_ref": "videos/keynote.mp4",
        "thumbnail": "thumbs/1000.jpg",
        "source_event_id": 10,
        "source_event_name": "Acme Summit 2026",
        "source_session_id": 1000,
        "status_changed_at": None,
        "speakers": [
            {"speaker_id": 5, "name": "Lea Dubois", "company": "Acme"},
            {"speaker_id": 6, "name": "Tom Peeters", "company": None},
        ],
        "partners": [{"partner_id": 7, "name": "Initech"}, {"partner_id": 8, "name": "Umbrella"}],
    }
    table = cli("videos", "show", str(vid), actor=sample.ADMIN)
    assert table.exit_code == 0
    lines = [" ".join(line.split()) for line in table.stdout.splitlines()]
    for expected in (
        "Community Acme Academy (#50)",
        "Status draft",
        "Title Keynote",
        "Source video_file",
        "Video videos/keynote.mp4",
        "Thumbnail thumbs/1000.jpg",
        "Source event Acme Summit 2026 (#10)",
        "Source session 1000",
        "Speakers Lea Dubois (Acme), Tom Peeters",
        "Partners Initech, Umbrella",
        "Summary Summary of Keynote",
    ):
        assert expected in lines, (expected, lines)
    for video in ("424242", str(ids[9000])):
        r = cli("videos", "show", video, actor=sample.ADMIN)
        assert (r.exit_code, r.stderr) == (4, f"error: video {video} not found\n")


def test_publish_and_unpublish_by_every_role_and_scope(
    videos: tuple[Cli, dict[int, int]],
) -> None:
    """Admins and contributors covering the community (client, audience 2, community 50)
    may; readers may not even though they can read it, nor may an event's editors."""
    cli, ids = videos
    vid = ids[1000]
    for role in ROLES:
        for scope in SCOPES:
            user = role_email(role, scope)
            pub = cli("videos", "publish", str(vid), "-f", "json", actor=user)
            unpub = cli("videos", "unpublish", str(vid), "-f", "json", actor=user)
            if role in ("admin", "contributor") and scope != "event":
                assert (pub.exit_code, unpub.exit_code) == (0, 0), (user, pub.stderr)
                assert pub.json()[0]["status"] == "published"
                assert unpub.json()[0]["status"] == "draft"
            else:
                assert (pub.exit_code, unpub.exit_code) == (3, 3), (user, pub.stderr)
                assert pub.stdout == unpub.stdout == ""
                assert pub.stderr == (
                    f"error: {user} may not publish video {vid}: it needs an admin or "
                    "contributor grant covering its community (#50)\n"
                )
                assert unpub.stderr.startswith(f"error: {user} may not unpublish video {vid}: ")
    # The sample's own users: a client-wide reader, an event contributor, nobody.
    for user in (sample.SUPPORT, sample.EVENT_CONTRIB, sample.NOBODY):
        assert cli("videos", "publish", str(vid), actor=user).exit_code == 3
    assert status_of(cli, vid) == "draft"
    assert_sound(cli)


def test_r7_publish_several_then_unpublish(videos: tuple[Cli, dict[int, int]]) -> None:
    cli, ids = videos
    keynote, panel = str(ids[1000]), str(ids[1001])

    def counts() -> dict[int, tuple[int, int, int]]:
        rows = cli("communities", "list", "-f", "json", actor=sample.ADMIN).json()
        return {r["id"]: (r["drafts"], r["published"], r["videos"]) for r in rows}

    assert counts() == {50: (2, 0, 2), 51: (1, 0, 1)}
    first = cli("videos", "publish", keynote, panel, actor=sample.COMMUNITY_CONTRIB)
    assert first.exit_code == 0, first.stderr
    assert "published" in first.stdout and "Keynote" in first.stdout
    assert first.stderr == f"published: {keynote}, {panel}\n"  # in request order
    assert counts() == {50: (0, 2, 2), 51: (1, 0, 1)}
    shown = cli("videos", "show", keynote, "-f", "json", actor=sample.ADMIN).json()
    assert shown["status"] == "published" and shown["status_changed_at"].endswith("Z")

    # Again: an idempotent no-op, reported as such, exit 0; nothing is written.
    before = dump_store(cli.url)
    again = cli("videos", "publish", keynote, keynote, "-f", "json", actor=sample.ADMIN)
    assert again.exit_code == 0
    assert [(v["id"], v["status"]) for v in again.json()] == [(ids[1000], "published")]
    assert again.stderr == f"already published, nothing to do: {keynote}\n"
    assert dump_store(cli.url) == before

    mixed = cli("videos", "unpublish", panel, str(ids[1100]), "-f", "json", actor=sample.ADMIN)
    assert mixed.exit_code == 0
    assert [(v["id"], v["status"]) for v in mixed.json()] == [
        (ids[1001], "draft"),
        (ids[1100], "draft"),
    ]
    assert mixed.stderr == (
        f"unpublished (back to draft): {panel}; already draft, nothing to do: {ids[1100]}\n"
    )
    assert [v["id"] for v in listed(cli, "--status", "published")] == [ids[1000]]
    assert [v["id"] for v in listed(cli, "--community", "50", "--status", "draft")] == [ids[1001]]
    assert counts() == {50: (1, 1, 2), 51: (1, 0, 1)}
    assert_sound(cli)


def test_several_ids_are_all_or_nothing(shelf: tuple[Cli, dict[int, int]]) -> None:
    cli, ids = shelf
    before = table_counts(cli.url)
    # Community 50's admin may publish 1000's video, not 1100's (community 51).
    r = cli("videos", "publish", str(ids[1000]), str(ids[1100]), actor=sample.COMMUNITY_ADMIN)
    assert r.exit_code == 3
    assert r.stderr.startswith(f"error: {sample.COMMUNITY_ADMIN} may not publish video {ids[1100]}")
    # An unknown id, or another client's, spoils the batch the same way (exit 4).
    for bad in ("424242", str(ids[9000])):
        r = cli("videos", "publish", str(ids[1000]), bad, actor=sample.ADMIN)
        assert (r.exit_code, r.stderr) == (4, f"error: video {bad} not found\n")
        assert r.stdout == ""
    assert status_of(cli, ids[1000]) == "draft"
    assert table_counts(cli.url) == before
    assert cli("videos", "publish", "0", actor=sample.ADMIN).exit_code == 2
    assert cli("videos", "publish", actor=sample.ADMIN).exit_code == 2


def test_video_copies_outlive_changes_to_speakers_and_partners(
    videos: tuple[Cli, dict[int, int]],
) -> None:
    """R10: a later export renaming a speaker or a partner, or unlinking them from the
    session, leaves the video's own copies as they were at migration time."""
    cli, ids = videos
    data = export_with_every_role()
    data["speakers"][0]["name"] = "Lea Martin"
    data["speakers"][0]["company"] = "Initech"
    data["partners"][0]["name"] = "Initrode"
    keynote = next(s for s in data["sessions"] if s["id"] == 1000)
    keynote["title"] = "Keynote (edited)"
    keynote["speaker_ids"] = []
    keynote["partner_ids"] = []
    assert cli.load(data).exit_code == 0
    shown = cli("videos", "show", str(ids[1000]), "-f", "json", actor=sample.ADMIN).json()
    assert shown["title"] == "Keynote"
    assert shown["speakers"][0] == {"speaker_id": 5, "name": "Lea Dubois", "company": "Acme"}
    assert shown["partners"][0] == {"partner_id": 7, "name": "Initech"}
    assert_sound(cli)


def test_titles_are_printed_literally(sqlite_url: str, tmp_path: Path) -> None:
    # Rendering does not depend on the backend: SQLite only.
    cli = Cli(sqlite_url, tmp_path)
    data = sample.export()
    data["sessions"][0]["title"] = "[bold]Boom[/] \x1b[2J\u202e"
    assert cli.load(data).exit_code == 0
    ids = migrate_sessions(cli, 50, 10, [1000])
    for args in (("videos", "list"), ("videos", "show", str(ids[1000]))):
        r = cli(*args, actor=sample.ADMIN)
        assert "[bold]Boom[/]" in r.stdout and "\\x1b[2J\\u202e" in r.stdout
        assert "\x1b" not in r.stdout and "\u202e" not in r.stdout
