"""SPEC "Languages": French or English, chosen by the locale; programs never depend on it.

- the language choice (SESSIONMIG_LANG, then gettext's LC_ALL, LC_MESSAGES, LANG);
- the catalogues: every string people read is marked, extracted, translated (non-empty,
  not fuzzy, the same placeholders), and the committed .pot/.po/.mo are current;
- the main flows in French: errors and their exit codes, refusals (R1, R4, R9,
  --strict, a stale plan), the R8 notice, listings, `db check`, Click's own errors;
- JSON, CSV and exit codes are the same bytes in French and in English.

French help (made when the commands are declared) and the real locale variables are
tested in subprocesses; everything said at run time also in-process (`french` fixture).
"""

from __future__ import annotations

import ast
import json
import os
import re
import string
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any, ClassVar

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from sessionmig import i18n
from sessionmig.i18n import Msg
from tests import sample
from tests.conftest import Cli, migrate_sessions

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "sessionmig"
LOCALE = PACKAGE / "locale"
POT = LOCALE / "sessionmig.pot"
PO = LOCALE / "fr" / "LC_MESSAGES" / "sessionmig.po"
MO = LOCALE / "fr" / "LC_MESSAGES" / "sessionmig.mo"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "Msg": None,
}


# --- the choice of language -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "language"),
    [
        ({}, "en"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "fr"}, "fr"),
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "fr_CA"}, "fr"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        # gettext's order: LC_ALL, then LC_MESSAGES, then LANG; empty ones are skipped
        ({"LC_ALL": "fr_FR.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
        ({"LC_ALL": "C", "LANG": "fr_FR.UTF-8"}, "en"),
        ({"LC_ALL": "", "LC_MESSAGES": "fr_BE.UTF-8", "LANG": "en_GB.UTF-8"}, "fr"),
        ({"LC_MESSAGES": "", "LANG": "fr_FR.UTF-8"}, "fr"),
        # SESSIONMIG_LANG comes first, either way; empty is as if unset
        ({"SESSIONMIG_LANG": "fr", "LC_ALL": "en_US.UTF-8"}, "fr"),
        ({"SESSIONMIG_LANG": "en", "LC_ALL": "fr_FR.UTF-8"}, "en"),
        ({"SESSIONMIG_LANG": "", "LANG": "fr_FR.UTF-8"}, "fr"),
        ({"SESSIONMIG_LANG": "FR"}, "fr"),
        # LANGUAGE is not one of the spec's variables
        ({"LANGUAGE": "fr", "LANG": "en_US.UTF-8"}, "en"),
    ],
)
def test_language_is_sessionmig_lang_then_lc_all_lc_messages_lang(
    env: dict[str, str], language: str
) -> None:
    assert i18n.choose(env) == language


def _run(args: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SESSIONMIG_", "LC_")) and k not in ("LANG", "LANGUAGE")
    }
    return subprocess.run(
        [sys.executable, "-m", "sessionmig", *args],
        env={**base, "COLUMNS": "120", "PYTHONIOENCODING": "utf-8", **env},
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def test_the_locale_chooses_the_language_of_a_real_process() -> None:
    for env, word in (
        ({"LANG": "fr_FR.UTF-8"}, "Utilisation :"),
        ({"LC_ALL": "fr_CA.UTF-8", "LANG": "en_US.UTF-8"}, "Utilisation :"),
        ({"SESSIONMIG_LANG": "fr", "LANG": "C"}, "Utilisation :"),
        ({"LANG": "en_US.UTF-8"}, "Usage:"),
        ({"SESSIONMIG_LANG": "en", "LANG": "fr_FR.UTF-8"}, "Usage:"),
        ({}, "Usage:"),
    ):
        r = _run(["--help"], env)
        assert r.returncode == 0, r.stderr
        assert word in r.stdout, (env, r.stdout)


# --- the catalogues -------------------------------------------------------------------------


def extracted() -> dict[str, Any]:
    """msgid -> msgid (a tuple for plurals) of every string marked in the code, extracted
    as `pybabel extract -F babel.cfg -k Msg` does."""
    found: dict[str, Any] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map=[("src/sessionmig/**.py", "python")],
        keywords=KEYWORDS,
    ):
        key = message if isinstance(message, str) else message[0]
        found[key] = message
    return found


