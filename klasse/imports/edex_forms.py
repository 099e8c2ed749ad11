"""The wizard's step 2 for an EDEXML file: what the file holds instead of the columns,
with the choices it needs (a programme per group whose jaargroep is not 1–8, a pattern for
usernames the file does not give) and the follow-up actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from klasse.accounts.models import Programme

from .core.edexml_choices import SCHOOL_PREFIX, USERNAME_PATTERNS, EdexOptions
from .core.planning import Actions
from .forms import MappingForm


class EdexForm(forms.Form):
    """`opleiding_0`, `opleiding_1`… for the groups in `open_groups`, the username pattern
    (with or without the school's short name in front) and the actions of MappingForm."""

    username_pattern = forms.ChoiceField(
        label=_("Gebruikersnamen voor nieuwe accounts zonder gebruikersnaam"),
        required=False,
        choices=[("", _("Geen: het bestand heeft gebruikersnamen"))]
        + [(code, label) for code, label in USERNAME_PATTERNS.items()],
    )
    school_prefix = forms.BooleanField(
        label=_("Met de korte naam van de school ervoor"), required=False
    )
    add = MappingForm.base_fields["add"]
    update = MappingForm.base_fields["update"]
    archive = MappingForm.base_fields["archive"]
    overwrite_passwords = MappingForm.base_fields["overwrite_passwords"]
    send_emails = MappingForm.base_fields["send_emails"]
    # (No choice to make passwords: an EDEXML file has none, so every new account without
    # an e-mail address gets its password on a login card; `make_plan(login_sheets=True)`.)
    ACTION_NAMES = tuple(n for n in MappingForm.ACTION_NAMES if n != "generate_passwords")

    def __init__(
        self,
        data=None,
        *,
        open_groups: list[str],
        options: EdexOptions,
        actions: Actions,
        school_slug: str,
    ) -> None:
        pattern = options.username_pattern
        initial = {name: getattr(actions, name) for name in self.ACTION_NAMES}
        initial["username_pattern"] = pattern.removeprefix(SCHOOL_PREFIX)
        initial["school_prefix"] = pattern.startswith(SCHOOL_PREFIX)
        super().__init__(data, initial=initial)
        self.open_groups = open_groups
        self.fields["school_prefix"].help_text = _("Bijvoorbeeld %(name)s") % {
            "name": f"{school_slug.replace('-', '')}.zoe.devries"
        }
        codes = [("", _("— kies de opleiding —"))] + [
            (code, code) for code in Programme.objects.values_list("code", flat=True)
        ]
        for index, group in enumerate(open_groups):
            self.fields[f"opleiding_{index}"] = forms.ChoiceField(
                label=group,
                choices=codes,
                required=False,
                initial=options.programmes.get(group, ""),
            )

    def programme_fields(self) -> list[forms.BoundField]:
        return [self[f"opleiding_{index}"] for index in range(len(self.open_groups))]

    def action_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ACTION_NAMES]

    def clean(self) -> dict:
        data = super().clean()
        if not any(data.get(name) for name in ("add", "update", "archive")):
            self.add_error(
                None,
                _(
                    "Kies minstens één vervolgactie: nieuwe accounts toevoegen, accounts "
                    "bijwerken of accounts archiveren."
                ),
            )
        pattern = data.get("username_pattern", "")
        if pattern and data.get("school_prefix"):
            pattern = SCHOOL_PREFIX + pattern
        programmes = {
            group: data[f"opleiding_{index}"]
            for index, group in enumerate(self.open_groups)
            if data.get(f"opleiding_{index}")
        }
        data["options"] = EdexOptions(programmes, pattern)
        data["actions"] = Actions(**{name: bool(data.get(name)) for name in self.ACTION_NAMES})
        return data
