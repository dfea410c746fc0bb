"""The whole domain as SQLModel tables: the one place the schema is declared.

Integrity lives in the schema: composite foreign keys `(x_id, client_id)` make a
link across clients impossible, CHECK constraints pin the enumerations, and a
UNIQUE migration record per session makes "at most once" (R9) a database fact.

Alembic owns the schema (see `migrations/`) and reads these models. Commands run on
plain SQLAlchemy Core tables instead (no SQLModel import at start-up): tables.py,
generated from this file. To add a column (or a table, an index, a constraint):

1. edit the model here;
2. run `python -m sessionmig.store.codegen` (rewrites tables.py; tests/test_schema.py
   fails while it is stale);
3. add the Alembic revision that brings existing stores along, in
   `migrations/versions/`, and set `engine.SCHEMA_HEAD` to it (schema history, not a
   second declaration: tests/test_schema.py checks the migrated schema against both).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

FORMATS = ("online", "in_person", "hybrid")
SOURCE_KINDS = ("video_file", "url", "live")
RECORDED_KINDS = ("video_file", "url")
VIDEO_STATUSES = ("draft", "published")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _platform_id() -> Column[int]:
    """Ids come from the platform's export and are kept as they are."""
    return Column(BigInteger, primary_key=True, autoincrement=False)


class Client(SQLModel, table=True):
    __tablename__ = "client"
    id: int = Field(sa_column=_platform_id())
    name: str = Field(max_length=500)


class Audience(SQLModel, table=True):
    __tablename__ = "audience"
    __table_args__ = (UniqueConstraint("id", "client_id"),)
    id: int = Field(sa_column=_platform_id())
    client_id: int = Field(sa_column=Column(BigInteger, ForeignKey("client.id"), nullable=False))
    name: str = Field(max_length=500)


