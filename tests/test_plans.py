"""Reviewed migration plans through the CLI: `migrate ... --dry-run --plan-out FILE`
then `migrate --plan FILE`, on both backends. A plan is applied exactly, all or
nothing: stale by an edit (a re-load), a move or a deletion, it writes nothing and
says what changed; a plan of another store, a file that is not a plan and flags that
contradict it are exit 2; R1 holds for whoever applies it."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import sample
from tests.conftest import (
    Cli,
    Run,
    assert_sound,
    assert_valid,
    dump_store,
    store_id,
)
from tests.test_migrate_interactive import Terminal

ELIGIBLE = [sample.ONLINE_FILE, sample.ONLINE_URL, sample.ONLINE_FILE_2]  # 1000, 1001, 1006
OTHER_ADMIN = "ben@acme.test"  # a second client admin of client 1 (see `admins`)


def migrate(cli: Cli, *args: str, community: int = 50) -> Run:
    """`migrate --community C --event 10 ARGS` as the client admin."""
    where = ("--community", str(community), "--event", "10")
    return cli("migrate", *where, *args, actor=sample.ADMIN)


def make_plan(cli: Cli, *args: str, name: str = "plan.json") -> tuple[Run, Path]:
    path = cli.tmp_path / name
    selection = args or ("--all-eligible",)
    return migrate(cli, *selection, "--dry-run", "--plan-out", str(path), "--format", "json"), path


def apply(cli: Cli, path: Path | str, *args: str, actor: str = sample.ADMIN) -> Run:
    return cli("migrate", "--plan", str(path), "--yes", "--format", "json", *args, actor=actor)


def outcomes(r: Run) -> dict[int, tuple[str, str | None]]:
    return {x["session_id"]: (x["outcome"], x["reason"]) for x in r.json()["results"]}


def reload(cli: Cli, change: Any) -> None:
    """Load the sample export again, changed by `change(data)`: what a later export
    from the back-office does."""
    data = sample.export()
    change(data)
    r = cli.load(data)
    assert r.exit_code == 0, r.stderr


def session(data: dict[str, Any], sid: int) -> dict[str, Any]:
    return next(s for s in data["sessions"] if s["id"] == sid)


@pytest.fixture
def admins(loaded: Cli) -> Cli:
    """The sample store with a second client admin of client 1."""
    data = sample.export()
    data["users"].append(
        {
            "id": 20,
            "client_id": 1,
            "email": OTHER_ADMIN,
            "name": "Ben Admin",
            "grants": [sample.grant("admin", "client")],
        }
    )
    assert loaded.load(data).exit_code == 0
    return loaded


# --- round trip ----------------------------------------------------------------------------


def test_a_plan_names_its_store_author_and_sessions_and_writes_nothing(loaded: Cli) -> None:
    before = dump_store(loaded.url)
    r, path = make_plan(loaded)
    assert r.exit_code == 0, r.stderr
    assert r.json()["dry_run"] is True  # stdout is the dry run's report
    assert f"plan written to {path}: 3 sessions to migrate" in r.stderr
    plan = json.loads(path.read_text(encoding="utf-8"))
    assert plan["format"] == "sessionmig-plan/1"
    assert plan["store_id"] == store_id(loaded.url)
    assert plan["planned_by"] == {"email": sample.ADMIN, "name": "Ana Martin"}
    assert plan["planned_at"].endswith("Z")
    assert plan["community"] == {"id": 50, "title": "Acme Academy"}
    assert plan["event"] == {"id": 10, "name": "Acme Summit 2026"}
    assert [(s["id"], s["title"]) for s in plan["sessions"]] == [
        (1000, "Keynote"),
        (1001, "Panel: the future"),
        (1006, "Closing"),
    ]
    assert all(s["fingerprint"].startswith("sha256:") for s in plan["sessions"])
    assert plan["already_migrated"] == [] and plan["refused"] == []
    assert dump_store(loaded.url) == before


def test_applying_a_plan_migrates_exactly_its_sessions_as_whoever_applies_it(
    admins: Cli,
) -> None:
    """R1 and R11: Ben applies Ana's plan; the records name Ben, the plan keeps Ana."""
    _, path = make_plan(admins)
    r = apply(admins, path, actor=OTHER_ADMIN)
    assert r.exit_code == 0, r.stderr
    doc = r.json()
    assert doc["dry_run"] is False and doc["actor"] == OTHER_ADMIN
    assert outcomes(r) == dict.fromkeys(ELIGIBLE, ("migrated", None))
    assert all(isinstance(x["video_id"], int) for x in doc["results"])
    history = admins("history", "--format", "json", actor=sample.SUPPORT).json()
    assert sorted(h["session_id"] for h in history) == ELIGIBLE
    assert {h["actor_email"] for h in history} == {OTHER_ADMIN}
    assert json.loads(path.read_text())["planned_by"]["email"] == sample.ADMIN
    assert_sound(admins)


