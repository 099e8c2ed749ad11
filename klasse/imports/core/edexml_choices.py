"""What an EDEXML table needs before it is validated: the right school, a programme for
every group, and usernames where the administration gives none (issue 16, items 3, 5, 6).

`prepare_edexml` changes the table in place; the CSV and XLSX path never comes here.
Plain Python beside the database, like `school_accounts`: no request, no view.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.utils.timezone import localdate as today
from django.utils.translation import gettext_lazy as _

from klasse.accounts.models import Account, School
from klasse.accounts.programmes import match_programme

from .edexml import EDEX_HEADERS, EdexInfo
from .problems import FileProblem, Problem
from .reading import Table
from .school_accounts import taken_elsewhere
from .texts import say
from .valid_rows import ValidRows

# The patterns an administrator may choose for new accounts' usernames (the wizard's
# choice, `--username-pattern`); each may begin with `school.`: the school's short name
# (slug) and a dot in front.
USERNAME_PATTERNS: dict[str, str] = {  # code → how the wizard names it (gettext_lazy)
    "voornaam.achternaam": _("voornaam.achternaam (zoe.devries)"),
    "vachternaam": _("eerste letter en achternaam (zdevries)"),
    "nummer": _("leerlingnummer uit de administratie (4012)"),
}
SCHOOL_PREFIX = "school."
# Offered first when people lack a username and nothing was chosen before.
PRESELECTED_PATTERN = "voornaam.achternaam"
_COLUMN = {name: index for index, name in enumerate(EDEX_HEADERS)}
_NOT_IN_NAME = re.compile(r"[^a-z0-9]")


@dataclass(frozen=True)
class EdexOptions:
    """The administrator's choices for an EDEXML file: `programmes` maps a group's name to
    a catalogue code (for jaargroepen other than 1–8); `username_pattern` is one of
    USERNAME_PATTERNS, optionally with SCHOOL_PREFIX, or "" (no usernames made)."""

    programmes: dict[str, str] = field(default_factory=dict)
    username_pattern: str = ""


def check_pattern(pattern: str) -> str:
    """`pattern` itself when it is one of the choices; ValueError (Dutch) otherwise."""
    if pattern.removeprefix(SCHOOL_PREFIX) not in USERNAME_PATTERNS:
        choices = ", ".join(USERNAME_PATTERNS)
        raise ValueError(
            f"Onbekend patroon voor gebruikersnamen {pattern!r}. Kies uit: {choices} "
            f"(eventueel met '{SCHOOL_PREFIX}' ervoor)."
        )
    return pattern


def check_programmes(given: dict[str, str]) -> dict[str, str]:
    """The choices with each programme as the catalogue spells it; ValueError (Dutch) for
    one that is not in the catalogue."""
    found = {}
    for group, text in given.items():
        code = match_programme(text)
        if code is None:
            raise ValueError(
                f"De opleiding {text!r} voor groep {group!r} staat niet in de lijst van "
                "opleidingen (bijvoorbeeld 'havo 1', 'vwo 2', 'groep 8')."
            )
        found[group] = code
    return found


def brin_elsewhere(brin: str, school: School) -> bool:
    """Whether another school on the platform has this BRIN (any case): a school without
    a BRIN never takes one that is another school's."""
    return School.objects.filter(brin__iexact=brin).exclude(pk=school.pk).exists()


def prepare_edexml(table: Table, *, school: School, options: EdexOptions) -> str:
    """1. refuse another school's file (`wrong_school`, nothing changed): a BRIN other
    than the school's, or, for a school without one, a BRIN another school has; 2. fill each
    group's chosen programme; 3. give the pupils without a username one. Returns the BRIN
    to store with the school on commit ("" when the school has one already)."""
    info = EdexInfo.from_dict(table.edex or {})
    if school.brin and info.brin and school.brin.upper() != info.brin:
        raise FileProblem(
            "wrong_school",
            f"Dit EDEXML-bestand is van de school met BRIN-code {info.brin}, maar jouw school "
            f"heeft BRIN-code {school.brin.upper()}. Er is niets geïmporteerd. Exporteer het "
            "bestand van je eigen school uit de leerlingadministratie.",
        )
    if not school.brin and info.brin and brin_elsewhere(info.brin, school):
        raise FileProblem(
            "wrong_school",
            f"Dit EDEXML-bestand is van de school met BRIN-code {info.brin}, en die BRIN-code "
            "hoort op het platform al bij een andere school. Er is niets geïmporteerd. "
            "Exporteer het bestand van je eigen school uit de leerlingadministratie; is dit "
            "wel jouw BRIN-code, vraag dan de beheerder van het platform om het na te kijken.",
        )
    if (warning := school_year_warning(info, today())) and warning not in table.warnings:
        table.warnings.append(warning)
    fill_programmes(table, options.programmes)
    generated = fill_usernames(table, school=school, pattern=options.username_pattern)
    # A new dict, never the stored table's: the report's `file.edexml.generated_usernames`.
    table.edex = {**(table.edex or {}), "generated_usernames": generated}
    return info.brin if not school.brin else ""