class AppUser(SQLModel, table=True):
    __tablename__ = "app_user"
    __table_args__ = (
        UniqueConstraint("id", "client_id"),
        # One user per address as compared everywhere (emails.email_key, both backends).
        Index("ix_app_user_email_key", "email_key", unique=True),
        # A role is linked to at most one user (an index: SQLite adds it in place).
        Index("ix_app_user_login_role", "login_role", unique=True),
    )
    id: int = Field(sa_column=_platform_id())
    client_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("client.id"), nullable=False, index=True)
    )
    email: str = Field(max_length=500, unique=True)
    email_key: str = Field(max_length=500)
    name: str = Field(max_length=500)
    # The PostgreSQL role linked to this user (`logins link`): its name and its OID. A
    # role dropped and re-created under the same name has another OID, so it is not
    # silently the same person (store/identity.py compares both).
    login_role: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    login_oid: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class UserGrant(SQLModel, table=True):
    __tablename__ = "user_grant"
    __table_args__ = (
        CheckConstraint(_in("role", ("admin", "contributor", "reader")), name="role"),
        CheckConstraint(_in("scope", ("client", "audience", "event", "community")), name="scope"),
        CheckConstraint(
            "(scope = 'client' AND scope_id IS NULL) OR (scope <> 'client' AND scope_id IS NOT NULL)",
            name="scope_id",
        ),
    )
    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    user_id: int = Field(
        sa_column=Column(
            BigInteger, ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    role: str = Field(max_length=20)
    scope: str = Field(max_length=20)
    scope_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class Event(SQLModel, table=True):
    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("id", "client_id"),
        ForeignKeyConstraint(["audience_id", "client_id"], ["audience.id", "audience.client_id"]),
        CheckConstraint("ends_on >= starts_on", name="dates"),
        Index("ix_event_client_audience", "client_id", "audience_id"),
    )
    id: int = Field(sa_column=_platform_id())
    client_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    audience_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    name: str = Field(max_length=500)
    starts_on: date
    ends_on: date


class Community(SQLModel, table=True):
    __tablename__ = "community"
    __table_args__ = (
        UniqueConstraint("id", "client_id"),
        ForeignKeyConstraint(["audience_id", "client_id"], ["audience.id", "audience.client_id"]),
        Index("ix_community_client_audience", "client_id", "audience_id"),
    )
    id: int = Field(sa_column=_platform_id())
    client_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    audience_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    title: str = Field(max_length=500)


class Speaker(SQLModel, table=True):
    __tablename__ = "speaker"
    __table_args__ = (UniqueConstraint("id", "client_id"),)
    id: int = Field(sa_column=_platform_id())
    client_id: int = Field(sa_column=Column(BigInteger, ForeignKey("client.id"), nullable=False))
    name: str = Field(max_length=500)
    company: str | None = Field(default=None, max_length=500)


class Partner(SQLModel, table=True):
    __tablename__ = "partner"
    __table_args__ = (UniqueConstraint("id", "client_id"),)
    id: int = Field(sa_column=_platform_id())
    client_id: int = Field(sa_column=Column(BigInteger, ForeignKey("client.id"), nullable=False))
    name: str = Field(max_length=500)


class EventSession(SQLModel, table=True):
    """A session of an event. `is_public` turns false when it is migrated (R6)."""

    __tablename__ = "event_session"
    __table_args__ = (
        UniqueConstraint("id", "client_id"),
        ForeignKeyConstraint(["event_id", "client_id"], ["event.id", "event.client_id"]),
        CheckConstraint(_in("format", FORMATS), name="format"),
        CheckConstraint(
            f"source_kind IS NULL OR {_in('source_kind', SOURCE_KINDS)}", name="source_kind"
        ),
        CheckConstraint(
            f"NOT ({_in('source_kind', RECORDED_KINDS)}) OR source_ref IS NOT NULL",
            name="source_ref",
        ),
        # The eligibility listing (R4) filters on these within one event.
        Index("ix_event_session_eligibility", "event_id", "format", "source_kind"),
        Index("ix_event_session_client", "client_id"),
    )
    id: int = Field(sa_column=_platform_id())
    client_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    event_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    title: str = Field(max_length=500)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    format: str = Field(max_length=20)
    source_kind: str | None = Field(default=None, max_length=20)
    source_ref: str | None = Field(default=None, max_length=2048)
    thumbnail: str | None = Field(default=None, max_length=2048)
    is_public: bool = Field(default=True)


class SessionSpeaker(SQLModel, table=True):
    __tablename__ = "session_speaker"
    __table_args__ = (
        ForeignKeyConstraint(
            ["session_id", "client_id"],
            ["event_session.id", "event_session.client_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(["speaker_id", "client_id"], ["speaker.id", "speaker.client_id"]),
        Index("ix_session_speaker_speaker", "speaker_id"),
    )
    session_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    speaker_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    client_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    position: int = Field(default=0)


class SessionPartner(SQLModel, table=True):
    __tablename__ = "session_partner"
    __table_args__ = (
        ForeignKeyConstraint(
            ["session_id", "client_id"],
            ["event_session.id", "event_session.client_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(["partner_id", "client_id"], ["partner.id", "partner.client_id"]),
        Index("ix_session_partner_partner", "partner_id"),
    )
    session_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    partner_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    client_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    position: int = Field(default=0)


class DeletedSession(SQLModel, table=True):
    """A tombstone: a session deleted with `sessions delete` stays deleted on re-load."""

    __tablename__ = "deleted_session"
    session_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    client_id: int = Field(sa_column=Column(BigInteger, ForeignKey("client.id"), nullable=False))
    event_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    title: str = Field(max_length=500)
    deleted_by_user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    deleted_at: datetime
    # Who was logged in: on PostgreSQL set by a trigger to session_user (revision
    # 0005_logins), on SQLite the OS user name; NULL on tombstones older than 0005.
    login: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class CommunityVideo(SQLModel, table=True):
    """A community's copy of a session's content (R5): it owns every carried field,
    so nothing that later happens to the session, its event, speakers or partners
    changes it (R10)."""

    __tablename__ = "community_video"
    __table_args__ = (
        ForeignKeyConstraint(
            ["community_id", "client_id"], ["community.id", "community.client_id"]
        ),
        CheckConstraint(_in("status", VIDEO_STATUSES), name="status"),
        CheckConstraint(_in("source_kind", RECORDED_KINDS), name="source_kind"),
        Index("ix_community_video_community_status", "community_id", "status"),
        Index("ix_community_video_client", "client_id"),
    )
    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    )
    client_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    community_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    status: str = Field(default="draft", max_length=20)
    title: str = Field(max_length=500)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    source_kind: str = Field(max_length=20)
    source_ref: str = Field(max_length=2048)
    thumbnail: str | None = Field(default=None, max_length=2048)
    source_event_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    source_event_name: str = Field(max_length=500)
    # No foreign key: the session may be deleted later and the video must stay (R10).
    source_session_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True, unique=True)
    )
    created_at: datetime
    status_changed_at: datetime | None = None


class VideoSpeaker(SQLModel, table=True):
    """The video's own copy of a speaker: deleting the speaker keeps it."""

    __tablename__ = "video_speaker"
    video_id: int = Field(
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"),
            ForeignKey("community_video.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    position: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    speaker_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    name: str = Field(max_length=500)
    company: str | None = Field(default=None, max_length=500)


class VideoPartner(SQLModel, table=True):
    __tablename__ = "video_partner"
    video_id: int = Field(
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"),
            ForeignKey("community_video.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    position: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    partner_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    name: str = Field(max_length=500)


class MigrationRecord(SQLModel, table=True):
    """Who moved which session, from which event, to which community, when (R8, R11).

    Append-only (database triggers refuse UPDATE and DELETE). The session and the
    event are remembered by id and by their names at the time, without foreign
    keys, so the record outlives their deletion.
    """

    __tablename__ = "migration_record"
    __table_args__ = (
        ForeignKeyConstraint(
            ["community_id", "client_id"], ["community.id", "community.client_id"]
        ),
        ForeignKeyConstraint(["actor_user_id", "client_id"], ["app_user.id", "app_user.client_id"]),
        Index("ix_migration_record_client_time", "client_id", "migrated_at"),
        Index("ix_migration_record_community", "community_id"),
        Index("ix_migration_record_event", "event_id"),
        Index("ix_migration_record_actor", "client_id", "actor_email_key"),
    )
    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    )
    client_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    # UNIQUE: a session is migrated once, ever (R9), whatever races above.
    session_id: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    session_title: str = Field(max_length=500)
    event_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    event_name: str = Field(max_length=500)
    community_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    video_id: int = Field(
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"),
            ForeignKey("community_video.id"),
            nullable=False,
            unique=True,
        )
    )
    actor_user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    actor_email: str = Field(max_length=500)
    actor_email_key: str = Field(max_length=500)  # emails.email_key(actor_email)
    actor_name: str = Field(max_length=500)
    migrated_at: datetime
    # Who was logged in: on PostgreSQL set by a trigger to session_user, whatever the
    # client sends (revision 0005_logins); on SQLite the OS user name; NULL on records
    # older than 0005.
    login: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class StoreInfo(SQLModel, table=True):
    """The store's identity: one row, made once by `db init` (the Alembic revision
    0003_store_id writes it, for new and existing stores alike). A reviewed migration
    plan names the store it was made on (`migrate --dry-run --plan-out`), and
    `migrate --plan` refuses a plan of another store. A copy of the database (a backup,
    a restore) is the same store and keeps the id.

    `singleton` is always 1 (CHECK): a second row is impossible, so concurrent
    `db init`s cannot give a store two ids.

    Issue 11 (row-level security on PostgreSQL): every login must be able to read this
    table (GRANT SELECT to the login group, no policy needed: it holds no tenant data);
    nobody but the operator writes it.
    """

    __tablename__ = "store_info"
    __table_args__ = (CheckConstraint("singleton = 1", name="one_row"),)
    singleton: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    id: str = Field(max_length=36)
    created_at: datetime
