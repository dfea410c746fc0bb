"""The back-office export format (`sessionmig load FILE`), validated in full before
anything is written. Plain pydantic models (SQLModel table models skip validation)
plus the cross-reference checks; every error names its place, e.g.
`sessions[3].format: 'webinar' is not one of online, in_person, hybrid`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from sessionmig.documents import Schema
from sessionmig.emails import MAX_KEY_LENGTH, email_key
from sessionmig.i18n import N_, _

MAX_ID = 2**63 - 1

# What the validators below refuse, as JSON Schema patterns (`sessionmig schema export`;
# the validators stay, for their messages).
NO_NUL = r"^[^\x00]*$"
EMAIL_PATTERN = r"^[^@\s\x00]+@[^@\s\x00]+$"


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(_("must not contain NUL characters"))
    return value


Id = Annotated[int, Field(gt=0, le=MAX_ID)]
Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=500),
    AfterValidator(_no_nul),
    Schema(pattern=NO_NUL),
]
Summary = Annotated[
    str, StringConstraints(max_length=20_000), AfterValidator(_no_nul), Schema(pattern=NO_NUL)
]
Ref = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2048),
    AfterValidator(_no_nul),
    Schema(pattern=NO_NUL),
]
IdList = Annotated[list[Id], Schema(uniqueItems=True)]
Role = Literal["admin", "contributor", "reader"]
Scope = Literal["client", "audience", "event", "community"]
Format = Literal["online", "in_person", "hybrid"]
SourceKind = Literal["video_file", "url", "live"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(_("{value} is not an e-mail address").format(value=repr(value)))
    if len(email_key(value)) > MAX_KEY_LENGTH:
        raise ValueError(_("longer than {n} characters once case-folded").format(n=MAX_KEY_LENGTH))
    return value


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
        if self.scope == "client" and self.scope_id is not None:
            raise ValueError(_("a client-scope grant takes no scope_id"))
        if self.scope != "client" and self.scope_id is None:
            raise ValueError(_("a {scope}-scope grant needs a scope_id").format(scope=self.scope))
        return self


class UserIn(_Strict):
    id: Id
    client_id: Id
    email: Annotated[Name, AfterValidator(_email), Schema(pattern=EMAIL_PATTERN)]
    name: Name
    grants: list[GrantIn] = []


class EventIn(_Strict):
    id: Id
    audience_id: Id
    name: Name
    starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _dates(self) -> EventIn:
        if self.ends_on < self.starts_on:
            raise ValueError(_("ends_on is before starts_on"))
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
        if self.kind in ("video_file", "url") and self.ref is None:
            raise ValueError(_("a {kind} source needs a ref").format(kind=self.kind))
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


# --- parsing ---------------------------------------------------------------------------


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def place(loc: Sequence[int | str]) -> str:
    """`sessions[3].format`; a key that is not a plain name is quoted: `["a b"]`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _IDENT.match(part):
            out += f"[{json.dumps(part)}]"
        else:
            out += f".{part}" if out else part
    return out or _("(top level)")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _expected(ctx: Mapping[str, Any]) -> str:
    raw = str(ctx.get("expected", ""))
    parts = re.split(r", | or ", raw)
    return ", ".join(p.strip("'") for p in parts if p)


