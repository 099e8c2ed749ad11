"""The wizard's forms: upload, how the file is read, the column mapping with the follow-up
actions, and the final "Importeer"."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .core.edexml import looks_like_edexml
from .core.mapping import (
    FIELDS,
    LABELS,
    REQUIRED_COLUMNS,
    Mapping,
    apply_overrides,
    check_mapping,
    missing_required,
    suggest_mapping,
)
from .core.pipeline import has_students
from .core.planning import Actions
from .core.problems import FileProblem
from .core.reading import Table

ACCEPT = ".csv,.txt,.xlsx,.xml"
ENCODING_CHOICES = [
    ("utf-8", "UTF-8"),
    ("utf-8-sig", _("UTF-8 met BOM")),
    ("utf-16", _("UTF-16 (Unicode-tekst uit Excel)")),
    ("cp1252", _("Windows-1252 (ANSI)")),
    ("mac_roman", _("Mac Roman (oude Mac)")),
    ("cp850", _("DOS (codetabel 850)")),
    ("cp437", _("DOS (codetabel 437)")),
]
DELIMITER_CHOICES = [(";", _("puntkomma ( ; )")), (",", _("komma ( , )")), ("tab", _("tab"))]
FIELD_CHOICES = [("", _("— niet importeren —"))] + [
    # The labels are Dutch msgids, said in the reader's language when the page is drawn.
    (
        field,
        format_lazy("{} *", _(LABELS[field])) if field in REQUIRED_COLUMNS else _(LABELS[field]),
    )
    for field in FIELDS
]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Kies bestand (CSV, XLSX of XML)"),
        allow_empty_file=True,  # the reader's message for an empty file says what to do
        widget=forms.FileInput(attrs={"accept": ACCEPT, "data-autosubmit": ""}),
    )

    def clean_file(self):
        """Size only: the file is read in the background (`file_reading`), never here."""
        upload = self.cleaned_data["file"]
        limit = settings.KLASSE_MAX_UPLOAD_BYTES
        if upload.size > limit:
            # Sizes as the reader's language writes them (21,0 MB in Dutch); an EDEXML file
            # (told by its first bytes) cannot be split by hand.
            upload.seek(0)
            edexml = looks_like_edexml(upload.read(65536))
            advice = (
                _(
                    "Exporteer het EDEXML-bestand per vestiging (dependance) uit de "
                    "leerlingadministratie, of vraag de administratie om een kleiner bestand."
                )
                if edexml
                else _("Splits het bestand en importeer de delen na elkaar.")
            )
            raise ValidationError(
                _("Het bestand is %(size)s MB; de grens is %(limit)s MB. %(advice)s"),
                code="too_large",
                params={
                    "size": number_format(upload.size / 1048576, 1),
                    "limit": number_format(limit / 1048576, 0),
                    "advice": advice,
                },
            )
        self.content = upload.read()
        return upload


class ReadingForm(forms.Form):
    """How a CSV file is read; a changed choice reads the stored file again."""

    encoding = forms.ChoiceField(label=_("Tekencodering"), choices=ENCODING_CHOICES)
    delimiter = forms.ChoiceField(label=_("Scheidingsteken"), choices=DELIMITER_CHOICES)

    @classmethod
    def for_run(cls, data, file_info: dict) -> ReadingForm:
        delimiter = file_info.get("delimiter")
        initial = {
            "encoding": file_info.get("encoding"),
            "delimiter": "tab" if delimiter == "\t" else delimiter,
        }
        return cls(data if data and "encoding" in data else None, initial=initial)

    def chosen(self) -> tuple[str | None, str | None]:
        """(encoding, delimiter): the posted choice when valid, else the run's own."""
        values = self.cleaned_data if self.is_bound and self.is_valid() else self.initial
        delimiter = values.get("delimiter")
        return values.get("encoding"), "\t" if delimiter == "tab" else delimiter


ACTION_HINTS = {
    "add": _(
        "Rijen met een gebruikersnaam die nog niet in je school bestaat, worden nieuwe accounts."
    ),
    "update": _(
        "Bestaande accounts krijgen de gegevens uit het bestand; gearchiveerde accounts die in "
        "het bestand staan, komen terug."
    ),
    "archive": _(
        "Leerlingen die niet in het bestand staan, worden gearchiveerd. Docenten en beheerders "
        "worden nooit gearchiveerd."
    ),
    "overwrite_passwords": _(
        "Bestaande accounts krijgen het wachtwoord uit het bestand. Laat dit uit als leerlingen "
        "zelf een wachtwoord gekozen hebben."
    ),
    "send_emails": _(
        "Nieuwe accounts met een e-mailadres en zonder wachtwoord krijgen na de import een "
        "e-mail met een link om zelf een wachtwoord te kiezen. Zet dit uit als je ze liever "
        "een inlogkaartje geeft."
    ),
    "generate_passwords": _(
        "Nieuwe accounts zonder wachtwoord én zonder e-mailadres (bijvoorbeeld jonge "
        "leerlingen) worden toch toegevoegd. Hun wachtwoord maakt Klasse als je na de import "
        "hun inlogkaartjes afdrukt; het staat alleen op die kaartjes. Zonder dit vinkje zijn "
        "zulke rijen een fout."
    ),
}