def test_sessions_refused_by_the_dry_run_are_in_the_plan_for_the_reviewer(loaded: Cli) -> None:
    r, path = make_plan(loaded, "--session", "1000", "--session", "1002", "--session", "1004")
    assert r.exit_code == 1  # the dry run refused some, as without --plan-out
    plan = json.loads(path.read_text())
    assert [s["id"] for s in plan["sessions"]] == [1000]
    assert [(x["id"], x["reason"]) for x in plan["refused"]] == [
        (
            1002,
            "a live session with no recording: only a video file or an iFrame URL can move (R4)",
        ),
        (1004, "in person session: only online sessions can move (R4)"),
    ]
    r = apply(loaded, path)
    assert r.exit_code == 0, r.stderr
    assert outcomes(r) == {1000: ("migrated", None)}  # the refused ones are left alone


def test_a_reapplied_plan_is_already_migrated_exit_0(loaded: Cli) -> None:
    _, path = make_plan(loaded)
    assert apply(loaded, path).exit_code == 0
    before = dump_store(loaded.url)
    r = apply(loaded, path)
    assert r.exit_code == 0, r.stderr
    assert {o for o, _ in outcomes(r).values()} == {"already_migrated"}
    assert dump_store(loaded.url) == before
    # A plan made once they are there lists them as already migrated, and is a no-op.
    r, again = make_plan(loaded, name="again.json")
    plan = json.loads(again.read_text())
    assert plan["sessions"] == [] and [e["id"] for e in plan["already_migrated"]] == ELIGIBLE
    assert apply(loaded, again).exit_code == 0
    assert dump_store(loaded.url) == before


def test_plan_out_dash_writes_the_plan_on_stdout_and_the_report_on_stderr(loaded: Cli) -> None:
    r = migrate(loaded, "--all-eligible", "--dry-run", "--plan-out", "-", "--format", "json")
    assert r.exit_code == 0, r.stderr
    plan = r.json()  # stdout carries the plan and nothing else
    assert plan["format"] == "sessionmig-plan/1"
    report = json.loads(r.stderr[: r.stderr.rindex("}") + 1])
    assert_valid("migrate", report)
    assert report["dry_run"] is True
    # ... and the plan on stdin applies.
    r = loaded("migrate", "--plan", "-", "--yes", actor=sample.ADMIN, input=json.dumps(plan))
    assert r.exit_code == 0, r.stderr
    assert "3 migrated" in r.stderr


def test_dry_run_with_plan_checks_it_without_applying_it(loaded: Cli) -> None:
    _, path = make_plan(loaded)
    before = dump_store(loaded.url)
    r = loaded("migrate", "--plan", str(path), "--dry-run", "--format", "json", actor=sample.ADMIN)
    assert r.exit_code == 0, r.stderr
    assert r.json()["dry_run"] is True
    assert outcomes(r) == dict.fromkeys(ELIGIBLE, ("migrated", None))
    assert dump_store(loaded.url) == before
    reload(loaded, lambda d: session(d, 1001).update(title="Renamed"))
    before = dump_store(loaded.url)
    r = loaded("migrate", "--plan", str(path), "--dry-run", "--format", "json", actor=sample.ADMIN)
    assert r.exit_code == 1
    assert outcomes(r)[1001] == ("refused", "title changed")
    assert dump_store(loaded.url) == before


# --- stale plans: nothing is written, each failing session says what changed -------------


def stale(cli: Cli, path: Path) -> dict[int, tuple[str, str | None]]:
    before = dump_store(cli.url)
    r = apply(cli, path)
    assert r.exit_code == 1, r.stderr
    assert dump_store(cli.url) == before  # all or nothing
    assert "0 migrated" in r.stderr
    return outcomes(r)


