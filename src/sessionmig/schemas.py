"""The JSON Schemas (draft 2020-12) of every document `sessionmig` reads or prints:
`sessionmig schema NAME`.

Generated, never written by hand: from the pydantic models of what the tool reads (the
export `load` reads, export_models.ExportIn, the reference `load`'s own checks are
tested against; the plan `migrate --plan` reads, plan_format.PlanDoc, which validates
it) and from the TypedDicts the commands build their JSON as
(documents.py), through pydantic's `TypeAdapter(...).json_schema()`. Output documents
are closed: every object of them refuses keys it does not declare.

Adding a document is one line in REGISTRY: its name, its type, what it is, and the
commands that print (or read) it. tests/conftest.py validates every JSON the test
suite prints against the schema of the command that printed it, from `COMMANDS`.

Imports pydantic: only the `schema` command and the tests import this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from sessionmig import documents as d
from sessionmig.i18n import N_

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "urn:sessionmig:schema:"


@dataclass(frozen=True)
class Doc:
    kind: Callable[[], Any]  # the type, imported when a schema is generated
    title: str
    description: str
    printed_by: tuple[str, ...] = ()  # commands whose stdout (or file) it is
    read_by: tuple[str, ...] = ()  # commands that read it
    # An input's schema describes what its validating model accepts; an output's,
    # what the tool writes (datetimes as strings, ...).
    mode: Literal["validation", "serialization"] = "serialization"


def _export() -> Any:
    from sessionmig.export_models import ExportIn

    return ExportIn


def _plan() -> Any:
    from sessionmig.plan_format import PlanDoc

    return PlanDoc


EXPORT_DESCRIPTION = (
    "A back-office export, the file `sessionmig load FILE` reads (JSON, UTF-8). This "
    "schema checks one document on its own: types, enumerations, required and unknown "
    "keys, lengths, id bounds, NUL characters, a grant's scope_id (none at client scope, "
    "required at any other), a video file's or URL's ref, an id listed twice in "
    "speaker_ids or partner_ids. Cross-references are `load`'s job: that every id "
    "referred to exists (in the file or the store) and belongs to the same client, "
    "that an id appears once per list and an e-mail once, that an event does not end "
    "before it starts; so is refusing an integer written as 1.0, which JSON Schema "
    "cannot tell from 1."
)

REGISTRY: Mapping[str, Doc] = {
    "export": Doc(
        _export, N_("Back-office export"), EXPORT_DESCRIPTION, read_by=("load",), mode="validation"
    ),
    "plan": Doc(
        _plan,
        N_("Migration plan"),
        "A reviewed migration plan: written by `migrate ... --dry-run --plan-out FILE`, "
        "applied exactly, all or nothing, by `migrate --plan FILE`.",
        printed_by=("migrate --plan-out",),
        read_by=("migrate --plan",),
        mode="validation",
    ),
    "migrate": Doc(
        lambda: d.MigrateResult,
        N_("Migration result"),
        "The outcome of each requested session: `migrate --format json` (also with "
        "--plan, and `demo --format json`).",
        printed_by=("migrate", "demo"),
    ),
    "history": Doc(
        lambda: list[d.HistoryRow],
        N_("Migration history"),
        "Migration records, newest first: `history --format json`.",
        printed_by=("history",),
    ),
    "events": Doc(
        lambda: list[d.EventRow],
        N_("Events listing"),
        "`events list --format json`: every key by default.",
        printed_by=("events list",),
    ),
    "sessions": Doc(
        lambda: list[d.SessionRow],
        N_("Sessions listing"),
        "`sessions list --format json`: every key by default.",
        printed_by=("sessions list",),
    ),
    "logins": Doc(
        lambda: list[d.LoginRow],
        N_("Logins listing"),
        "`logins list --format json`: every key by default.",
        printed_by=("logins list",),
    ),
    "whoami": Doc(
        lambda: d.Whoami,
        N_("Who am I"),
        "`whoami --format json`: the login, operator or not, the acting user and grants.",
        printed_by=("whoami",),
    ),
    "communities": Doc(
        lambda: list[d.CommunityRow],
        N_("Communities listing"),
        "`communities list --format json`: every key by default.",
        printed_by=("communities list",),
    ),
    "videos": Doc(
        lambda: list[d.VideoRow],
        N_("Videos listing"),
        "`videos list --format json` (every key by default), and the videos after "
        "`videos publish` / `videos unpublish --format json`.",
        printed_by=("videos list", "videos publish", "videos unpublish"),
    ),
    "session": Doc(
        lambda: d.SessionShow,
        N_("Session"),
        "One session, with the migration notice of R8 when it has moved: "
        "`sessions show --format json`.",
        printed_by=("sessions show",),
    ),
    "video": Doc(
        lambda: d.VideoShow,
        N_("Community video"),
        "One community video with everything it carries (R5): `videos show --format json`.",
        printed_by=("videos show",),
    ),
    "deleted-session": Doc(
        lambda: d.DeletedSession,
        N_("Deleted session"),
        "What `sessions delete --format json` deleted, and the video and record that stay.",
        printed_by=("sessions delete",),
    ),
    "load": Doc(
        lambda: d.LoadResult,
        N_("Load result"),
        "`load --format json`: the objects of the file per list, and the deleted "
        "sessions it skipped.",
        printed_by=("load",),
    ),
    "check": Doc(
        lambda: list[d.Violation],
        N_("Store check"),
        "`db check --format json`: the violations found (an empty list when the store is "
        "sound; the summary, with the store's id, goes to stderr).",
        printed_by=("db check",),
    ),
}

# Which document each command prints (`--format json`; `migrate --plan-out`: the plan).
COMMANDS: Mapping[str, str] = {
    command: name for name, doc in REGISTRY.items() for command in doc.printed_by
}


def names() -> list[str]:
    return list(REGISTRY)


def _close(node: Any) -> None:
    """Every object type that lists its properties refuses any other key (not the
    `if`/`then`/`else` parts, whose `properties` only add to their object's)."""
    if isinstance(node, dict):
        if (
            node.get("type") == "object"
            and "properties" in node
            and "additionalProperties" not in node
        ):
            node["additionalProperties"] = False
        for value in node.values():
            _close(value)
    elif isinstance(node, list):
        for value in node:
            _close(value)


@cache
def schema(name: str) -> dict[str, Any]:
    """The JSON Schema of the document `name` (a key of REGISTRY)."""
    from pydantic import TypeAdapter

    doc = REGISTRY[name]
    generated = TypeAdapter(doc.kind()).json_schema(mode=doc.mode)
    _close(generated)
    generated.pop("title", None)
    generated.pop("description", None)
    return {
        "$schema": DRAFT,
        "$id": ID_BASE + name,
        "title": f"sessionmig {name}: {doc.title}",
        "description": doc.description,
        **generated,
    }