def catalogue(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale="fr" if path.suffix == ".po" else None)


def test_every_string_people_read_has_a_french_translation() -> None:
    """A string marked in the code (`_`, `ngettext`, `N_`, `Msg`) that the French
    catalogue lacks, or leaves empty or fuzzy, fails here."""
    po = catalogue(PO)
    missing = []
    for key, message in extracted().items():
        entry = po.get(message if isinstance(message, str) else message[0])
        if entry is None or entry.fuzzy:
            missing.append(key)
            continue
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(form.strip() for form in forms):
            missing.append(key)
    assert not missing, "untranslated (run the catalogue commands of the README):\n" + "\n".join(
        missing
    )


def test_committed_catalogues_are_current_with_the_code() -> None:
    """The .pot holds exactly the code's strings, the .po exactly the .pot's (no
    obsolete entry), and the .mo is the .po compiled (`pybabel compile`)."""
    code = set(extracted())
    pot = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue(POT) if m.id}
    po = catalogue(PO)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in po if m.id}
    assert pot == code, {"not in the .pot": code - pot, "no longer in the code": pot - code}
    assert translated == pot, {"not in the .po": pot - translated, "obsolete": translated - pot}
    assert not po.obsolete, list(po.obsolete)
    compiled = BytesIO()
    write_mo(compiled, po)
    assert MO.read_bytes() == compiled.getvalue(), "run `pybabel compile` (README)"


def test_french_plural_rule_is_n_greater_than_one() -> None:
    po = catalogue(PO)
    assert po.plural_forms == "nplurals=2; plural=(n > 1);"
    i18n.activate("fr")
    try:
        assert i18n.ngettext("{n} refused", "{n} refused", 0).format(n=0) == "0 refusée"
        assert i18n.ngettext("{n} refused", "{n} refused", 1).format(n=1) == "1 refusée"
        assert i18n.ngettext("{n} refused", "{n} refused", 2).format(n=2) == "2 refusées"
    finally:
        i18n.activate("en")


def fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_each_translation_has_the_placeholders_of_its_msgid() -> None:
    wrong = []
    for entry in catalogue(PO):
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        want = fields(ids[-1]) | fields(ids[0])
        for form in forms:
            if fields(form) != want:
                wrong.append((ids[0], form))
    assert not wrong, wrong


def test_placeholders_are_named_so_that_translators_can_reorder_them() -> None:
    # Typer's own msgids ("[default: {}]") are Typer's, not ours.
    typer_words = {"[default: {}]", "[env var: {}]"}
    positional = [
        key
        for key in extracted()
        if key not in typer_words and any(name == "" or name.isdigit() for name in fields(key))
    ]
    assert not positional, positional


# --- nothing a person reads is left unmarked -----------------------------------------------

