"""The language people read: French or English, decided once per process (SPEC "Languages").

`SESSIONMIG_LANG` if set and not empty, else the first of `LC_ALL`, `LC_MESSAGES`, `LANG`
that is set and not empty (gettext's own order): a value starting with `fr` (`fr`,
`fr_FR.UTF-8`, `fr_CA`) is French, anything else (`C`, `POSIX`, `en_US.UTF-8`, nothing)
English. English is the language of the code's own strings; French comes from the
standard gettext catalogue `locale/fr/LC_MESSAGES/sessionmig.mo` shipped in the package.

Programs never depend on the language: JSON, CSV, plan files and exit codes are the same
bytes in every language. Data for programs therefore never passes through gettext:

- `_()` / `ngettext()` translate a sentence for people where it is said (an error
  message, a notice, a prompt, a help text);
- `N_()` marks a sentence (a column header, a table title, a word for a code) that is
  kept in English and translated when it is shown (`render` calls `_()` on it);
- `Msg` is an English sentence for programs that people also read (a refusal's reason,
  a `db check` violation): the string itself is the English sentence (JSON, CSV and plans
  write it as it is), and `shown()` gives it in the reader's language.

Imported at start-up: standard library `gettext` only; the French catalogue is one small
file, read when French is chosen.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Iterable, Mapping
from typing import Any

DOMAIN = "sessionmig"
LANG_ENV = "SESSIONMIG_LANG"
# gettext's own order for the message category (LANGUAGE aside: the spec names these).
LOCALE_ENVS = ("LC_ALL", "LC_MESSAGES", "LANG")
LANGUAGES = ("en", "fr")
LOCALE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")

_language: str | None = None
_active: _gettext.NullTranslations | None = None


def choose(env: Mapping[str, str] | None = None) -> str:
    """`fr` or `en`, from the environment (see the module's docstring)."""
    env = os.environ if env is None else env
    value = next((env[name] for name in (LANG_ENV, *LOCALE_ENVS) if env.get(name)), "")
    return "fr" if value.strip().lower().startswith("fr") else "en"


def catalogue_path(language: str) -> str:
    return os.path.join(LOCALE_DIR, language, "LC_MESSAGES", f"{DOMAIN}.mo")


def activate(language: str) -> None:
    """Use `language` from now on in this process (the first call of `_()` otherwise
    chooses it from the environment). Tests use it to render in one language or the
    other; help texts, made when the commands are declared, keep the first one."""
    global _language, _active
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    translations: _gettext.NullTranslations = _gettext.NullTranslations()
    if language != "en":
        try:
            with open(catalogue_path(language), "rb") as f:
                translations = _gettext.GNUTranslations(f)
        except OSError:  # a broken install: English rather than a crash
            translations = _gettext.NullTranslations()
    _language, _active = language, translations
    _bind_typer()


def language() -> str:
    """The language of this process: chosen once, from the environment."""
    if _language is None:
        activate(choose())
    assert _language is not None
    return _language


def french() -> bool:
    return language() == "fr"


def _translations() -> _gettext.NullTranslations:
    if _active is None:
        activate(choose())
    assert _active is not None
    return _active


def _(message: str) -> str:
    """`message` (English) in the reader's language."""
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n` (French: singular for 0 and 1, `n > 1`)."""
    return _translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks `message` for the catalogue without translating it: it is translated where
    it is shown (`_(message)`)."""
    return message


def _bind_typer() -> None:
    """Typer's own words (`typer.core` and `typer.rich_utils` call the standard library's
    global `gettext`, whose language gettext would choose by itself) follow ours."""
    import sys

    for name in ("typer.core", "typer.rich_utils"):
        module = sys.modules.get(name)
        if module is not None:
            module._ = _  # type: ignore[attr-defined]


class Msg(str):
    """An English sentence for programs that people also read in their language.

    `Msg("moved to community '{title}' (#{id})", title=..., id=...)` is that sentence in
    English: a plain `str` for JSON, CSV, plan files and comparisons. `shown()` is the
    same sentence in the reader's language, its parameters shown too (a parameter may be
    a `Msg` itself). The template is a catalogue entry (extracted with the keyword
    `Msg`); its placeholders are named, so that a translation may reorder them.
    """

    template: str
    params: dict[str, Any]
    parts: tuple[str, ...] | None

    def __new__(cls, template: str, /, **params: Any) -> Msg:
        self = super().__new__(cls, template.format(**params) if params else template)
        self.template = template
        self.params = params
        self.parts = None
        return self

    @classmethod
    def joined(cls, separator: str, parts: Iterable[str]) -> Msg:
        """`separator.join(parts)` whose parts are shown in the reader's language."""
        items = tuple(parts)
        self = super().__new__(cls, separator.join(items))
        self.template = separator
        self.params = {}
        self.parts = items
        return self

    def shown(self) -> str:
        if self.parts is not None:
            return self.template.join(shown(p) for p in self.parts)
        text = _(self.template)
        if not self.params:
            return text
        return text.format(**{k: shown(v) for k, v in self.params.items()})


def shown(value: Any) -> Any:
    """`value` as people read it: a `Msg` in their language, anything else unchanged."""
    return value.shown() if isinstance(value, Msg) else value
