"""Core `Table` handles of the models, for set-based statements (no per-row ORM objects)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from sessionmig.store import models as m

client = cast(Table, m.Client.__table__)  # type: ignore[attr-defined]
audience = cast(Table, m.Audience.__table__)  # type: ignore[attr-defined]
app_user = cast(Table, m.AppUser.__table__)  # type: ignore[attr-defined]
user_grant = cast(Table, m.UserGrant.__table__)  # type: ignore[attr-defined]
event = cast(Table, m.Event.__table__)  # type: ignore[attr-defined]
community = cast(Table, m.Community.__table__)  # type: ignore[attr-defined]
speaker = cast(Table, m.Speaker.__table__)  # type: ignore[attr-defined]
partner = cast(Table, m.Partner.__table__)  # type: ignore[attr-defined]
session = cast(Table, m.EventSession.__table__)  # type: ignore[attr-defined]
session_speaker = cast(Table, m.SessionSpeaker.__table__)  # type: ignore[attr-defined]
session_partner = cast(Table, m.SessionPartner.__table__)  # type: ignore[attr-defined]
deleted_session = cast(Table, m.DeletedSession.__table__)  # type: ignore[attr-defined]
video = cast(Table, m.CommunityVideo.__table__)  # type: ignore[attr-defined]
video_speaker = cast(Table, m.VideoSpeaker.__table__)  # type: ignore[attr-defined]
video_partner = cast(Table, m.VideoPartner.__table__)  # type: ignore[attr-defined]
record = cast(Table, m.MigrationRecord.__table__)  # type: ignore[attr-defined]
