from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
