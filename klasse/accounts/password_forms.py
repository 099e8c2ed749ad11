"""A signed-in account changes its own password (issue 15, item 7): the current password
first, then a new one twice, checked by the platform's rules (settings.
AUTH_PASSWORD_VALIDATORS: at least 8 characters, not a common password; see
`rules.password_problems`)."""

from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _


class OwnPasswordForm(PasswordChangeForm):
    """Django's PasswordChangeForm in Klasse's words. `is_valid()` checks the current
    password, that the two new ones are equal, and the password rules; the caller stores
    the new one (`services.account_change_own_password`), so that it is logged."""

    error_messages = {
        "password_mismatch": _("De twee nieuwe wachtwoorden zijn niet gelijk. Typ ze opnieuw."),
        "password_incorrect": _(
            "Je huidige wachtwoord klopt niet. Let op: het wachtwoord is hoofdlettergevoelig."
        ),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Huidig wachtwoord")
        self.fields["new_password1"].label = _("Nieuw wachtwoord")
        self.fields["new_password1"].help_text = _(
            "Minstens 8 tekens, en geen veelgebruikt wachtwoord."
        )
        self.fields["new_password2"].label = _("Nieuw wachtwoord nog een keer")
        self.fields["new_password2"].help_text = ""
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)

    def clean(self) -> dict:
        data = super().clean()
        old, new = data.get("old_password"), data.get("new_password1")
        if old and new and old == new and not self.has_error("new_password2"):
            self.add_error(
                "new_password1", _("Dit is je huidige wachtwoord. Kies een ander wachtwoord.")
            )
        return data
