"""The plan file (`migrate --dry-run --plan-out FILE`, `migrate --plan FILE`): its
pydantic model (which `sessionmig schema plan` prints), how it is written and read.

Reading refuses, with one line and exit 2: what is not UTF-8 JSON, JSON with a key
twice in one object, a document that is not a plan (no `"format":
"sessionmig-plan/…"`), a plan of a newer format than this version reads, and a plan
that does not validate (the first error, with its place).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sessionmig import plans
from sessionmig.documents import MAX_ID, UTC_TIMESTAMP
from sessionmig.errors import UsageError
from sessionmig.export_format import describe, place
from sessionmig.i18n import _, ngettext
from sessionmig.render import iso_utc

Id = Annotated[int, Field(gt=0, le=MAX_ID)]
Text = Annotated[str, Field(max_length=20_000)]
Digest = Annotated[str, Field(pattern=f"^[0-9a-f]{{{plans.DIGEST_LENGTH}}}$")]
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class PlannedBy(_Strict):
    """Who made the plan (the reviewer's information; whoever applies it is checked
    for R1 and named by the migration records)."""

    # Issue 11 (identity) adds the planner's database login here.
    email: Text
    name: Text


class CommunityRef(_Strict):
    id: Id
    title: Text


class EventRef(_Strict):
    id: Id
    name: Text


class Digests(_Strict):
    """Each fingerprinted field's own digest (16 hex digits), to say what changed."""

    title: Digest
    summary: Digest
    format: Digest
    source: Digest
    thumbnail: Digest
    speakers: Digest
    partners: Digest
    event_name: Digest


class PlannedSessionDoc(_Strict):
    """A session the plan migrates."""

    id: Id
    title: Text
    fingerprint: Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]
    digests: Digests


class AlreadyMigratedDoc(_Strict):
    """A session already in the plan's community when it was made (reported
    `already_migrated` when the plan is applied)."""

    id: Id
    title: Text


class RefusedDoc(_Strict):
    """A session the dry run refused, with its reason: for the reviewer; applying the
    plan does not touch it."""

    id: Id
    title: Text
    reason: Text | None


class PlanDoc(_Strict):
    """A reviewed migration plan: what `migrate --plan FILE` applies, exactly, all or
    nothing, on the store it was made on."""

    model_config = ConfigDict(
        title="sessionmig migration plan",
        json_schema_extra={
            "description": (
                "Written by `sessionmig migrate ... --dry-run --plan-out FILE`, applied by "
                "`sessionmig migrate --plan FILE`. Each session to migrate carries the "
                "fingerprint of what decides its eligibility or is copied into its "
                "community video (R4, R5): if any changed, or a session moved or was "
                "deleted, the whole plan is refused. A session id appears once in the plan."
            )
        },
    )

    format: Literal["sessionmig-plan/1"]
    store_id: Annotated[str, Field(pattern=UUID_PATTERN)]
    planned_by: PlannedBy
    planned_at: Annotated[datetime, Field(json_schema_extra={"pattern": UTC_TIMESTAMP})]
    community: CommunityRef
    event: EventRef
    sessions: list[PlannedSessionDoc]
    already_migrated: list[AlreadyMigratedDoc]
    refused: list[RefusedDoc]

    @model_validator(mode="after")
    def _each_session_once(self) -> PlanDoc:
        seen: set[int] = set()
        for name in ("sessions", "already_migrated", "refused"):
            for i, entry in enumerate(getattr(self, name)):
                if entry.id in seen:
                    raise ValueError(
                        _("{place}: session {id} is listed twice").format(
                            place=f"{name}[{i}].id", id=entry.id
                        )
                    )
                seen.add(entry.id)
        return self


# --- writing -----------------------------------------------------------------------------