ERRORS = {
    "SessionmigError",
    "RulesRefused",
    "UsageError",
    "InvalidInput",
    "PermissionDenied",
    "NotFound",
    "StoreUnavailable",
    "Cancelled",
    "OutputError",
    "BadParameter",
}
SAID = {"notice", "status", "committed", "confirm", "choose_one", "choose_many"}
# Not for people: a JSON Schema's title, a developer's tool.
NOT_SAID = {"ConfigDict"}
SKIPPED = ("migrations", "tables.py", "codegen.py")
MARKS = {"_", "ngettext", "N_", "Msg"}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _literal(node: ast.AST) -> bool:
    """A string written in the code (not a call of a marking function)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(node.value.strip(" #"))
    if isinstance(node, ast.JoinedStr):
        return any(
            isinstance(v, ast.Constant) and re.search("[A-Za-z]{2}", str(v.value))
            for v in node.values
        )
    if isinstance(node, ast.BinOp):
        return _literal(node.left) or _literal(node.right)
    if isinstance(node, ast.IfExp):
        return _literal(node.body) or _literal(node.orelse)
    return False


def _marked(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and _name(node.func) in MARKS


def unmarked(source: str, filename: str) -> list[str]:
    """Literal strings given straight to what people read: error messages, notices,
    progress, prompts, `help=`, column headers and listing titles."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        where = f"{filename}:{node.lineno}"
        if name in ERRORS | SAID and node.args and _literal(node.args[0]):
            found.append(f"{where}: {name}({ast.unparse(node.args[0])[:60]})")
        # prompts.Option(value, label, reason): the label and the reason
        if isinstance(node.func, ast.Name) and name == "Option":
            for arg in node.args[1:]:
                if _literal(arg):
                    found.append(f"{where}: Option({ast.unparse(arg)[:60]})")
        validator = filename.endswith(("export_format.py", "plan_format.py"))  # shown as places
        if name == "ValueError" and validator and node.args and _literal(node.args[0]):
            found.append(f"{where}: ValueError({ast.unparse(node.args[0])[:60]})")
        if name in NOT_SAID:
            continue
        for keyword in node.keywords:
            if keyword.arg in ("help", "title", "empty", "caption") and _literal(keyword.value):
                found.append(f"{where}: {keyword.arg}={ast.unparse(keyword.value)[:60]}")
        if name == "id_option" and len(node.args) > 1 and _literal(node.args[1]):
            found.append(f"{where}: id_option help {ast.unparse(node.args[1])[:60]}")
        if name == "Col":
            header = node.args[1] if len(node.args) > 1 else None
            if header is None or not _marked(header):
                found.append(f"{where}: Col({ast.unparse(node)[:60]}) needs an N_() header")
    return found


