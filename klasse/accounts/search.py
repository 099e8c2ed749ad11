"""Find a school's accounts by name, username, class or e-mail, with or without accents.

`zoe` finds `Zoë` and `celik` finds `Çelik`. Neither SQLite nor a stock PostgreSQL can
compare without accents (PostgreSQL's `unaccent` is an extension that needs a superuser),
so the match runs in Python over one narrow query of the school's accounts: a few
hundred milliseconds for tens of thousands of accounts, with no column that imports would
have to keep up to date. Only the page that is shown is loaded as whole accounts.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from .models import Account, SchoolClass

# Letters that do not decompose into a base letter and an accent.
_SPECIAL = str.maketrans(
    {"ı": "i", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "æ": "ae", "œ": "oe"}
)
STATUSES = ("active", "archived", "all")


def fold(text: str) -> str:
    """Lower case without accents: `Zoë Çelik` → `zoe celik`; used to search and to sort."""
    if text.isascii():  # most values: no need to decompose
        return text.lower()
    return _fold_unicode(text)


@lru_cache(maxsize=65536)  # names repeat: a school has many an Anna and many a Yılmaz
def _fold_unicode(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def sort_key(first_name: str, infix: str, last_name: str) -> tuple[str, str, str]:
    """On the last name without its tussenvoegsel: `van der Berg` sorts under B."""
    return (fold(last_name), fold(first_name), fold(infix))


def account_search(
    *, school_id: int, query: str = "", role: str = "", status: str = "active"
) -> list[int]:
    """Ids of the school's accounts that match every word of `query`, by last name."""
    accounts = Account.objects.filter(school_id=school_id)
    if role:
        accounts = accounts.filter(role=role)
    if status == "active":
        accounts = accounts.filter(archived_at__isnull=True)
    elif status == "archived":
        accounts = accounts.filter(archived_at__isnull=False)
    # "Vries, Zoë" as a list writes it finds Zoë de Vries too: commas part words.
    words = fold(query).replace(",", " ").replace(";", " ").split()
    teaching = _teacher_classes(school_id) if words else {}
    found = []
    for pk, first, infix, last, username, email, class_name in accounts.values_list(
        "id", "first_name", "infix", "last_name", "username", "email", "school_class__name"
    ).iterator(chunk_size=5000):
        # Field by field: names repeat, so their folded forms come from the cache.
        key = (fold(last), fold(first), fold(infix))
        if words:
            classes = teaching.get(pk, [class_name or ""])
            text = " ".join((*key, fold(username), fold(email), *map(fold, classes)))
            if not all(word in text for word in words):
                continue
        found.append((key, username.lower(), pk))
    found.sort()
    return [pk for *_, pk in found]


def _teacher_classes(school_id: int) -> dict[int, list[str]]:
    links = SchoolClass.teachers.through.objects.filter(
        schoolclass__school_id=school_id
    ).values_list("account_id", "schoolclass__name")
    teaching: dict[int, list[str]] = {}
    for account_id, name in links:
        teaching.setdefault(account_id, []).append(name)
    return teaching
