"""Errors a user can cause end in one line on stderr and a documented exit code, never a
traceback: exit 1 means "refused" or "violations", so a CI gate must be able to tell a
crash from a broken store."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests import sample
from tests.conftest import Cli, migrate_sessions
from tests.proc import base_env, run


def assert_one_line(stderr: str, code: int, got: int, needle: str) -> None:
    assert got == code, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    assert "╭" not in stderr, stderr  # no boxed usage banner
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert needle in lines[0], stderr


# --- the store ---------------------------------------------------------------------------


def test_a_store_file_that_is_not_a_database_is_exit_5(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a database\n" * 50, encoding="utf-8")
    r = Cli(f"sqlite:///{path}", tmp_path)("events", "list", actor=sample.ADMIN)
    assert_one_line(r.stderr, 5, r.exit_code, "not a SQLite database")
    r = Cli(f"sqlite:///{path}", tmp_path)("db", "init")
    assert_one_line(r.stderr, 5, r.exit_code, "not a SQLite database")
    assert path.read_text(encoding="utf-8").startswith("these are my notes")


def test_default_store_under_a_file_is_exit_5(tmp_path: Path) -> None:
    afile = tmp_path / "data"
    afile.write_text("x", encoding="utf-8")
    p = run(["--as", sample.ADMIN, "events", "list"], env=base_env(XDG_DATA_HOME=str(afile)))
    assert_one_line(p.stderr, 5, p.returncode, "cannot create the store directory")


def test_default_store_where_no_directory_can_be_made_is_exit_5() -> None:
    # sysfs refuses mkdir even to root (a read-only parent, whoever runs the suite).
    if not os.path.isdir("/sys/kernel"):
        pytest.skip("needs Linux sysfs")
    p = run(["demo"], env=base_env(XDG_DATA_HOME="/sys/sessionmig-test"))
    assert_one_line(p.stderr, 5, p.returncode, "cannot create the store directory")


def test_default_store_under_a_read_only_parent_is_exit_5(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores directory permissions (the sysfs case covers it)")
    parent = tmp_path / "ro"
    parent.mkdir(mode=0o500)
    try:
        p = run(["demo"], env=base_env(XDG_DATA_HOME=str(parent)))
    finally:
        parent.chmod(0o700)
    assert_one_line(p.stderr, 5, p.returncode, "cannot create the store directory")


NEWER = "0099_from_the_future"


def _stamp(path: Path, revision: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))


def test_a_store_stamped_by_a_newer_sessionmig_says_to_upgrade_the_tool(
    sqlite_url: str, tmp_path: Path
) -> None:
    _stamp(Path(sqlite_url.removeprefix("sqlite:///")), NEWER)
    cli = Cli(sqlite_url, tmp_path)
    for args in (["events", "list"], ["db", "init"], ["db", "check"], ["demo"]):
        r = cli(*args, actor=sample.ADMIN)
        assert_one_line(r.stderr, 5, r.exit_code, "upgrade sessionmig")
        assert "db init" not in r.stderr, args


def test_a_default_store_stamped_by_a_newer_sessionmig_is_left_alone(tmp_path: Path) -> None:
    env = base_env(XDG_DATA_HOME=str(tmp_path))
    assert run(["db", "init"], env=env).returncode == 0
    store = tmp_path / "sessionmig" / "sessionmig.db"
    _stamp(store, NEWER)
    p = run(["--as", sample.ADMIN, "events", "list"], env=env)
    assert_one_line(p.stderr, 5, p.returncode, "upgrade sessionmig")
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (NEWER,)


# --- options and the environment ------------------------------------------------------------


@pytest.mark.parametrize("option", ["--db", "--as"])
def test_a_root_option_without_its_value_is_one_line_exit_2(tmp_path: Path, option: str) -> None:
    r = Cli("sqlite:///unused.db", tmp_path)(option)
    assert_one_line(r.stderr, 2, r.exit_code, f"Option '{option}' requires an argument")


def test_an_unknown_root_option_is_one_line_exit_2(tmp_path: Path) -> None:
    r = Cli("sqlite:///unused.db", tmp_path)("--bogus", "events", "list")
    assert_one_line(r.stderr, 2, r.exit_code, "No such option: --bogus")


def test_a_group_without_its_command_prints_its_help_exit_2(tmp_path: Path) -> None:
    r = Cli("sqlite:///unused.db", tmp_path)("db")
    assert r.exit_code == 2
    assert "Usage: sessionmig db" in r.stdout
    assert "error:" not in r.stderr


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e309", "1e12", "-1", "86401", "ten"])
def test_a_hostile_busy_timeout_is_exit_2_naming_the_variable(
    sqlite_url: str, tmp_path: Path, value: str
) -> None:
    r = Cli(sqlite_url, tmp_path)(
        "events", "list", actor=sample.ADMIN, env={"SESSIONMIG_BUSY_TIMEOUT": value}
    )
    assert_one_line(r.stderr, 2, r.exit_code, "SESSIONMIG_BUSY_TIMEOUT")


@pytest.mark.parametrize("value", ["0", "0.5", "86400"])
def test_busy_timeouts_within_the_bounds_are_accepted(
    sqlite_url: str, tmp_path: Path, value: str
) -> None:
    r = Cli(sqlite_url, tmp_path)("db", "check", env={"SESSIONMIG_BUSY_TIMEOUT": value})
    assert r.exit_code == 0, r.stderr


def test_load_from_a_closed_stdin_is_exit_2(sqlite_url: str) -> None:
    p = run(["load", "-"], env=base_env(SESSIONMIG_DB=sqlite_url), stdin="closed")
    assert_one_line(p.stderr, 2, p.returncode, "stdin is closed")


@pytest.mark.parametrize("limit", ["9223372036854775808", "99999999999999999999999"])
def test_a_history_limit_beyond_64_bits_is_exit_2(loaded: Cli, limit: str) -> None:
    r = loaded("history", "--limit", limit, actor=sample.ADMIN)
    assert_one_line(r.stderr, 2, r.exit_code, "--limit")


def test_the_largest_history_limit_is_accepted(loaded: Cli) -> None:
    r = loaded("history", "--limit", "9223372036854775807", "--format", "json", actor=sample.ADMIN)
    assert r.exit_code == 0, r.stderr
    assert r.json() == []


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--until", "9999-12-31"),
        ("--until", "9999-12-31T23:59:59"),
        ("--until", "9999-12-31T23:59:59.999999"),
        ("--until", "9999-12-31T23:00-01:00"),
        ("--since", "0001-01-01"),
        ("--since", "0001-01-01T00:00+01:00"),
        ("--until", "0001-01-01T00:00+01:00"),
        ("--since", "9999-12-31T23:59:59-23:59"),
    ],
)
def test_dates_at_the_calendars_edges_are_answered(loaded: Cli, option: str, value: str) -> None:
    """The whole range of the calendar is open; an instant before its start or after its
    end simply bounds nothing (or everything)."""
    migrate_sessions(loaded, 50, 10, [sample.ONLINE_FILE])
    r = loaded("history", option, value, "--format", "json", actor=sample.ADMIN)
    assert r.exit_code == 0, r.stderr
    found = len(r.json())
    everything = (option == "--until" and value.startswith("9999")) or (
        option == "--since" and value.startswith("0001")
    )
    assert found == (1 if everything else 0), (option, value, r.json())


def test_an_interrupted_postgresql_load_is_one_line(db_url: str, tmp_path: Path) -> None:
    """Ctrl-C while psycopg streams a load's rows (pipeline mode): exit 130 and the one
    line, without psycopg's "error ignored terminating Pipeline" warning after it."""
    if not db_url.startswith("postgresql"):
        pytest.skip("psycopg's pipeline: PostgreSQL only")
    import json
    import signal
    import subprocess
    import sys
    import time

    from sqlalchemy import create_engine, text

    data = sample.export()
    base = data["sessions"][0]
    data["sessions"] += [
        {**base, "id": 100_000 + i, "title": f"Bulk {i}", "summary": "s" * 200}
        for i in range(60_000)
    ]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "sessionmig", "load", str(path)],
        env=base_env(SESSIONMIG_DB=db_url),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    watcher = create_engine(db_url)
    try:
        deadline = time.monotonic() + 120
        seen = False
        while not seen and time.monotonic() < deadline and proc.poll() is None:
            with watcher.connect() as conn:
                seen = bool(
                    conn.execute(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                            "current_database() AND query ILIKE 'INSERT INTO event_session%'"
                        )
                    ).scalar()
                )
            time.sleep(0.02)
        assert seen, "the load never reached the sessions"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        watcher.dispose()
        if proc.poll() is None:
            proc.kill()
    stderr = err.decode()
    assert proc.returncode == 130, stderr
    assert_one_line(stderr, 130, proc.returncode, "cancelled, nothing was changed")
    assert "error ignored" not in stderr


@pytest.mark.parametrize("option", ["--as", "--actor"])
def test_an_address_that_is_not_utf8_is_exit_2(loaded: Cli, option: str) -> None:
    """Bytes that are not UTF-8 in argv reach Python as lone surrogates (found by the sweep:
    the driver could not encode them, a traceback)."""
    args = ["history", "--actor", "\udcff\udcfeabc"] if option == "--actor" else ["history"]
    actor = "\udcff\udcfeabc" if option == "--as" else sample.ADMIN
    r = loaded(*args, actor=actor)
    assert_one_line(r.stderr, 2, r.exit_code, f"{option}: not valid UTF-8 text")


def test_a_plan_from_a_closed_stdin_is_exit_2(sqlite_url: str) -> None:
    p = run(
        ["--as", sample.ADMIN, "migrate", "--plan", "-", "--yes"],
        env=base_env(SESSIONMIG_DB=sqlite_url),
        stdin="closed",
    )
    assert_one_line(p.stderr, 2, p.returncode, "stdin is closed")
