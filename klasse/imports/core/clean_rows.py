"""Validation a column at a time: the rows of a file that certainly have no problem.

Most rows of a real file have none. `clean_rows` recognises them in a few C-level passes
over 100,000 values instead of a dozen Python calls per row, and leaves every row it has
any doubt about to `validation`, which finds and words each problem. The rules are the
accounts' own (`klasse.accounts.rules`); the checks here are faster ways to their answers,
held to them by tests/imports/test_fast_paths.py.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from itertools import repeat
from operator import attrgetter, itemgetter

from django.contrib.auth.password_validation import get_default_password_validators
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from klasse.accounts.programmes import match_programme
from klasse.accounts.rules import (
    CONTROL,
    INVISIBLE,
    MAX_LENGTHS,
    MOJIBAKE_HINT,
    OTHER_SPACES,
    REQUIRED_NAMES,
    USERNAME,
    eck_id_problem,
    group_names_of,
    normalise_email,
    password_problems,
    teacher_class_names,
)

from .code_pages import ODD_HINT, odd_characters
from .valid_rows import NAME_AND_CLASS, NO_CLASSES, ValidRow, role_of


def clean_rows(
    rows, positions: dict[str, int], columns: dict[str, str]
) -> tuple[list[ValidRow | None], dict[str, list[str]] | None]:
    """For each row: its ValidRow if the row certainly has no problem, else None; and when
    every row is clean, the columns of values made on the way (always the usernames), else
    None.

    Conservative: a row is only taken here when none of the checks of `_validate_row`
    could report anything about it (not even a warning); any doubt leaves it to that
    function. The checks look at many values at once (C-level passes such as one regex
    over a whole row, or the set of a column's distinct values) and only look for the
    rows when they found something. Passes are few and go row by row where they can:
    a pass over 100,000 values scattered in memory costs more than the work it does,
    while the values of one row lie together.
    """
    count = len(rows)
    if "username" not in positions or not count:
        return [None] * count, None
    fields = tuple(positions)
    numbers = list(map(attrgetter("number"), rows))
    doubt: set[int] = set()
    if any(map(attrgetter("extra_cells"), rows)):
        doubt.update(i for i, row in enumerate(rows) if row.extra_cells)

    def mark(column: list[str], bad) -> None:
        doubt.update(i for i, value in enumerate(column) if bad(value))

    # One pass over the rows picks the mapped cells, in the order of `fields`.
    getter = itemgetter(*positions.values())
    try:
        picked = list(map(getter, map(attrgetter("cells"), rows)))
    except IndexError:  # a row shorter than the header: that row goes the careful way
        width = max(positions.values()) + 1
        cells = [row.cells for row in rows]
        doubt.update(i for i, c in enumerate(cells) if len(c) < width)
        picked = [getter(c if len(c) >= width else [""] * width) for c in cells]
    if len(fields) == 1:
        picked = [(value,) for value in picked]

    def column(fld: str) -> list[str]:
        return list(map(itemgetter(fields.index(fld)), picked))

    looked_clean = _rows_look_clean(picked, fields)
    if looked_clean:
        # Nothing to strip, too long, empty where required, unprintable, or suspect in a
        # name: the columns the checks below need are the cells as they are.
        cols = {fld: column(fld) for fld in fields if fld in _COLUMN_CHECKED}
        modified = False
    else:
        cols = _checked_columns(picked, fields, mark)
        modified = True

    usernames = cols["username"]
    joined = "".join(usernames)
    if joined.isascii():  # NFKC changes nothing
        # Lengths 1 to 150 checked already: then only characters other than USERNAME's.
        suspect = not looked_clean or joined.encode().translate(None, _USERNAME_BYTES)
    else:
        normalised = [unicodedata.normalize("NFKC", u) for u in usernames]
        if normalised != usernames:
            usernames = cols["username"] = normalised
            modified = True
        suspect = True
    if suspect and (
        not all(usernames)
        or max(map(len, usernames)) > 150
        or _NOT_USERNAME.search("".join(usernames))
    ):
        mark(usernames, lambda u: not USERNAME.fullmatch(u))

    blank = [""] * count
    role_texts = cols.get("role", blank)
    roles = {text: role_of(text) for text in set(role_texts)}
    if None in roles.values():
        mark(role_texts, lambda text: roles[text] is None)
    row_roles = [roles[t] for t in role_texts] if "teacher" in roles.values() else None
    class_texts = cols.get("class_name", blank)
    programme_texts = cols.get("programme", blank)
    distinct = {"class_name": set(class_texts), "programme": set(programme_texts)}
    programmes = {text: match_programme(text) for text in distinct["programme"] if text}
    if None in programmes.values():
        mark(programme_texts, lambda text: text and programmes[text] is None)
    for fld, texts in (("class_name", class_texts), ("programme", programme_texts)):
        if fld in columns and "" in distinct[fld]:  # required in a student's row
            doubt.update(
                i
                for i, text in enumerate(texts)
                if not text and (row_roles is None or row_roles[i] == "student")
            )
    if "email" in cols:
        emails = _clean_emails(cols["email"], doubt)
        if emails is not cols["email"]:
            cols["email"] = emails
            modified = True
    for fld, bad in (("eck_id", _bad_eck_id), ("groups", _bad_groups)):
        if fld in fields:
            texts = cols[fld] if fld in cols else column(fld)
            if any(texts) and not (fld == "eck_id" and _plain_eck_ids(texts)):
                mark(texts, bad)
    if "password" in cols:
        validators = get_default_password_validators()
        if any(cols["password"]):
            mark(cols["password"], lambda p: p and password_problems(p, validators))

    if modified:
        changed = (cols[fld] if fld in cols else column(fld) for fld in fields)
        picked = list(zip(*changed, strict=True))
    if not doubt and row_roles is None:  # the common case: every row clean, only students
        # One list per class, shared by its rows (ValidRow: never changed in place).
        class_lists = {text: [text] if text else NO_CLASSES for text in distinct["class_name"]}
        made = map(
            ValidRow,
            numbers,
            picked,
            repeat("student"),
            map(programmes.get, programme_texts),
            map(class_lists.__getitem__, class_texts),
            repeat(fields),
        )
        return list(made), cols
    found: list[ValidRow | None] = [None] * count
    for i, row_values in enumerate(picked):
        if i in doubt:
            continue
        role = row_roles[i] if row_roles else "student"
        text = class_texts[i]
        class_names = teacher_class_names(text) if role == "teacher" else [text] if text else []
        found[i] = ValidRow(
            numbers[i], row_values, role, programmes.get(programme_texts[i]), class_names, fields
        )
    return found, None


_COLUMN_CHECKED = frozenset({"username", "role", "class_name", "programme", "email", "password"})
# Joins the values of a row: printable, not a space, in no pattern or class used here.
_SEP = "\u00f7"  # ÷


@cache
def _row_pattern(fields: tuple[str, ...]) -> re.Pattern:
    """A row (values joined by _SEP) whose values fit MAX_LENGTHS and where the required
    names are not empty; a value holding _SEP does not match either."""
    required = (*REQUIRED_NAMES, "username")
    return re.compile(
        _SEP.join(
            f"[^{_SEP}]{{{1 if fld in required else 0},{MAX_LENGTHS[fld]}}}" for fld in fields
        )
    )


def _rows_look_clean(picked: list[tuple[str, ...]], fields: tuple[str, ...]) -> bool:
    """True when no value has spaces around it, is too long, is empty where a name is
    required, holds an unprintable character (every CONTROL character is one, and so is
    every space other than " "), or holds '?', '\ufffd' or a mojibake hint in a name or
    class: then _checked_columns would find nothing."""
    texts = list(map(_SEP.join, picked))
    if not all(map(_row_pattern(fields).fullmatch, texts)):
        return False
    text = _SEP.join(texts)
    del texts
    if not text.isprintable():
        return False
    if text[0] == " " or text[-1] == " " or f"{_SEP} " in text or f" {_SEP}" in text:
        return False  # with only " " as space, these are all the values to strip
    names = [i for i, fld in enumerate(fields) if fld in NAME_AND_CLASS]
    if names:
        # Joined by line ends, which no value holds (all are printable): _SEP is a sign
        # that ODD_HINT looks for, so that a join by it never looked clean.
        name_texts = map(itemgetter(*names), picked)
        if len(names) > 1:
            name_texts = map("\n".join, name_texts)
        text = "\n".join(name_texts)
        if "?" in text or "\ufffd" in text or MOJIBAKE_HINT.search(text):
            return False
        if not text.isascii() and ODD_HINT.search(text):
            return False  # a symbol in a name, maybe: `_checked_columns` finds which
    return True


def _checked_columns(picked, fields: tuple[str, ...], mark) -> dict[str, list[str]]:
    """Every column, stripped (but the password), with the rows that break a rule of
    `_check_characters` or `_check_names` marked."""
    cols: dict[str, list[str]] = {}
    for fld, column in zip(fields, map(list, zip(*picked, strict=True)), strict=True):
        if fld != "password":
            column = list(map(str.strip, column))
        limit = MAX_LENGTHS[fld]
        if max(map(len, column)) > limit:
            mark(column, lambda v, limit=limit: len(v) > limit)
        # Joined without a separator: a hint made of the end of one value and the start of
        # the next is a false alarm at worst, and the alarm only means a closer look.
        joined = "".join(column)
        # Every character CONTROL finds is unprintable: most columns need no regex.
        if fld != "username" and not joined.isprintable() and CONTROL.search(joined):
            mark(column, CONTROL.search)
        if fld in NAME_AND_CLASS:
            if not joined.isascii() and ODD_HINT.search(joined):
                mark(column, odd_characters)
            if not joined.isprintable() and (
                OTHER_SPACES.search(joined) or INVISIBLE.search(joined)
            ):
                mark(column, lambda v: OTHER_SPACES.search(v) or INVISIBLE.search(v))
            if not joined.isascii() and MOJIBAKE_HINT.search(joined):
                mark(column, MOJIBAKE_HINT.search)
            if "?" in joined or "\ufffd" in joined:
                mark(column, lambda v: "?" in v or "\ufffd" in v)
        if fld in REQUIRED_NAMES and not all(column):
            mark(column, lambda v: not v)
        cols[fld] = column
    return cols


# A character that USERNAME does not allow; the ASCII characters it allows, as bytes.
_NOT_USERNAME = re.compile(r"[^\w.@+\-]")
_USERNAME_BYTES = bytes(b for b in range(128) if USERNAME.fullmatch(chr(b)))
# An address with a dot-atom local part (a subset of what Django's EmailValidator accepts
# as local part) and a domain without "@".
_PLAIN_EMAIL = re.compile(
    r"[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+)*@[^@]+"
)


def _bad_eck_id(value: str) -> bool:
    return bool(value) and eck_id_problem(value) is not None


_ECK_PREFIX = "https://id.school/"
# The characters of an ECK iD's pseudonym (rules.ECK_ID), and the line end, as bytes.
_ECK_BYTES = bytes(b for b in range(128) if re.fullmatch(r"[A-Za-z0-9_\-.~/+=]", chr(b))) + b"\n"


def _plain_eck_ids(values: list[str]) -> bool:
    """True when every value is empty or `rules.ECK_ID` fullmatches it, decided over the
    whole column at once (one join, a few counts and one translate) instead of a regex per
    row; False means: look at each."""
    text = "\n" + "\n".join(values) + "\n"
    filled = len(values) - values.count("")
    if text.count(_ECK_PREFIX) != filled or text.count("\n" + _ECK_PREFIX) != filled:
        return False  # a value without the prefix at its start, or with it twice
    if _ECK_PREFIX + "\n" in text or not text.isascii():
        return False  # no pseudonym after the prefix, or a character no pseudonym has
    return not text.replace(_ECK_PREFIX, "").encode().translate(None, _ECK_BYTES)


def _bad_groups(value: str) -> bool:
    """A lesgroepen cell that `_check_groups` would say something about: a name too long."""
    limit = MAX_LENGTHS["class_name"]
    return len(value) > limit and any(len(n) > limit for n in group_names_of(value))


def _clean_emails(emails: list[str], doubt: set[int]) -> list[str]:
    """The column of addresses as `_check_email` leaves them; a row whose address
    `validate_email` might refuse goes to `doubt`.

    Django's validator accepts an address of at most 320 characters when its local part
    matches `user_regex` and its domain (after the last "@") is valid. Every address of
    the common form (a dot-atom local part, which `user_regex` always accepts) is therefore
    decided by its length and its domain: `validate_email` runs once per distinct domain,
    on `a@` and that domain, instead of once per row. Any other address is left to the
    row-by-row path.
    """
    present = list(filter(None, emails))
    if not present:
        return emails
    domains = _plain_domains(present)
    if domains is None:
        doubt.update(i for i, e in enumerate(emails) if e and not _PLAIN_EMAIL.fullmatch(e))
        domains = {e.rpartition("@")[2] for e in present}
    if max(map(len, present)) > 320:
        doubt.update(i for i, e in enumerate(emails) if len(e) > 320)
    refused = set()
    for domain in domains:
        try:
            validate_email(f"a@{domain.lower()}")  # (normalise_email lower-cases it)
        except ValidationError:
            refused.add(domain)
    if refused:
        doubt.update(i for i, e in enumerate(emails) if e and e.rpartition("@")[2] in refused)
    if all(domain == domain.lower() for domain in domains):
        return emails  # normalise_email changes nothing
    return [normalise_email(e) if e else e for e in emails]


# "@" and the rest of the line: an address's domain, in a text of one address per line.
_AT_DOMAIN = re.compile(r"@([^\n]*)")
# A character that a dot-atom local part of _PLAIN_EMAIL does not hold (nor a line end).
_NOT_ATOM = re.compile(r"[^-!#$%&'*+/=?^_`{}|~0-9A-Za-z.\n]")
# The ASCII characters of a dot-atom local part, with "." and "@" and the line end.
_ATOM_BYTES = bytes(b for b in range(128) if not _NOT_ATOM.match(chr(b))) + b"@"
# In local parts one per line: an empty one, or a dot at its start, its end or twice.
_BAD_DOTS = re.compile(r"\n\n|\n\.|\.\n|\.\.")


def _plain_domains(present: list[str]) -> set[str] | None:
    """The distinct domains of the addresses when every one fullmatches _PLAIN_EMAIL
    (allowed characters in dot-separated atoms, exactly one "@", a domain), decided over
    all of them at once; None means: look at each."""
    count = len(present)
    text = "\n" + "\n".join(present) + "\n"
    if text.count("\n") != count + 1 or text.count("@") != count:
        return None  # a line end in an address, or not one "@" per address on average
    if text.isascii():
        domains = _usual_domains(text, present)
        if domains is not None:
            return domains
    parts = _AT_DOMAIN.split(text)  # "\nlocal", "domain", "\nlocal", …, "domain", "\n"
    if len(parts) != 2 * count + 1:
        return None  # an address without "@" (and so another with two)
    domains = set(parts[1::2])
    local = "".join(parts[::2])  # "\nlocal\nlocal…\n"
    if "" in domains or _NOT_ATOM.search(local) or _BAD_DOTS.search(local):
        return None
    return domains


def _usual_domains(text: str, present: list[str]) -> set[str] | None:
    """`_plain_domains` for the usual column, without splitting it: ASCII addresses (one
    per line of `text`, which starts and ends with a line end, with as many "@" as lines)
    of a few domains seen in a sample, made only of characters that a dot-atom local part
    allows, and without a dot or an "@" where a local part cannot have one. None: the
    column is not like that (which does not mean that an address is not plain)."""
    sample = present[:: max(1, len(present) // 64)] + present[-1:]
    domains = {address.rpartition("@")[2] for address in sample}
    # Each line ends with one of these domains, after its only "@": then "@domain\n"
    # occurs once per line (an "@" followed by a domain and the line end, and no line has
    # two "@" when there are as many as lines and each has one).
    if "" in domains or sum(text.count(f"@{domain}\n") for domain in domains) != len(present):
        return None
    if text.encode().translate(None, _ATOM_BYTES):
        return None  # a character outside a dot-atom's (in a local part or a domain)
    if "\n@" in text or "\n." in text or ".@" in text or ".." in text:
        return None  # an empty local part, or a dot at its start, its end or twice
    return domains
