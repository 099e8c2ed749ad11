from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from .audit import audit_record
from .db import same_lower
from .models import Account, AuditEntry, ClassKind, Role, SchoolClass, normalise_username
from .programmes import match_programme
from .rules import (
    MAX_LENGTHS,
    REQUIRED_NAMES,
    ROW_MESSAGES,
    class_names_of,
    email_problem,
    mojibake_repaired,
    normalise_email,
    username_problem,
    value_problem,
)
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


# The import's words for a broken rule name a row and a column ("Rij 2, kolom 'klas': …");
# on a form the field says where, so each code gets a message of its own.
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
    """Edit an account with the rules an import applies to a row (`rules`)."""

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
        checked = _Checked({name: data.get(name) or "" for name in self.fields})
        checked.check(self.account.username)
        if data.get("role") == Role.STUDENT and "," in data.get("class_name", ""):
            self.add_error("class_name", _("Een leerling zit in één klas."))
        elif data.get("role") == Role.STUDENT and _is_group(self.account, data.get("class_name")):
            self.add_error(
                "class_name",
                _(
                    "Dit is een lesgroep, geen klas. Een leerling zit in één klas; de "
                    "lesgroepen komen uit de import."
                ),
            )
        for field, code in checked.problems:
            target = field if field in self.fields else None
            if code == "invalid_username":  # not a field: said as the import says it
                message = ROW_MESSAGES[code] % {"where": _USERNAME_WHERE, "value": checked.username}
            elif code == "too_long":
                message = _FORM_MESSAGES[code] % {"max": MAX_LENGTHS[field]}
            else:
                message = _FORM_MESSAGES[code]
            self.add_error(target, message)
        if not self.errors:
            self.values = AccountValues(
                first_name=data["first_name"],
                infix=data["infix"],
                last_name=data["last_name"],
                email=checked.email,
                external_id=data["external_id"],
                role=data.get("role") or None,
                class_names=tuple(checked.class_names),
                programme=checked.programme,
            )
        return data


def _is_group(account: Account, name: str | None) -> bool:
    """Whether `name` is one of the groups (lesgroepen) of the account's school."""
    return bool(name) and (
        SchoolClass.objects.filter(school_id=account.school_id, kind=ClassKind.GROUP)
        .filter(same_lower("name", name.strip()))
        .exists()
    )


def _initial(account: Account) -> dict:
    described = account_describe(account)
    return {**described, "role": account.role}


# Where the account's own username is said to break its rule (it is no field of the form):
# as the form said it when it validated a one-row table with a column per field.
_USERNAME_WHERE = "Rij 2, kolom 'username'"


class _Checked:
    """The rules of `rules` applied to the form's values ({field: value}, trimmed by the
    fields; a field whose own check failed is empty) and the account's username, in the
    order an import applies them to a row (`validation._validate_row`, whose outcome the
    form had when it validated a one-row table). `problems` are (field, code), at most one
    a field; `email` (normalised), `class_names` and `programme` (a catalogue code, or
    None) are what the values say."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.problems: list[tuple[str, str]] = []
        self.username = ""
        self.email = ""
        self.class_names: list[str] = []
        self.programme: str | None = None

    def broken(self, field: str, code: str) -> None:
        self.problems.append((field, code))
        self.values[field] = ""

    def has_problem(self, field: str) -> bool:
        return any(name == field for name, _code in self.problems)

    def check(self, username: str) -> None:
        values = self.values
        values["username"] = username.strip()  # trimmed as a cell is (the fields trim theirs)
        for field, value in list(values.items()):
            code = value_problem(field, value)
            if code:
                self.broken(field, code)
        for field in REQUIRED_NAMES:
            if not values[field] and not self.has_problem(field):
                self.broken(field, "required")
        # A class name with a wrong encoding's damage is saved repaired, as an import saves
        # it (the names are saved as typed: `clean` takes them from the fields).
        repaired = mojibake_repaired(values.get("class_name", ""))
        if repaired:
            values["class_name"] = repaired
        self.username = normalise_username(values["username"])
        code = None if self.has_problem("username") else username_problem(self.username)
        if code:
            self.broken("username", code)
        role = "teacher" if values.get("role") == Role.TEACHER else "student"
        class_text = values.get("class_name", "")
        self.class_names = class_names_of(role, class_text)
        needed = role == "student" and "class_name" in values
        if needed and not class_text and not self.has_problem("class_name"):
            self.broken("class_name", "required")
        programme_text = values.get("programme", "")
        if programme_text:
            self.programme = match_programme(programme_text)
            if self.programme is None:
                self.broken("programme", "unknown_programme")
        elif role == "student" and "programme" in values and not self.has_problem("programme"):
            self.broken("programme", "required")
        if values.get("email"):
            self.email = normalise_email(values["email"])
            if email_problem(self.email):
                self.broken("email", "invalid_email")


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


class ChoosePasswordForm(SetPasswordForm):
    """The page behind a password link. The password is its owner's own from now on (a
    login card says "je eigen wachtwoord" only then), and it is logged (PASSWORD, "via":
    "link"), so that an undo of the import that made the account keeps it."""

    def save(self, commit: bool = True) -> Account:
        self.user.password_chosen = True
        account = super().save(commit=commit)
        if commit:
            audit_record(
                school_id=account.school_id,
                actor=account,
                action=AuditEntry.Action.PASSWORD,
                account=account,
                details={"via": "link"},
            )
        return account
