"""Match the headers of an import file to Klasse's fields.

`suggest_mapping` guesses from the header names that Magister, Somtoday, ParnasSys, our
own template and English spreadsheets use; `apply_overrides` lets the administrator
correct the guess (`--map Header=field`, or the wizard's mapping step); `check_mapping`
refuses a mapping that cannot be imported before anything is written.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict

from klasse.imports.core.problems import FileProblem

FIELDS: tuple[str, ...] = (
    "last_name",
    "infix",
    "first_name",
    "username",
    "password",
    "email",
    "class_name",
    "programme",
    "role",
    "external_id",
    "eck_id",
    "groups",
)
LABELS: dict[str, str] = {
    "last_name": "achternaam",
    "infix": "tussenvoegsel",
    "first_name": "voornaam",
    "username": "gebruikersnaam",
    "password": "wachtwoord",
    "email": "e-mailadres",
    "class_name": "klas",
    "programme": "opleiding",
    "role": "rol",
    "external_id": "stamnummer",
    "eck_id": "ECK iD",
    "groups": "lesgroepen",
}
REQUIRED_COLUMNS: tuple[str, ...] = (
    "last_name",
    "first_name",
    "username",
    "class_name",
    "programme",
)

STAFF_REQUIRED_COLUMNS = tuple(field for field in REQUIRED_COLUMNS if field != "programme")

Mapping = dict[str, str | None]  # header as the file names it → field, or None

# Keys are normalised (see normalise_header), so "E-mail", "e_mail" and "Leerling e-mail"
# all meet "email". Each field's synonyms go from better to worse: where a file has two
# columns for one field, the better one is mapped and the other fills its empty cells
# (Magister's Roepnaam is the name a child is called by; Voornaam holds the official
# first names). Deliberately absent: "naam" (often the full name), "voornamen" and
# "voorletters" (official names and initials, not the name a child is called by),
# "leerjaar" (a year is not a programme) and "lesgroep" (one group or the class? Unclear;
# the plural is the groups column). "groep" alone is ParnasSys' stamgroep (the
# class); "groepen", "lesgroepen" and "clusters" are the groups beside it (Somtoday's
# leerlingLesgroepen arrives as "lesgroepen": the prefix is stripped first).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "last_name": ("achternaam", "lastname", "surname", "familyname", "familienaam"),
    "infix": ("tussenvoegsel", "tussenvoegsels", "tussenv", "voorvoegsel", "voorvoegsels", "infix"),
    "first_name": ("roepnaam", "voornaam", "firstname", "givenname"),
    "username": (
        "gebruikersnaam",
        "username",
        "login",
        "loginnaam",
        "inlognaam",
        "loginaccountnaam",
        "accountnaam",
    ),
    "password": ("wachtwoord", "password", "loginaccountwachtwoord"),
    "email": ("emailadres", "email", "mail", "mailadres", "emailaddress"),
    "class_name": ("klas", "klassen", "klasnaam", "class", "classname", "stamgroep", "groep"),
    "programme": ("opleiding", "opleidingcode", "opleidingsnaam", "studie", "programme", "program"),
    # Magister's staff export: Functie.Omschr ("Docent", "Mentor", "Conciërge").
    "role": ("rol", "role", "functie", "functieomschr", "functieomschrijving"),
    # "leerlingnummer" arrives here as "nummer": the prefix is stripped first.
    "external_id": (
        "stamnummer",
        "stamnr",
        "nummer",
        "studentnummer",
        "studentnumber",
        "externalid",
        "externid",
    ),
    "eck_id": ("eckid", "eckidleerling", "eckidmedewerker", "ketenid"),
    "groups": (
        "lesgroepen",
        "groepen",
        "clusters",
        "samengesteldegroepen",
        "groups",
    ),
}
_FIELD_BY_SYNONYM = {syn: fld for fld, synonyms in _SYNONYMS.items() for syn in synonyms}
_RANK = {syn: rank for synonyms in _SYNONYMS.values() for rank, syn in enumerate(synonyms)}
# Columns that name the school, the rights or our own keys: never imported, whatever the
# administrator asks, so that no file can choose a school or make an administrator.
_NEVER = frozenset({"id", "pk", "school", "issuperuser", "isstaff"})
_PREFIXES = ("leerling", "medewerker")
_REMOVED = str.maketrans("", "", "-_.")


def normalise_header(header: str) -> str:
    """`"Leerling E-mail"` → `"email"`: no case, accents, spaces, `-_.` or person prefix."""
    decomposed = unicodedata.normalize("NFKD", header.casefold())
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = "".join(text.split()).translate(_REMOVED)
    for prefix in _PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix) :]
    return text


def suggest_mapping(headers: list[str]) -> Mapping:
    """Each header → the field it names, or None. A field goes to the header with its
    best synonym (`Roepnaam` before `Voornaam`), and among equals to the first one."""
    mapping: Mapping = {}
    best: dict[str, tuple[int, str]] = {}  # field → (rank, header)
    for header in headers:
        if header in mapping:
            continue  # a repeated header; check_mapping reports it
        mapping[header] = None
        field, rank = _field_of(header)
        if field is not None and (field not in best or rank < best[field][0]):
            best[field] = (rank, header)
    for field, (_rank, header) in best.items():
        mapping[header] = field
    return mapping


def column_fills(headers: list[str], mapping: Mapping) -> Mapping:
    """The unmapped columns that name a mapped field, → that field: each fills the empty
    cells of the field's column (a Voornaam beside the mapped Roepnaam; mapping Voornaam
    instead makes Roepnaam the one that fills). The import contract, "Two columns for one
    field"."""
    mapped = {field for field in mapping.values() if field}
    fills: Mapping = {}
    for header in dict.fromkeys(headers):
        field, _rank = _field_of(header)
        if mapping.get(header) is None and field in mapped:
            fills[header] = field
    return fills


