"""A database password is never printed: not in errors, not in notices, not in --version."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import Cli, pg_server_url

SECRET = "s3cr3t-Pa55word"


def test_version_never_shows_the_url() -> None:
    env = {**os.environ, "SESSIONMIG_DB": f"postgresql+psycopg://bob:{SECRET}@127.0.0.1:1/x"}
    proc = subprocess.run(
        [sys.executable, "-m", "sessionmig", "--version"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0
    assert SECRET not in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "args",
    [["db", "init"], ["events", "list"], ["load", "/nonexistent.json"], ["db", "init", "--bogus"]],
)
def test_unreachable_server_errors_hide_the_password(tmp_path, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    url = f"postgresql+psycopg://bob:{SECRET}@127.0.0.1:1/nodb"
    r = Cli(url, tmp_path)(*args, actor="a@b.test", env={"SESSIONMIG_BUSY_TIMEOUT": "1"})
    assert r.exit_code in (2, 5)
    assert SECRET not in r.stdout + r.stderr


def test_notices_on_a_reachable_server_hide_the_password(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite URLs carry no password")
    # Trust authentication accepts any password: the URL carries one all the same.
    url = make_url(db_url).set(password=SECRET).render_as_string(hide_password=False)
    r = Cli(url, tmp_path)("db", "init")
    assert r.exit_code == 0
    assert SECRET not in r.stdout + r.stderr and "***" in r.stderr
    r = Cli(url, tmp_path)("events", "list", actor="nobody@x.test")
    assert r.exit_code == 3 and SECRET not in r.stdout + r.stderr


def test_pg_url_variable_is_set_in_ci() -> None:
    if os.environ.get("CI"):
        assert pg_server_url(), "CI must run the suite on PostgreSQL too"
