"""The embedded store is private to its OS user whatever the umask (SPEC, "Identity on a
shared store"): its directory 0700, the database file and its journal, WAL and
shared-memory files 0600. Each run is a real process started under the umask given."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests import sample
from tests.proc import base_env

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run_under(umask: int, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sessionmig", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.umask(umask),
        check=False,
    )


def store_of(data_home: Path) -> Path:
    return data_home / "sessionmig" / "sessionmig.db"


def loaded_store(tmp_path: Path, umask: int) -> tuple[Path, dict[str, str]]:
    """A default store holding the sample organisation, made under `umask`."""
    data_home = tmp_path / "data"
    export = tmp_path / "export.json"
    export.write_text(json.dumps(sample.export()), encoding="utf-8")
    env = base_env(XDG_DATA_HOME=str(data_home))
    p = run_under(umask, ["load", str(export)], env)
    assert p.returncode == 0, p.stderr
    return store_of(data_home), env


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o000])
def test_the_default_store_is_made_private(tmp_path: Path, umask: int) -> None:
    db, _env = loaded_store(tmp_path, umask)
    assert mode(db.parent) == 0o700
    assert mode(db) == 0o600
    # Nothing beside the database is readable by others either.
    for path in db.parent.iterdir():
        assert mode(path) & 0o077 == 0, path


@pytest.mark.parametrize("journal", ["DELETE", "WAL"])
def test_the_side_files_take_the_database_files_mode(tmp_path: Path, journal: str) -> None:
    """SQLite creates its journal (rollback) or WAL and shared-memory files with the mode
    of the database file: made while a write is open, under a permissive umask."""
    db, _env = loaded_store(tmp_path, 0o000)
    assert mode(db) == 0o600

    old = os.umask(0o000)
    try:
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute(f"PRAGMA journal_mode = {journal}")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO client (id, name) VALUES (77, 'side files')")
        side = sorted(p.name for p in db.parent.iterdir() if p != db)
        expected = ["sessionmig.db-journal"] if journal == "DELETE" else []
        expected += ["sessionmig.db-shm", "sessionmig.db-wal"] if journal == "WAL" else []
        assert side == expected
        for name in side:
            assert mode(db.parent / name) == 0o600, name
        conn.execute("ROLLBACK")
        conn.close()
    finally:
        os.umask(old)


def test_a_store_made_before_is_tightened(tmp_path: Path) -> None:
    """A store created world-readable by an older sessionmig (0755 directory, 0644 file)
    is made private the next time the tool opens it."""
    db, env = loaded_store(tmp_path, 0o022)
    db.parent.chmod(0o755)
    db.chmod(0o644)

    p = run_under(0o022, ["--as", sample.ADMIN, "events", "list"], env)
    assert p.returncode == 0, p.stderr
    assert mode(db.parent) == 0o700
    assert mode(db) == 0o600


def test_an_explicit_store_file_is_created_private(tmp_path: Path) -> None:
    """`--db sqlite:///PATH`: the directory is the user's own choice and left alone; the
    file the tool creates there is 0600."""
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    db = folder / "store.db"
    p = run_under(0o022, ["--db", f"sqlite:///{db}", "db", "init"], base_env())
    assert p.returncode == 0, p.stderr
    assert mode(db) == 0o600
    assert mode(folder) == 0o755