def test_no_string_people_read_is_left_unmarked() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if any(part in SKIPPED for part in path.parts):
            continue
        found += unmarked(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not found, "\n".join(found)


def test_the_scan_finds_unmarked_strings() -> None:
    """The scan above is not vacuous: each kind of unmarked string is reported."""
    source = """
raise NotFound(f"session {sid} not found")
raise UsageError("bad")
render.notice("done: " + what)
typer.Option("--x", help="An option.")
Col("title", "Title")
Col("id")
ListingSpec(title="Sessions", columns=(), default=("id",), empty="none")
prompter.confirm(f"Delete {x}?")
raise NotFound(_("session {id} not found").format(id=sid))
Col("title", N_("Title"))
"""
    found = unmarked(source, "example.py")
    assert len(found) == 9, found
    assert not any(":10:" in f or ":11:" in f for f in found), found


# --- Msg: English for programs, French for people -------------------------------------------


def test_msg_is_english_for_programs_and_translated_when_shown(french: None) -> None:
    reason = Msg("moved to community '{title}' (#{id})", title="Acme Academy", id=50)
    assert reason == "moved to community 'Acme Academy' (#50)"
    assert (
        json.dumps({"reason": reason}) == '{"reason": "moved to community \'Acme Academy\' (#50)"}'
    )
    assert f"{reason}" == str(reason) == "moved to community 'Acme Academy' (#50)"
    assert reason.shown() == "migrée vers la communauté « Acme Academy » (#50)"
    both = Msg.joined("; ", [Msg("deleted"), Msg("title changed")])
    assert both == "deleted; title changed"
    assert i18n.shown(both) == "supprimée; titre changé"
    nested = Msg(
        "no longer eligible: {reason}",
        reason=Msg("hybrid session: only online sessions can move (R4)"),
    )
    assert nested.shown() == (
        "n'est plus éligible : session hybride : seules les sessions en ligne peuvent être "
        "importées (R4)"
    )


# --- the main flows in French (in-process) --------------------------------------------------


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def test_errors_in_french_keep_their_exit_codes(loaded: Cli, french: None) -> None:
    cases = [
        (
            ["events", "list"],
            "nobody@acme.test",
            3,
            "erreur : utilisateur inconnu 'nobody@acme.test'",
        ),
        (["sessions", "show", "999999"], sample.ADMIN, 4, "erreur : session 999999 introuvable"),
        (["events", "list"], None, 2, "erreur : aucun utilisateur qui agit : passez --as EMAIL"),
        (
            ["migrate", "--community", "50", "--event", "10"],
            sample.ADMIN,
            2,
            "erreur : migrate : il manque --session/--all-eligible, --yes (obligatoire hors mode "
            "interactif)",
        ),
        (
            ["history", "--since", "hier"],
            sample.ADMIN,
            2,
            "erreur : --since : 'hier' n'est ni une date ni un horodatage",
        ),
        (
            ["events", "list", "--columns", "nope"],
            sample.ADMIN,
            2,
            "erreur : --columns : clé inconnue « nope » ; clés valides : id, name",
        ),
        (
            ["videos", "publish", "1"],
            sample.ADMIN,
            4,
            "erreur : vidéo 1 introuvable",
        ),
    ]
    for args, actor, code, start in cases:
        r = loaded(*args, actor=actor)
        assert r.exit_code == code, (args, r.stderr)
        assert r.stderr.startswith(start), (args, r.stderr)
        assert len(r.stderr.splitlines()) == 1, r.stderr


def test_r1_refusal_in_french(loaded: Cli, french: None) -> None:
    r = loaded(
        "migrate",
        "--community",
        "50",
        "--event",
        "10",
        "--all-eligible",
        "--yes",
        actor=sample.SUPPORT,
    )
    assert r.exit_code == 3
    assert r.stderr == (
        f"erreur : {sample.SUPPORT} ne peut pas migrer de sessions : seul un administrateur au "
        "niveau du back-office client le peut (R1)\n"
    )


def test_r4_and_strict_refusals_in_french_while_json_stays_english(
    loaded: Cli, french: None
) -> None:
    args = ["migrate", "--community", "50", "--event", "10", "--session", str(sample.IN_PERSON)]
    args += ["--session", str(sample.ONLINE_FILE), "--strict", "--dry-run"]
    table = loaded(*args, actor=sample.ADMIN)
    assert table.exit_code == 1
    text = "\n".join(lines(table.stdout))
    assert "Bilan de la migration (simulation)" in text
    assert "Session Titre Résultat Raison Vidéo" in text
    assert "refusée session en présentiel : seules les sessions en ligne peuvent" in text
    assert "refusée non migrée : --strict" in text
    assert "rien d'écrit (simulation)" in text
    assert (
        "0 serait migrée, 0 déjà migrée, 2 refusées — communauté « Acme Academy » (#50)"
        in table.stderr
    )
    doc = loaded(*args, "--format", "json", actor=sample.ADMIN).json()
    assert [(o["outcome"], o["reason"]) for o in doc["results"]] == [
        ("refused", "in person session: only online sessions can move (R4)"),
        ("refused", "not migrated: --strict"),
    ]


def test_r9_refusal_and_r8_notice_in_french(loaded: Cli, french: None) -> None:
    at = datetime(2026, 11, 23, 22, 19, 37, tzinfo=UTC)
    migrate_sessions(loaded, 50, 10, [sample.ONLINE_FILE], at=at)
    r = loaded("sessions", "show", str(sample.ONLINE_FILE), actor=sample.ADMIN)
    assert r.exit_code == 0, r.stderr
    shown = lines(r.stdout)
    assert shown[1] == (
        "Migration La session a été migrée vers la communauté « Acme Academy » (#50) par Ana "
        "Martin, le 2026-11-23T22:19:37Z"
    )
    assert (
        "Éligibilité déjà migrée vers la communauté « Acme Academy » (#50) ; une session ne"
        in "\n".join(shown)
    )
    again = loaded(
        "migrate",
        "--community",
        "51",
        "--event",
        "10",
        "--session",
        str(sample.ONLINE_FILE),
        "--yes",
        actor=sample.ADMIN,
    )
    assert again.exit_code == 1
    assert "refusée déjà migrée vers la communauté « Acme Academy » (#50)" in "\n".join(
        lines(again.stdout)
    )


def test_r8_notice_on_a_french_terminal_shows_the_french_date(french: None) -> None:
    from sessionmig.commands.sessions import notice_line
    from sessionmig.render import friendly_time

    at = datetime(2026, 11, 23, 22, 19, 37, tzinfo=UTC)
    on_terminal = friendly_time(at, terminal=True)
    assert re.fullmatch(r"\d\d/\d\d/2026 \d\d:\d\d:37 [+-]\d\d:\d\d", on_terminal), on_terminal
    line = notice_line(
        {
            "community_title": "Acme Academy",
            "community_id": 50,
            "actor_name": "Ana Martin",
            "migrated_at": at,
        }
    )
    assert line.startswith(
        "La session a été migrée vers la communauté « Acme Academy » (#50) par Ana Martin, le "
    )


def test_listing_headers_titles_and_words_in_french(loaded: Cli, french: None) -> None:
    migrate_sessions(loaded, 50, 10, [sample.ONLINE_FILE])
    expect = {
        ("events", "list"): ["Évènements", "ID Nom Début Sessions Éligibles Migrées"],
        ("sessions", "list", "--event", "10", "--columns", "id,format,source,public,eligibility"): [
            "Sessions",
            "ID Format Source Publique Éligibilité",
            f"{sample.IN_PERSON} en présentiel fichier vidéo oui pas en ligne",
            f"{sample.ONLINE_FILE} en ligne fichier vidéo non déjà migrée",
        ],
        ("communities", "list"): ["Communautés", "ID Titre Audience Brouillons Publiées Vidéos"],
        ("videos", "list", "--columns", "id,status,source_kind"): [
            "Vidéos des communautés",
            "ID Statut Source",
            "1 brouillon fichier vidéo",
        ],
        ("history", "--columns", "session_id,session_title,event_name,video_status"): [
            "Historique des migrations",
            "Session Titre Évènement Statut vidéo",
            f"{sample.ONLINE_FILE} Keynote Acme Summit 2026 brouillon",
        ],
    }
    for args, wanted in expect.items():
        r = loaded(*args, actor=sample.ADMIN)
        assert r.exit_code == 0, (args, r.stderr)
        got = lines(r.stdout)
        for line in wanted:
            assert line in got, (args, line, got)
    empty = loaded("sessions", "list", "--event", "11", "--migrated", actor=sample.ADMIN)
    assert empty.stderr == "aucune session ne correspond\n"


def test_publish_notices_agree_in_number_in_french(loaded: Cli, french: None) -> None:
    migrate_sessions(loaded, 50, 10, [sample.ONLINE_FILE, sample.ONLINE_URL])
    r = loaded("videos", "publish", "1", "2", actor=sample.ADMIN)
    assert r.exit_code == 0, r.stderr
    assert r.stderr == "publiées : 1, 2\n"
    again = loaded("videos", "publish", "1", actor=sample.ADMIN)
    assert again.stderr == "déjà publiée, rien à faire : 1\n"
    both = loaded("videos", "publish", "1", "2", actor=sample.ADMIN)
    assert both.stderr == "déjà publiées, rien à faire : 1, 2\n"


def test_invalid_export_lists_its_errors_in_french(loaded: Cli, french: None) -> None:
    data = sample.export()
    data["sessions"][0]["format"] = "webinar"
    data["sessions"][1]["event_id"] = 999
    r = loaded.load(data)
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        "  sessions[0].format : 'webinar' ne fait pas partie de online, in_person, hybrid",
        "erreur : le fichier est invalide (1 erreur) ; rien n'a été écrit",
    ]


