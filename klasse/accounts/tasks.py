"""Background jobs of the accounts app: the e-mails with a link to choose a password."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.tasks import task
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Account, AuditEntry
from .site import base_url
from .tokens import password_link_tokens

SUBJECT = "Kies je wachtwoord voor Klasse ({school})"
BODY = """Hallo {name},

{school} heeft een account voor je gemaakt in Klasse. Je gebruikersnaam is: {username}

Kies hier je wachtwoord (de link werkt een paar dagen):
{link}

Heb je dit niet verwacht? Dan kun je deze e-mail negeren.
"""


def password_link(account: Account) -> str:
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    token = password_link_tokens.make_token(account)
    path = reverse("password_choose", kwargs={"uidb64": uid, "token": token})
    return base_url() + path


def password_links_send(account_ids: list[int], *, run_id: str | None = None) -> int:
    """E-mail each of these accounts that still exists, is active and has an e-mail address
    a link to choose a password, naming its school, from DEFAULT_FROM_EMAIL. Returns how
    many were sent (an account removed since, by an undo say, gets none). Errors of the
    mail server are raised (smtplib's, OSError), and then nothing is logged. With `run_id`
    (an import's own e-mails, which nobody logged when asking) each account sent one gets
    a PASSWORD_LINK entry naming the import: a login card says "kies er een met de link in
    je e-mail" only for an account with such an entry (`login_cards.card_note`)."""
    messages = []
    sent: list[Account] = []
    accounts = (
        Account.objects.filter(pk__in=account_ids, archived_at__isnull=True)
        .exclude(email="")
        .select_related("school")
    )
    for account in accounts.iterator(chunk_size=2000):
        school = account.school.name
        body = BODY.format(
            name=account.first_name,
            school=school,
            username=account.username,
            link=password_link(account),
        )
        subject = SUBJECT.format(school=school)
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [account.email]))
        sent.append(account)
    count = send_mass_mail(messages) if messages else 0
    if run_id is not None:
        AuditEntry.objects.bulk_create(
            AuditEntry(
                school_id=account.school_id,
                account=account,
                username=account.username,
                action=AuditEntry.Action.PASSWORD_LINK,
                details={"email": account.email, "run": run_id},
            )
            for account in sent
        )
    return count


@task()
def send_password_links(account_ids: list[int]) -> int:
    """`password_links_send`, in the background; runs only after the commit."""
    return password_links_send(account_ids)
