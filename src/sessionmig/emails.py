"""How e-mail addresses are compared: one normalisation in Python, the same on every
backend (SQLite's lower() folds ASCII only; PostgreSQL's depends on its locale).

`email_key` is Unicode's canonical caseless matching (Unicode §3.13, D145: NFD, then
case folding, then NFC for a compact stored form), blanks around the address removed:

- case folding, not lower(): it is the Unicode operation meant for caseless comparison
  (`ß`/`SS`, final `ς`/`σ`, and the other special cases lower() leaves apart);
- canonical normalisation: `É` typed as one character or as `E` + combining accent is
  the same address.

The key is stored next to the address (`app_user.email_key`, unique, and
`migration_record.actor_email_key`), and every lookup compares keys. Erring on the side
of "the same" is deliberate for identities: two users whose addresses differ only by
case or by a folding like `ß`/`ss` would be confused by people anyway; the loader
refuses the second one.

Changing this function changes what is stored: it needs an Alembic revision that
recomputes the keys (as 0004_email_key does).
"""

from __future__ import annotations

import unicodedata

# Stored keys are at most this long (a column and an index; PostgreSQL's btree entries are
# limited to about 2,700 bytes, and 500 characters of UTF-8 stay within it).
MAX_KEY_LENGTH = 500


def email_key(address: str) -> str:
    """The form in which `address` is compared with every other e-mail address."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", address.strip()).casefold())