def test_db_check_violations_in_french_and_english_json(french: None) -> None:
    from sessionmig.store.check import CHECKS, Violation

    class Row:
        _mapping: ClassVar[dict[str, int]] = {"session_id": 1000, "record_id": 7}
        session_id = 1000
        record_id = 7

    check = next(c for c in CHECKS if c.name == "migrated_session_public")
    v = Violation(check.name, check.message(Row()), {"session_id": 1000})
    assert v.message == "session 1000 has migration record 7 but is still public on its event (R6)"
    assert v.shown_line() == (
        "migrated_session_public: la session 1000 a la migration 7 mais est toujours publique "
        "sur son évènement (R6)"
    )
    assert json.dumps(v.message) == json.dumps(v.line().split(": ", 1)[1])


def test_a_stale_plan_is_refused_in_french(french: None) -> None:
    from sessionmig import plans
    from sessionmig.migration import SessionFacts

    content = plans.SessionContent(
        "Keynote", "", "online", "video_file", "a.mp4", None, (), (), "Summit"
    )
    planned = plans.PlannedSession(1000, "Keynote", plans.fingerprint(content))
    plan = plans.Plan(
        "id",
        "ana@acme.test",
        "Ana",
        "2026-11-23T22:19:37Z",
        50,
        "Academy",
        10,
        "Summit",
        (planned,),
    )
    now = plans.Current(
        11,
        "Lyon",
        SessionFacts(1000, "Keynote v2", "hybrid", "video_file"),
        plans.SessionContent(
            "Keynote v2", "", "hybrid", "video_file", "a.mp4", None, (), (), "Lyon"
        ),
    )
    outcome = plans.check_session(plan, planned, now, None)
    assert outcome.reason == (
        "moved to event 'Lyon' (#11); no longer eligible: hybrid session: only online sessions "
        "can move (R4); title changed, format changed, event name changed"
    )
    assert i18n.shown(outcome.reason) == (
        "déplacée vers l'évènement « Lyon » (#11); n'est plus éligible : session hybride : seules "
        "les sessions en ligne peuvent être importées (R4); titre changé, format changé, nom de "
        "l'évènement changé"
    )
    stale = plans.recheck(plan, {1000: now}, {})
    assert i18n.shown(stale.outcomes[0].reason).startswith("déplacée vers")


