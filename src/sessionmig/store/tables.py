"""Core `Table` handles for set-based statements: plain SQLAlchemy, no SQLModel import.

Every command runs on these: importing SQLModel and building its 16 table models costs
~250 ms of start-up per command (benchmarks/run.py, P4). The SQLModel models of
models.py stay the schema's source for Alembic; tests/test_schema.py proves that both
definitions match the migrated schema exactly (alembic compare_metadata), on SQLite and
PostgreSQL, so neither can drift.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes, returned in UTC (the same semantics as sqlmodel's UTCDateTime)."""

    impl = DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("Datetime values must have timezone information")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


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
    Column("id", BigInteger(), primary_key=True, autoincrement=False),
    Column("name", String(500), nullable=False),
)

app_user = Table(
    "app_user",
    metadata,
    Column("id", BigInteger(), primary_key=True, autoincrement=False),
    Column("client_id", BigInteger(), ForeignKey("client.id"), nullable=False, index=True),
    Column("email", String(500), nullable=False, unique=True),
    Column("name", String(500), nullable=False),
    UniqueConstraint("id", "client_id"),
)

audience = Table(
    "audience",
    metadata,
    Column("id", BigInteger(), primary_key=True, autoincrement=False),
    Column("client_id", BigInteger(), ForeignKey("client.id"), nullable=False),
    Column("name", String(500), nullable=False),
    UniqueConstraint("id", "client_id"),
)

deleted_session = Table(
    "deleted_session",
    metadata,
    Column("session_id", BigInteger(), primary_key=True, autoincrement=False),
    Column("client_id", BigInteger(), ForeignKey("client.id"), nullable=False),
    Column("event_id", BigInteger(), nullable=False),
    Column("title", String(500), nullable=False),
    Column("deleted_by_user_id", BigInteger(), nullable=False),
    Column("deleted_at", UTCDateTime(), nullable=False),
)

partner = Table(
    "partner",
    metadata,
    Column("id", BigInteger(), primary_key=True, autoincrement=False),
    Column("client_id", BigInteger(), ForeignKey("client.id"), nullable=False),
    Column("name", String(500), nullable=False),
    UniqueConstraint("id", "client_id"),
)

speaker = Table(
    "speaker",
    metadata,
    Column("id", BigInteger(), primary_key=True, autoincrement=False),
    Column("client_id", BigInteger(), ForeignKey("client.id"), nullable=False),
    Column("name", String(500), nullable=False),
    Column("company", String(500), nullable=True),
    UniqueConstraint("id", "client_id"),
)

community = Table(
    "community",
    metadata,
    Column("id", BigInteger(), primary_key=True, autoincrement=False),
    Column("client_id", BigInteger(), nullable=False),
    Column("audience_id", BigInteger(), nullable=False),
    Column("title", String(500), nullable=False),
    ForeignKeyConstraint(["audience_id", "client_id"], ["audience.id", "audience.client_id"]),
    UniqueConstraint("id", "client_id"),
    Index("ix_community_client_audience", "client_id", "audience_id"),
)

event = Table(
    "event",
    metadata,
    Column("id", BigInteger(), primary_key=True, autoincrement=False),
    Column("client_id", BigInteger(), nullable=False),
    Column("audience_id", BigInteger(), nullable=False),
    Column("name", String(500), nullable=False),
    Column("starts_on", Date(), nullable=False),
    Column("ends_on", Date(), nullable=False),
    ForeignKeyConstraint(["audience_id", "client_id"], ["audience.id", "audience.client_id"]),
    UniqueConstraint("id", "client_id"),
    CheckConstraint("ends_on >= starts_on", name="dates"),
    Index("ix_event_client_audience", "client_id", "audience_id"),
)