STALE = "not migrated: the plan is stale"


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda d: session(d, 1001).update(title="Panel: the past"), "title changed"),
        (lambda d: session(d, 1001).update(summary="Rewritten"), "summary changed"),
        (lambda d: session(d, 1001).update(speaker_ids=[5]), "speakers changed"),
        (lambda d: session(d, 1001).update(partner_ids=[8]), "partners changed"),
        (lambda d: session(d, 1001).update(thumbnail=None), "thumbnail changed"),
        (
            lambda d: session(d, 1001).update(source={"kind": "url", "ref": "https://x.test/2"}),
            "source changed",
        ),
        (
            lambda d: session(d, 1001).update(format="hybrid"),
            "no longer eligible: hybrid session: only online sessions can move (R4); "
            "format changed",
        ),
        (
            lambda d: session(d, 1001).update(source={"kind": "live"}),
            "no longer eligible: a live session with no recording: only a video file or an "
            "iFrame URL can move (R4); source changed",
        ),
        # Tom Peeters (speaker 6) speaks at 1000 and 1001: R5 copies his company too.
        (
            lambda d: next(s for s in d["speakers"] if s["id"] == 6).update(company="Initech"),
            "speakers changed",
        ),
    ],
    ids=[
        "title",
        "summary",
        "speakers",
        "partners",
        "thumbnail",
        "source",
        "format",
        "live",
        "speaker-company",
    ],
)
def test_a_plan_stale_by_an_edit_writes_nothing_and_says_what_changed(
    loaded: Cli, edit: Any, reason: str
) -> None:
    _, path = make_plan(loaded)
    reload(loaded, edit)
    got = stale(loaded, path)
    assert got[1001] == ("refused", reason)
    assert got[1006] == ("refused", STALE)


def test_a_renamed_event_makes_every_session_of_the_plan_stale(loaded: Cli) -> None:
    """R5 copies the event's name into each video."""
    _, path = make_plan(loaded)
    reload(loaded, lambda d: d["events"][0].update(name="Acme Summit 2026 (replays)"))
    assert stale(loaded, path) == dict.fromkeys(ELIGIBLE, ("refused", "event name changed"))


def test_a_session_moved_to_another_event_is_refused(loaded: Cli) -> None:
    _, path = make_plan(loaded)
    reload(loaded, lambda d: session(d, 1006).update(event_id=11))
    got = stale(loaded, path)
    assert got[1006] == (
        "refused",
        "moved to event 'Benelux Days' (#11); event name changed",
    )


def test_a_plan_stale_by_a_move_into_another_community(loaded: Cli) -> None:
    """R9: someone migrated 1000 into community 51 after the review."""
    _, path = make_plan(loaded)
    r = migrate(loaded, "--session", "1000", "--yes", community=51)
    assert r.exit_code == 0, r.stderr
    got = stale(loaded, path)
    assert got == {
        1000: ("refused", "moved to community 'Benelux Replays' (#51)"),
        1001: ("refused", STALE),
        1006: ("refused", STALE),
    }
    assert_sound(loaded)


def test_a_plan_stale_by_a_deletion(loaded: Cli) -> None:
    """R10: 1001 was deleted from its event after the review."""
    _, path = make_plan(loaded)
    assert loaded("sessions", "delete", "1001", "--yes", actor=sample.ADMIN).exit_code == 0
    got = stale(loaded, path)
    assert got[1001] == ("refused", "deleted")
    assert got[1000] == got[1006] == ("refused", STALE)


def test_a_session_migrated_into_the_plans_community_meanwhile_is_no_refusal(
    loaded: Cli,
) -> None:
    """Someone already did part of the plan, into the same community: the rest moves."""
    _, path = make_plan(loaded)
    r = migrate(loaded, "--session", "1000", "--yes")
    assert r.exit_code == 0
    r = apply(loaded, path)
    assert r.exit_code == 0, r.stderr
    assert outcomes(r) == {
        1000: ("already_migrated", "already in this community; nothing to do"),
        1001: ("migrated", None),
        1006: ("migrated", None),
    }


# --- refusals before anything is checked -------------------------------------------------


@pytest.mark.parametrize(
    "user",
    [sample.AUDIENCE_ADMIN, sample.COMMUNITY_ADMIN, sample.SUPPORT, sample.EVENT_CONTRIB],
)
def test_r1_a_plan_applied_by_anyone_but_a_client_admin_is_exit_3(loaded: Cli, user: str) -> None:
    _, path = make_plan(loaded)
    before = dump_store(loaded.url)
    r = apply(loaded, path, actor=user)
    assert r.exit_code == 3
    assert "R1" in r.stderr and r.stdout == ""
    assert dump_store(loaded.url) == before