def test_click_usage_errors_in_french(loaded: Cli, french: None) -> None:
    for args, message in (
        (
            ["events", "list", "--bogus"],
            "erreur : Option inconnue : --bogus (options possibles : --columns) (voir « sessionmig events list --help »)",
        ),
        (
            ["events", "list", "--limit", "abc"],
            "erreur : Valeur invalide pour '--limit' : un nombre entier est attendu (voir « sessionmig events list --help »)",
        ),
        (
            ["events", "list", "--limit", "0"],
            "erreur : Valeur invalide pour '--limit' : N est un nombre entier de 1 à 9223372036854775807, reçu 0",
        ),
        (
            ["events", "list", "--format", "xml"],
            "erreur : Valeur invalide pour '--format' / '-f' : 'xml' ne fait pas partie de 'table', 'json', 'csv'",
        ),
        (["sessions", "show"], "erreur : Argument manquant : 'ID'."),
        (["sessions", "show", "1", "2"], "erreur : Arguments en trop inattendus (2)"),
        (["history", "--since"], "erreur : L'option '--since' demande une valeur."),
        (["nope"], "erreur : Commande inconnue : 'nope'."),
        (["sessons"], "erreur : Commande inconnue : 'sessons'. Vouliez-vous dire 'sessions' ?"),
    ):
        r = loaded(*args, actor=sample.ADMIN)
        assert r.exit_code == 2, (args, r.stderr)
        assert r.stderr.startswith(message), (args, r.stderr)


# --- machine formats: the same bytes in every language ---------------------------------------

MACHINE = [
    ("events", "list", "--format", "json"),
    ("events", "list", "--format", "csv"),
    ("sessions", "list", "--format", "json"),
    ("sessions", "list", "--format", "csv"),
    ("sessions", "show", str(sample.ONLINE_FILE), "--format", "json"),
    ("sessions", "show", str(sample.IN_PERSON), "--format", "json"),
    ("communities", "list", "--format", "json"),
    ("communities", "list", "--format", "csv"),
    ("videos", "list", "--format", "json"),
    ("videos", "list", "--format", "csv"),
    ("videos", "show", "1", "--format", "json"),
    ("history", "--format", "json"),
    ("history", "--format", "csv"),
    (
        "migrate",
        "--community",
        "51",
        "--event",
        "10",
        "--all-eligible",
        "--dry-run",
        "--format",
        "json",
    ),
    (
        "migrate",
        "--community",
        "50",
        "--event",
        "10",
        "--session",
        str(sample.IN_PERSON),
        "--session",
        str(sample.ONLINE_URL),
        "--strict",
        "--dry-run",
        "--format",
        "json",
    ),
    (
        "migrate",
        "--community",
        "50",
        "--event",
        "10",
        "--all-eligible",
        "--dry-run",
        "--plan-out",
        "-",
    ),
    ("schema", "--format", "json"),
    ("schema", "migrate"),
]