user_grant = Table(
    "user_grant",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column(
        "user_id",
        BigInteger(),
        ForeignKey("app_user.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("role", String(20), nullable=False),
    Column("scope", String(20), nullable=False),
    Column("scope_id", BigInteger(), nullable=True),
    CheckConstraint("role IN ('admin', 'contributor', 'reader')", name="role"),
    CheckConstraint(
        "(scope = 'client' AND scope_id IS NULL) OR (scope <> 'client' AND scope_id IS NOT NULL)",
        name="scope_id",
    ),
    CheckConstraint("scope IN ('client', 'audience', 'event', 'community')", name="scope"),
)

video = Table(
    "community_video",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("client_id", BigInteger(), nullable=False),
    Column("community_id", BigInteger(), nullable=False),
    Column("status", String(20), nullable=False, default="draft"),
    Column("title", String(500), nullable=False),
    Column("summary", Text(), nullable=False),
    Column("source_kind", String(20), nullable=False),
    Column("source_ref", String(2048), nullable=False),
    Column("thumbnail", String(2048), nullable=True),
    Column("source_event_id", BigInteger(), nullable=False),
    Column("source_event_name", String(500), nullable=False),
    Column("source_session_id", BigInteger(), nullable=True, unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("status_changed_at", UTCDateTime(), nullable=True),
    CheckConstraint("source_kind IN ('video_file', 'url')", name="source_kind"),
    ForeignKeyConstraint(["community_id", "client_id"], ["community.id", "community.client_id"]),
    CheckConstraint("status IN ('draft', 'published')", name="status"),
    Index("ix_community_video_community_status", "community_id", "status"),
    Index("ix_community_video_client", "client_id"),
)

session = Table(
    "event_session",
    metadata,
    Column("id", BigInteger(), primary_key=True, autoincrement=False),
    Column("client_id", BigInteger(), nullable=False),
    Column("event_id", BigInteger(), nullable=False),
    Column("title", String(500), nullable=False),
    Column("summary", Text(), nullable=False),
    Column("format", String(20), nullable=False),
    Column("source_kind", String(20), nullable=True),
    Column("source_ref", String(2048), nullable=True),
    Column("thumbnail", String(2048), nullable=True),
    Column("is_public", Boolean(), nullable=False, default=True),
    UniqueConstraint("id", "client_id"),
    CheckConstraint(
        "NOT (source_kind IN ('video_file', 'url')) OR source_ref IS NOT NULL", name="source_ref"
    ),
    CheckConstraint(
        "source_kind IS NULL OR source_kind IN ('video_file', 'url', 'live')", name="source_kind"
    ),
    CheckConstraint("format IN ('online', 'in_person', 'hybrid')", name="format"),
    ForeignKeyConstraint(["event_id", "client_id"], ["event.id", "event.client_id"]),
    Index("ix_event_session_client", "client_id"),
    Index("ix_event_session_eligibility", "event_id", "format", "source_kind"),
)

record = Table(
    "migration_record",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("client_id", BigInteger(), nullable=False),
    Column("session_id", BigInteger(), nullable=False, unique=True),
    Column("session_title", String(500), nullable=False),
    Column("event_id", BigInteger(), nullable=False),
    Column("event_name", String(500), nullable=False),
    Column("community_id", BigInteger(), nullable=False),
    Column(
        "video_id",
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("community_video.id"),
        nullable=False,
        unique=True,
    ),
    Column("actor_user_id", BigInteger(), nullable=False),
    Column("actor_email", String(500), nullable=False),
    Column("actor_name", String(500), nullable=False),
    Column("migrated_at", UTCDateTime(), nullable=False),
    ForeignKeyConstraint(["actor_user_id", "client_id"], ["app_user.id", "app_user.client_id"]),
    ForeignKeyConstraint(["community_id", "client_id"], ["community.id", "community.client_id"]),
    Index("ix_migration_record_client_time", "client_id", "migrated_at"),
    Index("ix_migration_record_community", "community_id"),
    Index("ix_migration_record_event", "event_id"),
)

session_partner = Table(
    "session_partner",
    metadata,
    Column("session_id", BigInteger(), primary_key=True, autoincrement=False),
    Column("partner_id", BigInteger(), primary_key=True, autoincrement=False),
    Column("client_id", BigInteger(), nullable=False),
    Column("position", Integer(), nullable=False, default=0),
    ForeignKeyConstraint(
        ["session_id", "client_id"],
        ["event_session.id", "event_session.client_id"],
        ondelete="CASCADE",
    ),
    ForeignKeyConstraint(["partner_id", "client_id"], ["partner.id", "partner.client_id"]),
    Index("ix_session_partner_partner", "partner_id"),
)

session_speaker = Table(
    "session_speaker",
    metadata,
    Column("session_id", BigInteger(), primary_key=True, autoincrement=False),
    Column("speaker_id", BigInteger(), primary_key=True, autoincrement=False),
    Column("client_id", BigInteger(), nullable=False),
    Column("position", Integer(), nullable=False, default=0),
    ForeignKeyConstraint(["speaker_id", "client_id"], ["speaker.id", "speaker.client_id"]),
    ForeignKeyConstraint(
        ["session_id", "client_id"],
        ["event_session.id", "event_session.client_id"],
        ondelete="CASCADE",
    ),
    Index("ix_session_speaker_speaker", "speaker_id"),
)

video_partner = Table(
    "video_partner",
    metadata,
    Column(
        "video_id",
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("community_video.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("position", Integer(), primary_key=True, autoincrement=False),
    Column("partner_id", BigInteger(), nullable=False),
    Column("name", String(500), nullable=False),
)

video_speaker = Table(
    "video_speaker",
    metadata,
    Column(
        "video_id",
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("community_video.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("position", Integer(), primary_key=True, autoincrement=False),
    Column("speaker_id", BigInteger(), nullable=False),
    Column("name", String(500), nullable=False),
    Column("company", String(500), nullable=True),
)
