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


# --- every place libpq takes a secret from, in every spelling ------------------------------

# A secret that every encoding spells differently: quote, quote_plus, libpq's quoting.
TRICKY = "Pa'ss\\w0rd /@:%+&=#?~"


def spellings(secret: str) -> set[str]:
    """How a secret may show up in a message: as is, percent-encoded (both ways), quoted
    for a libpq conninfo string, or inside a Python repr."""
    from urllib.parse import quote, quote_plus

    return {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        secret.replace("\\", "\\\\").replace("'", "\\'"),
        repr(secret)[1:-1],
    }


def _enc(secret: str) -> str:
    from urllib.parse import quote

    return quote(secret, safe="")


HOST = "postgresql+psycopg://bob@127.0.0.1:1/nodb"
SECRET_URLS = {
    "userinfo": (f"postgresql+psycopg://bob:{_enc(TRICKY)}@127.0.0.1:1/nodb", [TRICKY]),
    "query password": (f"{HOST}?password={SECRET}", [SECRET]),
    "query sslpassword": (f"{HOST}?sslmode=require&sslpassword={SECRET}", [SECRET]),
    "percent-encoded key": (f"{HOST}?pass%77ord={SECRET}", [SECRET]),
    "percent-encoded ssl key": (f"{HOST}?%73slpassword={SECRET}", [SECRET]),
    "tricky query value": (f"{HOST}?password={_enc(TRICKY)}", [TRICKY]),
    "plus-encoded value": (f"{HOST}?password=se+cr+et+{SECRET}", [f"se cr et {SECRET}"]),
    "two passwords": (
        f"{HOST}?password=first-{SECRET}&password=second-{SECRET}",
        [
            f"first-{SECRET}",
            f"second-{SECRET}",
        ],
    ),
    "upper-case key": (f"{HOST}?PASSWORD={SECRET}", [SECRET]),
    "userinfo and query": (
        f"postgresql+psycopg://bob:one-{SECRET}@127.0.0.1:1/nodb?password=two-{SECRET}",
        [f"one-{SECRET}", f"two-{SECRET}"],
    ),
    # Driver errors raised while connecting, each echoing part of the conninfo.
    "bad sslmode": (f"{HOST}?password={SECRET}&sslmode=bogus", [SECRET]),
    "unknown option": (f"{HOST}?password={SECRET}&bogus_option=1", [SECRET]),
    "bad port": (f"{HOST}?password={SECRET}&port=abc", [SECRET]),
    "bad timeout": (f"{HOST}?password={SECRET}&connect_timeout=soon", [SECRET]),
}


@pytest.mark.parametrize("name", sorted(SECRET_URLS))
@pytest.mark.parametrize("args", [["events", "list"], ["db", "init"], ["demo"]])
def test_no_secret_libpq_accepts_is_ever_printed(tmp_path, name: str, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    url, secrets = SECRET_URLS[name]
    r = Cli(url, tmp_path)(*args, actor="a@b.test", env={"SESSIONMIG_BUSY_TIMEOUT": "1"})
    out = r.stdout + r.stderr
    assert r.exit_code in (2, 5), out
    assert "Traceback" not in out
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    for secret in secrets:
        for spelling in spellings(secret):
            assert spelling not in out, (spelling, out)


@pytest.mark.parametrize("name", sorted(SECRET_URLS))
def test_safe_url_masks_every_secret(name: str) -> None:
    from sessionmig.store.engine import safe_url

    url, secrets = SECRET_URLS[name]
    shown = safe_url(url)
    assert "127.0.0.1" in shown
    for secret in secrets:
        for spelling in spellings(secret):
            assert spelling not in shown, (spelling, shown)


@pytest.mark.parametrize(
    "message",
    [
        f"invalid connection info: host=127.0.0.1 password={SECRET} port=1",
        f"bad conninfo \"password='{TRICKY.replace(chr(92), chr(92) * 2).replace(chr(39), chr(92) + chr(39))}' sslmode=x\"",
        f'missing "=" after "sslpassword = {SECRET}" in connection info string',
        f"connection to server failed for postgresql://bob:{_enc(TRICKY)}@127.0.0.1/x",
        f"unexpected: {TRICKY!r}",
    ],
)
def test_driver_messages_that_echo_the_conninfo_are_scrubbed(message: str) -> None:
    """Whatever the driver says about the connection, its secrets are cut out."""
    from sqlalchemy.exc import OperationalError

    from sessionmig.store.engine import describe_operational

    url = f"postgresql+psycopg://bob:{_enc(TRICKY)}@127.0.0.1:1/nodb?password={SECRET}"
    exc = OperationalError("connect", {}, Exception(message))
    said = describe_operational(exc, make_url(url))
    for secret in (SECRET, TRICKY):
        for spelling in spellings(secret):
            assert spelling not in said, (spelling, said)


def test_query_secrets_on_a_reachable_server_are_hidden(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite URLs carry no password")
    # Trust authentication accepts any password: the URL carries one all the same.
    url = f"{db_url}?password={SECRET}"
    r = Cli(url, tmp_path)("db", "init")
    assert r.exit_code == 0, r.stderr
    assert SECRET not in r.stdout + r.stderr and "password=***" in r.stderr
    r = Cli(url, tmp_path)("demo")
    assert r.exit_code == 0, r.stderr
    assert SECRET not in r.stdout + r.stderr
