"""Truthful outcomes: output that cannot be written, a reader that stops reading, and an
interruption after a commit end in one line and a documented exit code, and never claim
that nothing changed once a change is committed.

Exit codes (README, "Exit codes"): 74 the output cannot be written (EX_IOERR), 141 the
reader closed the pipe (as a process killed by SIGPIPE reports), 130 cancelled.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

import pytest

from tests import sample
from tests.conftest import Cli, _fresh_url, migrate_sessions
from tests.proc import base_env, run

EXIT_OUTPUT = 74
EXIT_PIPE = 141
FORMATS = ("table", "json", "csv")


def env_for(url: str, **extra: str) -> dict[str, str]:
    return base_env(SESSIONMIG_DB=url, **extra)


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A SQLite store holding the sample export and two migration records."""
    urls = _fresh_url("sqlite", request, tmp_path)
    url = next(urls)
    cli = Cli(url, tmp_path)
    assert cli.load(sample.export()).exit_code == 0
    migrate_sessions(cli, 50, 10, [sample.ONLINE_FILE, sample.ONLINE_URL])
    yield cli
    next(urls, None)


def one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    return lines[0]


# --- output that cannot be written ------------------------------------------------------


def test_version_to_a_full_device_is_one_line_exit_74(tmp_path: Path) -> None:
    p = run(["--version"], env=base_env(), stdout="full")
    assert p.returncode == EXIT_OUTPUT, p.stderr
    line = one_error_line(p.stderr)
    assert line.startswith("error: cannot write the output: ")
    assert line.endswith("nothing was changed")


def test_version_into_a_closed_pipe_is_quiet_141() -> None:
    p = run(["--version"], env=base_env(), stdout="epipe")
    assert (p.returncode, p.stderr) == (EXIT_PIPE, "")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("mode", ["full", "closed"])
def test_a_listing_that_cannot_be_written_is_exit_74(store: Cli, fmt: str, mode: str) -> None:
    p = run(
        ["--as", sample.SUPPORT, "history", "--format", fmt], env=env_for(store.url), stdout=mode
    )
    assert p.returncode == EXIT_OUTPUT, p.stderr
    line = one_error_line(p.stderr)
    assert line.startswith("error: cannot write the output: ")
    assert ("stdout is closed" in line) == (mode == "closed")
    assert line.endswith("nothing was changed")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_reader_that_closed_the_pipe_gives_a_quiet_141(store: Cli, fmt: str) -> None:
    p = run(
        ["--as", sample.SUPPORT, "history", "--format", fmt],
        env=env_for(store.url),
        stdout="epipe",
    )
    assert (p.returncode, p.stderr) == (EXIT_PIPE, "")