@pytest.fixture
def migrated_store(loaded: Cli) -> Iterator[Cli]:
    migrate_sessions(loaded, 51, 10, [sample.ONLINE_FILE])
    yield loaded


def _normalised(stdout: str) -> str:
    """A plan's `planned_at` is the time it is made: the one field that differs run to run."""
    return re.sub(r'"planned_at": "[^"]+"', '"planned_at": "…"', stdout)


def test_json_and_csv_are_the_same_bytes_in_french_and_english(migrated_store: Cli) -> None:
    for args in MACHINE:
        english = migrated_store(*args, actor=sample.ADMIN)
        i18n.activate("fr")
        try:
            french = migrated_store(*args, actor=sample.ADMIN)
        finally:
            i18n.activate("en")
        assert english.exit_code == french.exit_code, args
        assert _normalised(french.stdout) == _normalised(english.stdout), args
        assert english.stdout.strip(), args
    # ... while what people read differs (the check above is not comparing English twice)
    i18n.activate("fr")
    try:
        table = migrated_store("events", "list", actor=sample.ADMIN)
    finally:
        i18n.activate("en")
    assert "Évènements" in table.stdout


def test_real_processes_print_the_same_json_and_csv_under_every_locale(migrated_store: Cli) -> None:
    url = migrated_store.url
    commands = [
        ["--as", sample.ADMIN, "sessions", "list", "--format", "json"],
        ["--as", sample.ADMIN, "history", "--format", "csv"],
        [
            "--as",
            sample.ADMIN,
            "migrate",
            "--community",
            "50",
            "--event",
            "10",
            "--session",
            str(sample.ONLINE_FILE),
            "--session",
            str(sample.ONLINE_URL),
            "--dry-run",
            "--format",
            "json",
        ],
        ["--as", sample.ADMIN, "sessions", "show", str(sample.ONLINE_FILE), "--format", "json"],
        ["db", "check", "--format", "json"],
    ]
    locales = [{"LANG": "en_US.UTF-8"}, {"LANG": "fr_FR.UTF-8"}, {"SESSIONMIG_LANG": "fr"}]
    for args in commands:
        runs = [_run(args, {"SESSIONMIG_DB": url, **env}) for env in locales]
        assert len({(r.returncode, r.stdout) for r in runs}) == 1, (args, [r.stderr for r in runs])
        assert runs[0].stdout.strip()
        if args[-1] == "json" and args[2] == "migrate":
            assert "moves once (R9)" in runs[0].stdout  # the English reason, in every language
            assert "simulation" in runs[1].stderr and "simulation" in runs[2].stderr


# --- help, in a French process ------------------------------------------------------------------