class MappingForm(forms.Form):
    """One drop-down per column of the file (`kolom_0`, …) and the follow-up actions."""

    add = forms.BooleanField(
        label=_("Voeg nieuwe account(s) toe"), required=False, help_text=ACTION_HINTS["add"]
    )
    update = forms.BooleanField(
        label=_("Werk account(s) bij"), required=False, help_text=ACTION_HINTS["update"]
    )
    archive = forms.BooleanField(
        label=_("Archiveer account(s)"), required=False, help_text=ACTION_HINTS["archive"]
    )
    overwrite_passwords = forms.BooleanField(
        label=_("Overschrijf wachtwoorden van bestaande accounts"),
        required=False,
        help_text=ACTION_HINTS["overwrite_passwords"],
    )
    send_emails = forms.BooleanField(
        label=_("Stuur nieuwe accounts zonder wachtwoord een e-mail om er een te kiezen"),
        required=False,
        help_text=ACTION_HINTS["send_emails"],
    )
    generate_passwords = forms.BooleanField(
        label=_("Maak een wachtwoord voor nieuwe accounts zonder wachtwoord of e-mailadres"),
        required=False,
        help_text=ACTION_HINTS["generate_passwords"],
    )
    ACTION_NAMES = (
        "add",
        "update",
        "archive",
        "overwrite_passwords",
        "send_emails",
        "generate_passwords",
    )

    def __init__(
        self,
        data=None,
        *,
        headers: list[str],
        mapping: Mapping,
        actions: Actions,
        table: Table | None = None,
    ) -> None:
        self.table = table  # to tell a staff file, which needs no opleiding
        initial = {name: getattr(actions, name) for name in self.ACTION_NAMES}
        self.all_headers = headers
        self.headers = list(dict.fromkeys(headers))  # a repeated header is one column here
        initial |= {f"kolom_{i}": mapping.get(h) or "" for i, h in enumerate(self.headers)}
        super().__init__(data, initial=initial)
        for index, header in enumerate(self.headers):
            self.fields[f"kolom_{index}"] = forms.ChoiceField(
                label=header or _("(kolom %(n)s zonder naam)") % {"n": headers.index(header) + 1},
                choices=FIELD_CHOICES,
                required=False,
            )

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"kolom_{i}"] for i in range(len(self.headers))]

    def action_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ACTION_NAMES]

    def current_mapping(self) -> Mapping:
        """The mapping as the page shows it now: posted, or else the initial one."""
        source = self.data if self.is_bound else self.initial
        return {
            header: value if (value := source.get(f"kolom_{i}")) in FIELDS else None
            for i, header in enumerate(self.headers)
        }

    def unmapped(self) -> list[str]:
        mapping = self.current_mapping()
        missing = missing_required(mapping, students=self._students(mapping))
        return [gettext(LABELS[f]) for f in missing]

    def _students(self, mapping: Mapping) -> bool:
        return self.table is None or has_students(self.table, mapping)

    def clean(self) -> dict:
        data = super().clean()
        chosen = {h: data.get(f"kolom_{i}") or None for i, h in enumerate(self.headers)}
        if missing := missing_required(chosen, students=self._students(chosen)):
            self.add_error(
                None,
                ValidationError(
                    _(
                        "Koppel eerst de verplichte velden: %(fields)s. Kies bij een kolom van je "
                        "bestand het veld dat erbij hoort."
                    ),
                    code="missing_required_columns",
                    params={"fields": ", ".join(gettext(LABELS[f]) for f in missing)},
                ),
            )
        else:
            try:
                data["mapping"] = apply_overrides(suggest_mapping(self.all_headers), chosen)
                students = self._students(data["mapping"])
                check_mapping(self.all_headers, data["mapping"], students=students)
            except ValueError as error:
                self.add_error(None, ValidationError(str(error), code="mapping"))
            except FileProblem as problem:
                self.add_error(None, ValidationError(problem.message, code=problem.code))
        if not (data.get("add") or data.get("update") or data.get("archive")):
            self.add_error(
                None,
                ValidationError(
                    _(
                        "Kies minstens één vervolgactie: nieuwe accounts toevoegen, accounts "
                        "bijwerken of accounts archiveren."
                    ),
                    code="no_action",
                ),
            )
        data["actions"] = Actions(**{name: bool(data.get(name)) for name in self.ACTION_NAMES})
        return data


class ImportForm(forms.Form):
    """The preview's "Importeer": the plan the administrator saw, and the extra tick."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm_mass_archive = forms.BooleanField(
        label=_("Ja, archiveer deze leerlingen"), required=False
    )