def test_head_on_a_long_listing_under_pipefail_sees_141(store: Cli) -> None:
    """`history --format csv | head -1`: the classic early reader. The listing is made
    long enough (a big CSV through `sessions list`) that the pipe fills and head leaves
    before the writer is done."""
    data = sample.export()
    data["sessions"] += [
        {**data["sessions"][0], "id": 20_000 + i, "title": "t" * 400} for i in range(2_000)
    ]
    assert store.load(data).exit_code == 0
    cmd = (
        f"set -o pipefail; {sys.executable} -m sessionmig --as {sample.SUPPORT} "
        "sessions list --format csv | head -1"
    )
    done = subprocess.run(
        ["bash", "-c", cmd],
        env=env_for(store.url),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == EXIT_PIPE, done.stderr
    assert done.stdout.startswith("id,event_id,")
    assert done.stderr == ""


# --- after a commit, never "nothing was changed" ------------------------------------------

WRITERS: dict[str, list[str]] = {
    "migrate": [
        "--as",
        sample.ADMIN,
        "migrate",
        "--community",
        "50",
        "--event",
        "10",
        "--session",
        str(sample.ONLINE_FILE_2),
        "--yes",
    ],
    "sessions delete": ["--as", sample.ADMIN, "sessions", "delete", str(sample.IN_PERSON), "--yes"],
    "videos publish": ["--as", sample.ADMIN, "videos", "publish", "1"],
    "videos unpublish": ["--as", sample.ADMIN, "videos", "unpublish", "2"],
}


def committed_evidence(cli: Cli, writer: str) -> bool:
    """Whether the writer's change is in the store."""
    if writer == "migrate":
        r = cli(
            "history",
            "--session",
            str(sample.ONLINE_FILE_2),
            "--format",
            "json",
            actor=sample.ADMIN,
        )
        return len(r.json()) == 1
    if writer == "sessions delete":
        return cli("sessions", "show", str(sample.IN_PERSON), actor=sample.ADMIN).exit_code == 4
    video = "1" if writer == "videos publish" else "2"
    status = cli("videos", "show", video, "--format", "json", actor=sample.ADMIN).json()["status"]
    return bool(status == ("published" if writer == "videos publish" else "draft"))


@pytest.mark.parametrize("fmt", ["table", "json"])
@pytest.mark.parametrize("mode", ["full", "epipe"])
@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_writer_whose_output_fails_says_what_it_committed(
    store: Cli, writer: str, mode: str, fmt: str
) -> None:
    if writer == "videos unpublish":
        store("videos", "publish", "2", actor=sample.ADMIN)
    p = run([*WRITERS[writer], "--format", fmt], env=env_for(store.url), stdout=mode)
    assert committed_evidence(store, writer)
    assert p.returncode == (EXIT_OUTPUT if mode == "full" else EXIT_PIPE), p.stderr
    assert "Traceback" not in p.stderr and "Exception ignored" not in p.stderr, p.stderr
    assert "nothing was changed" not in p.stderr
    last = p.stderr.splitlines()[-1]
    assert "already committed: " in last, p.stderr
    if mode == "full":
        assert last.startswith("error: cannot write the output: ")


@pytest.mark.parametrize("mode", ["full", "epipe"])
def test_load_whose_output_fails_says_what_it_loaded(store: Cli, tmp_path: Path, mode: str) -> None:
    data = sample.export()
    data["events"][0]["name"] = "Acme Summit 2026 (renamed)"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    p = run(["load", str(path)], env=env_for(store.url), stdout=mode)
    events = store("events", "list", "--format", "json", actor=sample.ADMIN).json()
    assert "Acme Summit 2026 (renamed)" in {e["name"] for e in events}
    assert p.returncode == (EXIT_OUTPUT if mode == "full" else EXIT_PIPE), p.stderr
    assert "nothing was changed" not in p.stderr
    assert "already committed: loaded " in p.stderr.splitlines()[-1], p.stderr


@pytest.mark.parametrize("mode", ["full", "epipe"])
def test_demo_whose_output_fails_says_what_it_committed(
    request: pytest.FixtureRequest, tmp_path: Path, mode: str
) -> None:
    urls = _fresh_url("sqlite", request, tmp_path)
    url = next(urls)
    p = run(["demo"], env=env_for(url), stdout=mode)
    assert p.returncode == (EXIT_OUTPUT if mode == "full" else EXIT_PIPE), p.stderr
    last = p.stderr.splitlines()[-1]
    assert "already committed: " in last and "demo organisation" in last, p.stderr
    assert " migrated" in last  # the demo's migration too
    assert "nothing was changed" not in p.stderr
    next(urls, None)


def test_db_init_writes_no_stdout_so_a_full_stdout_does_not_matter(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    p = run(["db", "init"], env=env_for(url), stdout="full")
    assert p.returncode == 0, p.stderr
    assert "schema upgraded from nothing to" in p.stderr


def test_a_stderr_that_cannot_be_written_changes_no_outcome(store: Cli) -> None:
    """Notices are for people; a full stderr drops them and the exit code still tells."""
    args = [*WRITERS["migrate"], "--format", "json"]
    full = os.open("/dev/full", os.O_WRONLY)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "sessionmig", *args],
            env=env_for(store.url),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=full,
            timeout=60,
        )
    finally:
        os.close(full)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["results"][0]["outcome"] == "migrated"


# --- Ctrl-C after the commit --------------------------------------------------------------


def _pipe_bytes(fd: int) -> int:
    buf = bytearray(4)
    fcntl.ioctl(fd, termios.FIONREAD, buf)
    return int.from_bytes(buf, sys.byteorder)