def test_a_plan_of_another_store_is_exit_2(loaded: Cli, other_store: Cli) -> None:
    _, path = make_plan(loaded)
    before = dump_store(other_store.url)
    r = apply(other_store, path)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr == (
        f"error: --plan: this plan was made on store {store_id(loaded.url)}, this is store "
        f"{store_id(other_store.url)}: make the plan on this store\n"
    )
    assert dump_store(other_store.url) == before


def test_a_plans_community_or_event_out_of_reach_is_exit_4(loaded: Cli) -> None:
    """Like `migrate`: an admin of another client cannot see them (the same answer as an
    unknown id)."""
    _, path = make_plan(loaded)
    r = apply(loaded, path, actor=sample.OTHER_ADMIN)
    assert (r.exit_code, r.stderr) == (4, "error: community 50 not found\n")
    plan = json.loads(path.read_text())
    plan["event"]["id"] = 99
    path.write_text(json.dumps(plan))
    r = apply(loaded, path)
    assert (r.exit_code, r.stderr) == (4, "error: event 99 not found\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--community", "50"], "--community cannot be combined with --plan"),
        (["--event", "10"], "--event cannot be combined with --plan"),
        (["--session", "1000"], "--session cannot be combined with --plan"),
        (["--all-eligible"], "--all-eligible cannot be combined with --plan"),
        (["--strict"], "--strict cannot be combined with --plan"),
        (["--plan-out", "x.json"], "--plan-out cannot be combined with --plan"),
        (
            ["--community", "50", "--event", "10"],
            "--community, --event cannot be combined with --plan",
        ),
    ],
)
def test_flags_that_contradict_a_plan_are_exit_2(
    loaded: Cli, args: list[str], message: str
) -> None:
    _, path = make_plan(loaded)
    r = apply(loaded, path, *args)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == (
        f"error: migrate --plan: {message} (the plan says what to migrate, and is applied "
        "all or nothing)\n"
    )


def test_plan_out_needs_a_dry_run(loaded: Cli) -> None:
    r = migrate(loaded, "--all-eligible", "--yes", "--plan-out", str(loaded.tmp_path / "p.json"))
    assert r.exit_code == 2
    assert "--plan-out needs --dry-run" in r.stderr
    assert not (loaded.tmp_path / "p.json").exists()


def test_off_a_terminal_a_plan_needs_yes(loaded: Cli) -> None:
    _, path = make_plan(loaded)
    r = loaded("migrate", "--plan", str(path), actor=sample.ADMIN)
    assert (r.exit_code, r.stderr) == (
        2,
        "error: migrate --plan: missing --yes (required when not running interactively)\n",
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a plan (not valid JSON"),
        (json.dumps(sample.export()), "not a sessionmig plan"),
        (json.dumps({"format": "sessionmig-plan/2"}), "the plan's format is sessionmig-plan/2"),
        ('{"format": "sessionmig-plan/1", "format": "sessionmig-plan/1"}', "appears twice"),
    ],
    ids=["not-json", "an-export", "newer-format", "duplicate-key"],
)
def test_a_file_that_is_not_a_plan_is_one_line_exit_2(
    loaded: Cli, content: str, message: str
) -> None:
    path = loaded.tmp_path / "bad.json"
    path.write_text(content)
    r = apply(loaded, path)
    assert r.exit_code == 2 and r.stdout == ""
    [line] = r.stderr.splitlines()
    assert line.startswith(f"error: --plan {path}: ") and message in line, line


def test_a_missing_plan_file_is_exit_2(loaded: Cli) -> None:
    r = apply(loaded, loaded.tmp_path / "nowhere.json")
    assert r.exit_code == 2
    assert "cannot read: No such file or directory" in r.stderr


def test_a_plan_out_that_cannot_be_written_is_exit_2(loaded: Cli) -> None:
    r, _ = make_plan(loaded, "--all-eligible", name="no/such/dir/plan.json")
    assert r.exit_code == 2 and r.stdout == ""
    assert "cannot write the plan" in r.stderr


# --- on a terminal: the plan is shown, then confirmed with real key presses --------------


class PlanTerminal(Terminal):
    def run_plan(self, cli: Cli, keys: str, path: Path, *args: str) -> Run:
        return self.run(cli, keys, "--plan", str(path), *args)


