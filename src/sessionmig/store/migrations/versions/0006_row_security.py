"""row-level security: the database holds every linked login to its grants

Revision ID: 0006_row_security
Revises: 0005_logins
Create Date: 2026-12-02

PostgreSQL only (on SQLite whoever opens the file owns it: nothing to do). What a
linked login may do, enforced by the server whatever client it connects with:

- **Who acts** is `session_user` (not `current_user`: `SET ROLE` cannot change it),
  looked up in app_user.login_role AND app_user.login_oid (a dropped and re-created
  role of the same name is nobody). The helpers below are SECURITY DEFINER (they read
  app_user and user_grant as the owner, with no policy in the way) with a pinned
  `search_path = pg_catalog, pg_temp` and schema-qualified names, so a TEMP table or a
  function a login creates cannot answer in their place.
- **Reach** mirrors sessionmig.access exactly: a grant at a scope covers what is below
  it; reading takes any role, editing `admin` or `contributor`, migrating an `admin`
  grant at client scope (R1). The helpers return the reach as a flag (client-wide) and
  id arrays (events, communities, audiences covered); policies call them as
  `(SELECT fn())` and `= ANY ((SELECT fn())::bigint[])`, so each is an InitPlan run
  once per statement, not once per row (FACTS: 4-25x slower called bare).
- **Reads** are what the CLI shows the same user: its own client, user and grants; the
  events, sessions (with their speaker and partner links, and those speakers and
  partners), communities and videos its grants cover; the migration records whose
  event or community they cover (`history`), plus, because `history` and the session
  listings join them, the destination communities and the videos of those records.
- **Writes**: only the client's migration (videos, their copies of speakers and
  partners, hiding the session, the record) for a client admin; a video's status
  within the admin/contributor community reach; deleting a session within the
  admin/contributor event reach, and only once its tombstone is written (a trigger
  refuses the delete otherwise). Records and tombstones are inserted only, in the
  login's own name (actor, and `login` by 0005's trigger), at the server's time (a
  trigger sets migrated_at, deleted_at, created_at, status_changed_at to now()).
  Records also carry the user's e-mail, key and name as the store holds them.
  Nothing is ever written to client, audience, app_user, user_grant, store_info or
  alembic_version, and TRUNCATE is granted on nothing.
- Row-level security is ENABLEd (not FORCEd) on EVERY table: the owner (the operator)
  bypasses it by design, and a login can never read a table that has no policy.
  tests/test_row_security.py fails when a table has no row-level security.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sessionmig.store.identity import quoted_schema_and_group

revision: str = "0006_row_security"
down_revision: str | None = "0005_logins"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "alembic_version",
    "store_info",
    "client",
    "audience",
    "app_user",
    "user_grant",
    "event",
    "community",
    "speaker",
    "partner",
    "event_session",
    "session_speaker",
    "session_partner",
    "deleted_session",
    "community_video",
    "video_speaker",
    "video_partner",
    "migration_record",
)

# The acting user: the app_user linked to session_user by name AND oid.
_USER = """
SELECT u.id FROM {s}.app_user u
JOIN pg_catalog.pg_roles r ON r.oid = u.login_oid AND r.rolname = u.login_role
WHERE u.login_role = session_user::text
"""

_HELPERS = {
    "sm_user()": ("bigint", _USER),
    "sm_client()": (
        "bigint",
        "SELECT u.client_id FROM {s}.app_user u WHERE u.id = {s}.sm_user()",
    ),
    # A grant holding one of the roles that count: every role to read, the editors'
    # (admin, contributor) to edit: access.reach(grants, roles).
    "sm_wide(editors boolean)": (
        "boolean",
        """SELECT EXISTS (SELECT 1 FROM {s}.user_grant g
        WHERE g.user_id = {s}.sm_user() AND g.scope = 'client'
        AND (NOT editors OR g.role IN ('admin', 'contributor')))""",
    ),
    "sm_can_migrate()": (
        "boolean",
        """SELECT EXISTS (SELECT 1 FROM {s}.user_grant g
        WHERE g.user_id = {s}.sm_user() AND g.scope = 'client' AND g.role = 'admin')""",
    ),
    # Events covered: granted events (by id, like access.Reach.event_ids) and the
    # client's events of granted audiences.
    "sm_events(editors boolean)": (
        "bigint[]",
        """WITH g AS (SELECT g.scope, g.scope_id FROM {s}.user_grant g
            WHERE g.user_id = {s}.sm_user()
            AND (NOT editors OR g.role IN ('admin', 'contributor')))
        SELECT coalesce(array_agg(DISTINCT x.id), '{{}}'::bigint[]) FROM (
            SELECT g.scope_id AS id FROM g WHERE g.scope = 'event'
            UNION ALL
            SELECT e.id FROM {s}.event e JOIN g ON g.scope = 'audience'
                AND e.audience_id = g.scope_id
            WHERE e.client_id = {s}.sm_client()
        ) x""",
    ),
    "sm_communities(editors boolean)": (
        "bigint[]",
        """WITH g AS (SELECT g.scope, g.scope_id FROM {s}.user_grant g
            WHERE g.user_id = {s}.sm_user()
            AND (NOT editors OR g.role IN ('admin', 'contributor')))
        SELECT coalesce(array_agg(DISTINCT x.id), '{{}}'::bigint[]) FROM (
            SELECT g.scope_id AS id FROM g WHERE g.scope = 'community'
            UNION ALL
            SELECT c.id FROM {s}.community c JOIN g ON g.scope = 'audience'
                AND c.audience_id = g.scope_id
            WHERE c.client_id = {s}.sm_client()
        ) x""",
    ),
    # The communities that readable migration records went to: `history`, `sessions
    # list` and `sessions show` join them (FACTS: a join drops rows whose joined row is
    # invisible), so an event reader sees the title of where their sessions went.
    "sm_record_communities()": (
        "bigint[]",
        """SELECT coalesce(array_agg(DISTINCT r.community_id), '{{}}'::bigint[])
        FROM {s}.migration_record r
        WHERE r.client_id = {s}.sm_client()
        AND (r.event_id = ANY ({s}.sm_events(false))
             OR r.community_id = ANY ({s}.sm_communities(false)))""",
    ),
    # The videos of the readable records: `history` joins them for their status.
    "sm_record_videos()": (
        "bigint[]",
        """SELECT coalesce(array_agg(r.video_id), '{{}}'::bigint[])
        FROM {s}.migration_record r
        WHERE r.client_id = {s}.sm_client()
        AND (r.event_id = ANY ({s}.sm_events(false))
             OR r.community_id = ANY ({s}.sm_communities(false)))""",
    ),
    # Audiences whose names the CLI shows: granted ones, and those of covered events
    # and communities (`events list`, `communities list`).
    "sm_audiences()": (
        "bigint[]",
        """SELECT coalesce(array_agg(DISTINCT x.id), '{{}}'::bigint[]) FROM (
            SELECT g.scope_id AS id FROM {s}.user_grant g
                WHERE g.user_id = {s}.sm_user() AND g.scope = 'audience'
            UNION ALL
            SELECT e.audience_id FROM {s}.event e
                WHERE e.client_id = {s}.sm_client() AND e.id = ANY ({s}.sm_events(false))
            UNION ALL
            SELECT c.audience_id FROM {s}.community c
                WHERE c.client_id = {s}.sm_client()
                AND c.id = ANY ({s}.sm_communities(false))
        ) x""",
    ),
    # deletion trigger: is there a tombstone for this session? (read as the owner)
    "sm_has_tombstone(p_session bigint, p_client bigint)": (
        "boolean",
        """SELECT EXISTS (SELECT 1 FROM {s}.deleted_session d
        WHERE d.session_id = p_session AND d.client_id = p_client)""",
    ),
    # The CLI's answers for objects a login cannot read (store/rowsecurity.py): which
    # of these ids are its own client's, so that changing one is "not allowed" (exit 3)
    # as for the operator, and an unknown id "not found" (exit 4).
    "sm_client_sessions(ids bigint[])": (
        "TABLE (id bigint, owner bigint)",
        """SELECT x.id, x.event_id FROM {s}.event_session x
        WHERE x.client_id = {s}.sm_client() AND x.id = ANY (ids)""",
    ),
    "sm_client_videos(ids bigint[])": (
        "TABLE (id bigint, owner bigint)",
        """SELECT v.id, v.community_id FROM {s}.community_video v
        WHERE v.client_id = {s}.sm_client() AND v.id = ANY (ids)""",
    ),
    # the record policy: the acting user's own names, as the store holds them
    "sm_me()": (
        "TABLE (id bigint, email text, email_key text, name text)",
        """SELECT u.id, u.email::text, u.email_key::text, u.name::text
        FROM {s}.app_user u WHERE u.id = {s}.sm_user()""",
    ),
}


def _policies(s: str) -> list[tuple[str, str, str, str | None, str | None]]:
    """(table, name, command, USING, WITH CHECK) for every policy."""
    me = f"(SELECT {s}.sm_user())"
    client = f"client_id = (SELECT {s}.sm_client())"
    wide = f"(SELECT {s}.sm_wide(false))"
    wide_edit = f"(SELECT {s}.sm_wide(true))"
    migrator = f"(SELECT {s}.sm_can_migrate())"

    def any_of(col: str, fn: str) -> str:
        return f"{col} = ANY ((SELECT {s}.{fn})::bigint[])"

    events = any_of("event_id", "sm_events(false)")
    edit_events = any_of("event_id", "sm_events(true)")
    communities = any_of("community_id", "sm_communities(false)")
    edit_communities = any_of("community_id", "sm_communities(true)")
    session_read = f"{client} AND ({wide} OR {events})"
    video_read = f"{client} AND ({wide} OR {communities} OR {any_of('id', 'sm_record_videos()')})"
    copies_read = (
        "EXISTS (SELECT 1 FROM {s}.community_video v WHERE v.id = {t}.video_id "
        f"AND ({wide} OR {any_of('v.community_id', 'sm_communities(false)')}))"
    )
    copies_write = (
        f"{migrator} AND EXISTS (SELECT 1 FROM {s}.community_video v "
        "WHERE v.id = {t}.video_id AND v.client_id = " + f"(SELECT {s}.sm_client()))"
    )
    links_read = (
        f"{client} AND ({wide} OR EXISTS (SELECT 1 FROM {s}.event_session x "
        "WHERE x.id = {t}.session_id))"
    )
    people_read = (
        f"{client} AND ({wide} OR EXISTS (SELECT 1 FROM {s}.{{link}} l WHERE l.{{col}} = {{t}}.id))"
    )
    out: list[tuple[str, str, str, str | None, str | None]] = [
        ("alembic_version", "sm_read", "SELECT", "true", None),
        ("store_info", "sm_read", "SELECT", "true", None),
        ("client", "sm_read", "SELECT", f"id = (SELECT {s}.sm_client())", None),
        (
            "audience",
            "sm_read",
            "SELECT",
            f"{client} AND ({wide} OR {any_of('id', 'sm_audiences()')})",
            None,
        ),
        ("app_user", "sm_read", "SELECT", f"id = {me}", None),
        ("user_grant", "sm_read", "SELECT", f"user_id = {me}", None),
        (
            "event",
            "sm_read",
            "SELECT",
            f"{client} AND ({wide} OR {any_of('id', 'sm_events(false)')})",
            None,
        ),
        (
            "community",
            "sm_read",
            "SELECT",
            f"{client} AND ({wide} OR {any_of('id', 'sm_communities(false)')} "
            f"OR {any_of('id', 'sm_record_communities()')})",
            None,
        ),
        (
            "speaker",
            "sm_read",
            "SELECT",
            people_read.format(link="session_speaker", col="speaker_id", t="speaker"),
            None,
        ),
        (
            "partner",
            "sm_read",
            "SELECT",
            people_read.format(link="session_partner", col="partner_id", t="partner"),
            None,
        ),
        ("event_session", "sm_read", "SELECT", session_read, None),
        # SELECT ... FOR UPDATE is checked against the UPDATE policy: its USING is the
        # read reach, so a reader locks what they read and the CLI says "not allowed"
        # (exit 3), not "not found". Only a client admin's migration hides a session
        # (R6), once its video exists.
        (
            "event_session",
            "sm_hide",
            "UPDATE",
            session_read,
            f"{client} AND NOT is_public AND {migrator} AND EXISTS (SELECT 1 FROM "
            f"{s}.community_video v WHERE v.source_session_id = event_session.id)",
        ),
        (
            "event_session",
            "sm_delete",
            "DELETE",
            f"{client} AND ({wide_edit} OR {edit_events})",
            None,
        ),
        ("session_speaker", "sm_read", "SELECT", links_read.format(t="session_speaker"), None),
        ("session_partner", "sm_read", "SELECT", links_read.format(t="session_partner"), None),
        ("deleted_session", "sm_read", "SELECT", session_read, None),
        (
            "deleted_session",
            "sm_insert",
            "INSERT",
            None,
            f"{client} AND ({wide_edit} OR {edit_events}) AND deleted_by_user_id = {me} "
            f"AND EXISTS (SELECT 1 FROM {s}.event_session x WHERE x.id = "
            "deleted_session.session_id AND x.event_id = deleted_session.event_id "
            "AND x.client_id = deleted_session.client_id AND x.title = deleted_session.title)",
        ),
        ("community_video", "sm_read", "SELECT", video_read, None),
        # R5 + R7: a client admin's migration makes a draft copy of a session of the
        # client, of that very session's content.
        (
            "community_video",
            "sm_insert",
            "INSERT",
            None,
            f"{migrator} AND {client} AND status = 'draft' AND EXISTS (SELECT 1 FROM "
            f"{s}.event_session x JOIN {s}.event e ON e.id = x.event_id "
            "WHERE x.id = community_video.source_session_id "
            "AND x.client_id = community_video.client_id "
            "AND e.id = community_video.source_event_id "
            "AND e.name = community_video.source_event_name "
            "AND x.title = community_video.title AND x.summary = community_video.summary "
            "AND x.source_kind = community_video.source_kind "
            "AND x.source_ref = community_video.source_ref "
            "AND x.thumbnail IS NOT DISTINCT FROM community_video.thumbnail)",
        ),
        (
            "community_video",
            "sm_status",
            "UPDATE",
            video_read,
            f"{client} AND ({wide_edit} OR {edit_communities})",
        ),
        ("video_speaker", "sm_read", "SELECT", copies_read.format(s=s, t="video_speaker"), None),
        ("video_speaker", "sm_insert", "INSERT", None, copies_write.format(t="video_speaker")),
        ("video_partner", "sm_read", "SELECT", copies_read.format(s=s, t="video_partner"), None),
        ("video_partner", "sm_insert", "INSERT", None, copies_write.format(t="video_partner")),
        (
            "migration_record",
            "sm_read",
            "SELECT",
            f"{client} AND ({wide} OR {events} OR {communities})",
            None,
        ),
        # R1, R11: a client admin records their own migration of a session of the
        # client, into the video made of it, under the names the store holds (each
        # compared with an InitPlan: a per-row look-up tripled a 10,000-session batch).
        (
            "migration_record",
            "sm_insert",
            "INSERT",
            None,
            f"{migrator} AND {client} AND actor_user_id = {me} "
            f"AND actor_email = (SELECT m.email FROM {s}.sm_me() m) "
            f"AND actor_email_key = (SELECT m.email_key FROM {s}.sm_me() m) "
            f"AND actor_name = (SELECT m.name FROM {s}.sm_me() m) AND EXISTS (SELECT 1 FROM "
            f"{s}.community_video v JOIN {s}.event_session x ON x.id = v.source_session_id "
            "WHERE v.id = migration_record.video_id "
            "AND v.source_session_id = migration_record.session_id "
            "AND v.community_id = migration_record.community_id "
            "AND v.client_id = migration_record.client_id "
            "AND x.event_id = migration_record.event_id "
            "AND v.source_event_name = migration_record.event_name "
            "AND x.title = migration_record.session_title)",
        ),
    ]
    return out


# Privileges of the login group, beyond SELECT on every table (rows filtered above).
INSERTS = (
    "deleted_session",
    "community_video",
    "video_speaker",
    "video_partner",
    "migration_record",
)
UPDATES = {"event_session": ("is_public",), "community_video": ("status", "status_changed_at")}
DELETES = ("event_session",)
SEQUENCES = (("community_video", "id"), ("migration_record", "id"))

# Server time and own names, whatever the client sent: BEFORE triggers, active only
# where row-level security applies (a login; the operator's rows are its own business,
# and the tests freeze the operator's clock).
_TRIGGERS = {
    "migration_record": (
        "INSERT",
        """BEGIN
          IF pg_catalog.row_security_active(TG_RELID) THEN
            NEW.migrated_at := pg_catalog.now();
          END IF;
          RETURN NEW;
        END""",
    ),
    "deleted_session": (
        "INSERT",
        """BEGIN
          IF pg_catalog.row_security_active(TG_RELID) THEN
            NEW.deleted_at := pg_catalog.now();
          END IF;
          RETURN NEW;
        END""",
    ),
    "community_video": (
        "INSERT OR UPDATE",
        """BEGIN
          IF pg_catalog.row_security_active(TG_RELID) THEN
            IF TG_OP = 'INSERT' THEN
              NEW.created_at := pg_catalog.now();
              NEW.status_changed_at := NULL;
            ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
              NEW.status_changed_at := pg_catalog.now();
            ELSE
              NEW.status_changed_at := OLD.status_changed_at;
            END IF;
          END IF;
          RETURN NEW;
        END""",
    ),
    # A session deleted by a login leaves its tombstone (`load` must not bring it
    # back), or the delete is refused.
    "event_session": (
        "DELETE",
        """BEGIN
          IF pg_catalog.row_security_active(TG_RELID)
             AND NOT {s}.sm_has_tombstone(OLD.id, OLD.client_id) THEN
            RAISE EXCEPTION 'session % has no tombstone: write it in deleted_session first',
              OLD.id USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN OLD;
        END""",
    ),
}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    s, group = quoted_schema_and_group(bind)

    def run(sql: str) -> None:
        bind.execute(sa.text(sql))

    for signature, (returns, body) in _HELPERS.items():
        run(
            f"CREATE FUNCTION {s}.{signature} RETURNS {returns} LANGUAGE sql STABLE "
            "SECURITY DEFINER SET search_path = pg_catalog, pg_temp "
            f"AS $fn$ {body.format(s=s)} $fn$"
        )
        run(
            f"REVOKE ALL ON FUNCTION {s}.{signature.split('(')[0]}"
            f"({_arg_types(signature)}) FROM PUBLIC"
        )
        run(
            f"GRANT EXECUTE ON FUNCTION {s}.{signature.split('(')[0]}"
            f"({_arg_types(signature)}) TO {group}"
        )
    for table, (events, body) in _TRIGGERS.items():
        run(
            f"CREATE FUNCTION {s}.sm_{table}_guard() RETURNS trigger LANGUAGE plpgsql "
            f"SET search_path = pg_catalog, pg_temp AS $fn$ {body.format(s=s)} $fn$"
        )
        run(
            f"CREATE TRIGGER trg_{table}_row_security BEFORE {events} ON {s}.{table} "
            f"FOR EACH ROW EXECUTE FUNCTION {s}.sm_{table}_guard()"
        )
    run(f"GRANT USAGE ON SCHEMA {s} TO {group}")
    for table in TABLES:
        run(f"ALTER TABLE {s}.{table} ENABLE ROW LEVEL SECURITY")
        run(f"REVOKE ALL ON {s}.{table} FROM PUBLIC")
        run(f"GRANT SELECT ON {s}.{table} TO {group}")
    for table, name, command, using, check in _policies(s):
        sql = f"CREATE POLICY {name} ON {s}.{table} FOR {command}"
        if using is not None:
            sql += f" USING ({using})"
        if check is not None:
            sql += f" WITH CHECK ({check})"
        run(sql)
    for table in INSERTS:
        run(f"GRANT INSERT ON {s}.{table} TO {group}")
    for table, columns in UPDATES.items():
        run(f"GRANT UPDATE ({', '.join(columns)}) ON {s}.{table} TO {group}")
    for table in DELETES:
        run(f"GRANT DELETE ON {s}.{table} TO {group}")
    for table, column in SEQUENCES:
        seq = bind.execute(
            sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": f"{s}.{table}", "c": column}
        ).scalar_one()
        run(f"GRANT USAGE ON SEQUENCE {seq} TO {group}")


def _arg_types(signature: str) -> str:
    inside = signature.split("(", 1)[1].rstrip(")")
    return ", ".join(arg.split()[-1] for arg in inside.split(",") if arg.strip())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    s, group = quoted_schema_and_group(bind)

    def run(sql: str) -> None:
        bind.execute(sa.text(sql))

    for table, name, _command, _using, _check in _policies(s):
        run(f"DROP POLICY IF EXISTS {name} ON {s}.{table}")
    run(f"REVOKE ALL ON SCHEMA {s} FROM {group}")
    for table in TABLES:
        run(f"ALTER TABLE {s}.{table} DISABLE ROW LEVEL SECURITY")
        run(f"REVOKE ALL ON {s}.{table} FROM {group}")
    for table, column in SEQUENCES:
        seq = bind.execute(
            sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": f"{s}.{table}", "c": column}
        ).scalar_one()
        run(f"REVOKE ALL ON SEQUENCE {seq} FROM {group}")
    for table in _TRIGGERS:
        run(f"DROP TRIGGER IF EXISTS trg_{table}_row_security ON {s}.{table}")
        run(f"DROP FUNCTION IF EXISTS {s}.sm_{table}_guard()")
    for signature in reversed(list(_HELPERS)):
        run(f"DROP FUNCTION IF EXISTS {s}.{signature.split('(')[0]}({_arg_types(signature)})")
