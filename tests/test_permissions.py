"""The permission matrix: every role x every scope x every action, as the spec's table says.

Refusals of a mutation exit 3 and leave the store unchanged; reads outside one's
grants exit 4 (indistinguishable from an unknown id).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests import sample
from tests.conftest import Cli, dump_store

ROLES = ("admin", "contributor", "reader")
SCOPES = ("client", "audience", "event", "community", "none")
# The objects: event 10 (audience 2), its sessions, community 50 (audience 2).
SCOPE_IDS = {"audience": 2, "event": 10, "community": 50}
USER_ID = 500
EMAIL = "matrix@acme.test"
MIGRATED = sample.ONLINE_FILE  # migrated into community 50 by the client admin
TO_MIGRATE = sample.ONLINE_FILE_2
TO_DELETE = sample.ONLINE_URL


def expected(role: str, scope: str, action: str) -> int:
    """The spec's answer, written out from its permission table."""
    covers_event = scope in ("client", "audience", "event")
    covers_community = scope in ("client", "audience", "community")
    editor = role in ("admin", "contributor")
    if action == "migrate":
        return 0 if (role, scope) == ("admin", "client") else 3
    if action in ("publish", "unpublish"):
        return 0 if editor and covers_community else 3
    if action == "delete":
        return 0 if editor and covers_event else 3
    if action in ("list", "show"):
        return 0 if covers_event else 4
    if action == "history":
        return 0
    raise AssertionError(action)


def setup_store(cli: Cli, role: str, scope: str) -> int:
    data = sample.export()
    grants: list[dict[str, Any]] = []
    if scope == "client":
        grants.append(sample.grant(role, "client"))
    elif scope != "none":
        grants.append(sample.grant(role, scope, SCOPE_IDS[scope]))
    data["users"].append(
        {"id": USER_ID, "client_id": 1, "email": EMAIL, "name": "Matrix", "grants": grants}
    )
    assert cli.load(data).exit_code == 0
    r = cli(
        "migrate",
        "--community",
        "50",
        "--event",
        "10",
        "--session",
        str(MIGRATED),
        "--yes",
        "--format",
        "json",
        actor=sample.ADMIN,
    )
    assert r.exit_code == 0, r.stderr
    video_id = r.json()["results"][0]["video_id"]
    assert isinstance(video_id, int)
    return video_id


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(cli: Cli, role: str, scope: str) -> None:
    video = setup_store(cli, role, scope)
    actions: list[tuple[str, list[str]]] = [
        ("list", ["sessions", "list", "--event", "10", "--format", "json"]),
        ("show", ["sessions", "show", str(TO_DELETE), "--format", "json"]),
        ("history", ["history", "--format", "json"]),
        ("publish", ["videos", "publish", str(video), "--format", "json"]),
        ("unpublish", ["videos", "unpublish", str(video), "--format", "json"]),
        (
            "migrate",
            [
                "migrate",
                "--community",
                "50",
                "--event",
                "10",
                "--session",
                str(TO_MIGRATE),
                "--yes",
                "--format",
                "json",
            ],
        ),
        ("delete", ["sessions", "delete", str(TO_DELETE), "--yes", "--format", "json"]),
    ]
    for action, args in actions:
        before = dump_store(cli.url)
        r = cli(*args, actor=EMAIL)
        want = expected(role, scope, action)
        assert r.exit_code == want, (role, scope, action, r.stdout, r.stderr)
        assert "Traceback" not in r.stderr
        if want != 0:
            assert r.stdout == "", (role, scope, action)
            assert r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1
            assert dump_store(cli.url) == before, (role, scope, action)
        if action == "history":
            records = r.json()
            sees = scope != "none"
            assert [x["session_id"] for x in records] == ([MIGRATED] if sees else [])
    check = cli("db", "check")
    assert check.exit_code == 0, check.stdout


@pytest.mark.parametrize(
    ("args", "noun"),
    [
        (["sessions", "show", "{s}"], "session"),
        (["sessions", "delete", "{s}", "--yes"], "session"),
        (["sessions", "list", "--event", "{e}"], "event"),
        (["videos", "show", "{v}"], "video"),
        (["videos", "publish", "{v}"], "video"),
        (["videos", "unpublish", "{v}"], "video"),
        (["videos", "list", "--community", "{c}"], "community"),
        (["history", "--community", "{c}"], "community"),
        (["history", "--event", "{e}"], "event"),
        (
            ["migrate", "--community", "{c}", "--event", "10", "--session", "1000", "--yes"],
            "community",
        ),
        (["migrate", "--community", "50", "--event", "{e}", "--session", "1000", "--yes"], "event"),
    ],
)
def test_other_clients_ids_look_exactly_like_unknown_ids(
    loaded: Cli, args: list[str], noun: str
) -> None:
    # Globex (client 2) migrates one of its sessions so that it has a video too.
    r = loaded(
        "migrate",
        "--community",
        "95",
        "--event",
        "90",
        "--session",
        "9000",
        "--yes",
        "--format",
        "json",
        actor=sample.OTHER_ADMIN,
    )
    assert r.exit_code == 0, r.stderr
    foreign = {"s": "9000", "e": "90", "c": "95", "v": str(r.json()["results"][0]["video_id"])}
    unknown = {k: "777777" for k in foreign}
    answers = []
    for ids in (foreign, unknown):
        before = dump_store(loaded.url)
        run = loaded(*[a.format(**ids) for a in args], actor=sample.ADMIN)
        assert run.exit_code == 4, (args, run.stderr)
        assert dump_store(loaded.url) == before
        answers.append(run.stderr.replace(ids[noun[0]], "N"))
    assert answers[0] == answers[1]
    assert noun in answers[0]
