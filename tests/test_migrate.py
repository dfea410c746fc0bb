"""`sessionmig migrate`, scripted (CI) flow: each rule through the CLI."""

from __future__ import annotations

from typing import Any

import pytest

from tests import sample
from tests.conftest import Cli, table_counts


def migrate(cli: Cli, *args: str, actor: str = sample.ADMIN) -> Any:
    return cli("migrate", *args, "--format", "json", actor=actor)


def outcomes(run: Any) -> dict[int, tuple[str, str | None]]:
    return {r["session_id"]: (r["outcome"], r["reason"]) for r in run.json()["results"]}


def test_json_object_has_the_spec_shape(loaded: Cli) -> None:
    r = migrate(loaded, "--community", "50", "--event", "10", "--session", "1000", "--yes")
    assert r.exit_code == 0, r.stderr
    doc = r.json()
    assert doc["dry_run"] is False
    assert doc["actor"] == sample.ADMIN
    assert doc["community"] == {"id": 50, "title": "Acme Academy"}
    assert doc["event"] == {"id": 10, "name": "Acme Summit 2026"}
    [res] = doc["results"]
    assert set(res) == {"session_id", "title", "outcome", "reason", "video_id"}
    assert res["session_id"] == 1000 and res["outcome"] == "migrated" and res["reason"] is None
    assert isinstance(res["video_id"], int)


@pytest.mark.parametrize(
    "user",
    [
        sample.AUDIENCE_ADMIN,
        sample.EVENT_CONTRIB,
        sample.COMMUNITY_ADMIN,
        sample.SUPPORT,
        sample.NOBODY,
    ],
)
def test_r1_only_a_client_admin_may_migrate(loaded: Cli, user: str) -> None:
    before = table_counts(loaded.url)
    r = migrate(
        loaded, "--community", "50", "--event", "10", "--session", "1000", "--yes", actor=user
    )
    assert r.exit_code == 3
    assert "R1" in r.stderr and r.stdout == ""
    assert table_counts(loaded.url) == before


def test_r4_ineligible_sessions_are_refused_with_their_reason(loaded: Cli) -> None:
    r = migrate(
        loaded,
        "--community",
        "50",
        "--event",
        "10",
        "--yes",
        *[
            f"--session={i}"
            for i in (
                sample.ONLINE_FILE,
                sample.ONLINE_LIVE,
                sample.ONLINE_NONE,
                sample.IN_PERSON,
                sample.HYBRID,
            )
        ],
    )
    assert r.exit_code == 1
    got = outcomes(r)
    assert got[sample.ONLINE_FILE] == ("migrated", None)
    assert got[sample.ONLINE_LIVE][0] == "refused" and "live" in got[sample.ONLINE_LIVE][1]
    assert (
        got[sample.ONLINE_NONE][0] == "refused" and "no video source" in got[sample.ONLINE_NONE][1]
    )
    assert got[sample.IN_PERSON][0] == "refused" and "in person" in got[sample.IN_PERSON][1]
    assert got[sample.HYBRID][0] == "refused" and "hybrid" in got[sample.HYBRID][1]


def test_r5_r6_r7_video_is_a_draft_copy_and_session_leaves_the_event(loaded: Cli) -> None:
    r = migrate(loaded, "--community", "51", "--event", "10", "--session", "1000", "--yes")
    assert r.exit_code == 0
    public = loaded(
        "sessions", "list", "--event", "10", "--public", "-f", "json", actor=sample.ADMIN
    ).json()
    assert sample.ONLINE_FILE not in [s["id"] for s in public]  # R6
    backoffice = loaded(
        "sessions", "list", "--event", "10", "-f", "json", actor=sample.ADMIN
    ).json()
    row = next(s for s in backoffice if s["id"] == sample.ONLINE_FILE)
    assert row["community_id"] == 51 and row["community"] == "Benelux Replays"
    assert row["public"] is False and row["eligibility"] == "already_migrated"
    comms = {
        c["id"]: c for c in loaded("communities", "list", "-f", "json", actor=sample.ADMIN).json()
    }
    assert comms[51]["drafts"] == 1 and comms[51]["published"] == 0  # R7


def test_r9_rerun_is_idempotent_and_a_second_community_is_refused(loaded: Cli) -> None:
    args = ("--community", "50", "--event", "10", "--all-eligible", "--yes")
    first = migrate(loaded, *args)
    assert first.exit_code == 0
    assert {o for o, _ in outcomes(first).values()} == {"migrated"}
    after_first = table_counts(loaded.url)
    again = migrate(loaded, *args)
    assert again.exit_code == 0
    assert {o for o, _ in outcomes(again).values()} == {"already_migrated"}
    assert table_counts(loaded.url) == after_first
    other = migrate(loaded, "--community", "51", "--event", "10", "--session", "1000", "--yes")
    assert other.exit_code == 1
    outcome, reason = outcomes(other)[sample.ONLINE_FILE]
    assert outcome == "refused" and "Acme Academy" in (reason or "")
    assert table_counts(loaded.url) == after_first
    # --all-eligible into another community selects nothing: all moved already.
    nothing = migrate(loaded, "--community", "51", "--event", "10", "--all-eligible", "--yes")
    assert nothing.exit_code == 0 and nothing.json()["results"] == []


