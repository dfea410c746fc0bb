"""Core `Table` handles of the schema: generated from models.py by
`python -m sessionmig.store.codegen`, do not edit.

The SQLModel models in models.py are the one declaration of the schema (Alembic reads
them); change a table there, then run the command above. Commands run on these plain
SQLAlchemy tables so that none imports SQLModel at start-up (benchmarks/run.py, P4).
tests/test_schema.py fails when this file is not what the generator writes, and proves
that both definitions match the migrated schema (alembic compare_metadata) on SQLite and
PostgreSQL. Constraint and index names are final (`conv`): the naming convention below
is not applied to them again.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.schema import conv

from sessionmig.store.sqltypes import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

client = Table(
    "client",
    metadata,
    Column("id", BigInteger(), nullable=False, autoincrement=False),
    Column("name", String(length=500), nullable=False),
    PrimaryKeyConstraint("id", name=conv("pk_client")),
)

audience = Table(
    "audience",
    metadata,
    Column("id", BigInteger(), nullable=False, autoincrement=False),
    Column("client_id", BigInteger(), nullable=False),
    Column("name", String(length=500), nullable=False),
    PrimaryKeyConstraint("id", name=conv("pk_audience")),
    ForeignKeyConstraint(["client_id"], ["client.id"], name=conv("fk_audience_client_id_client")),
    UniqueConstraint("id", "client_id", name=conv("uq_audience_id_client_id")),
)

app_user = Table(
    "app_user",
    metadata,
    Column("id", BigInteger(), nullable=False, autoincrement=False),
    Column("client_id", BigInteger(), nullable=False),
    Column("email", String(length=500), nullable=False),
    Column("email_key", String(length=500), nullable=False),
    Column("name", String(length=500), nullable=False),
    Column("login_role", Text(), nullable=True),
    Column("login_oid", BigInteger(), nullable=True),
    PrimaryKeyConstraint("id", name=conv("pk_app_user")),
    ForeignKeyConstraint(["client_id"], ["client.id"], name=conv("fk_app_user_client_id_client")),
    UniqueConstraint("email", name=conv("uq_app_user_email")),
    UniqueConstraint("id", "client_id", name=conv("uq_app_user_id_client_id")),
    Index(conv("ix_app_user_client_id"), "client_id"),
    Index(conv("ix_app_user_email_key"), "email_key", unique=True),
    Index(conv("ix_app_user_login_role"), "login_role", unique=True),
)

user_grant = Table(
    "user_grant",
    metadata,
    Column("id", Integer(), nullable=False),
    Column("user_id", BigInteger(), nullable=False),
    Column("role", String(length=20), nullable=False),
    Column("scope", String(length=20), nullable=False),
    Column("scope_id", BigInteger(), nullable=True),
    PrimaryKeyConstraint("id", name=conv("pk_user_grant")),
    ForeignKeyConstraint(
        ["user_id"],
        ["app_user.id"],
        name=conv("fk_user_grant_user_id_app_user"),
        ondelete="CASCADE",
    ),
    CheckConstraint("role IN ('admin', 'contributor', 'reader')", name=conv("ck_user_grant_role")),
    CheckConstraint(
        "scope IN ('client', 'audience', 'event', 'community')",
        name=conv("ck_user_grant_scope"),
    ),
    CheckConstraint(
        "(scope = 'client' AND scope_id IS NULL) OR (scope <> 'client' AND scope_id IS NOT NULL)",
        name=conv("ck_user_grant_scope_id"),
    ),
    Index(conv("ix_user_grant_user_id"), "user_id"),
)

event = Table(
    "event",
    metadata,
    Column("id", BigInteger(), nullable=False, autoincrement=False),
    Column("client_id", BigInteger(), nullable=False),
    Column("audience_id", BigInteger(), nullable=False),
    Column("name", String(length=500), nullable=False),
    Column("starts_on", Date(), nullable=False),
    Column("ends_on", Date(), nullable=False),
    PrimaryKeyConstraint("id", name=conv("pk_event")),
    ForeignKeyConstraint(
        ["audience_id", "client_id"],
        ["audience.id", "audience.client_id"],
        name=conv("fk_event_audience_id_client_id_audience"),
    ),
    UniqueConstraint("id", "client_id", name=conv("uq_event_id_client_id")),
    CheckConstraint("ends_on >= starts_on", name=conv("ck_event_dates")),
    Index(conv("ix_event_client_audience"), "client_id", "audience_id"),
)

community = Table(
    "community",
    metadata,
    Column("id", BigInteger(), nullable=False, autoincrement=False),
    Column("client_id", BigInteger(), nullable=False),
    Column("audience_id", BigInteger(), nullable=False),
    Column("title", String(length=500), nullable=False),
    PrimaryKeyConstraint("id", name=conv("pk_community")),
    ForeignKeyConstraint(
        ["audience_id", "client_id"],
        ["audience.id", "audience.client_id"],
        name=conv("fk_community_audience_id_client_id_audience"),
    ),
    UniqueConstraint("id", "client_id", name=conv("uq_community_id_client_id")),
    Index(conv("ix_community_client_audience"), "client_id", "audience_id"),
)

speaker = Table(
    "speaker",
    metadata,
    Column("id", BigInteger(), nullable=False, autoincrement=False),
    Column("client_id", BigInteger(), nullable=False),
    Column("name", String(length=500), nullable=False),
    Column("company", String(length=500), nullable=True),
    PrimaryKeyConstraint("id", name=conv("pk_speaker")),
    ForeignKeyConstraint(["client_id"], ["client.id"], name=conv("fk_speaker_client_id_client")),
    UniqueConstraint("id", "client_id", name=conv("uq_speaker_id_client_id")),
)

partner = Table(
    "partner",
    metadata,
    Column("id", BigInteger(), nullable=False, autoincrement=False),
    Column("client_id", BigInteger(), nullable=False),
    Column("name", String(length=500), nullable=False),
    PrimaryKeyConstraint("id", name=conv("pk_partner")),
    ForeignKeyConstraint(["client_id"], ["client.id"], name=conv("fk_partner_client_id_client")),
    UniqueConstraint("id", "client_id", name=conv("uq_partner_id_client_id")),
)

session = Table(
    "event_session",
    metadata,
    Column("id", BigInteger(), nullable=False, autoincrement=False),
    Column("client_id", BigInteger(), nullable=False),
    Column("event_id", BigInteger(), nullable=False),
    Column("title", String(length=500), nullable=False),
    Column("summary", Text(), nullable=False),
    Column("format", String(length=20), nullable=False),
    Column("source_kind", String(length=20), nullable=True),
    Column("source_ref", String(length=2048), nullable=True),
    Column("thumbnail", String(length=2048), nullable=True),
    Column("is_public", Boolean(), nullable=False, default=True),
    PrimaryKeyConstraint("id", name=conv("pk_event_session")),
    ForeignKeyConstraint(
        ["event_id", "client_id"],
        ["event.id", "event.client_id"],
        name=conv("fk_event_session_event_id_client_id_event"),
    ),
    UniqueConstraint("id", "client_id", name=conv("uq_event_session_id_client_id")),
    CheckConstraint(
        "format IN ('online', 'in_person', 'hybrid')",
        name=conv("ck_event_session_format"),
    ),
    CheckConstraint(
        "source_kind IS NULL OR source_kind IN ('video_file', 'url', 'live')",
        name=conv("ck_event_session_source_kind"),
    ),
    CheckConstraint(
        "NOT (source_kind IN ('video_file', 'url')) OR source_ref IS NOT NULL",
        name=conv("ck_event_session_source_ref"),
    ),
    Index(conv("ix_event_session_client"), "client_id"),
    Index(conv("ix_event_session_eligibility"), "event_id", "format", "source_kind"),
)

session_speaker = Table(
    "session_speaker",
    metadata,
    Column("session_id", BigInteger(), nullable=False, autoincrement=False),
    Column("speaker_id", BigInteger(), nullable=False, autoincrement=False),
    Column("client_id", BigInteger(), nullable=False),
    Column("position", Integer(), nullable=False, default=0),
    PrimaryKeyConstraint("session_id", "speaker_id", name=conv("pk_session_speaker")),
    ForeignKeyConstraint(
        ["session_id", "client_id"],
        ["event_session.id", "event_session.client_id"],
        name=conv("fk_session_speaker_session_id_client_id_event_session"),
        ondelete="CASCADE",
    ),
    ForeignKeyConstraint(
        ["speaker_id", "client_id"],
        ["speaker.id", "speaker.client_id"],
        name=conv("fk_session_speaker_speaker_id_client_id_speaker"),
    ),
    Index(conv("ix_session_speaker_speaker"), "speaker_id"),
)

session_partner = Table(
    "session_partner",
    metadata,
    Column("session_id", BigInteger(), nullable=False, autoincrement=False),
    Column("partner_id", BigInteger(), nullable=False, autoincrement=False),
    Column("client_id", BigInteger(), nullable=False),
    Column("position", Integer(), nullable=False, default=0),
    PrimaryKeyConstraint("session_id", "partner_id", name=conv("pk_session_partner")),
    ForeignKeyConstraint(
        ["partner_id", "client_id"],
        ["partner.id", "partner.client_id"],
        name=conv("fk_session_partner_partner_id_client_id_partner"),
    ),
    ForeignKeyConstraint(
        ["session_id", "client_id"],
        ["event_session.id", "event_session.client_id"],
        name=conv("fk_session_partner_session_id_client_id_event_session"),
        ondelete="CASCADE",
    ),
    Index(conv("ix_session_partner_partner"), "partner_id"),
)

deleted_session = Table(
    "deleted_session",
    metadata,
    Column("session_id", BigInteger(), nullable=False, autoincrement=False),
    Column("client_id", BigInteger(), nullable=False),
    Column("event_id", BigInteger(), nullable=False),
    Column("title", String(length=500), nullable=False),
    Column("deleted_by_user_id", BigInteger(), nullable=False),
    Column("deleted_at", UTCDateTime(), nullable=False),
    Column("login", Text(), nullable=True),
    PrimaryKeyConstraint("session_id", name=conv("pk_deleted_session")),
    ForeignKeyConstraint(
        ["client_id"],
        ["client.id"],
        name=conv("fk_deleted_session_client_id_client"),
    ),
)

video = Table(
    "community_video",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), nullable=False),
    Column("client_id", BigInteger(), nullable=False),
    Column("community_id", BigInteger(), nullable=False),
    Column("status", String(length=20), nullable=False, default="draft"),
    Column("title", String(length=500), nullable=False),
    Column("summary", Text(), nullable=False),
    Column("source_kind", String(length=20), nullable=False),
    Column("source_ref", String(length=2048), nullable=False),
    Column("thumbnail", String(length=2048), nullable=True),
    Column("source_event_id", BigInteger(), nullable=False),
    Column("source_event_name", String(length=500), nullable=False),
    Column("source_session_id", BigInteger(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("status_changed_at", UTCDateTime(), nullable=True),
    PrimaryKeyConstraint("id", name=conv("pk_community_video")),
    ForeignKeyConstraint(
        ["community_id", "client_id"],
        ["community.id", "community.client_id"],
        name=conv("fk_community_video_community_id_client_id_community"),
    ),
    UniqueConstraint("source_session_id", name=conv("uq_community_video_source_session_id")),
    CheckConstraint(
        "source_kind IN ('video_file', 'url')",
        name=conv("ck_community_video_source_kind"),
    ),
    CheckConstraint("status IN ('draft', 'published')", name=conv("ck_community_video_status")),
    Index(conv("ix_community_video_client"), "client_id"),
    Index(conv("ix_community_video_community_status"), "community_id", "status"),
)

video_speaker = Table(
    "video_speaker",
    metadata,
    Column(
        "video_id",
        BigInteger().with_variant(Integer(), "sqlite"),
        nullable=False,
        autoincrement=False,
    ),
    Column("position", Integer(), nullable=False, autoincrement=False),
    Column("speaker_id", BigInteger(), nullable=False),
    Column("name", String(length=500), nullable=False),
    Column("company", String(length=500), nullable=True),
    PrimaryKeyConstraint("video_id", "position", name=conv("pk_video_speaker")),
    ForeignKeyConstraint(
        ["video_id"],
        ["community_video.id"],
        name=conv("fk_video_speaker_video_id_community_video"),
        ondelete="CASCADE",
    ),
)

video_partner = Table(
    "video_partner",
    metadata,
    Column(
        "video_id",
        BigInteger().with_variant(Integer(), "sqlite"),
        nullable=False,
        autoincrement=False,
    ),
    Column("position", Integer(), nullable=False, autoincrement=False),
    Column("partner_id", BigInteger(), nullable=False),
    Column("name", String(length=500), nullable=False),
    PrimaryKeyConstraint("video_id", "position", name=conv("pk_video_partner")),
    ForeignKeyConstraint(
        ["video_id"],
        ["community_video.id"],
        name=conv("fk_video_partner_video_id_community_video"),
        ondelete="CASCADE",
    ),
)

record = Table(
    "migration_record",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), nullable=False),
    Column("client_id", BigInteger(), nullable=False),
    Column("session_id", BigInteger(), nullable=False),
    Column("session_title", String(length=500), nullable=False),
    Column("event_id", BigInteger(), nullable=False),
    Column("event_name", String(length=500), nullable=False),
    Column("community_id", BigInteger(), nullable=False),
    Column("video_id", BigInteger().with_variant(Integer(), "sqlite"), nullable=False),
    Column("actor_user_id", BigInteger(), nullable=False),
    Column("actor_email", String(length=500), nullable=False),
    Column("actor_email_key", String(length=500), nullable=False),
    Column("actor_name", String(length=500), nullable=False),
    Column("migrated_at", UTCDateTime(), nullable=False),
    Column("login", Text(), nullable=True),
    PrimaryKeyConstraint("id", name=conv("pk_migration_record")),
    ForeignKeyConstraint(
        ["actor_user_id", "client_id"],
        ["app_user.id", "app_user.client_id"],
        name=conv("fk_migration_record_actor_user_id_client_id_app_user"),
    ),
    ForeignKeyConstraint(
        ["community_id", "client_id"],
        ["community.id", "community.client_id"],
        name=conv("fk_migration_record_community_id_client_id_community"),
    ),
    ForeignKeyConstraint(
        ["video_id"],
        ["community_video.id"],
        name=conv("fk_migration_record_video_id_community_video"),
    ),
    UniqueConstraint("session_id", name=conv("uq_migration_record_session_id")),
    UniqueConstraint("video_id", name=conv("uq_migration_record_video_id")),
    Index(conv("ix_migration_record_actor"), "client_id", "actor_email_key"),
    Index(conv("ix_migration_record_client_time"), "client_id", "migrated_at"),
    Index(conv("ix_migration_record_community"), "community_id"),
    Index(conv("ix_migration_record_event"), "event_id"),
)

store_info = Table(
    "store_info",
    metadata,
    Column("singleton", Integer(), nullable=False, autoincrement=False),
    Column("id", String(length=36), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("singleton", name=conv("pk_store_info")),
    CheckConstraint("singleton = 1", name=conv("ck_store_info_one_row")),
)
