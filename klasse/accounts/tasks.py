"""Background jobs of the accounts app."""

from django.core.mail import send_mass_mail
from django.tasks import task
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Account
from .site import base_url
from .tokens import password_link_tokens

SUBJECT = "Kies je wachtwoord voor Klasse"
BODY = """Hallo {name},

Je school heeft een account voor je gemaakt in Klasse. Je gebruikersnaam is: {username}

Kies hier je wachtwoord (de link werkt een paar dagen):
{link}

Heb je dit niet verwacht? Dan kun je deze e-mail negeren.
"""


def password_link(account: Account) -> str:
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    token = password_link_tokens.make_token(account)
    path = reverse("password_choose", kwargs={"uidb64": uid, "token": token})
    return base_url() + path


@task()
def send_password_links(account_ids: list[int]) -> int:
    """E-mail each new account a link to choose a password; runs only after the commit."""
    messages = []
    accounts = Account.objects.filter(pk__in=account_ids, archived_at__isnull=True).exclude(
        email=""
    )
    for account in accounts.iterator(chunk_size=2000):
        body = BODY.format(
            name=account.first_name, username=account.username, link=password_link(account)
        )
        messages.append((SUBJECT, body, None, [account.email]))
    return send_mass_mail(messages) if messages else 0
