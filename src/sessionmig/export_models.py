"""The back-office export format as pydantic models: what `sessionmig schema export`
turns into a JSON Schema, and the reference `load`'s own validator (export_format,
which imports no pydantic) is tested against, object for object and message for
message (tests/test_export_validation.py). The rules that are not types (NUL
characters, e-mail addresses, dates, a grant's scope, a source's ref) are
export_format's functions, called by both.

Imports pydantic: only the `schema` command and the tests import this module.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from sessionmig.documents import Schema
from sessionmig.export_format import (
    EMAIL_PATTERN,
    MAX_ID,
    NAME_LENGTH,
    NO_NUL,
    REF_LENGTH,
    SUMMARY_LENGTH,
    Format,
    Role,
    Scope,
    SourceKind,
    dates_problem,
    day_of,
    email_problem,
    grant_problem,
    nul_problem,
    source_problem,
)


def _checked(problem: Any) -> Any:
    """An AfterValidator of one of export_format's rules (a sentence, or None)."""

    def check(value: str) -> str:
        said = problem(value)
        if said is not None:
            raise ValueError(said)
        return value

    return AfterValidator(check)


def _day(value: Any) -> Any:
    """A date is a `YYYY-MM-DD` string in the file; pydantic's strict mode wants a date."""
    if isinstance(value, date):
        return value
    day = day_of(value)
    if day is None:
        if not isinstance(value, str):
            raise PydanticCustomError("date_type", "Input should be a valid date")
        raise PydanticCustomError("date_parsing", "Input should be a valid date (YYYY-MM-DD)")
    return day


Day = Annotated[date, BeforeValidator(_day)]
Id = Annotated[int, Field(gt=0, le=MAX_ID)]
Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=NAME_LENGTH),
    _checked(nul_problem),
    Schema(pattern=NO_NUL),
]
Summary = Annotated[
    str,
    StringConstraints(max_length=SUMMARY_LENGTH),
    _checked(nul_problem),
    Schema(pattern=NO_NUL),
]
Ref = Annotated[
    str,
    StringConstraints(min_length=1, max_length=REF_LENGTH),
    _checked(nul_problem),
    Schema(pattern=NO_NUL),
]
IdList = Annotated[list[Id], Schema(uniqueItems=True)]


def _holds(problem: str | None) -> None:
    if problem is not None:
        raise ValueError(problem)


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class ClientIn(_Strict):
    id: Id
    name: Name


class AudienceIn(_Strict):
    id: Id
    client_id: Id
    name: Name


class GrantIn(_Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"scope": {"const": "client"}}},
            "then": {"properties": {"scope_id": {"type": "null"}}},
            "else": {"required": ["scope_id"], "properties": {"scope_id": {"type": "integer"}}},
        }
    )

    role: Role
    scope: Scope
    scope_id: Id | None = None

    @model_validator(mode="after")
    def _scope_id(self) -> GrantIn:
        _holds(grant_problem(self.role, self.scope, self.scope_id))
        return self


class UserIn(_Strict):
    id: Id
    client_id: Id
    email: Annotated[Name, _checked(email_problem), Schema(pattern=EMAIL_PATTERN)]
    name: Name
    grants: list[GrantIn] = []


class EventIn(_Strict):
    id: Id
    audience_id: Id
    name: Name
    starts_on: Day
    ends_on: Day

    @model_validator(mode="after")
    def _dates(self) -> EventIn:
        _holds(dates_problem(self.id, self.audience_id, self.name, self.starts_on, self.ends_on))
        return self


class CommunityIn(_Strict):
    id: Id
    audience_id: Id
    title: Name


class SpeakerIn(_Strict):
    id: Id
    client_id: Id
    name: Name
    company: Name | None = None


class PartnerIn(_Strict):
    id: Id
    client_id: Id
    name: Name


class SourceIn(_Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"kind": {"enum": ["video_file", "url"]}}},
            "then": {"required": ["ref"], "properties": {"ref": {"type": "string"}}},
        }
    )

    kind: SourceKind
    ref: Ref | None = None

    @model_validator(mode="after")
    def _ref(self) -> SourceIn:
        _holds(source_problem(self.kind, self.ref))
        return self


class SessionIn(_Strict):
    id: Id
    event_id: Id
    title: Name
    summary: Summary = ""
    format: Format
    source: SourceIn | None = None
    thumbnail: Ref | None = None
    speaker_ids: IdList = []
    partner_ids: IdList = []


class ExportIn(_Strict):
    clients: list[ClientIn] = []
    audiences: list[AudienceIn] = []
    users: list[UserIn] = []
    events: list[EventIn] = []
    communities: list[CommunityIn] = []
    speakers: list[SpeakerIn] = []
    partners: list[PartnerIn] = []
    sessions: list[SessionIn] = []


# Each list of the file and the model of one of its objects.
MODELS: dict[str, type[_Strict]] = {
    "clients": ClientIn,
    "audiences": AudienceIn,
    "users": UserIn,
    "events": EventIn,
    "communities": CommunityIn,
    "speakers": SpeakerIn,
    "partners": PartnerIn,
    "sessions": SessionIn,
}