def describe(error: Mapping[str, Any]) -> str:
    """One pydantic error as `place: message`, in the words of an administrator."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    value = error.get("input")
    where = place(error.get("loc", ()))
    got = _short(value)
    if kind == "missing":
        msg = _("required")
    elif kind == "extra_forbidden":
        msg = _("unknown field")
    elif kind == "literal_error":
        msg = _("{value} is not one of {expected}").format(value=got, expected=_expected(ctx))
    elif kind in ("int_type", "int_parsing", "int_from_float"):
        msg = _("expected an integer, got {value}").format(value=got)
    elif kind == "greater_than":
        msg = _("must be a positive integer, got {value}").format(value=got)
    elif kind == "less_than_equal":
        msg = _("integer out of range")
    elif kind == "string_too_short":
        msg = _("must not be empty")
    elif kind == "string_too_long":
        msg = _("longer than {n} characters").format(n=ctx.get("max_length"))
    elif kind == "string_type":
        msg = _("expected a string, got {value}").format(value=got)
    elif kind == "list_type":
        msg = _("expected a list, got {value}").format(value=got)
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        msg = (
            _("the top level must be a JSON object")
            if not error.get("loc")
            else _("expected an object, got {value}").format(value=got)
        )
    elif kind.startswith("date"):
        msg = _("{value} is not a date (YYYY-MM-DD)").format(value=got)
    elif kind == "json_invalid":
        msg = _("not valid JSON ({error})").format(error=ctx.get("error", _("parse error")))
        where = _("file")
    elif kind == "value_error":
        msg = str(ctx.get("error", error.get("msg", _("invalid value"))))
    else:
        msg = str(error.get("msg", _("invalid value")))
    return _("{place}: {message}").format(place=where, message=msg)


class _Repeated(dict[str, Any]):
    """A JSON object that had some of its keys twice (JSON keeps the last one silently)."""

    repeated: list[str]


def duplicate_keys(text: str) -> list[str]:
    """`sessions[3]: duplicate key 'title'` for every object that repeats a key. Invalid
    JSON yields nothing here: the validation reports it with its own words.

    Costs one `json.loads` with a pairs hook (about 1.5x a plain one); the tree is walked
    for the places only when a duplicate was seen."""
    seen_any: list[_Repeated] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        marked = _Repeated(obj)
        counts: dict[str, int] = {}
        for key, _value in pairs:
            counts[key] = counts.get(key, 0) + 1
        marked.repeated = [key for key, n in counts.items() if n > 1]
        seen_any.append(marked)
        return marked

    try:
        tree = json.loads(text, object_pairs_hook=pairs_hook)
    except (ValueError, RecursionError):
        return []
    if not seen_any:
        return []
    errors: list[str] = []
    stack: list[tuple[tuple[int | str, ...], Any]] = [((), tree)]
    while stack:  # iterative: a deep file must not overflow Python's stack here
        loc, value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value, _Repeated):
                errors.extend(
                    _("{place}: duplicate key {key}").format(place=place(loc), key=repr(k))
                    for k in value.repeated
                )
            stack.extend(((*loc, k), v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*loc, i), v) for i, v in reversed(list(enumerate(value))))
    return errors


def parse(raw: bytes) -> tuple[ExportIn | None, list[str]]:
    """Decode and validate the shape of an export; never raises on bad input."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [
            _("file: not valid UTF-8 (byte {byte} at offset {offset})").format(
                byte=f"{raw[exc.start]:#04x}", offset=exc.start
            )
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    repeated = duplicate_keys(text)
    try:
        data = ExportIn.model_validate_json(text)
    except ValidationError as exc:
        return None, repeated + [describe(e) for e in exc.errors(include_url=False)]
    except RecursionError:
        return None, [_("file: not valid JSON (nested too deeply)")]
    return (None, repeated) if repeated else (data, [])


# --- references --------------------------------------------------------------------------


@dataclass
class Known:
    """What the store already holds: id -> client id for each kind, and user e-mails."""

    clients: set[int] = field(default_factory=set)
    audiences: dict[int, int] = field(default_factory=dict)
    events: dict[int, int] = field(default_factory=dict)
    communities: dict[int, int] = field(default_factory=dict)
    speakers: dict[int, int] = field(default_factory=dict)
    partners: dict[int, int] = field(default_factory=dict)
    sessions: dict[int, int] = field(default_factory=dict)
    users: dict[int, int] = field(default_factory=dict)
    emails: dict[str, int] = field(default_factory=dict)  # emails.email_key -> user id


# One sentence per kind of object (their words and genders differ in French).
DOES_NOT_EXIST: Mapping[str, str] = {
    "client": N_("{place}: client {id} does not exist"),
    "audience": N_("{place}: audience {id} does not exist"),
    "event": N_("{place}: event {id} does not exist"),
    "community": N_("{place}: community {id} does not exist"),
    "speaker": N_("{place}: speaker {id} does not exist"),
    "partner": N_("{place}: partner {id} does not exist"),
}
ANOTHER_CLIENT: Mapping[str, str] = {
    "audience": N_("{place}: audience {id} belongs to another client"),
    "event": N_("{place}: event {id} belongs to another client"),
    "community": N_("{place}: community {id} belongs to another client"),
    "speaker": N_("{place}: speaker {id} belongs to another client"),
    "partner": N_("{place}: partner {id} belongs to another client"),
    "session": N_("{place}: session {id} belongs to another client"),
    "user": N_("{place}: user {id} belongs to another client"),
}
LISTED_TWICE: Mapping[str, str] = {
    "speaker": N_("{place}: speaker {id} is listed twice"),
    "partner": N_("{place}: partner {id} is listed twice"),
}


def _duplicates(name: str, items: Iterable[Any], errors: list[str]) -> None:
    first: dict[int, int] = {}
    for i, item in enumerate(items):
        if item.id in first:
            errors.append(
                _("{place}: duplicate id {id} (also {other})").format(
                    place=f"{name}[{i}].id", id=item.id, other=f"{name}[{first[item.id]}]"
                )
            )
        else:
            first[item.id] = i