@pytest.fixture
def term(monkeypatch: pytest.MonkeyPatch) -> Iterator[PlanTerminal]:
    from prompt_toolkit.input import create_pipe_input

    with create_pipe_input() as pipe:
        yield PlanTerminal(monkeypatch, pipe)


def test_on_a_terminal_the_plan_is_shown_and_y_applies_it(loaded: Cli, term: PlanTerminal) -> None:
    _, path = make_plan(loaded)
    r = term.run_plan(loaded, "y", path)
    assert r.exit_code == 0, r.stderr
    assert term.prompters == 1
    assert "Plan to apply (checked against the store now)" in r.stdout
    assert "would migrate" in r.stdout and "Migration audit" in r.stdout
    assert "plan made by Ana Martin <ana@acme.test>" in r.stderr
    assert "3 migrated" in r.stderr


@pytest.mark.parametrize("answer", ["n", "\r"], ids=["n", "default-no"])
def test_on_a_terminal_no_cancels_and_writes_nothing(
    loaded: Cli, term: PlanTerminal, answer: str
) -> None:
    _, path = make_plan(loaded)
    before = dump_store(loaded.url)
    r = term.run_plan(loaded, answer, path)
    assert r.exit_code == 130 and "cancelled" in r.stderr
    assert dump_store(loaded.url) == before


def test_on_a_terminal_json_output_stays_one_document(loaded: Cli, term: PlanTerminal) -> None:
    _, path = make_plan(loaded)
    r = term.run_plan(loaded, "y", path, "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["dry_run"] is False  # the plan's table went to stderr
    assert "Plan to apply" in r.stderr


def test_on_a_terminal_a_stale_plan_is_refused_without_a_question(
    loaded: Cli, term: PlanTerminal
) -> None:
    _, path = make_plan(loaded)
    reload(loaded, lambda d: session(d, 1000).update(title="Changed"))
    r = term.run_plan(loaded, "", path)
    assert r.exit_code == 1
    assert term.prompters == 0
    assert "title changed" in r.stdout


def test_on_a_terminal_a_plan_with_nothing_left_to_do_asks_nothing(
    loaded: Cli, term: PlanTerminal
) -> None:
    _, path = make_plan(loaded)
    assert apply(loaded, path).exit_code == 0
    r = term.run_plan(loaded, "", path)
    assert r.exit_code == 0 and term.prompters == 0
    assert "0 migrated, 3 already migrated" in r.stderr


def test_yes_applies_without_a_question_on_a_terminal(loaded: Cli, term: PlanTerminal) -> None:
    _, path = make_plan(loaded)
    r = term.run_plan(loaded, "", path, "--yes")
    assert r.exit_code == 0 and term.prompters == 0


# --- the re-check happens inside the write lock ------------------------------------------


def test_the_plan_is_rechecked_after_the_lock_is_taken(loaded: Cli) -> None:
    """A writer that holds the store while it renames a session: the plan's apply waits
    for it, then sees the new title and refuses, never applying what it read before."""
    _, path = make_plan(loaded)
    update = "UPDATE event_session SET title = 'Renamed while locked' WHERE id = 1000"
    if loaded.url.startswith("sqlite"):
        import sqlite3

        holder: Any = sqlite3.connect(loaded.url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        holder.execute(update)
    else:
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(loaded.url)
        holder = psycopg.connect(
            host=url.host, port=url.port or 5432, user=url.username, dbname=url.database
        )
        holder.execute(update)  # the row stays locked until the commit
    try:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sessionmig",
                "--db",
                loaded.url,
                "--as",
                sample.ADMIN,
                "migrate",
                "--plan",
                str(path),
                "--yes",
                "--format",
                "json",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(2.0)
        assert proc.poll() is None, proc.communicate()  # waiting for the lock
        holder.execute("COMMIT") if loaded.url.startswith("sqlite") else holder.commit()
        out, err = proc.communicate(timeout=60)
    finally:
        holder.close()
    assert proc.returncode == 1, err
    run = Run(proc.returncode, out, err)
    assert_valid("migrate", run.json())
    assert outcomes(run)[1000] == ("refused", "title changed")


# --- another store -----------------------------------------------------------------------


@pytest.fixture
def other_store(empty_db_url: str, tmp_path: Path) -> Cli:
    """A second store on the same backend, made by `db init` on an empty database: the
    same data, another store id."""
    cli = Cli(empty_db_url, tmp_path)
    assert cli("db", "init").exit_code == 0
    assert cli.load(copy.deepcopy(sample.export())).exit_code == 0
    return cli
