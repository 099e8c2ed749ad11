"""The rules an account's values follow, wherever they are typed: in a row of an import
file (the imports app's core: `validation` row by row, `clean_rows` a column at a time)
or in the edit form (`forms.AccountForm`).

Values are `str`, named by the import's field names (`first_name`, `infix`, `last_name`,
`username`, `password`, `email`, `class_name`, `programme`, `role`, `external_id`). A
check (`…_problem`) returns the stable code of the rule a value breaks (DESIGN.md, "Row
problems"), or None: Django's ValidationError does not get out. Besides the checks, the
ways a value is stored (`normalise_email`, `mojibake_repaired`, the classes of a klas
value). What each code says is worded twice: `ROW_MESSAGES` as the import reports it, for
a row and a column; the form's own shorter words are in `forms`. The programme catalogue
and its matching are in `programmes`, the NFKC of a username in `models`.
"""

from __future__ import annotations

import re

import ftfy
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_noop as N_

# The longest value of each field, in characters: the lengths of the columns they are
# stored in (names, username, e-mail and stamnummer in models.Account, a class's name in
# models.SchoolClass). A programme, a password and a rol cell are not stored as written (a
# catalogue code, a hash, a role) and have limits of their own.
MAX_LENGTHS = {
    "last_name": 100,
    "infix": 30,
    "first_name": 100,
    "username": 150,
    "password": 128,
    "email": 254,
    "class_name": 50,
    "programme": 60,
    "role": 30,
    "external_id": 50,
    "eck_id": 256,
    "groups": 1000,  # the names of a row's groups, separated by ","; each a class's length
}
REQUIRED_NAMES = ("last_name", "first_name")  # every account has both (DESIGN.md)
# DESIGN.md: "A username is 1–150 characters of letters, digits and `. _ - @ +` (after
# Unicode NFKC normalisation)" (`models.normalise_username`).
USERNAME = re.compile(r"[\w.@+\-]{1,150}")
# Control characters (line breaks and tabs too), zero-width characters, direction marks and
# the byte order mark: nobody types them in a name, and they make two equal-looking values
# differ. DESIGN.md's `invalid_characters`.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# A UTF-8 lead byte read as Windows-1252 (Â..ô) followed by a continuation byte's character:
# only such values are worth handing to ftfy, which is too slow to run on every cell.
MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u00a0-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6"
    "\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc"
    "\u2122\u0161\u203a\u0153\u017e\u0178]"
)
# Spaces other than " " (Unicode category Zs: the no-break space Excel and web pages leave,
# the narrow and the typographic ones) and invisible format characters (category Cf: the
# soft hyphen, zero-width spaces and joiners, direction marks, the word joiner, a BOM).
# In a name they are typing or copying accidents that make equal-looking names differ.
OTHER_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# The no-break spaces (plain, figure, narrow) that spreadsheets, word processors and web
# pages put between "van" and "den": replaced without a word. The others are rare enough
# that a replaced one is said (`repaired_text`).
_NO_BREAK_SPACES = str.maketrans("\u00a0\u2007\u202f", "   ")
INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)


def name_text(value: str) -> tuple[str, bool]:
    """A name or class as it is stored: every other space an ordinary one, invisible
    format characters removed, trimmed. Returns (text, whether that is worth a word): an
    invisible character removed or a rare space replaced is a `repaired_text`, a no-break
    space is not (Excel's `van\u00a0den` simply is `van den`). One rule for all of them,
    so nothing is ever stored invisibly (issue: real files from real schools, kind 8)."""
    quiet = value.translate(_NO_BREAK_SPACES)
    cleaned = INVISIBLE.sub("", OTHER_SPACES.sub(" ", quiet))
    return cleaned.strip(), cleaned != quiet


_ENCODING_ONLY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_c1_controls=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)


def value_problem(field: str, value: str) -> str | None:
    """The rules every value follows, whatever its field: `too_long` when it has more
    characters than MAX_LENGTHS[field] (KeyError for an unknown field), else
    `invalid_characters` when it holds a CONTROL character (not looked for in a username,
    which USERNAME refuses them in), else None. A value is checked as it will be stored:
    trimmed, but for a password."""
    if len(value) > MAX_LENGTHS[field]:
        return "too_long"
    if field != "username" and CONTROL.search(value):
        return "invalid_characters"
    return None


# The ECK iD standard (Edu-K, "Afsprakenset ECK iD"): the pseudonym that the Nummervoorziening
# of Kennisnet hands out, written as a URI under https://id.school/ (`https://id.school/LL_…`
# for a pupil, `LK_` for a teacher). Its pseudonym part is letters, digits and `_-.~/+=`.
ECK_ID = re.compile(r"https://id\.school/[A-Za-z0-9_\-.~/+=]+")


def eck_id_problem(value: str) -> str | None:
    """`invalid_eck_id` for a filled ECK iD that is not a URI of the ECK iD standard
    (ECK_ID: `https://id.school/` and a pseudonym without spaces), else None; empty is
    fine (no ECK iD). `value` is trimmed already."""
    if not value or ECK_ID.fullmatch(value):
        return None
    return "invalid_eck_id"


def group_names_of(text: str) -> list[str]:
    """A lesgroepen cell: the groups it names, separated by "," (trimmed, each once by
    case, in the order written). Empty: none."""
    found: dict[str, str] = {}
    for name in text.split(","):
        name = " ".join(name.split())
        if name and name.lower() not in found:
            found[name.lower()] = name
    return list(found.values())