def current_school_year(day: date) -> str:
    """The school year `day` is in, as EDEXML writes it: 1 August to 31 July (the Dutch
    school year, Leerplichtwet art. 1), so 2026-09-01 → "2026-2027", 2027-07-31 →
    "2026-2027"."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"


def school_year_warning(info: EdexInfo, day: date) -> Problem | None:
    """`other_school_year` (a file-level warning, the import goes on) when the file's
    `schooljaar` is not the current one: last year's export by mistake, or next year's
    prepared early. None when it is, or when the file has none."""
    current = current_school_year(day)
    if not info.school_year or info.school_year == current:
        return None
    return Problem(
        None,
        None,
        None,
        "warning",
        "other_school_year",
        say(
            "Dit bestand is van schooljaar %(year)s; het huidige schooljaar is %(current)s. "
            "Is dit het goede bestand?",
            year=info.school_year,
            current=current,
        ),
    )


def location_of(info: EdexInfo) -> str:
    """The file's `dependancecode` when it is another location than the main one ("00"
    or none): "" otherwise. Said in the summary and the mass-archive message."""
    return "" if info.dependance in ("", "00") else info.dependance


def open_groups(table: Table) -> list[str]:
    """The names of the groups whose pupils have no programme yet (jaargroep not 1–8, and
    not chosen), in the file's order: what the wizard asks about."""
    info = EdexInfo.from_dict(table.edex or {})
    programme, class_name = _COLUMN["programme"], _COLUMN["class_name"]
    missing = {
        row.cells[class_name]
        for row in table.rows
        if row.cells[_COLUMN["role"]] == "leerling" and not row.cells[programme]
    }
    return [group.name for group in info.groups if group.name in missing]


def fill_programmes(table: Table, programmes: dict[str, str]) -> None:
    """Each pupil without a programme gets the one chosen for its group, if any."""
    programme, class_name = _COLUMN["programme"], _COLUMN["class_name"]
    for row in table.rows:
        cells = row.cells
        if not cells[programme] and cells[_COLUMN["role"]] == "leerling":
            cells[programme] = programmes.get(cells[class_name], "")


def programme_hints(table: Table, rows: ValidRows) -> None:
    """A pupil whose group has no programme gets `unknown_programme`, saying how to choose
    one, instead of a plain `required`: the file has a jaargroep, Klasse lacks the choice.
    A person without a username keeps `required`, but its message points to the pattern
    (step 2 or `--username-pattern`), not to a herstelbestand: the administration gave
    none, so a corrected file would not have one either."""
    info = EdexInfo.from_dict(table.edex or {})
    years = {group.name: group.jaargroep for group in info.groups}
    for row in rows:
        if not row.errors:
            continue
        group = row.values.get("class_name", "")
        for index, problem in enumerate(row.errors):
            if problem.field == "username" and problem.code == "required":
                row.errors[index] = Problem(
                    problem.row,
                    problem.column,
                    "username",
                    "error",
                    "required",
                    say(
                        "Rij %(row)s: deze persoon heeft in het bestand geen gebruikersnaam. "
                        "Kies bij 'Inhoud van het bestand' hoe Klasse gebruikersnamen maakt "
                        "(opdrachtregel: --username-pattern voornaam.achternaam), of vul de "
                        "gebruikersnaam in je leerlingadministratie in.",
                        row=row.number,
                    ),
                )
            elif problem.field == "programme" and problem.code == "required":
                row.errors[index] = Problem(
                    problem.row,
                    problem.column,
                    "programme",
                    "error",
                    "unknown_programme",
                    f"Rij {row.number}: groep '{group}' heeft jaargroep "
                    f"'{years.get(group) or '?'}', en welke opleiding dat is, weet Klasse niet. "
                    f"Kies de opleiding van groep '{group}' bij 'Inhoud van het bestand' "
                    f"(opdrachtregel: --programme '{group}=opleiding').",
                )


