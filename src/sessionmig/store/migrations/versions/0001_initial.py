"""initial schema

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "client",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sqltypes.AutoString(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client")),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("email", sqltypes.AutoString(length=500), nullable=False),
        sa.Column("name", sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_app_user_client_id_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("email", name=op.f("uq_app_user_email")),
        sa.UniqueConstraint("id", "client_id", name=op.f("uq_app_user_id_client_id")),
    )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_user_client_id"), ["client_id"], unique=False)

    op.create_table(
        "audience",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_audience_client_id_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audience")),
        sa.UniqueConstraint("id", "client_id", name=op.f("uq_audience_id_client_id")),
    )
    op.create_table(
        "deleted_session",
        sa.Column("session_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sqltypes.AutoString(length=500), nullable=False),
        sa.Column("deleted_by_user_id", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_deleted_session_client_id_client")
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_deleted_session")),
    )
    op.create_table(
        "partner",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_partner_client_id_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner")),
        sa.UniqueConstraint("id", "client_id", name=op.f("uq_partner_id_client_id")),
    )
    op.create_table(
        "speaker",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sqltypes.AutoString(length=500), nullable=False),
        sa.Column("company", sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_speaker_client_id_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speaker")),
        sa.UniqueConstraint("id", "client_id", name=op.f("uq_speaker_id_client_id")),
    )
    op.create_table(
        "community",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("audience_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["audience_id", "client_id"],
            ["audience.id", "audience.client_id"],
            name=op.f("fk_community_audience_id_client_id_audience"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community")),
        sa.UniqueConstraint("id", "client_id", name=op.f("uq_community_id_client_id")),
    )
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.create_index(
            "ix_community_client_audience", ["client_id", "audience_id"], unique=False
        )

    op.create_table(
        "event",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("audience_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sqltypes.AutoString(length=500), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_event_dates")),
        sa.ForeignKeyConstraint(
            ["audience_id", "client_id"],
            ["audience.id", "audience.client_id"],
            name=op.f("fk_event_audience_id_client_id_audience"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
        sa.UniqueConstraint("id", "client_id", name=op.f("uq_event_id_client_id")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_client_audience", ["client_id", "audience_id"], unique=False
        )

    op.create_table(
        "user_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sqltypes.AutoString(length=20), nullable=False),
        sa.Column("scope", sqltypes.AutoString(length=20), nullable=False),
        sa.Column("scope_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "(scope = 'client' AND scope_id IS NULL) OR (scope <> 'client' AND scope_id IS NOT NULL)",
            name=op.f("ck_user_grant_scope_id"),
        ),
        sa.CheckConstraint(
            "role IN ('admin', 'contributor', 'reader')", name=op.f("ck_user_grant_role")
        ),
        sa.CheckConstraint(
            "scope IN ('client', 'audience', 'event', 'community')",
            name=op.f("ck_user_grant_scope"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_user_grant_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_grant")),
    )
    with op.batch_alter_table("user_grant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_grant_user_id"), ["user_id"], unique=False)

    op.create_table(
        "community_video",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sqltypes.AutoString(length=20), nullable=False),
        sa.Column("title", sqltypes.AutoString(length=500), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("source_kind", sqltypes.AutoString(length=20), nullable=False),
        sa.Column("source_ref", sqltypes.AutoString(length=2048), nullable=False),
        sa.Column("thumbnail", sqltypes.AutoString(length=2048), nullable=True),
        sa.Column("source_event_id", sa.BigInteger(), nullable=False),
        sa.Column("source_event_name", sqltypes.AutoString(length=500), nullable=False),
        sa.Column("source_session_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("status_changed_at", sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "source_kind IN ('video_file', 'url')", name=op.f("ck_community_video_source_kind")
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'published')", name=op.f("ck_community_video_status")
        ),
        sa.ForeignKeyConstraint(
            ["community_id", "client_id"],
            ["community.id", "community.client_id"],
            name=op.f("fk_community_video_community_id_client_id_community"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_video")),
        sa.UniqueConstraint("source_session_id", name=op.f("uq_community_video_source_session_id")),
    )
    with op.batch_alter_table("community_video", schema=None) as batch_op:
        batch_op.create_index("ix_community_video_client", ["client_id"], unique=False)
        batch_op.create_index(
            "ix_community_video_community_status", ["community_id", "status"], unique=False
        )

    op.create_table(
        "event_session",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sqltypes.AutoString(length=500), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("format", sqltypes.AutoString(length=20), nullable=False),
        sa.Column("source_kind", sqltypes.AutoString(length=20), nullable=True),
        sa.Column("source_ref", sqltypes.AutoString(length=2048), nullable=True),
        sa.Column("thumbnail", sqltypes.AutoString(length=2048), nullable=True),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "NOT (source_kind IN ('video_file', 'url')) OR source_ref IS NOT NULL",
            name=op.f("ck_event_session_source_ref"),
        ),
        sa.CheckConstraint(
            "format IN ('online', 'in_person', 'hybrid')", name=op.f("ck_event_session_format")
        ),
        sa.CheckConstraint(
            "source_kind IS NULL OR source_kind IN ('video_file', 'url', 'live')",
            name=op.f("ck_event_session_source_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id", "client_id"],
            ["event.id", "event.client_id"],
            name=op.f("fk_event_session_event_id_client_id_event"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_session")),
        sa.UniqueConstraint("id", "client_id", name=op.f("uq_event_session_id_client_id")),
    )
    with op.batch_alter_table("event_session", schema=None) as batch_op:
        batch_op.create_index("ix_event_session_client", ["client_id"], unique=False)
        batch_op.create_index(
            "ix_event_session_eligibility", ["event_id", "format", "source_kind"], unique=False
        )

    op.create_table(
        "migration_record",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("session_id", sa.BigInteger(), nullable=False),
        sa.Column("session_title", sqltypes.AutoString(length=500), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("event_name", sqltypes.AutoString(length=500), nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("video_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("actor_user_id", sa.BigInteger(), nullable=False),
        sa.Column("actor_email", sqltypes.AutoString(length=500), nullable=False),
        sa.Column("actor_name", sqltypes.AutoString(length=500), nullable=False),
        sa.Column("migrated_at", sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id", "client_id"],
            ["app_user.id", "app_user.client_id"],
            name=op.f("fk_migration_record_actor_user_id_client_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id", "client_id"],
            ["community.id", "community.client_id"],
            name=op.f("fk_migration_record_community_id_client_id_community"),
        ),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["community_video.id"],
            name=op.f("fk_migration_record_video_id_community_video"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_migration_record")),
        sa.UniqueConstraint("session_id", name=op.f("uq_migration_record_session_id")),
        sa.UniqueConstraint("video_id", name=op.f("uq_migration_record_video_id")),
    )
    with op.batch_alter_table("migration_record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_migration_record_client_time", ["client_id", "migrated_at"], unique=False
        )
        batch_op.create_index("ix_migration_record_community", ["community_id"], unique=False)
        batch_op.create_index("ix_migration_record_event", ["event_id"], unique=False)

    op.create_table(
        "session_partner",
        sa.Column("session_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("partner_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id", "client_id"],
            ["partner.id", "partner.client_id"],
            name=op.f("fk_session_partner_partner_id_client_id_partner"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id", "client_id"],
            ["event_session.id", "event_session.client_id"],
            name=op.f("fk_session_partner_session_id_client_id_event_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "partner_id", name=op.f("pk_session_partner")),
    )
    with op.batch_alter_table("session_partner", schema=None) as batch_op:
        batch_op.create_index("ix_session_partner_partner", ["partner_id"], unique=False)

    op.create_table(
        "session_speaker",
        sa.Column("session_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("speaker_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id", "client_id"],
            ["event_session.id", "event_session.client_id"],
            name=op.f("fk_session_speaker_session_id_client_id_event_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id", "client_id"],
            ["speaker.id", "speaker.client_id"],
            name=op.f("fk_session_speaker_speaker_id_client_id_speaker"),
        ),
        sa.PrimaryKeyConstraint("session_id", "speaker_id", name=op.f("pk_session_speaker")),
    )
    with op.batch_alter_table("session_speaker", schema=None) as batch_op:
        batch_op.create_index("ix_session_speaker_speaker", ["speaker_id"], unique=False)

    op.create_table(
        "video_partner",
        sa.Column(
            "video_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("partner_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["community_video.id"],
            name=op.f("fk_video_partner_video_id_community_video"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("video_id", "position", name=op.f("pk_video_partner")),
    )
    op.create_table(
        "video_speaker",
        sa.Column(
            "video_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("speaker_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sqltypes.AutoString(length=500), nullable=False),
        sa.Column("company", sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["community_video.id"],
            name=op.f("fk_video_speaker_video_id_community_video"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("video_id", "position", name=op.f("pk_video_speaker")),
    )


def downgrade() -> None:

    op.drop_table("video_speaker")
    op.drop_table("video_partner")
    with op.batch_alter_table("session_speaker", schema=None) as batch_op:
        batch_op.drop_index("ix_session_speaker_speaker")

    op.drop_table("session_speaker")
    with op.batch_alter_table("session_partner", schema=None) as batch_op:
        batch_op.drop_index("ix_session_partner_partner")

    op.drop_table("session_partner")
    with op.batch_alter_table("migration_record", schema=None) as batch_op:
        batch_op.drop_index("ix_migration_record_event")
        batch_op.drop_index("ix_migration_record_community")
        batch_op.drop_index("ix_migration_record_client_time")

    op.drop_table("migration_record")
    with op.batch_alter_table("event_session", schema=None) as batch_op:
        batch_op.drop_index("ix_event_session_eligibility")
        batch_op.drop_index("ix_event_session_client")

    op.drop_table("event_session")
    with op.batch_alter_table("community_video", schema=None) as batch_op:
        batch_op.drop_index("ix_community_video_community_status")
        batch_op.drop_index("ix_community_video_client")

    op.drop_table("community_video")
    with op.batch_alter_table("user_grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_grant_user_id"))

    op.drop_table("user_grant")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_client_audience")

    op.drop_table("event")
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.drop_index("ix_community_client_audience")

    op.drop_table("community")
    op.drop_table("speaker")
    op.drop_table("partner")
    op.drop_table("deleted_session")
    op.drop_table("audience")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_user_client_id"))

    op.drop_table("app_user")
    op.drop_table("client")