def _commands() -> list[list[str]]:
    import typer

    from sessionmig.cli import app

    out: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        subs = getattr(command, "commands", None)
        out.append(path)
        for name, sub in sorted((subs or {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return out


def test_help_of_every_command_is_french() -> None:
    po = catalogue(PO)
    script = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from sessionmig.cli import app\n"
        "out = {}\n"
        "for path in json.loads(sys.argv[1]):\n"
        "    r = CliRunner().invoke(app, [*path, '--help'], env={'COLUMNS': '200'})\n"
        "    out[' '.join(path)] = [r.exit_code, r.stdout]\n"
        "print(json.dumps(out))\n"
    )
    paths = _commands()
    r = subprocess.run(
        [sys.executable, "-c", script, json.dumps(paths)],
        env={**os.environ, "SESSIONMIG_LANG": "fr", "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    helps = json.loads(r.stdout)
    english_words = ("Usage:", "Show this message", "Commands ", "[env var:", "Install completion")
    for path in paths:
        code, text = helps[" ".join(path)]
        assert code == 0, (path, text)
        assert "Utilisation : sessionmig" in text, (path, text)
        assert "Afficher ce message et quitter." in text, (path, text)
        for word in english_words:
            assert word not in text, (path, word, text)

    root = helps[""][1]
    for word in (
        "Commandes",
        "Options",
        "Installer la complétion",
        "[variable d'environnement : SESSIONMIG_DB]",
    ):
        assert word in root, word
    migrate = " ".join(helps["migrate"][1].replace("│", " ").split())
    for sentence in (
        "Migrer des sessions d'un évènement vers la vidéothèque d'une communauté.",
        "Communauté de destination (demandée sur un terminal si absente).",
        "Ne pas demander de confirmation.",
        "Exemple : sessionmig --as ana@acme.test migrate",
    ):
        assert sentence in migrate, sentence
    listing = " ".join(helps["sessions list"][1].replace("│", " ").split())
    assert "Format de sortie : table, json ou csv." in listing
    assert po.get("Output format: table, json or csv.") is not None


def test_french_help_starts_as_fast_as_english() -> None:
    """Choosing French and reading its catalogue import nothing heavy."""
    from tests.test_startup import HEAVY, loaded_modules

    for env in ({"SESSIONMIG_LANG": "fr"}, {"SESSIONMIG_LANG": "", "LANG": "fr_FR.UTF-8"}):
        for args in (["--help"], ["migrate", "--help"]):
            modules = loaded_modules(args, env)
            assert not modules & set(HEAVY), (env, args, modules & set(HEAVY))


# --- the interactive migration in French, with real key presses -----------------------------


@pytest.fixture
def term(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from prompt_toolkit.input import create_pipe_input

    from tests.test_migrate_interactive import Terminal

    with create_pipe_input() as pipe:
        yield Terminal(monkeypatch, pipe)


def test_interactive_migration_in_french(loaded: Cli, term: Any, french: None) -> None:
    from tests.test_migrate_interactive import ENTER, SPACE

    # The checkbox first (drawn in full before the typed keys are read): tick 1000, then
    # confirm with the French "o" (oui).
    keys = SPACE + ENTER + "o"
    r = term.run(loaded, keys, "--community", "50", "--event", "10", capture_screen=True)
    assert r.exit_code == 0, r.stderr
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", term.screen.getvalue())
    for text in (
        "Sessions à migrer :",
        "<espace> coche, <ctrl-a> tout, <ctrl-i> inverser, <entrée> pour valider)",
        "#1004  Workshop (session en présentiel : seules les sessions en ligne peuvent être "
        "importées (R4))",
        "#1002  Live Q&A (session en direct sans enregistrement : seuls un fichier vidéo ou une "
        "URL (iFrame) peuvent être importés (R4))",
        "Migrer 1 session de « Acme Summit 2026 » vers « Acme Academy » ? Elle est importée au "
        "statut brouillon",
        "Oui",
    ):
        assert text in screen, (text, screen)
    assert "Bilan de la migration" in r.stdout
    assert "migrée" in r.stdout
    assert r.stderr.startswith("1 migrée, 0 déjà migrée, 0 refusée — communauté « Acme Academy »")


def test_interactive_no_in_french_cancels(loaded: Cli, term: Any, french: None) -> None:
    from tests.test_migrate_interactive import ENTER, SPACE

    r = term.run(loaded, ENTER + ENTER + SPACE + ENTER + "n", capture_screen=True)
    assert r.exit_code == 130
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", term.screen.getvalue())
    assert (
        "Communauté de destination : (tapez pour filtrer par titre ou #id, flèches pour se "
        in screen
    )
    assert screen.rstrip().endswith("Non")
    assert r.stderr == "erreur : annulé, rien n'a été modifié\n"
    assert loaded("history", "--format", "json", actor=sample.ADMIN).json() == []
