"""The JSON documents `sessionmig` prints, declared once as TypedDicts.

These are the definitions `sessionmig schema NAME` turns into JSON Schemas (schemas.py,
through pydantic) and that the commands' JSON is built as (mypy checks the keys and
types of every document a command builds; tests validate every JSON the test suite
prints against its schema). At run time a TypedDict is a plain dict: this module
costs nothing to the commands (typing_extensions is already imported by SQLAlchemy),
and imports no pydantic.

Listing rows are `total=False`: a listing prints every key by default, but a person or
a script may pick some (`--columns`); the schema then still refuses unknown keys.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from typing_extensions import TypedDict

MAX_ID = 2**63 - 1

# ISO 8601 in UTC as the tool prints it (render.iso_utc): 2026-11-23T22:19:37Z.
UTC_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"


class Schema:
    """JSON Schema keywords added to a type's generated schema (pydantic calls
    `__get_pydantic_json_schema__` on `Annotated` metadata; nothing else reads it)."""

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> Any:
        schema = handler(core_schema)
        schema.update(self.keywords)
        return schema

    def __repr__(self) -> str:
        return f"Schema({self.keywords!r})"


Id = Annotated[int, Schema(minimum=1, maximum=MAX_ID)]
Count = Annotated[int, Schema(minimum=0)]
Timestamp = Annotated[datetime, Schema(format="date-time", pattern=UTC_TIMESTAMP)]
Outcome = Literal["migrated", "already_migrated", "refused"]
Format = Literal["online", "in_person", "hybrid"]
RecordedKind = Literal["video_file", "url"]
VideoStatus = Literal["draft", "published"]
Eligibility = Literal["eligible", "not_online", "no_recording", "already_migrated"]


# --- migrate -----------------------------------------------------------------------------


class CommunityRef(TypedDict):
    id: Id
    title: str


class EventRef(TypedDict):
    id: Id
    name: str


class MigrateResultRow(TypedDict):
    session_id: Id
    title: str
    outcome: Outcome
    reason: str | None
    video_id: Id | None


class MigrateResult(TypedDict):
    """`migrate --format json` (also `migrate --plan`, and `demo --format json`)."""

    dry_run: bool
    actor: str
    community: CommunityRef
    event: EventRef
    results: list[MigrateResultRow]


# --- history and listings ----------------------------------------------------------------


class HistoryRow(TypedDict, total=False):
    """One migration record (`history`): `session_title` and `event_name` as they were
    at the time of the move, `community_title` and `video_status` current."""

    session_id: Id
    session_title: str
    event_id: Id
    event_name: str
    community_id: Id
    community_title: str
    actor_email: str
    actor_name: str
    migrated_at: Timestamp
    video_id: Id
    video_status: VideoStatus | None
    # The database login that wrote the record (PostgreSQL's session_user, the OS user
    # on SQLite); null on records older than schema 0005_logins.
    login: str | None


class LoginRow(TypedDict, total=False):
    """`logins list`: a user linked to a PostgreSQL role (`login`)."""

    email: str
    name: str
    client_id: Id
    login: str


class WhoamiActor(TypedDict):
    email: str
    name: str
    client_id: Id
    client_name: str


class WhoamiGrant(TypedDict):
    role: Literal["admin", "contributor", "reader"]
    scope: Literal["client", "audience", "event", "community"]
    scope_id: Id | None


class Whoami(TypedDict):
    """`whoami`: the login (PostgreSQL's session_user, or the OS user on SQLite), whether
    it is the operator, the acting user (null for the operator without --as), their
    grants."""

    login: str
    operator: bool
    actor: WhoamiActor | None
    grants: list[WhoamiGrant]


class EventRow(TypedDict, total=False):
    """`events list`."""

    id: Id
    name: str
    audience: str
    starts_on: date
    ends_on: date
    sessions: Count
    eligible: Count
    migrated: Count


class SessionRow(TypedDict, total=False):
    """`sessions list`."""

    id: Id
    event_id: Id
    title: str
    format: Format
    source: Literal["video_file", "url", "live", "none"]
    public: bool
    eligibility: Eligibility
    community_id: Id | None
    community: str | None


class CommunityRow(TypedDict, total=False):
    """`communities list`."""

    id: Id
    title: str
    audience: str
    drafts: Count
    published: Count
    videos: Count


class VideoRow(TypedDict, total=False):
    """`videos list` (and `videos publish`/`unpublish`: the videos after the change)."""

    id: Id
    community_id: Id
    community_title: str
    status: VideoStatus
    title: str
    source_kind: RecordedKind
    source_ref: str
    source_event_id: Id
    source_event_name: str
    source_session_id: Id | None
    speakers: list[str]
    partners: list[str]
    created_at: Timestamp


# --- show commands and mutations ---------------------------------------------------------


class MigrationNotice(TypedDict):
    """R8: where the session went, who moved it, when."""

    community_id: Id
    community_title: str
    actor_name: str
    actor_email: str
    migrated_at: Timestamp
    video_id: Id


class SessionShow(TypedDict):
    """`sessions show`."""

    id: Id
    event_id: Id
    event: str
    title: str
    summary: str
    format: Format
    source: Literal["video_file", "url", "live", "none"]
    source_ref: str | None
    thumbnail: str | None
    speakers: list[str]
    partners: list[str]
    public: bool
    eligibility: Eligibility
    eligibility_reason: str | None
    migration: MigrationNotice | None


class VideoSpeakerCopy(TypedDict):
    speaker_id: Id
    name: str
    company: str | None


class VideoPartnerCopy(TypedDict):
    partner_id: Id
    name: str


class VideoShow(TypedDict):
    """`videos show`: every field the video carries (R5), its own copies."""

    id: Id
    community_id: Id
    community_title: str
    status: VideoStatus
    title: str
    summary: str
    source_kind: RecordedKind
    source_ref: str
    thumbnail: str | None
    source_event_id: Id
    source_event_name: str
    source_session_id: Id | None
    created_at: Timestamp
    status_changed_at: Timestamp | None
    speakers: list[VideoSpeakerCopy]
    partners: list[VideoPartnerCopy]


class DeletedSession(TypedDict):
    """`sessions delete`: what was deleted, and the video and record that stay (R10)."""

    session_id: Id
    title: str
    event_id: Id
    event_name: str
    community_id: Id | None
    community_title: str | None
    video_id: Id | None
    deleted_by: str
    deleted_at: Timestamp


class LoadResult(TypedDict):
    """`load --format json`: the objects of the file, per list, and the sessions skipped
    because they were deleted with `sessions delete`."""

    clients: Count
    audiences: Count
    users: Count
    events: Count
    communities: Count
    speakers: Count
    partners: Count
    sessions: Count
    skipped_deleted_sessions: list[Id]


class Violation(TypedDict):
    """One violation found by `db check`: the check's name, a sentence, and the ids
    involved (keys ending in `id`, plus `kind` where a check covers several kinds)."""

    check: str
    message: str
    ids: dict[str, int | str | None]
