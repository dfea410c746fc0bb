"""Identity on a shared store (issue 11): `logins link/unlink/list`, `whoami`, and who
acts: the operator with --as, a linked PostgreSQL login as its own user, an unlinked one
nowhere. On PostgreSQL the tests create real login roles (cluster-wide: unique names,
dropped at teardown even on failure) and connect as them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sessionmig.store import identity
from tests import sample
from tests.conftest import Cli

Roles = Callable[[], str]


def _admin(url: str):  # type: ignore[no-untyped-def]
    return create_engine(make_url(url), isolation_level="AUTOCOMMIT")


@pytest.fixture
def pg(loaded: Cli) -> Cli:
    if not loaded.url.startswith("postgresql"):
        pytest.skip("PostgreSQL: logins are database roles")
    # Until the row-security revision grants the store's group its privileges, the
    # tests give it plain table privileges (what a linked login needs to be read).
    eng = _admin(loaded.url)
    with eng.connect() as conn:
        group = identity.group_role_name(conn)
        conn.execute(
            text(
                f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{group}"'
            )
        )
        conn.execute(text(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{group}"'))
    eng.dispose()
    return loaded


@pytest.fixture
def roles(pg: Cli) -> Iterator[Roles]:
    """Makes role names unique to this test; drops every role of that name afterwards."""
    made: list[str] = []

    def new() -> str:
        name = f"sm_login_{uuid.uuid4().hex[:10]}"
        made.append(name)
        return name

    yield new
    eng = _admin(pg.url)
    with eng.connect() as conn:
        for name in made:
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    eng.dispose()


def as_login(cli: Cli, role: str) -> Cli:
    url = make_url(cli.url).set(username=role, password=None)
    return Cli(url.render_as_string(hide_password=False), cli.tmp_path)


def test_logins_need_postgresql(loaded: Cli) -> None:
    if loaded.url.startswith("postgresql"):
        pytest.skip("SQLite")
    for args in (("logins", "link", sample.ADMIN, "ana"), ("logins", "unlink", sample.ADMIN),
                 ("logins", "list")):  # fmt: skip
        r = loaded(*args)
        assert r.exit_code == 2 and "PostgreSQL" in r.stderr, r.stderr


def test_whoami_on_sqlite_is_the_os_user_and_the_operator(loaded: Cli) -> None:
    if loaded.url.startswith("postgresql"):
        pytest.skip("SQLite")
    r = loaded("whoami", "--format", "json")
    assert r.json() == {
        "login": identity.os_login(), "operator": True, "actor": None, "grants": [],
    }  # fmt: skip
    r = loaded("whoami", "--format", "json", actor=sample.ADMIN)
    assert r.json()["actor"] == {
        "email": sample.ADMIN, "name": "Ana Martin", "client_id": 1, "client_name": "Acme Events",
    }  # fmt: skip
    assert r.json()["grants"] == [{"role": "admin", "scope": "client", "scope_id": None}]


def test_link_list_unlink_idempotent(pg: Cli, roles: Roles) -> None:
    role = roles()
    r = pg("logins", "link", sample.ADMIN, role)
    assert r.exit_code == 2 and "--create" in r.stderr  # no such role
    r = pg("logins", "link", sample.ADMIN, role, "--create")
    assert r.exit_code == 0, r.stderr
    assert f"role {role} created and linked to {sample.ADMIN}" in r.stderr
    r = pg("logins", "link", sample.ADMIN.upper(), role, "--create")
    assert r.exit_code == 0 and "nothing to change" in r.stderr, r.stderr
    r = pg("logins", "list", "--format", "json")
    assert r.json() == [
        {"email": sample.ADMIN, "name": "Ana Martin", "client_id": 1, "login": role}
    ]
    r = pg("logins", "list", "--format", "csv")
    assert r.stdout.splitlines() == [
        "email,name,client_id,login",
        f"{sample.ADMIN},Ana Martin,1,{role}",
    ]
    other = roles()
    r = pg("logins", "link", sample.SUPPORT, role)
    assert r.exit_code == 2 and "already linked to" in r.stderr  # a role: one user
    r = pg("logins", "link", sample.ADMIN, other, "--create")
    assert r.exit_code == 2 and "already linked to role" in r.stderr  # a user: one role
    r = pg("logins", "link", "nobody@nowhere.test", other, "--create")
    assert r.exit_code == 4
    r = pg("logins", "unlink", sample.ADMIN)
    assert r.exit_code == 0 and "unlinked" in r.stderr
    r = pg("logins", "unlink", sample.ADMIN)
    assert r.exit_code == 0 and "nothing to change" in r.stderr
    assert pg("logins", "list", "--format", "json").json() == []


def test_logins_list_streams_in_chunks_and_windows(pg: Cli, roles: Roles) -> None:
    """`logins list` is a listing like the others (SPEC "Scale"): streamed one chunk at a
    time (here one row per chunk), ordered by e-mail, every row there; a table window
    says what it left out."""
    linked = sorted([sample.SUPPORT, sample.ADMIN, sample.OTHER_ADMIN])
    made = {}
    for email in linked:
        made[email] = roles()
        assert pg("logins", "link", email, made[email], "--create").exit_code == 0
    chunked = {"SESSIONMIG_TEST_CHUNK_ROWS": "1"}
    r = pg("logins", "list", "--format", "json", env=chunked)
    assert r.exit_code == 0, r.stderr
    assert [(row["email"], row["login"]) for row in r.json()] == [(e, made[e]) for e in linked]
    r = pg("logins", "list", "--format", "csv", "--limit", "2", "--columns", "email,login",
           env=chunked)  # fmt: skip
    assert r.stdout.splitlines() == ["email,login"] + [f"{e},{made[e]}" for e in linked[:2]]
    r = pg("logins", "list", "--limit", "1")
    assert r.exit_code == 0 and made[linked[0]] in r.stdout
    assert made[linked[1]] not in r.stdout
    assert "the first 1 of 3 rows" in r.stderr


@pytest.mark.parametrize(
    "name", ['a"b', "a b", "x" * 64, "é" * 32, "robert'); DROP TABLE app_user; --", ""]
)
def test_hostile_role_names_are_exit_2(pg: Cli, name: str) -> None:
    r = pg("logins", "link", sample.ADMIN, name, "--create")
    assert r.exit_code == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert pg("logins", "list", "--format", "json").json() == []


def test_a_linked_login_acts_as_its_user(pg: Cli, roles: Roles) -> None:
    role = roles()
    assert pg("logins", "link", sample.ADMIN, role, "--create").exit_code == 0
    me = as_login(pg, role)
    r = me("whoami", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["login"] == role and r.json()["operator"] is False
    assert r.json()["actor"]["email"] == sample.ADMIN
    assert me("events", "list", "--format", "json").exit_code == 0
    assert me("events", "list", actor=sample.ADMIN.upper()).exit_code == 0
    r = me("events", "list", actor=sample.SUPPORT)
    assert r.exit_code == 3
    assert f"logged in as {role} ({sample.ADMIN}); --as {sample.SUPPORT} refused" in r.stderr
    for args in (("db", "check"), ("db", "init"), ("demo",), ("logins", "list"),
                 ("logins", "unlink", sample.ADMIN)):  # fmt: skip
        r = me(*args)
        assert r.exit_code == 3 and "operator" in r.stderr, (args, r.stderr)
    path = pg.tmp_path / "export.json"
    path.write_text("{}", encoding="utf-8")
    assert me("load", str(path)).exit_code == 3


def test_the_operators_migration_records_its_login_and_a_linked_one_its_own(
    pg: Cli, roles: Roles
) -> None:
    role = roles()
    assert pg("logins", "link", sample.ADMIN, role, "--create").exit_code == 0
    r = pg("migrate", "--community", "50", "--event", "10", "--session", str(sample.ONLINE_FILE),
           "--yes", actor=sample.ADMIN)  # fmt: skip
    assert r.exit_code == 0, r.stderr
    me = as_login(pg, role)
    r = me("migrate", "--community", "50", "--event", "10", "--session", str(sample.ONLINE_URL),
           "--yes")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    rows = pg("history", "--format", "json", actor=sample.ADMIN).json()
    assert {x["session_id"]: x["login"] for x in rows} == {
        sample.ONLINE_FILE: "postgres", sample.ONLINE_URL: role,
    }  # fmt: skip
    csv_rows = pg("history", "--format", "csv", actor=sample.ADMIN).stdout.splitlines()
    assert csv_rows[0].endswith(",login")


def test_an_unlinked_login_is_refused_naming_the_fix(pg: Cli, roles: Roles) -> None:
    role = roles()
    eng = _admin(pg.url)
    with eng.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    eng.dispose()
    r = as_login(pg, role)("events", "list", actor=sample.ADMIN)
    assert r.exit_code == 3, r.stderr
    assert f"sessionmig logins link EMAIL {role}" in r.stderr


def test_a_recreated_role_of_the_same_name_is_not_linked(pg: Cli, roles: Roles) -> None:
    role = roles()
    assert pg("logins", "link", sample.ADMIN, role, "--create").exit_code == 0
    eng = _admin(pg.url)
    with eng.connect() as conn:
        conn.execute(text(f'DROP ROLE "{role}"'))
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        group = identity.group_role_name(conn)
        conn.execute(text(f'GRANT "{group}" TO "{role}"'))  # even a member of the group
    eng.dispose()
    r = as_login(pg, role)("events", "list")
    assert r.exit_code == 3 and "logins link" in r.stderr, r.stderr
    r = as_login(pg, role)("whoami", "--format", "json")
    assert r.json()["actor"] is None and r.json()["operator"] is False


def test_whoami_of_the_operator(pg: Cli) -> None:
    r = pg("whoami", "--format", "json")
    assert r.json() == {"login": "postgres", "operator": True, "actor": None, "grants": []}
    r = pg("whoami", actor=sample.ADMIN)
    assert r.exit_code == 0 and "Ana Martin" in r.stdout


def test_forged_login_in_sql_is_replaced(pg: Cli, roles: Roles, tmp_path: Path) -> None:
    """A linked login inserting a tombstone by hand cannot choose its `login`.

    Row-level security only lets it write the tombstone of a session it may delete,
    under its own user id (tests/test_row_security.py holds the rest of the matrix)."""
    role = roles()
    assert pg("logins", "link", sample.ADMIN, role, "--create").exit_code == 0
    url = make_url(pg.url).set(username=role)
    eng = create_engine(url)
    with eng.begin() as conn:
        made = conn.execute(
            text(
                "INSERT INTO deleted_session (session_id, client_id, event_id, title, "
                "deleted_by_user_id, deleted_at, login) SELECT s.id, s.client_id, s.event_id, "
                "s.title, u.id, now(), 'postgres' FROM event_session s JOIN app_user u "
                "ON u.email = :email WHERE s.id = 1001"
            ),
            {"email": sample.ADMIN},
        ).rowcount
    eng.dispose()
    assert made == 1
    eng = _admin(pg.url)
    with eng.connect() as conn:
        got = conn.execute(
            text("SELECT login FROM deleted_session WHERE session_id = 1001")
        ).scalar()
    eng.dispose()
    assert got == role