def _field_of(header: str) -> tuple[str | None, int]:
    key = normalise_header(header)
    if key in _NEVER or key not in _FIELD_BY_SYNONYM:
        return None, 0
    return _FIELD_BY_SYNONYM[key], _RANK[key]


def apply_overrides(mapping: Mapping, overrides: dict[str, str | None]) -> Mapping:
    """The mapping with the administrator's choices (`{"Login": "username"}`) applied.

    A header may be named as in the file or in any case/spacing; a field by its name or
    its Dutch label; empty or None unmaps the column. A field chosen here takes over from
    an automatic guess for another column. ValueError (Dutch) for an unknown header or
    field, a protected column, or one field chosen for two columns.
    """
    result = dict(mapping)
    chosen: dict[str, str] = {}
    for given_header, given_field in overrides.items():
        header = _find_header(result, given_header)
        field = _find_field(given_field)
        if normalise_header(header) in _NEVER and field is not None:
            raise ValueError(f"De kolom {header!r} wordt nooit ingelezen; hernoem de kolom.")
        if field is not None and field in chosen:
            raise ValueError(
                f"Het veld {LABELS[field]!r} is gekozen voor twee kolommen: "
                f"{chosen[field]!r} en {header!r}. Kies het voor één kolom."
            )
        if field is not None:
            chosen[field] = header
        result[header] = field
    for header, field in result.items():
        if field in chosen and chosen[field] != header:
            result[header] = None  # the administrator's choice wins over the guess
    return result


def missing_required(mapping: Mapping, *, students: bool = True) -> list[str]:
    """Required fields (in template order) that no column is mapped to. A file without
    students (`students=False`: a staff file) needs no opleiding."""
    present = set(mapping.values())
    required = REQUIRED_COLUMNS if students else STAFF_REQUIRED_COLUMNS
    return [field for field in required if field not in present]


def check_mapping(headers: list[str], mapping: Mapping, *, students: bool = True) -> None:
    """Raise FileProblem when this file cannot be imported with this mapping.

    1. `unreadable_file` when a mapped column appears twice (after normalisation, e.g.
       `Klas` and `KLAS`): which of the two holds the data is anybody's guess. Repeated
       columns that stay unmapped (two empty headers) are fine.
    2. `missing_required_columns` when a required field has no column (`students=False`:
       a staff file, which needs no opleiding); when all the data sits in one column,
       saying so (and how to split it) instead of naming as missing the columns that are
       inside it.
    """
    positions: dict[str, list[int]] = defaultdict(list)
    for position, header in enumerate(headers, 1):
        positions[normalise_header(header)].append(position)
    for places in positions.values():
        names = [headers[p - 1] for p in places]
        if len(places) > 1 and any(mapping.get(name) for name in names):
            columns = " en ".join(str(p) for p in places)
            raise FileProblem(
                "unreadable_file",
                f"De kolom {names[0]!r} staat meer dan één keer in het bestand (kolom "
                f"{columns}). Verwijder of hernoem de dubbele kolom, zodat duidelijk is "
                "welke gebruikt moet worden.",
            )
    missing = missing_required(mapping, students=students)
    named = [h for h in headers if h]
    if missing and len(named) == 1 and any(sep in named[0] for sep in ";,\t"):
        raise FileProblem(
            "missing_required_columns",
            f"Alle gegevens staan in één kolom ('{named[0][:60]}'). Splits de kolom in Excel: "
            "Gegevens › Tekst naar kolommen, kies 'Gescheiden' en het scheidingsteken (komma "
            "of puntkomma), en sla het bestand opnieuw op.",
        )
    if missing:
        labels = ", ".join(LABELS[field] for field in missing)
        found = ", ".join(h for h in headers if h) or "geen"
        raise FileProblem(
            "missing_required_columns",
            f"Het bestand mist verplichte kolommen: {labels}. Voeg ze toe, of geef aan welke "
            f"kolom ermee bedoeld is. Gevonden kolommen: {found}.",
        )


def _find_header(mapping: Mapping, given: str) -> str:
    if given in mapping:
        return given
    matches = [h for h in mapping if normalise_header(h) == normalise_header(given)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ValueError(f"Meer kolommen lijken op {given!r}; schrijf de kolom precies zo.")
    known = ", ".join(repr(h) for h in mapping)
    raise ValueError(f"De kolom {given!r} staat niet in het bestand. Kolommen: {known}.")


def _find_field(given: str | None) -> str | None:
    if not given or not given.strip():
        return None
    key = given.strip().casefold()
    for field in FIELDS:
        if key in (field, LABELS[field]):
            return field
    choices = ", ".join(f"{LABELS[f]} ({f})" for f in FIELDS)
    raise ValueError(f"Onbekend veld {given!r}. Kies uit: {choices}.")