def ascii_name(text: str) -> str:
    """`Zoë` → `zoe`, `de Vries` → `devries`, `El Amrani` → `elamrani`: lower-case ASCII
    letters and digits only (accents stripped, spaces and other signs dropped)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("ı", "i").replace("ø", "o").replace("ł", "l").replace("ß", "ss")
    return _NOT_IN_NAME.sub("", plain.encode("ascii", "ignore").decode())


def username_base(cells: list[str], pattern: str, prefix: str) -> str:
    """The username `pattern` makes of one person's cells, before a number makes it unique;
    "" when the cells lack what it needs."""
    first = ascii_name(cells[_COLUMN["first_name"]])
    last = ascii_name(cells[_COLUMN["infix"]] + cells[_COLUMN["last_name"]])
    kind = pattern.removeprefix(SCHOOL_PREFIX)
    if kind == "voornaam.achternaam":
        base = f"{first}.{last}" if first and last else ""
    elif kind == "vachternaam":
        base = f"{first[:1]}{last}" if first and last else ""
    else:
        base = ascii_name(cells[_COLUMN["external_id"]])
    if base and pattern.startswith(SCHOOL_PREFIX):
        base = f"{prefix}.{base}"
    return base


def fill_usernames(table: Table, *, school: School, pattern: str) -> list[dict]:
    """1. a person without a username who is an account of the school — found on ECK iD
    first, then on key (`external_id`), as the import matches (docs/import-contract.md,
    "Matching") — keeps that account's username: generated names never change on a later
    import, also when the administration gave the pupil a new key; 2. with a pattern,
    every other person without one gets a new username, lower-case ASCII, unique on the
    platform and in the file (`zoe.devries`, `zoe.devries2`, …). Returns the generated
    ones, in the file's order: `[{"row": 2, "username": "zoe.devries2", "name": "Zoë de
    Vries"}, …]` (`row` as the report numbers rows; a kept username is not listed)."""
    username, key, eck = _COLUMN["username"], _COLUMN["external_id"], _COLUMN["eck_id"]
    empty = [row for row in table.rows if not row.cells[username].strip()]
    if not empty:
        return []
    accounts = Account.objects.filter(school=school)
    eck_ids = {row.cells[eck] for row in empty if row.cells[eck]}
    by_eck_id = dict(accounts.filter(eck_id__in=eck_ids).values_list("eck_id", "username"))
    keys = {row.cells[key] for row in empty if row.cells[key]}
    by_key = dict(accounts.filter(external_id__in=keys).values_list("external_id", "username"))
    new = []
    for row in empty:
        found = by_eck_id.get(row.cells[eck]) or by_key.get(row.cells[key])
        if found:
            row.cells[username] = found
        else:
            new.append(row)
    if not new or not pattern:
        return []
    prefix = ascii_name(school.slug)
    in_file = {row.cells[username].strip().lower() for row in table.rows}
    bases = [username_base(row.cells, pattern, prefix) for row in new]
    chosen = _unique_names([b for b in bases if b], in_file)
    generated = []
    for row, base in zip(new, bases, strict=True):
        if base:
            row.cells[username] = chosen[base].pop(0)
            generated.append(
                {"row": row.number, "username": row.cells[username], "name": _name(row.cells)}
            )
    return generated


def _name(cells: list[str]) -> str:
    parts = (cells[_COLUMN[f]].strip() for f in ("first_name", "infix", "last_name"))
    return " ".join(part for part in parts if part)


def _unique_names(bases: list[str], in_file: set[str]) -> dict[str, list[str]]:
    """For each base, as many free names as it occurs: the base itself, then base2,
    base3…, none taken on the platform or in the file. Ten candidates a base per query."""
    wanted = Counter(bases)
    chosen: dict[str, list[str]] = {base: [] for base in wanted}
    start = 1
    while open_ := [b for b, n in wanted.items() if len(chosen[b]) < n]:
        candidates = {
            b: [b if i == 1 else f"{b}{i}" for i in range(start, start + 10 * wanted[b])]
            for b in open_
        }
        taken = taken_elsewhere([name for names in candidates.values() for name in names])
        for base, names in candidates.items():
            for name in names:
                if len(chosen[base]) < wanted[base] and name not in taken and name not in in_file:
                    chosen[base].append(name)
                    in_file.add(name)
        start += 10 * max(wanted[b] for b in open_)
    return chosen
