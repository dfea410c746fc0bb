"""sm_migrate_videos: a linked client admin's videos and their copies, in one call

Revision ID: 0007_migrate_videos
Revises: 0006_row_security
Create Date: 2026-12-03

PostgreSQL only. Issue 11's benchmark P7 measured a linked login's 100,000-session
migration at 1.35x the operator's, nearly all of it in the first three writes: the
drafts (community_video) and their copies of the sessions' speakers and partners.
Under row-level security each row paid its `WITH CHECK` look-up, and the copies read
the videos just inserted back through the policies' filter, where (no statistics yet)
the planner took a 100,000-row batch for a few rows and joined it by nested loops.

`sm_migrate_videos(community, sessions)` makes those writes for the login, as one
statement planned like the operator's (a data-modifying CTE whose copies join the
INSERT's RETURNING rows), and returns (session, video) for each draft made. It is
SECURITY DEFINER, so it answers for what it writes, and writes less than the policies
of 0006 allow:

- only for a client administrator (`sm_can_migrate`, R1), else SQLSTATE 42501;
- only sessions of the login's own client, online with a video file or an iFrame URL
  (R4), into a community of that client; any other id is left out, so the CLI's row
  count check refuses the batch (exit 3); a session already moved is refused by the
  unique source_session_id (R9), as for the operator;
- every value comes from the store: the draft carries the session's title, summary,
  video, thumbnail and its event's id and name (R5, R7), created at the server's
  `now()`; the copies are the session's own speakers and partners (the 0006 policy on
  the copies asked only that the video be the client's).

The hidden session and the migration record stay the login's own statements, under
0006's policies. The operator (no row-level security) keeps its statements;
store/migrate.py calls the function only where row-level security is active. The
function reads as the schema's owner, with the pinned `search_path` and
schema-qualified names of 0006's helpers; EXECUTE is the store's login group's only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sessionmig.store.identity import quoted_schema_and_group

revision: str = "0007_migrate_videos"
down_revision: str | None = "0006_row_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNATURE = "sm_migrate_videos(p_community bigint, p_sessions bigint[])"
ARGS = "bigint, bigint[]"

# Output columns named so that no table's column is shadowed by a PL/pgSQL variable.
_BODY = """
BEGIN
  IF NOT coalesce({s}.sm_can_migrate(), false) THEN
    RAISE EXCEPTION 'only a client administrator may migrate sessions'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN QUERY
  WITH me AS (SELECT {s}.sm_client() AS client_id),
  made AS (
    INSERT INTO {s}.community_video (client_id, community_id, status, title, summary,
        source_kind, source_ref, thumbnail, source_event_id, source_event_name,
        source_session_id, created_at)
    SELECT x.client_id, c.id, 'draft', x.title, x.summary, x.source_kind, x.source_ref,
        x.thumbnail, e.id, e.name, x.id, pg_catalog.now()
    FROM {s}.event_session x
    JOIN me ON me.client_id = x.client_id
    JOIN {s}.event e ON e.id = x.event_id AND e.client_id = x.client_id
    JOIN {s}.community c ON c.id = p_community AND c.client_id = x.client_id
    WHERE x.id = ANY (p_sessions)
      AND x.format = 'online' AND x.source_kind IN ('video_file', 'url')
    RETURNING id, source_session_id
  ),
  speakers AS (
    INSERT INTO {s}.video_speaker (video_id, position, speaker_id, name, company)
    SELECT made.id, ss.position, sp.id, sp.name, sp.company
    FROM made
    JOIN {s}.session_speaker ss ON ss.session_id = made.source_session_id
    JOIN {s}.speaker sp ON sp.id = ss.speaker_id
  ),
  partners AS (
    INSERT INTO {s}.video_partner (video_id, position, partner_id, name)
    SELECT made.id, sl.position, pa.id, pa.name
    FROM made
    JOIN {s}.session_partner sl ON sl.session_id = made.source_session_id
    JOIN {s}.partner pa ON pa.id = sl.partner_id
  )
  SELECT made.source_session_id, made.id FROM made;
END
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    s, group = quoted_schema_and_group(bind)
    bind.execute(
        sa.text(
            f"CREATE FUNCTION {s}.{SIGNATURE} "
            "RETURNS TABLE (made_session bigint, made_video bigint) LANGUAGE plpgsql "
            "VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp "
            f"AS $fn$ {_BODY.format(s=s)} $fn$"
        )
    )
    bind.execute(sa.text(f"REVOKE ALL ON FUNCTION {s}.sm_migrate_videos({ARGS}) FROM PUBLIC"))
    bind.execute(sa.text(f"GRANT EXECUTE ON FUNCTION {s}.sm_migrate_videos({ARGS}) TO {group}"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    s, _group = quoted_schema_and_group(bind)
    bind.execute(sa.text(f"DROP FUNCTION IF EXISTS {s}.sm_migrate_videos({ARGS})"))
