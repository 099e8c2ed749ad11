"""Which single-byte code page a CSV file that is not UTF-8 was written in.

Windows-1252 ("ANSI") is what Dutch Excel writes, but old Mac Excel writes Mac Roman and
DOS-era tools code page 850 or 437: the same bytes then mean other letters (`Zo\\x91` is
`Zoë` in Mac Roman and `Zo‘` in Windows-1252). Every one of them decodes (almost) any
bytes, so decoding alone decides nothing. The whole file is read in each code page and
judged the way a person would: the non-ASCII characters of a student file are letters of
names (Dutch, French, German, Turkish, Moroccan, Polish…), written in the case a name has;
a typographic symbol, a box-drawing piece or a capital inside a lowercase word is a sign of
the wrong page. charset-normalizer's mess detector weighs in on the text as a whole.

`choose_code_page(data)` gives the page and whether the choice is sure; `odd_characters`
finds, per value, what no name holds, so that a doubt is said where it matters.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from operator import attrgetter, itemgetter

from charset_normalizer.md import mess_ratio

from .problems import Problem
from .texts import say, where

# In order of how often schools' files are written in them: a tie goes to the first.
CODE_PAGES = ("cp1252", "cp850", "mac_roman", "cp437")
# Letters that names of Dutch pupils and their families hold, small and capital, by how
# often: the Dutch, French, German and Turkish ones schools see every day, then those of
# Spanish, Portuguese, Scandinavian, Polish, Czech, Hungarian and Romanian names.
_DUTCH_LETTERS = frozenset("ëéèïöüçËÉÖÜÇ")
_COMMON_LETTERS = frozenset("êíîóôúûáàâäñışğãõÈÏÓÚÁÀÄŞİĞÃÕ")
_NAME_LETTERS = frozenset("åæøœùÿßłńśźżćęąőűčšžřťďňůăţșýòÂÊÎÔÛÅÆØŒÙŸŁŃŚŹŻĆĘĄŐŰČŠŽŘŤĎŇŮĂŢȘÝÍÌÒ")
# The characters that can make a name odd (symbols, C1 controls, Greek, box drawing, and
# the capitals Œ Š Ž Ÿ that Windows-1252 puts where other pages have small letters): one
# regex over a whole column finds whether any value needs a closer look (`odd_characters`).
ODD_HINT = re.compile(
    "[\u0080-\u009f\u00a1-\u00bf\u00d7\u00f7\u0152\u0153\u0160\u0161\u0178"
    "\u017d\u017e\u0192\u02c6\u02dc\u0370-\u03ff\u2010-\u2018\u201a-\u202e"
    "\u2030-\u22ff\u2500-\u25ff\ufffd]"
)
_OPENING = frozenset("‘“„‚«")  # quotes that open a word: `‘nog niet’`
_CLOSING = frozenset("”»")
_APOSTROPHES = frozenset("’'`´")  # `’t Hart`, `d’Ancona`, `O’Brien`
# A diaeresis starts a new syllable (Daniël, Anaïs, Noël): a vowel right after one is rare.
_DIAERESES = frozenset("ëïüöä")
_VOWELS = frozenset("aeiouy")
# To be sure of a page, it must beat every page that reads the bytes otherwise by this
# many points and by half its own score: close races are between pages whose letters are
# all plausible (Mac Roman's `â` is DOS's `ë`), where a few names prove little.
_SURE_BY = 6


@dataclass(frozen=True)
class CodePage:
    """The chosen code page, the text in it, whether the choice is sure (a clear winner)
    or a best guess that the values it matters for must be warned about, and whether the
    file is Windows-1252 with UTF-8 inside (`mixed`: the validator repairs those names)."""

    name: str
    text: str
    sure: bool
    mixed: bool = False


def _utf8_else_cp1252(error: UnicodeDecodeError) -> tuple[str, int]:
    return error.object[error.start : error.end].decode("cp1252", "replace"), error.end


codecs.register_error("klasse-cp1252", _utf8_else_cp1252)


def choose_code_page(data: bytes, *, utf8_inside: bool = False) -> CodePage | None:
    """The code page of `data` (bytes that are not UTF-8) among CODE_PAGES, or None when
    none decodes them. Scores every non-ASCII character in its context (`_score`), with
    charset-normalizer's mess ratio as a penalty; pure ASCII has no choice to make.
    `utf8_inside`: the bytes hold UTF-8 sequences too, so a Windows-1252 file that UTF-8
    got into competes as well, judged by its names once the UTF-8 in it is read as such."""
    scored: list[tuple[float, int, str, str, bool]] = []
    candidates = [(name, data.decode(name, "ignore"), name) for name in CODE_PAGES]
    if utf8_inside:
        candidates.append(("cp1252", data.decode("utf-8", "klasse-cp1252"), "mixed"))
    for order, (name, judged, kind) in enumerate(candidates):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        score = sum(_score(judged, i) for i, ch in enumerate(judged) if ord(ch) > 127)
        score -= 20 * mess_ratio(judged[:100_000])
        scored.append((score, -order, name, text, kind == "mixed"))
    if not scored:
        return None
    scored.sort(reverse=True)
    best, *others = scored
    # Sure when no page that reads the bytes otherwise comes close (cp850 and cp437 read
    # most names alike, and a tie between them changes nothing).
    rival = next((other for other in others if other[3] != best[3]), None)
    sure = rival is None or (best[0] - rival[0] >= max(_SURE_BY, best[0] / 2))
    return CodePage(best[2], best[3], sure, best[4])


def odd_characters(value: str, *, any_capital: bool = False) -> str:
    """The characters of `value` that no name holds where they stand: a symbol stuck to a
    word (`Zo‘`, `Zo‰`, but not `’t` or `‘nog’`), or a capital after small letters — with
    `any_capital` any such capital (a file read in a code page, where `ZoÙ` is a misread
    `Zoë`), else only Œ Š Ž Ÿ, the capitals a wrong code page puts where names have small
    letters (`ChloŽ`), so that ODD_HINT finds every value this finds. Letters of any
    script are never odd themselves. "" for a plausible name; ASCII is never odd."""
    if value.isascii():
        return ""
    found = []
    for i, ch in enumerate(value):
        if ord(ch) < 128 or ch.isspace():
            continue
        before = value[i - 1] if i else " "
        if ch.isalpha():
            small_before = before.isalpha() and before.islower()
            if ch.isupper() and small_before and (any_capital or ch in "ŒŠŽŸ"):
                found.append(ch)
        elif ODD_HINT.match(ch) and _score(value, i) < 0:
            found.append(ch)  # (an emoji or a rarer sign is a choice, not damage)
    return "".join(found)


def _score(text: str, i: int) -> int:
    """How much the non-ASCII character at `text[i]` looks like part of a name: a name's
    letter in a plausible case scores, a symbol next to a letter costs most."""
    ch = text[i]
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if ch.isalpha():
        if not (before.isalpha() or after.isalpha()):
            return 0  # a letter alone is no name (`€ 12` is `Ç 12` in DOS): no evidence
        if ch.isupper() and before.isalpha() and before.islower():
            return -3  # `ChloŽ`: a capital in the middle of a small word
        if ch.islower() and not before.isalpha():
            return 0  # names start with a capital: `èsa` is more likely `Åsa`
        if ch in _DIAERESES and after.lower() in _VOWELS:
            return 1  # `Joïo` is more likely `João`
        if ch in _DUTCH_LETTERS:
            return 4
        if ch in _COMMON_LETTERS:
            return 3
        if ch in _NAME_LETTERS:
            return 2
        return 1 if unicodedata.name(ch, "").startswith("LATIN") else -2
    if ch.isspace():
        return 3 if before.isalpha() and after.isalpha() else 0  # `van\u00a0den`
    if ch in _OPENING and not before.isalpha() and after.isalpha():
        return 0  # a quotation opens: `‘nog niet’`
    if ch in _CLOSING and before.isalpha() and not after.isalpha():
        return 0
    if ch in _APOSTROPHES and (before.isalpha() or after.isalpha()):
        return 3  # Dutch writes `’t` and `’s` in names as often as any accent
    if before.isalpha() or after.isalpha():
        return -4  # `Zo‘`, `Zo‰`: a symbol stuck to a word
    return 0  # a symbol on its own (`€ 12`, `• `) is as likely in every page


# How the encodings are known to the people who choose them (the wizard says the same).
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16 (Unicode-tekst)",
    "cp1252": "Windows (ANSI)",
    "mac_roman": "Mac Roman (oude Mac)",
    "cp850": "DOS (codetabel 850)",
    "cp437": "DOS (codetabel 437)",
}
_TEXT_FIELDS = ("last_name", "infix", "first_name", "class_name")


def name_doubts(table, mapping: dict[str, str | None], rows) -> None:
    """Warn (`suspect_characters`) on each row and column whose name or class the encoding
    may have damaged: in a file read in a single-byte code page (CODE_PAGES), a character
    no name holds there (`odd_characters`: `Zo‘`, `ChloŽ`); and, when the page was a guess
    (`table.encoding_sure` False), every such value with letters beyond ASCII. UTF-8 and
    XLSX files name their characters themselves: their damage is the validator's (`ZoÃ«`,
    `Zo?`). `rows` are the validated rows (ValidRow, by row number); a value that already
    has a warning about its characters gets no second one. Nothing read in a code page is
    stored looking damaged without a word (issue 13, kind 2)."""
    if table.encoding not in CODE_PAGES:
        return
    columns = [(table.headers.index(h), h, f) for h, f in mapping.items() if f in _TEXT_FIELDS]
    found: dict[int, list[tuple[str, str, str, str]]] = {}
    for index, header, fld in columns:
        numbered, cells = column_texts(table, rows, fld, index)
        # Each distinct value once: a file of ASCII or well-read names ends here.
        odd_of = {
            cell: odd_characters(cell.strip(), any_capital=True)
            for cell in set(cells)
            if not cell.isascii()
        }
        if table.encoding_sure and not any(odd_of.values()):
            continue
        for row, cell in zip(numbered, cells, strict=True):
            odd = odd_of.get(cell)
            if odd is not None and (odd or not table.encoding_sure):
                found.setdefault(row.number, []).append((header, fld, cell.strip(), odd))
    if not found:
        return
    name = ENCODING_NAMES.get(table.encoding or "", table.encoding or "")
    for row in rows:
        for header, fld, value, odd in found.get(row.number, ()):
            if any(p.field == fld for p in (*row.warnings, *row.errors)):
                continue
            row.add_warning(_doubt(row.number, header, fld, value, odd, name))


def column_texts(table, rows, fld: str, index: int) -> tuple[list, list[str]]:
    """(the rows, the text of field `fld` in each): validation's own column when every row
    came clean out of it (`ValidRows.columns`, made once and shared with the plan), else
    the file's cells at `index` with the file's rows. Either has `.number` per row."""
    try:
        (texts,) = rows.columns((fld,))
    except (AttributeError, KeyError, ValueError):
        return table.rows, list(map(itemgetter(index), map(attrgetter("cells"), table.rows)))
    return rows, texts


def _doubt(number: int, header: str, fld: str, value: str, odd: str, encoding: str) -> Problem:
    if odd:
        what = say(
            "'%(value)s' bevat '%(odd)s', dat in een naam niet voorkomt: waarschijnlijk is "
            "het bestand in een andere tekenset opgeslagen dan %(encoding)s.",
            value=value,
            odd=odd,
            encoding=say(encoding),
        )
    else:
        what = say(
            "het bestand is gelezen als %(encoding)s, maar die tekenset is niet zeker. "
            "Klopt '%(value)s'?",
            encoding=say(encoding),
            value=value,
        )
    message = say(
        "%(where)s: %(what)s Kies in stap 2 een andere tekencodering, of sla het bestand op "
        "als CSV UTF-8 en importeer het opnieuw.",
        where=where(number, header),
        what=what,
    )
    return Problem(number, header, fld, "warning", "suspect_characters", message)