def test_ctrl_c_after_the_commit_says_what_was_committed(store: Cli) -> None:
    """stdout is a slow pipe: the migration is committed, its report blocks on the full
    pipe, Ctrl-C arrives. The answer is exit 130 and what was committed, not "cancelled,
    nothing was changed"."""
    data = sample.export()
    many = [
        {**data["sessions"][0], "id": 30_000 + i, "title": f"Bulk session {i}", "speaker_ids": []}
        for i in range(1_500)
    ]
    data["sessions"] += many
    assert store.load(data).exit_code == 0
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sessionmig",
            *["--as", sample.ADMIN, "migrate", "--community", "50", "--event", "10"],
            *["--all-eligible", "--yes", "--format", "json"],
        ],
        env=env_for(store.url),
        stdin=subprocess.DEVNULL,
        stdout=write_end,
        stderr=subprocess.PIPE,
    )
    os.close(write_end)
    try:
        deadline = time.monotonic() + 60
        # The pipe holds 64 KiB; the report is several times that: once the pipe is full,
        # the commit is long done and the writer is blocked in write(2).
        while _pipe_bytes(read_end) < 65_536 and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.05)
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        os.close(read_end)
        if proc.poll() is None:
            proc.kill()
    stderr = err.decode()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    assert "nothing was changed" not in stderr
    last = stderr.splitlines()[-1]
    assert last.startswith("error: cancelled; already committed: "), stderr
    assert f"{len(many) + 1} migrated" in last  # + the sample's own ONLINE_FILE_2
    records = store("history", "--format", "json", actor=sample.ADMIN).json()
    assert len(records) == len(many) + 3


def test_a_writer_that_changed_nothing_says_so(store: Cli) -> None:
    """Every write transaction commits, a no-op too: publishing a published video changed
    nothing, and an output failure after it says "nothing was changed"."""
    assert store("videos", "publish", "1", actor=sample.ADMIN).exit_code == 0
    p = run(WRITERS["videos publish"], env=env_for(store.url), stdout="full")
    assert p.returncode == EXIT_OUTPUT, p.stderr
    assert p.stderr.splitlines()[-1].endswith("; nothing was changed"), p.stderr


def test_a_commit_the_database_refused_is_not_told_as_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`already committed` comes only after the database confirmed the commit:
    SQLAlchemy's own `commit` event fires before the driver commits."""
    import sqlite3

    from sqlalchemy import text

    from sessionmig.context import AppContext
    from sessionmig.errors import StoreUnavailable
    from sessionmig.store.engine import writing

    ctx = AppContext(db=f"sqlite:///{tmp_path / 'store.db'}")
    eng = ctx.engine(require_schema=False)
    with writing(eng) as conn:
        conn.execute(text("CREATE TABLE t (a INTEGER)"))
    assert ctx.commit_note() is not None  # a write committed, nobody described it yet
    ctx.committed(None)
    assert ctx.commit_note() is None

    def refuse(_dbapi_conn: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(eng.dialect, "do_commit", refuse)
    with pytest.raises(StoreUnavailable), writing(eng) as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
    assert ctx.commit_note() is None


def test_a_finished_command_leaves_no_engine_or_connection_behind(
    loaded: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each invocation's engine, its pool and its connections go when the command ends:
    a suite (or a long-lived caller) running commands one after another must not pile up
    open connections until the server refuses more ("too many clients") or file
    descriptors run past select()'s limit."""
    import gc
    import weakref

    from sqlalchemy import text

    from sessionmig.store import engine as store_engine

    made: list[weakref.ref[Any]] = []
    create = store_engine.create

    def tracked(*args: Any, **kwargs: Any) -> Any:
        eng = create(*args, **kwargs)
        made.append(weakref.ref(eng))
        return eng

    monkeypatch.setattr(store_engine, "create", tracked)
    migrate_sessions(loaded, 50, 10, [sample.ONLINE_FILE])
    for args in (("history",), ("history", "--format", "json"), ("events", "list")):
        assert loaded(*args, actor=sample.ADMIN).exit_code == 0
    monkeypatch.undo()
    assert made
    gc.collect()
    alive = [ref for ref in made if ref() is not None]
    assert not alive, f"{len(alive)} of {len(made)} engines still alive"
    if loaded.url.startswith("postgresql"):
        probe = store_engine.create(store_engine.parse_url(loaded.url))
        with probe.connect() as conn:
            others = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
        probe.dispose()
        assert others == 0
