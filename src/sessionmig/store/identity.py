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

from sqlalchemy import Connection

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