def test_all_eligible_takes_exactly_the_eligible_sessions(loaded: Cli) -> None:
    r = migrate(loaded, "--community", "50", "--event", "10", "--all-eligible", "--yes")
    assert sorted(outcomes(r)) == [sample.ONLINE_FILE, sample.ONLINE_URL, sample.ONLINE_FILE_2]


def test_strict_migrates_nothing_when_one_is_refused(loaded: Cli) -> None:
    before = table_counts(loaded.url)
    r = migrate(
        loaded,
        "--community",
        "50",
        "--event",
        "10",
        "--strict",
        "--yes",
        "--session",
        "1000",
        "--session",
        "1004",
    )
    assert r.exit_code == 1
    got = outcomes(r)
    assert got[sample.ONLINE_FILE] == ("refused", "not migrated: --strict")
    assert got[sample.IN_PERSON][0] == "refused"
    assert table_counts(loaded.url) == before


def test_dry_run_writes_nothing(loaded: Cli) -> None:
    before = table_counts(loaded.url)
    r = migrate(loaded, "--community", "50", "--event", "10", "--all-eligible", "--dry-run")
    assert r.exit_code == 0
    doc = r.json()
    assert doc["dry_run"] is True
    assert {x["outcome"] for x in doc["results"]} == {"migrated"}
    assert all(x["video_id"] is None for x in doc["results"])
    assert table_counts(loaded.url) == before
    table = loaded(
        "migrate",
        "--community",
        "50",
        "--event",
        "10",
        "--all-eligible",
        "--dry-run",
        actor=sample.ADMIN,
    )
    assert "would migrate" in table.stdout and "dry run" in table.stderr


def test_off_a_terminal_missing_flags_are_named(loaded: Cli) -> None:
    r = loaded("migrate", "--event", "10", actor=sample.ADMIN)
    assert r.exit_code == 2
    assert "--community" in r.stderr and "--session/--all-eligible" in r.stderr
    assert "--yes" in r.stderr and r.stdout == ""
    r = loaded(
        "migrate", "--community", "50", "--event", "10", "--all-eligible", actor=sample.ADMIN
    )
    assert r.exit_code == 2 and "--yes" in r.stderr and "--community" not in r.stderr


def test_session_and_all_eligible_conflict(loaded: Cli) -> None:
    r = loaded(
        "migrate",
        "--community",
        "50",
        "--event",
        "10",
        "--all-eligible",
        "--session",
        "1000",
        "--yes",
        actor=sample.ADMIN,
    )
    assert r.exit_code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--community", "95", "--event", "10", "--session", "1000"], "community 95 not found"),
        (
            ["--community", "424242", "--event", "10", "--session", "1000"],
            "community 424242 not found",
        ),
        (["--community", "50", "--event", "90", "--session", "9000"], "event 90 not found"),
        (
            ["--community", "50", "--event", "10", "--session", "1100"],
            "session 1100 not found in event 10",
        ),
        (
            ["--community", "50", "--event", "10", "--session", "9000"],
            "session 9000 not found in event 10",
        ),
    ],
)
def test_ids_outside_the_client_or_event_are_not_found(
    loaded: Cli, args: list[str], message: str
) -> None:
    before = table_counts(loaded.url)
    r = migrate(loaded, *args, "--yes")
    assert r.exit_code == 4
    assert r.stderr.strip() == f"error: {message}"
    assert table_counts(loaded.url) == before


def test_r3_any_community_of_the_client_even_of_another_audience(loaded: Cli) -> None:
    # Event 10 is in audience 2; community 51 in audience 3.
    r = migrate(loaded, "--community", "51", "--event", "10", "--session", "1001", "--yes")
    assert r.exit_code == 0


def test_audit_table_prints_titles_literally(cli: Cli) -> None:
    data = sample.export()
    data["sessions"][0]["title"] = "[bold]x[/bold] \x1b[31mred"
    assert cli.load(data).exit_code == 0
    r = cli(
        "migrate",
        "--community",
        "50",
        "--event",
        "10",
        "--session",
        "1000",
        "--yes",
        actor=sample.ADMIN,
    )
    assert r.exit_code == 0
    assert "[bold]x[/bold] \\x1b[31mred" in r.stdout
    assert "\x1b" not in r.stdout
    assert "Migration audit" in r.stdout and "1 migrated" in r.stderr


def test_demo_runs_off_a_terminal_and_reruns_safely(cli: Cli) -> None:
    first = cli("demo", "--format", "json")
    assert first.exit_code == 0, first.stderr
    doc = first.json()
    assert doc["actor"] == "ana@acme.test"
    assert {r["outcome"] for r in doc["results"]} == {"migrated"}
    again = cli("demo", "--format", "json")
    assert again.exit_code == 0
    assert {r["outcome"] for r in again.json()["results"]} == {"already_migrated"}
