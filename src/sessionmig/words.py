"""The words people read for the codes programs read (SPEC "Languages").

JSON and CSV carry the codes (`draft`, `already_migrated`, `not_online`); a table, a
`show` and a prompt show the word for a code in the reader's language. In English the
word is the code as the tables have always shown it, so each msgid below is the code:
the French catalogue gives the word (`brouillon`, `déjà migrée`, `pas en ligne`).

Imported at start-up: no imports but `i18n`.
"""

from __future__ import annotations

from collections.abc import Mapping

from sessionmig.i18n import N_, _

# Translators: a session's format (sessions list, sessions show).
FORMATS: Mapping[str, str] = {
    "online": N_("online"),
    "in_person": N_("in_person"),
    "hybrid": N_("hybrid"),
}

# Translators: a session's or a video's source kind.
SOURCES: Mapping[str, str] = {
    "video_file": N_("video_file"),
    "url": N_("url"),
    "live": N_("live"),
    "none": N_("none"),
}

# Translators: a community video's status (feminine in French: une vidéo).
STATUSES: Mapping[str, str] = {
    "draft": N_("draft"),
    "published": N_("published"),
}

# Translators: what became of a session in the migration audit table (a session:
# feminine in French).
OUTCOMES: Mapping[str, str] = {
    "migrated": N_("migrated"),
    "already_migrated": N_("already_migrated"),
    "refused": N_("refused"),
    "would migrate": N_("would migrate"),
}

# Translators: whether a session can migrate (sessions list, sessions show).
ELIGIBILITY: Mapping[str, str] = {
    "eligible": N_("eligible"),
    "not_online": N_("not_online"),
    "no_recording": N_("no_recording"),
    "already_migrated": N_("already_migrated"),
}

# Translators: a grant's role and scope (whoami, logins).
ROLES: Mapping[str, str] = {
    "admin": N_("admin"),
    "contributor": N_("contributor"),
    "reader": N_("reader"),
}


# Translators: the parts of an export (load's summary and progress, the demo's notice).
PARTS: Mapping[str, str] = {
    "clients": N_("clients"),
    "audiences": N_("audiences"),
    "users": N_("users"),
    "events": N_("events"),
    "communities": N_("communities"),
    "speakers": N_("speakers"),
    "partners": N_("partners"),
    "sessions": N_("sessions"),
    "links": N_("links"),
}

# Translators: what a migration batch has written so far ("migrating: {what} written").
STEPS: Mapping[str, str] = {
    "planned": N_("planned"),
    "checked": N_("checked"),
    "videos": N_("videos"),
    "hidden": N_("hidden"),
    "records": N_("records"),
}


def word(vocabulary: Mapping[str, str], code: object) -> object:
    """The word for `code` in the reader's language; an unknown code is shown as it is."""
    if isinstance(code, str) and code in vocabulary:
        return _(vocabulary[code])
    return code
