"""Who is connected to the store (issue 11, "Identity on a shared store").

On PostgreSQL the database login proves who acts: the login is `session_user` (not
`current_user`: `SET ROLE` cannot change who acts), the operator is the schema's owner,
a superuser or a BYPASSRLS role, and any other login acts as the user linked to it by
`logins link` (by the role's OID *and* name: a role dropped and re-created under the same
name is another person). On SQLite whoever opens the file owns it: the login is the OS
user name and it is always the operator.

The logins of one store are members of the store's group role, `group_role_name`: roles
are cluster-wide, so the name is derived from the store's id (store_info), one group per
store. A copy of the database in the same cluster (same store id) shares its group; row
level security starts from the linked user of each store, so the group alone gives
nothing in a store where the login is not linked.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Select, select, text

from sessionmig.emails import email_key
from sessionmig.errors import NotFound, UsageError
from sessionmig.i18n import _
from sessionmig.paging import Page, Window
from sessionmig.store import tables as t
from sessionmig.store.storeinfo import read_store_id

GROUP_PREFIX = "sessionmig_login_"


def group_role_for(store_id: str) -> str:
    """The group role of the store `store_id`: `sessionmig_login_` and the id's 32 hex
    digits (49 bytes, under PostgreSQL's 63). Safe as an identifier, quoted anyway."""
    return GROUP_PREFIX + store_id.replace("-", "").lower()


def group_role_name(conn: Connection) -> str | None:
    """The group role of the store `conn` is connected to (None without a store id:
    `db init` makes one)."""
    store_id = read_store_id(conn)
    return None if store_id is None else group_role_for(store_id)


def quoted_schema_and_group(conn: Connection) -> tuple[str, str]:
    """For the schema revisions that write policies and grants (0006, 0007): the
    current schema and the store's group role, each quoted as an SQL identifier."""
    quote = conn.dialect.identifier_preparer.quote
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    group = group_role_name(conn)
    assert group is not None, "0003_store_id gives every store its id"
    return quote(str(schema)), quote(group)


def os_login() -> str:
    """The OS user name, what SQLite stores as `login` (a placeholder when the
    environment names nobody, as in some containers)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def written_login(conn: Connection) -> str | None:
    """The `login` the tool writes on a migration record or a tombstone: the OS user
    name on SQLite; nothing on PostgreSQL, where a trigger writes `session_user` whatever
    a client sends (revision 0005_logins)."""
    return os_login() if conn.dialect.name == "sqlite" else None


@dataclass(frozen=True)
class Login:
    """Who is connected: the login's name, whether it is the operator, and the user it
    is linked to (None when unlinked, and always on SQLite)."""

    login: str
    operator: bool
    user_id: int | None = None
    email: str | None = None


def who(conn: Connection, *, linked: bool = True) -> Login:
    """The login of `conn`. PostgreSQL: `session_user`; the operator is a member of the
    role that owns the schema (store_info's owner), a superuser or a BYPASSRLS role
    (before any schema exists, whoever runs `db init` becomes its owner); a linked user
    matches the role by OID and name (a re-created role is not linked). `linked=False`
    skips the user (a schema older than 0005_logins has no link yet)."""
    if conn.dialect.name != "postgresql":
        return Login(os_login(), True)
    row = conn.execute(
        text(
            "SELECT r.rolname, r.oid, r.rolsuper OR r.rolbypassrls OR COALESCE(pg_has_role("
            "r.oid, (SELECT c.relowner FROM pg_catalog.pg_class c "
            "WHERE c.oid = to_regclass('store_info')), 'MEMBER'), true) "
            "FROM pg_catalog.pg_roles r WHERE r.rolname = session_user"
        )
    ).one()
    name, oid, operator = str(row[0]), int(row[1]), bool(row[2])
    readable = conn.execute(
        # By OID: NULL (not readable) before `db init` made the table, instead of an error.
        text(
            "SELECT has_table_privilege(session_user, pg_catalog.to_regclass('app_user'), 'SELECT')"
        )
    ).scalar()
    if not linked or not readable:
        return Login(name, operator)
    u = t.app_user
    user = conn.execute(
        select(u.c.id, u.c.email).where(u.c.login_oid == oid, u.c.login_role == name)
    ).first()
    if user is None:
        return Login(name, operator)
    return Login(name, operator, int(user.id), str(user.email))


# PostgreSQL's identifiers are at most 63 bytes (NAMEDATALEN - 1); a longer one would be
# silently truncated into another name.
MAX_ROLE_BYTES = 63


def role_name_problem(role: str) -> str | None:
    """Why `role` cannot be a login's name, or None. Quotes, spaces and control
    characters are refused outright (the name is still always quoted by the driver)."""
    if not role:
        return _("a role name cannot be empty")
    if len(role.encode("utf-8", "surrogatepass")) > MAX_ROLE_BYTES:
        return _("a role name is at most {n} bytes").format(n=MAX_ROLE_BYTES)
    if any(ch in "\"'`\\" or ch.isspace() or not ch.isprintable() for ch in role):
        return _("a role name cannot hold quotes, backslashes, spaces or control characters")
    return None


def _run(conn: Connection, statement: Any) -> None:
    """Run a psycopg `sql.Composed` on the driver's own connection, in the caller's
    transaction: role names are identifiers quoted by the driver (`sql.Identifier`),
    never spliced as text."""
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cur:
        cur.execute(statement)


def _role_oid(conn: Connection, role: str) -> int | None:
    oid = conn.execute(
        text("SELECT oid FROM pg_catalog.pg_roles WHERE rolname = :r"), {"r": role}
    ).scalar()
    return None if oid is None else int(oid)


def _is_operator_role(conn: Connection, oid: int) -> bool:
    return bool(
        conn.execute(
            text(
                "SELECT r.rolsuper OR r.rolbypassrls OR COALESCE(pg_has_role(r.oid, ("
                "  SELECT c.relowner FROM pg_catalog.pg_class c"
                "  WHERE c.oid = pg_catalog.to_regclass('store_info')), 'MEMBER'), false) "
                "FROM pg_catalog.pg_roles r WHERE r.oid = :oid"
            ),
            {"oid": oid},
        ).scalar()
    )


def ensure_group_role(conn: Connection) -> str:
    """The store's group role, created NOLOGIN when missing (revision 0005 makes it)."""
    from psycopg import sql

    group = group_role_name(conn)
    if group is None:
        raise UsageError(_("the store has no id: run `sessionmig db init` first"))
    if _role_oid(conn, group) is None:
        _run(conn, sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(group)))
    return group


def _user_by_email(conn: Connection, email: str) -> Any:
    u = t.app_user
    row = conn.execute(
        select(u.c.id, u.c.email, u.c.login_role, u.c.login_oid).where(
            u.c.email_key == email_key(email)
        )
    ).first()
    if row is None:
        raise NotFound(
            _("unknown user {email}: not a user of any client in this store").format(
                email=repr(email)
            )
        )
    return row


def require_postgresql(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        raise UsageError(
            _("logins need a PostgreSQL store: on SQLite whoever opens the file owns it")
        )


def link(conn: Connection, email: str, role: str, *, create: bool) -> str | None:
    """Bind the PostgreSQL role `role` to the user `email`: what was done, in words, or
    None when it was already so (idempotent). Inside the caller's write transaction:
    CREATE ROLE and GRANT are transactional, so a refusal leaves nothing behind. A role
    is linked to at most one user and a user to at most one role (exit 2 otherwise)."""
    from psycopg import sql

    require_postgresql(conn)
    problem = role_name_problem(role)
    if problem:
        raise UsageError(_("role {role}: {problem}").format(role=repr(role), problem=problem))
    user = _user_by_email(conn, email)
    oid = _role_oid(conn, role)
    created = False
    if oid is None:
        if not create:
            raise UsageError(
                _("no PostgreSQL role {role}: create it, or pass --create").format(role=repr(role))
            )
        # LOGIN, no password: how it authenticates is the server's business.
        _run(conn, sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        oid = _role_oid(conn, role)
        assert oid is not None
        created = True
    elif _is_operator_role(conn, oid):
        raise UsageError(
            _(
                "role {role} is a superuser, bypasses row-level security or owns the store: "
                "it acts as the operator and cannot be linked to a user"
            ).format(role=repr(role))
        )
    u = t.app_user
    other = conn.execute(
        select(u.c.email).where(
            (u.c.login_role == role) | (u.c.login_oid == oid), u.c.id != user.id
        )
    ).first()
    if other is not None:
        raise UsageError(
            _("role {role} is already linked to {other}: unlink it first").format(
                role=repr(role), other=other.email
            )
        )
    if user.login_role is not None and user.login_role != role:
        raise UsageError(
            _("{email} is already linked to role {linked}: unlink it first").format(
                email=user.email, linked=repr(user.login_role)
            )
        )
    group = ensure_group_role(conn)
    _run(conn, sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(role)))
    if user.login_role == role and user.login_oid == oid:
        return None
    conn.execute(u.update().where(u.c.id == user.id).values(login_role=role, login_oid=oid))
    what = (
        _("role {role} created and linked to {email}")
        if created
        else _("role {role} linked to {email}")
    )
    return what.format(role=role, email=user.email)


def unlink(conn: Connection, email: str) -> str | None:
    """Remove the user's link and the role's membership of the store's group; None when
    the user was linked to no role (idempotent)."""
    from psycopg import sql

    require_postgresql(conn)
    user = _user_by_email(conn, email)
    if user.login_role is None:
        return None
    if _role_oid(conn, user.login_role) == user.login_oid:
        group = group_role_name(conn)
        if group is not None and _role_oid(conn, group) is not None:
            _run(
                conn,
                sql.SQL("REVOKE {} FROM {}").format(
                    sql.Identifier(group), sql.Identifier(user.login_role)
                ),
            )
    u = t.app_user
    conn.execute(u.update().where(u.c.id == user.id).values(login_role=None, login_oid=None))
    return _("role {role} unlinked from {email}").format(role=user.login_role, email=user.email)


def list_logins(engine: Engine, window: Window) -> Page:
    """Every user linked to a role: email, name, client_id, login (by e-mail), streamed
    and windowed like every other listing (store/queries.py `listed`)."""
    from sessionmig.store.queries import listed

    def prepare(conn: Connection) -> Select[Any]:
        require_postgresql(conn)
        u = t.app_user
        return (
            select(u.c.email, u.c.name, u.c.client_id, u.c.login_role.label("login"))
            .where(u.c.login_role.is_not(None))
            .order_by(u.c.email_key, u.c.id)
        )

    return listed(engine, window, prepare)


def whoami(conn: Connection, login: Login, actor: Any) -> dict[str, Any]:
    """`whoami`'s document: the login, whether it is the operator, the acting user
    (None for the operator without --as) and their grants."""
    if actor is None:
        return {"login": login.login, "operator": login.operator, "actor": None, "grants": []}
    client_name = conn.execute(
        select(t.client.c.name).where(t.client.c.id == actor.client_id)
    ).scalar()
    return {
        "login": login.login,
        "operator": login.operator,
        "actor": {
            "email": actor.email,
            "name": actor.name,
            "client_id": actor.client_id,
            "client_name": client_name,
        },
        "grants": [
            {"role": g.role, "scope": g.scope, "scope_id": g.scope_id} for g in actor.grants
        ],
    }