def username_problem(username: str) -> str | None:
    """`required` for an empty username, `invalid_username` for one that USERNAME does not
    fullmatch, else None. `username` is NFKC-normalised already (`normalise_username`)."""
    if not username:
        return "required"
    return None if USERNAME.fullmatch(username) else "invalid_username"


def normalise_email(email: str) -> str:
    """The address as it is stored: trimmed, its domain (after the last "@") lower-cased;
    the local part keeps its case (`Sara@Example.NL` → `Sara@example.nl`). Text without an
    "@" is only trimmed."""
    local, at, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if at else email.strip()


def email_problem(email: str) -> str | None:
    """`invalid_email` for an address, normalised (`normalise_email`), that Django's
    `validate_email` refuses, else None."""
    try:
        validate_email(email)
    except ValidationError:
        return "invalid_email"
    return None


def password_problems(password: str, validators=None) -> list[str]:
    """Why the platform's password policy (settings.AUTH_PASSWORD_VALIDATORS: at least 8
    characters, not a common password) refuses `password`, in Django's words: one sentence
    per validator that does; empty when it passes (`weak_password` otherwise).
    `validators`: those of `get_default_password_validators()`, fetched once by a caller
    that checks many."""
    try:
        validate_password(password, password_validators=validators)
    except ValidationError as error:
        return error.messages
    return []


def repair_mojibake(text: str) -> str | None:
    """The text UTF-8-read-as-ANSI damage undone (`ZoÃ«` → `Zoë`), or None if undamaged."""
    if text.isascii():
        return None
    fixed = ftfy.fix_text(text, _ENCODING_ONLY)
    return fixed if fixed != text else None


def mojibake_repaired(value: str) -> str | None:
    """`repair_mojibake` of a value that shows MOJIBAKE_HINT, else None (without running
    ftfy). The import repairs names and class names so, with a warning (`repaired_text`);
    the edit form repairs a class name so."""
    return repair_mojibake(value) if MOJIBAKE_HINT.search(value) else None


def teacher_class_names(text: str) -> list[str]:
    """A teacher's klas cell: the classes it lists, comma-separated, once each, sorted."""
    return sorted({name.strip() for name in text.split(",") if name.strip()})


def class_names_of(role: str, text: str) -> list[str]:
    """The classes a klas value puts a `role` ('student' or 'teacher') in: a teacher's may
    list several (`teacher_class_names`), a student's is one class; empty: none (a
    student then breaks the rule that a student is in a class: `required`)."""
    if role == "teacher":
        return teacher_class_names(text)
    return [text] if text else []


# The import's words for each broken rule, for one value of one row. `where` is the row
# and the column, "Rij 14, kolom 'Klas'"; the other names are the value and what the
# code's words need. DESIGN.md: every message says what is wrong and how to fix it.
ROW_MESSAGES = {  # Dutch msgids with %(name)s places: translated when shown
    "too_long": N_(
        "%(where)s: de waarde is %(length)s tekens lang; het maximum is %(max)s. Kort de waarde in."
    ),
    "invalid_characters": N_(
        "%(where)s: de waarde bevat onzichtbare tekens of een regelovergang. Typ de waarde "
        "opnieuw in de cel."
    ),
    # %(label)s: 'voornaam'
    "required_name": N_("%(where)s: dit veld is leeg. Vul de %(label)s in."),
    "required_username": N_(
        "%(where)s: de gebruikersnaam is leeg. Elke rij heeft een unieke gebruikersnaam nodig."
    ),
    "invalid_username": N_(
        "%(where)s: '%(value)s' is geen geldige gebruikersnaam. Gebruik alleen letters, cijfers "
        "en . _ - @ + (geen spaties)."
    ),
    "unknown_role": N_(
        "%(where)s: de rol '%(value)s' kennen we niet. Gebruik 'leerling' of 'docent' "
        "(beheerders maak je niet met een import). Is dit geen leerling of docent, zoals een "
        "conciërge? Laat de rij dan weg."
    ),
    "required_class": N_("%(where)s: een leerling moet in een klas zitten. Vul de klas in."),
    "unknown_programme": N_(
        "%(where)s: de opleiding '%(value)s' staat niet in de lijst. Kies een opleiding uit het "
        "tabblad 'Opleidingen' van het inleesbestand, bijvoorbeeld 'havo 3' of 'vmbo-tl 2'."
    ),
    "required_programme": N_(
        "%(where)s: een leerling heeft een opleiding nodig. Vul de opleiding in, bijvoorbeeld "
        "'havo 3'."
    ),
    "invalid_email": N_(
        "%(where)s: '%(value)s' is geen geldig e-mailadres. Verbeter het adres of maak de cel leeg."
    ),
    "invalid_eck_id": N_(
        "%(where)s: '%(value)s' is geen geldig ECK iD. Een ECK iD begint met "
        "'https://id.school/' en bevat geen spaties; neem het ongewijzigd over uit de "
        "leerlingadministratie, of maak de cel leeg."
    ),
    "group_name_too_long": N_(
        "%(where)s: de lesgroep '%(value)s' is langer dan %(max)s tekens. Kort de naam in; "
        "scheid meerdere lesgroepen met een komma."
    ),
    # %(reasons)s: `password_problems`, joined by spaces
    "weak_password": N_(
        "%(where)s: het wachtwoord is te zwak: %(reasons)s Kies een wachtwoord van minstens 8 "
        "tekens dat niet veel gebruikt wordt, of laat de cel leeg en vul een e-mailadres in."
    ),
}