def document(
    *,
    store_id: str,
    planned_by_email: str,
    planned_by_name: str,
    planned_at: datetime,
    community: dict[str, Any],
    event: dict[str, Any],
    sessions: list[plans.PlannedSession],
    already_migrated: list[plans.PlanEntry],
    refused: list[plans.PlanEntry],
) -> dict[str, Any]:
    """The plan as a JSON-ready object, validated by the model it is read with."""
    doc: dict[str, Any] = {
        "format": plans.FORMAT,
        "store_id": store_id,
        "planned_by": {"email": planned_by_email, "name": planned_by_name},
        "planned_at": iso_utc(planned_at),
        "community": {"id": community["id"], "title": community["title"]},
        "event": {"id": event["id"], "name": event["name"]},
        "sessions": [
            {
                "id": s.id,
                "title": s.title,
                "fingerprint": s.fingerprint.value,
                "digests": dict(s.fingerprint.digests),
            }
            for s in sessions
        ],
        "already_migrated": [{"id": e.id, "title": e.title} for e in already_migrated],
        "refused": [{"id": e.id, "title": e.title, "reason": e.reason} for e in refused],
    }
    PlanDoc.model_validate_json(json.dumps(doc))  # what we write, we can read
    return doc


# --- reading -----------------------------------------------------------------------------


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(
                _("the key {key} appears twice in one object").format(key=json.dumps(key))
            )
        out[key] = value
    return out


_VERSION = re.compile(r"^sessionmig-plan/(\d+)$")


def read(raw: bytes, where: str) -> plans.Plan:
    """The plan in `raw` (read from `where`, named in errors), or UsageError."""
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise UsageError(
            _("--plan {file}: not a plan (not UTF-8 text)").format(file=where)
        ) from None
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except RecursionError:
        raise UsageError(
            _("--plan {file}: not a plan (JSON nested too deeply)").format(file=where)
        ) from None
    except _DuplicateKey as exc:
        raise UsageError(
            _("--plan {file}: not a plan: {error}").format(file=where, error=exc)
        ) from None
    except ValueError as exc:
        raise UsageError(
            _("--plan {file}: not a plan (not valid JSON: {error})").format(file=where, error=exc)
        ) from None
    fmt = value.get("format") if isinstance(value, dict) else None
    match = _VERSION.match(fmt) if isinstance(fmt, str) else None
    if match is None:
        raise UsageError(
            _(
                '--plan {file}: not a sessionmig plan (no "format": "{format}"; '
                "make one with `migrate ... --dry-run --plan-out FILE`)"
            ).format(file=where, format=plans.FORMAT)
        )
    if int(match.group(1)) != plans.FORMAT_VERSION:
        raise UsageError(
            _(
                "--plan {file}: the plan's format is {found}; this version of sessionmig "
                "reads {format} (make the plan again with this version, or upgrade)"
            ).format(file=where, found=fmt, format=plans.FORMAT)
        )
    try:
        doc = PlanDoc.model_validate_json(text)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        line = describe(first)
        if not first.get("loc"):  # the model's own check names its place itself
            line = line.removeprefix(_("{place}: {message}").format(place=place(()), message=""))
        n = len(errors) - 1
        more = ngettext(" (and {n} more)", " (and {n} more)", n).format(n=n) if n else ""
        raise UsageError(
            _("--plan {file}: not a valid plan: {error}{more}").format(
                file=where, error=line, more=more
            )
        ) from None
    return plans.Plan(
        store_id=doc.store_id,
        planned_by_email=doc.planned_by.email,
        planned_by_name=doc.planned_by.name,
        planned_at=iso_utc(doc.planned_at),
        community_id=doc.community.id,
        community_title=doc.community.title,
        event_id=doc.event.id,
        event_name=doc.event.name,
        sessions=tuple(
            plans.PlannedSession(
                s.id, s.title, plans.Fingerprint(s.fingerprint, s.digests.model_dump())
            )
            for s in doc.sessions
        ),
        already_migrated=tuple(plans.PlanEntry(e.id, e.title) for e in doc.already_migrated),
        refused=tuple(plans.PlanEntry(e.id, e.title, e.reason) for e in doc.refused),
    )
