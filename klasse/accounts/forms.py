from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from klasse.imports.core.reading import Row, Table
from klasse.imports.core.valid_rows import MAX_LENGTHS, ValidRow
from klasse.imports.core.validation import validate_rows

from .models import Account, Role, SchoolClass
from .services import AccountValues, Renew, account_describe


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Deze combinatie van gebruikersnaam en wachtwoord klopt niet. Let op: het "
            "wachtwoord is hoofdlettergevoelig."
        ),
        "inactive": _("Dit account is gearchiveerd. Vraag de beheerder van je school."),
    }

    username = forms.CharField(label=_("Gebruikersnaam"), max_length=150)
    password = forms.CharField(label=_("Wachtwoord"), strip=False, widget=forms.PasswordInput)


_ROLE_TEXT = {Role.STUDENT: "leerling", Role.TEACHER: "docent"}
# The import's own checks name a row and a column ("Rij 2, kolom 'klas': …"); on a form the
# field says where, so each code gets a message of its own.
_FORM_MESSAGES = {
    "required": _("Vul dit veld in."),
    "too_long": _("Dit is te lang: maximaal %(max)s tekens."),
    "invalid_characters": _(
        "Hier staan onzichtbare tekens of een regelovergang in. Typ het opnieuw."
    ),
    "invalid_email": _("Dit is geen geldig e-mailadres."),
    "unknown_programme": _(
        "Deze opleiding staat niet in de lijst. Kies er een uit de lijst, bijvoorbeeld 'havo 3'."
    ),
}


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Zoeken"), required=False, max_length=200)
    rol = forms.ChoiceField(
        label=_("Rol"),
        required=False,
        choices=[("", _("alle rollen")), *Role.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("actief")), ("archived", _("gearchiveerd")), ("all", _("alle"))],
    )


class AccountForm(forms.Form):
    """Edit an account with the import's own validation rules (one row of the template)."""

    first_name = forms.CharField(label=_("Voornaam"), required=False, strip=True)
    infix = forms.CharField(label=_("Tussenvoegsel"), required=False)
    last_name = forms.CharField(label=_("Achternaam"), required=False)
    email = forms.CharField(label=_("E-mailadres"), required=False)
    external_id = forms.CharField(label=_("Stamnummer"), required=False)
    role = forms.ChoiceField(
        label=_("Rol"), choices=[(Role.STUDENT, _("leerling")), (Role.TEACHER, _("docent"))]
    )
    class_name = forms.CharField(
        label=_("Klas"),
        required=False,
        help_text=_("Een docent kan in meer klassen zitten: scheid ze met een komma."),
    )
    programme = forms.CharField(
        label=_("Opleiding"), required=False, help_text=_("Verplicht voor een leerling.")
    )

    def __init__(self, *args, account: Account, **kwargs) -> None:
        self.account = account
        kwargs.setdefault("initial", _initial(account))
        super().__init__(*args, **kwargs)
        if account.role == Role.ADMIN:
            for name in ("role", "class_name", "programme"):
                del self.fields[name]
        for name, field in self.fields.items():
            if name in MAX_LENGTHS and isinstance(field.widget, forms.TextInput):
                field.widget.attrs["maxlength"] = MAX_LENGTHS[name]

    def clean(self) -> dict:
        data = super().clean()
        row = _validate_like_import(self.account.username, data, list(self.fields))
        if data.get("role") == Role.STUDENT and "," in data.get("class_name", ""):
            self.add_error("class_name", _("Een leerling zit in één klas."))
        for problem in row.errors:
            target = problem.field if problem.field in self.fields else None
            message = _FORM_MESSAGES.get(problem.code)
            if message is None:
                message = problem.message
            elif problem.code == "too_long":
                message = message % {"max": MAX_LENGTHS[problem.field]}
            self.add_error(target, message)
        if not self.errors:
            self.values = AccountValues(
                first_name=data["first_name"],
                infix=data["infix"],
                last_name=data["last_name"],
                email=row.values.get("email", ""),
                external_id=data["external_id"],
                role=data.get("role") or None,
                class_names=tuple(row.class_names),
                programme=row.programme,
            )
        return data


def _initial(account: Account) -> dict:
    described = account_describe(account)
    return {**described, "role": account.role}


def _validate_like_import(username: str, data: dict, fields: list[str]) -> ValidRow:
    """Run the import's validate_rows on a one-row table made of the form's values."""
    values = {name: data.get(name) or "" for name in fields}
    if "role" in values:
        values["role"] = _ROLE_TEXT.get(values["role"], values["role"])
    values["username"] = username
    headers = list(values)
    table = Table("csv", "utf-8", ";", headers, [Row(2, [values[h] for h in headers])])
    (row,) = validate_rows(table, {h: h for h in headers})
    return row


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Formaat"),
        choices=[("csv", _("CSV (Excel, puntkomma's)")), ("xlsx", _("Excel-werkmap (XLSX)"))],
        widget=forms.RadioSelect,
        initial="csv",
    )
    school_class = forms.ModelChoiceField(
        label=_("Klas"),
        queryset=SchoolClass.objects.none(),
        required=False,
        empty_label=_("de hele school"),
    )
    include_archived = forms.BooleanField(label=_("Ook gearchiveerde accounts"), required=False)

    def __init__(self, *args, school_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = SchoolClass.objects.filter(school_id=school_id)


class LoginSheetForm(forms.Form):
    renew = forms.ChoiceField(
        label=_("Wie krijgt een nieuw beginwachtwoord?"),
        choices=Renew.choices,
        initial=Renew.MISSING,
        widget=forms.RadioSelect,
    )
    format = forms.ChoiceField(
        choices=[("html", _("Afdrukpagina")), ("pdf", _("PDF"))], widget=forms.HiddenInput
    )
