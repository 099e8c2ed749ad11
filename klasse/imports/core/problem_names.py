"""A name for each problem code, as an administrator says it (issue 17, item 6).

Pages show the name and the stable code only as small print. The names are Dutch msgids,
translated at render time (`gettext_lazy`); tests/imports/test_problem_texts.py holds this
table to the registries of `problems.py` and to the English translation.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PROBLEM_NAMES = {
    # File problems: the import stops.
    "unreadable_file": _("Bestand niet te lezen"),
    "empty_file": _("Bestand is leeg"),
    "unsupported_format": _("Geen spreadsheet"),
    "too_large": _("Bestand is te groot"),
    "missing_required_columns": _("Verplichte kolom ontbreekt"),
    "mass_archive_needs_confirmation": _("Veel leerlingen archiveren: bevestig eerst"),
    "wrong_school": _("Bestand van een andere school"),
    # Row errors: the row is skipped.
    "required": _("Verplicht veld is leeg"),
    "duplicate_in_file": _("Gebruikersnaam staat dubbel in het bestand"),
    "username_taken": _("Gebruikersnaam is al in gebruik"),
    "invalid_username": _("Ongeldige gebruikersnaam"),
    "no_password_or_email": _("Wachtwoord of e-mailadres ontbreekt"),
    "invalid_email": _("Ongeldig e-mailadres"),
    "unknown_programme": _("Onbekende opleiding"),
    "unknown_role": _("Onbekende rol"),
    "too_long": _("Waarde is te lang"),
    "invalid_characters": _("Onzichtbare tekens of regelovergang"),
    "weak_password": _("Wachtwoord is te zwak"),
    "wrong_column_count": _("Meer cellen dan kolommen"),
    "spreadsheet_date": _("Excel maakte er een datum van"),
    "spreadsheet_error": _("Excel-foutwaarde in een cel"),
    "formula_without_value": _("Formule zonder uitkomst"),
    "invalid_eck_id": _("Ongeldig ECK iD"),
    "eck_id_taken": _("ECK iD hoort bij een ander account"),
    "class_group_conflict": _("Klas en lesgroep met dezelfde naam"),
    # Row warnings: the row is imported all the same.
    "repaired_text": _("Tekst hersteld"),
    "suspect_characters": _("Vreemde tekens in een naam"),
    "similar_account": _("Lijkt op een bestaand account"),
    "programme_spelling": _("Opleiding in een andere schrijfwijze"),
    "damaged_value": _("Beschadigde waarde, de oude blijft"),
    "skipped_lines": _("Regels boven de kopregel overgeslagen"),
    "other_school_year": _("Bestand van een ander schooljaar"),
}


def problem_name(code: str) -> str:
    """The name of `code` in the active language; an unknown code is shown as itself."""
    return str(PROBLEM_NAMES.get(code, code))
