"""Values that Excel or a wrong encoding damaged before they reached Klasse, recognised by
comparing them with the value an account already holds (`damaged_value`).

The kinds, from public reports of import failures:
- Excel drops leading zeros of a number (`001234` → `1234`);
- Excel shows a long number in scientific notation and saves it rounded (`1,23457E+11`);
- an "ANSI" save turns a letter its code page lacks into `?`, a failed decode into `�`
  (`Yılmaz` → `Y?lmaz`);
- text written in one code page and read in another (mojibake of the stored value).
"""

from __future__ import annotations

import re

from .problems import Problem
from .texts import say, where

# Excel's scientific notation of a number too long for its cell, as its General format
# writes it: one digit, maybe a decimal mark (either) and digits, `E`, a sign and at least
# two digits (`1,23457E+11`). `1e1000000` typed as such is text, and stays text.
SCIENTIFIC = re.compile(r"-?\d(?:[.,]\d+)?E[+-]\d{2,}")
_LOST = {"?", "\ufffd"}
# Encodings a stored value may have passed through on its way back into a file.
_MISREAD = (("utf-8", "cp1252"), ("utf-8", "latin-1"), ("cp1252", "mac_roman"))
_MISREAD += (("cp1252", "cp850"), ("mac_roman", "cp1252"), ("cp850", "cp1252"))


def damage_of(new: str, stored: str) -> str | None:
    """Why `new` (a value from the file) is a damaged form of `stored` (the account's
    value), in Dutch for a message, or None when it is not. A value in scientific notation
    is damaged whatever is stored: its digits are gone. The import contract, "Row
    warnings" (`damaged_value`)."""
    if SCIENTIFIC.fullmatch(new):
        return say(
            "Excel heeft het getal afgerond tot wetenschappelijke notatie; cijfers zijn verloren"
        )
    if not stored or new == stored:
        return None
    if new.isdigit() and stored.isdigit():
        if stored.lstrip("0") == new.lstrip("0"):
            return say("Excel heeft de voorloopnullen weggehaald")
        if _rounded(new, stored):
            return say("Excel heeft het getal afgerond; cijfers zijn verloren")
    if len(new) == len(stored) and _LOST & set(new):
        pairs = [(a, b) for a, b in zip(new, stored, strict=True) if a != b]
        if all(a in _LOST and b.isalpha() for a, b in pairs):
            return say("een letter is onderweg een '?' of '�' geworden (opgeslagen als ANSI)")
    for written, read in _MISREAD:
        try:
            if stored.encode(written).decode(read) == new:
                return say("de tekst is met de verkeerde tekenset gelezen")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return None


def _rounded(new: str, stored: str) -> bool:
    """Whether the digits `new` are `stored` rounded by Excel: a number too long for its
    cell shown as `1,23457E+11` and saved as 123457000000 (the same length, its last
    digits zeros)."""
    zeros = len(new) - len(new.rstrip("0"))
    if zeros < 3 or len(new) - zeros < 3 or len(new) != len(stored) or len(stored) < 11:
        return False  # (Excel keeps six significant digits, or five: never one or two)
    return round(int(stored), -zeros) == int(new)


def damaged_value(
    number: int, field: str, column: str | None, label: str, stored: str, new: str, why: str
) -> Problem:
    """The warning for a damaged value that an update did not store: the account keeps
    `stored`, and the message says what was kept and why."""
    label = say(label)  # a field's Dutch label (`CHANGE_LABELS`), said in the reader's words
    if stored:
        kept = say("De %(label)s blijft '%(stored)s'.", label=label, stored=stored)
    else:
        kept = say("De %(label)s is niet ingelezen.", label=label)
    message = say(
        "%(where)s: '%(value)s' is een beschadigde waarde: %(why)s. %(kept)s De rest van de "
        "rij is wel verwerkt. Verbeter de waarde in je administratie of in het bestand (in "
        "Excel: maak de kolom 'Tekst' voordat je de waarden invult).",
        where=where(number, column or label),
        value=new,
        why=why,
        kept=kept,
    )
    return Problem(number, column, field, "warning", "damaged_value", message)