def check_references(data: ExportIn, known: Known) -> list[str]:
    """Dangling references, references across clients, duplicates and id clashes."""
    errors: list[str] = []
    for name in (
        "clients",
        "audiences",
        "users",
        "events",
        "communities",
        "speakers",
        "partners",
        "sessions",
    ):
        _duplicates(name, getattr(data, name), errors)

    clients = set(known.clients) | {c.id for c in data.clients}

    def owner(
        kind: str, new: dict[int, int], old: dict[int, int], ref: int, where: str
    ) -> int | None:
        client = new.get(ref, old.get(ref))
        if client is None:
            errors.append(_(DOES_NOT_EXIST[kind]).format(place=where, id=ref))
        return client

    def clash(kind: str, old: dict[int, int], obj_id: int, client: int | None, where: str) -> None:
        if client is not None and obj_id in old and old[obj_id] != client:
            errors.append(_(ANOTHER_CLIENT[kind]).format(place=where, id=obj_id))

    audiences: dict[int, int] = {}
    for i, a in enumerate(data.audiences):
        if a.client_id not in clients:
            errors.append(
                _(DOES_NOT_EXIST["client"]).format(
                    place=f"audiences[{i}].client_id", id=a.client_id
                )
            )
        clash("audience", known.audiences, a.id, a.client_id, f"audiences[{i}].id")
        audiences[a.id] = a.client_id

    events: dict[int, int] = {}
    for i, e in enumerate(data.events):
        client = owner(
            "audience", audiences, known.audiences, e.audience_id, f"events[{i}].audience_id"
        )
        clash("event", known.events, e.id, client, f"events[{i}].id")
        if client is not None:
            events[e.id] = client

    communities: dict[int, int] = {}
    for i, c in enumerate(data.communities):
        client = owner(
            "audience", audiences, known.audiences, c.audience_id, f"communities[{i}].audience_id"
        )
        clash("community", known.communities, c.id, client, f"communities[{i}].id")
        if client is not None:
            communities[c.id] = client

    speakers: dict[int, int] = {}
    for i, sp in enumerate(data.speakers):
        if sp.client_id not in clients:
            errors.append(
                _(DOES_NOT_EXIST["client"]).format(
                    place=f"speakers[{i}].client_id", id=sp.client_id
                )
            )
        clash("speaker", known.speakers, sp.id, sp.client_id, f"speakers[{i}].id")
        speakers[sp.id] = sp.client_id

    partners: dict[int, int] = {}
    for i, p in enumerate(data.partners):
        if p.client_id not in clients:
            errors.append(
                _(DOES_NOT_EXIST["client"]).format(place=f"partners[{i}].client_id", id=p.client_id)
            )
        clash("partner", known.partners, p.id, p.client_id, f"partners[{i}].id")
        partners[p.id] = p.client_id

    scope_tables = {
        "audience": (audiences, known.audiences),
        "event": (events, known.events),
        "community": (communities, known.communities),
    }
    emails: dict[str, int] = {}
    for i, u in enumerate(data.users):
        if u.client_id not in clients:
            errors.append(
                _(DOES_NOT_EXIST["client"]).format(place=f"users[{i}].client_id", id=u.client_id)
            )
        clash("user", known.users, u.id, u.client_id, f"users[{i}].id")
        key = email_key(u.email)
        if key in emails:
            errors.append(
                _("{place}: {email} is already used by {other}").format(
                    place=f"users[{i}].email", email=repr(u.email), other=f"users[{emails[key]}]"
                )
            )
        elif known.emails.get(key, u.id) != u.id:
            errors.append(
                _("{place}: {email} is already used by another user").format(
                    place=f"users[{i}].email", email=repr(u.email)
                )
            )
        emails[key] = i
        for j, g in enumerate(u.grants):
            if g.scope == "client" or g.scope_id is None:
                continue
            new, old = scope_tables[g.scope]
            where = f"users[{i}].grants[{j}].scope_id"
            client = owner(g.scope, new, old, g.scope_id, where)
            if client is not None and client != u.client_id:
                errors.append(_(ANOTHER_CLIENT[g.scope]).format(place=where, id=g.scope_id))

    for i, s in enumerate(data.sessions):
        client = owner("event", events, known.events, s.event_id, f"sessions[{i}].event_id")
        clash("session", known.sessions, s.id, client, f"sessions[{i}].id")
        for field_name, kind, new, old, ids in (
            ("speaker_ids", "speaker", speakers, known.speakers, s.speaker_ids),
            ("partner_ids", "partner", partners, known.partners, s.partner_ids),
        ):
            seen: set[int] = set()
            for j, ref in enumerate(ids):
                where = f"sessions[{i}].{field_name}[{j}]"
                if ref in seen:
                    errors.append(_(LISTED_TWICE[kind]).format(place=where, id=ref))
                    continue
                seen.add(ref)
                ref_client = owner(kind, new, old, ref, where)
                if client is not None and ref_client is not None and ref_client != client:
                    errors.append(_(ANOTHER_CLIENT[kind]).format(place=where, id=ref))
    return errors
